/* Files compiled into the binary (SQL migrations, web pages); see cmake/embed.cmake. */
#ifndef SIGNET_CORE_EMBED_H
#define SIGNET_CORE_EMBED_H

#include <stddef.h>

struct embedded_file {
    const char *name;          /* path relative to the embedded folder, '/'-separated */
    const unsigned char *data; /* NUL-terminated for convenience; size excludes the NUL */
    size_t size;
};

/* Tables end with an entry whose name is NULL. Both live in static storage. */
extern const struct embedded_file store_migration_files[];
extern const struct embedded_file web_files[];

/* Finds a file by name in a table; NULL when absent. */
const struct embedded_file *embed_find(const struct embedded_file *table, const char *name);

#endif
