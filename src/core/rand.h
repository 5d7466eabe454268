/* Cryptographically secure random bytes from the OS (getrandom). */
#ifndef SIGNET_CORE_RAND_H
#define SIGNET_CORE_RAND_H

#include <stdbool.h>
#include <stddef.h>

/* Fills buf with len random bytes; false only if the OS source fails. */
bool rand_bytes(void *buf, size_t len);

#endif
