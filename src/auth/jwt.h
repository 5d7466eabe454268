/*
 * JSON Web Tokens signed with ES256 (RFC 7519, RFC 7515 compact form): creating access
 * tokens and checking them step by step — structure and header (only "ES256" is accepted,
 * never "none" or HMAC), signature against a key chosen by the header's "kid", and the
 * time, issuer and audience claims.
 *
 * Ownership: jwt_sign returns an owned string (free()). jwt_parse fills a struct jwt that
 * owns its header and claims (jansson references) and copies; release it with jwt_clear.
 */
#ifndef SIGNET_AUTH_JWT_H
#define SIGNET_AUTH_JWT_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct jws_key;

#define JWT_MAX_LEN 8192 /* longest token we look at */

enum jwt_result {
    JWT_OK = 0,
    JWT_MALFORMED,     /* not three base64url parts of JSON objects */
    JWT_BAD_ALG,       /* alg other than ES256, or crit present */
    JWT_NO_KID,        /* header without a "kid" */
    JWT_UNKNOWN_KID,   /* no key with that kid (decided by the caller) */
    JWT_BAD_SIGNATURE, /* signature does not verify */
    JWT_EXPIRED,       /* exp missing or in the past */
    JWT_NOT_YET_VALID, /* nbf or iat in the future */
    JWT_BAD_ISSUER,
    JWT_BAD_AUDIENCE,
    JWT_BAD_CLAIMS, /* required claim missing or of the wrong type */
};

struct jwt {
    json_t *header;      /* owned */
    json_t *claims;      /* owned */
    const char *kid;     /* points into header */
    char *signing_input; /* owned: "header.payload" */
    size_t signing_input_len;
    unsigned char *sig; /* owned */
    size_t sig_len;
};

/* What the claims must say. */
struct jwt_expect {
    const char *issuer;
    const char *audience;
    int64_t now;    /* seconds since the epoch */
    int64_t leeway; /* seconds of clock skew tolerated */
};

/* Signs claims (not stolen) with key, header {"alg":"ES256","typ":"JWT","kid":kid}.
 * Returns the compact token (owned) or NULL. */
char *jwt_sign(const struct jws_key *key, const char *kid, json_t *claims);
/* Splits and decodes token and checks the header (alg ES256, kid present). On any result
 * other than JWT_OK the struct is left empty. */
enum jwt_result jwt_parse(const char *token, struct jwt *out);
/* Checks the parsed token's signature with key (JWT_BAD_SIGNATURE if it fails). */
enum jwt_result jwt_verify(const struct jwt *t, const struct jws_key *key);
/* Checks exp (required), nbf and iat (optional), iss and aud (string or array). */
enum jwt_result jwt_check_claims(const struct jwt *t, const struct jwt_expect *e);
/* A string claim or NULL. */
const char *jwt_claim_string(const struct jwt *t, const char *name);
void jwt_clear(struct jwt *t);
/* What a result means, for error_description (static text). */
const char *jwt_result_message(enum jwt_result r);

#endif
