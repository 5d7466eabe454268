/*
 * Verifying an SD-JWT VC presentation (RFC 9901 SD-JWT, draft-ietf-oauth-sd-jwt-vc) as an
 * OpenID4VP verifier receives it: "<issuer-signed JWT>~<disclosure>~…~<KB-JWT>".
 *
 * Checked, in this order: the structure; the issuer-signed JWT (header typ dc+sd-jwt, alg
 * ES256, a kid naming one of the trusted issuer keys) and its signature; every disclosure
 * (base64url JSON [salt, name, value] or [salt, value]) referenced exactly once by its
 * SHA-256 digest in an _sd array or a {"...": digest} array element (_sd_alg sha-256);
 * exp (required), nbf and iat of the credential; vct among the accepted values; the holder
 * key cnf.jwk (EC P-256); the KB-JWT (typ kb+jwt, ES256) signed by that holder key, with
 * aud the verifier's client_id, nonce whose SHA-256 is the expected one, iat recent and
 * sd_hash the base64url SHA-256 of the presented SD-JWT up to and including its last '~'.
 *
 * Ownership: everything borrowed; *claims_out (the processed payload: disclosed claims in
 * place, no _sd, _sd_alg or digests left) is a new reference owned by the caller.
 */
#ifndef SIGNET_SRS_SDJWT_H
#define SIGNET_SRS_SDJWT_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

struct auth_keyring;

#define SDJWT_MAX_LEN 32768 /* longest presentation we look at */

enum sdjwt_result {
    SDJWT_OK = 0,
    SDJWT_MALFORMED,      /* not an SD-JWT with a KB-JWT, or not ES256 JWTs of JSON */
    SDJWT_UNKNOWN_ISSUER, /* the kid names no trusted issuer key */
    SDJWT_BAD_ISSUER_SIGNATURE,
    SDJWT_BAD_DISCLOSURE,   /* a disclosure that is malformed, unreferenced or repeated */
    SDJWT_EXPIRED,          /* exp missing or past */
    SDJWT_NOT_YET_VALID,    /* nbf or iat in the future */
    SDJWT_BAD_VCT,          /* vct missing or not accepted */
    SDJWT_BAD_HOLDER_KEY,   /* cnf.jwk missing or not an EC P-256 key */
    SDJWT_BAD_KB_SIGNATURE, /* the KB-JWT is not signed by the holder key */
    SDJWT_BAD_NONCE,
    SDJWT_BAD_AUDIENCE,
    SDJWT_BAD_SD_HASH,
    SDJWT_BAD_KB_TIME, /* KB-JWT iat missing, too old or in the future */
};

struct sdjwt_expect {
    const struct auth_keyring *issuers; /* trusted issuer keys, by kid */
    const char *const *vct_values;      /* accepted vct values */
    size_t n_vct;
    const char *audience;   /* the verifier's client_id */
    const char *nonce_hash; /* SHA-256 hex of the nonce of the request */
    int64_t now;            /* seconds since the epoch */
    int64_t leeway;         /* seconds of clock skew tolerated */
    int64_t kb_max_age;     /* seconds a KB-JWT may be old */
};

/* Verifies presentation (len bytes). On SDJWT_OK *claims_out gets the processed payload and
 * *kid_out (may be NULL; 64 bytes) the issuer key's kid. */
enum sdjwt_result sdjwt_verify(const char *presentation, size_t len, const struct sdjwt_expect *e,
                               json_t **claims_out, char *kid_out);
/* What a result means, for the Error object's message (static text). */
const char *sdjwt_result_message(enum sdjwt_result r);

#endif
