/*
 * Shared between the files of the registration module (srs/registration.c, partner.c,
 * link.c) only: keys derived from the master key, sealing with a record's data key, tokens,
 * and the status change with its audit record and webhook inside a transaction.
 *
 * Ownership: srs_unseal returns owned memory (free(); NUL-terminated after *len bytes);
 * srs_seal fills a blob owned by the caller (free(out->data)).
 */
#ifndef SIGNET_SRS_INTERNAL_H
#define SIGNET_SRS_INTERNAL_H

#include "core/crypto.h"
#include "srs/registration.h"
#include "store/srs.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* HMAC-SHA256 of data under the key derived from the master key for purpose, as hex. */
bool srs_key_hex(const struct srs_env *env, const char *purpose, const char *data, char out[65]);
/* The lookup value of a mobile number (HMAC, hex). */
bool srs_mobile_lookup(const struct srs_env *env, const char *mobile, char out[65]);
/* AES-256-GCM of plain under key with aad (the record id) into a new blob. */
bool srs_seal(const unsigned char key[CRYPTO_KEY_LEN], const char *aad, const void *plain,
              size_t len, struct store_blob_field *out);
/* Opens a sealed blob; NULL when it does not open. */
unsigned char *srs_unseal(const unsigned char key[CRYPTO_KEY_LEN], const char *aad,
                          const struct store_blob_field *b, size_t *len);
/* The record's data key, unwrapped with the key-encryption key. */
bool srs_data_key(const struct srs_env *env, const struct store_srs_registration *r,
                  unsigned char dk[CRYPTO_KEY_LEN]);
/* A new 256-bit token (base64url) and its SHA-256 hex. */
bool srs_new_token(char token[SRS_TOKEN_LEN], char hash[65]);
void srs_token_hash(const char *token, char hash[65]);

/* Moves r to status `to` (allowed from its current one): update, audit record, webhook. */
enum store_status srs_transition(struct store_tx *tx, struct store_srs_registration *r,
                                 const char *to, const char *actor, int64_t now);
/* EXPIRED when the link (before ACTIVE) or the validity (ACTIVE) has passed. */
enum store_status srs_expire_if_due(struct store_tx *tx, struct store_srs_registration *r,
                                    const char *actor, int64_t now);
enum srs_result srs_from_store(enum store_status st);

/* One registration by organization and id, or by a secret column (store_srs_get_by); with
 * expire_actor set, expired first when due. */
struct srs_get_op {
    const char *organization_id, *id, *column, *value;
    struct store_srs_registration *r;
    const char *expire_actor; /* expire lazily as this actor (NULL: no) */
    size_t limit;
    struct store_srs_registration *list;
    size_t n;
};
enum store_status srs_get_tx(struct store_tx *tx, void *cls);

#endif
