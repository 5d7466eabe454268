/*
 * One-line logging to stderr. Never log secrets, tokens, request bodies or personal data.
 * log_bug is for "our bug" (an error, with context); log_client_fault for a client's mistake
 * (a debug line), in the spirit of Taler's GNUNET_break / GNUNET_break_op.
 */
#ifndef SIGNET_CORE_LOG_H
#define SIGNET_CORE_LOG_H

enum log_level { LOG_ERROR = 0, LOG_WARN = 1, LOG_INFO = 2, LOG_DEBUG = 3 };

void log_set_level(enum log_level level);
enum log_level log_get_level(void);
/* Parses "error", "warn", "info", "debug"; returns -1 for anything else. */
int log_level_parse(const char *s);
void log_msg(enum log_level level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#define log_error(...) log_msg(LOG_ERROR, __VA_ARGS__)
#define log_warn(...)  log_msg(LOG_WARN, __VA_ARGS__)
#define log_info(...)  log_msg(LOG_INFO, __VA_ARGS__)
#define log_debug(...) log_msg(LOG_DEBUG, __VA_ARGS__)
#define log_bug(...) log_bug_at(__FILE__, __LINE__, __func__, __VA_ARGS__)
#define log_client_fault(...) log_msg(LOG_DEBUG, __VA_ARGS__)

/* Logs "our bug" with where it happened. Use through log_bug(). */
void log_bug_at(const char *file, int line, const char *func, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

#endif
