/*
 * Time as int64 milliseconds since the Unix epoch (UTC); ISO 8601 / RFC 3339 date-times with
 * offsets, and ISO 8601 durations (P30D, PT12H, P1DT2H, P1Y2M, P2W, PT0.5S).
 */
#ifndef SIGNET_CORE_ISOTIME_H
#define SIGNET_CORE_ISOTIME_H

#include <stdbool.h>
#include <stdint.h>

#define ISO_DATETIME_LEN 32

/* Wall-clock now, in milliseconds since the epoch. */
int64_t time_now_ms(void);
/* Monotonic clock in microseconds (for measuring durations). */
int64_t time_mono_us(void);

/* Parses "YYYY-MM-DDTHH:MM:SS[.fff…](Z|±HH:MM)"; fractions beyond milliseconds are truncated.
 * Rejects impossible dates (2025-02-30), missing offsets and trailing characters. */
bool iso_parse_datetime(const char *s, int64_t *ms_out);
/* Formats ms as UTC "YYYY-MM-DDTHH:MM:SSZ", or with ".mmm" when with_millis. */
void iso_format_datetime(int64_t ms, bool with_millis, char out[ISO_DATETIME_LEN]);

struct iso_duration {
    int64_t years, months, weeks, days, hours, minutes;
    int64_t millis; /* the seconds part, in milliseconds */
};

/* Parses an ISO 8601 duration; rejects empty ("P", "PT"), out-of-order or negative parts. */
bool iso_parse_duration(const char *s, struct iso_duration *d);
/* Adds d to from_ms with calendar arithmetic in UTC (P1M after Jan 31 is the last of Feb).
 * False on overflow. */
bool iso_duration_add(int64_t from_ms, const struct iso_duration *d, int64_t *out_ms);
/* Length of a duration without years or months, in ms; false if it has either (their
 * length depends on the start) or overflows. */
bool iso_duration_fixed_ms(const struct iso_duration *d, int64_t *out_ms);

#endif
