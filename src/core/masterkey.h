/*
 * The master key: 32 bytes that seal keys and personal data at rest (core/crypto.h
 * crypto_seal). Read from --master-key-file (32 raw bytes, or base64 of them with optional
 * surrounding whitespace); when that option is empty, from DATA_DIR/master.key, which is
 * created with mode 0600 and 32 random bytes on first use (atomically: concurrent first
 * starts agree on one key).
 */
#ifndef SIGNET_CORE_MASTERKEY_H
#define SIGNET_CORE_MASTERKEY_H

#include "core/crypto.h"

#include <stdbool.h>
#include <stddef.h>

struct config;

/* Loads (or creates) the master key into key. On failure writes one line to err. */
bool masterkey_load(const struct config *cfg, unsigned char key[CRYPTO_KEY_LEN], char *err,
                    size_t err_len);

#endif
