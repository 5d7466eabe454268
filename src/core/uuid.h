/* UUID version 4 (RFC 9562) from the OS random source. */
#ifndef SIGNET_CORE_UUID_H
#define SIGNET_CORE_UUID_H

#include <stdbool.h>

#define UUID_STR_LEN 37 /* 36 characters and the NUL */

/* Writes a lowercase canonical UUID v4 into out; false if no randomness was available. */
bool uuid_v4(char out[UUID_STR_LEN]);
/* True if s is a canonical UUID (8-4-4-4-12 hex digits, any version, either case). */
bool uuid_is_valid(const char *s);

#endif
