/*
 * WebAuthn (W3C Web Authentication Level 2) verification on the server: the registration
 * ceremony's response (§7.1) and an assertion (§7.2) of the signature method PASSKEY
 * (docs/signer-pages.md, "Passkey"). Pure functions: no store, no HTTP; the caller issues and
 * keeps the challenges (sign/page_passkey.c) and stores the credential.
 *
 * Registration: clientDataJSON (type "webauthn.create", challenge, origin) and the
 * attestationObject (CBOR, decoded with libcbor): fmt "none" (empty attStmt) or "packed"
 * self-attestation (no x5c; its signature is checked with the new credential's key), other
 * formats refused — Signet asks for attestation "none" and does not judge authenticator
 * makes. authData: rpIdHash = SHA-256(rp id), flags UP and UV, attested credential data: the
 * credential id and the COSE key, EC2 P-256 with ES256 (-7) or RSA (2048..4096 bits) with
 * RS256 (-257), turned into a DER SubjectPublicKeyInfo.
 *
 * Assertion: clientDataJSON (type "webauthn.get", challenge, origin), authenticatorData
 * (rpIdHash, UP, UV, signCount) and the signature over authenticatorData ||
 * SHA-256(clientDataJSON) with the stored key: ES256 a DER ECDSA signature, RS256 PKCS#1 v1.5
 * with SHA-256. The signature counter must grow when either it or the stored one is non-zero;
 * one that does not is WEBAUTHN_COUNTER_REGRESSION (a cloned authenticator, §6.1.1).
 *
 * The challenge is compared through its SHA-256 (the caller stores only the hash), in
 * constant time. Ownership: everything borrowed; out structs filled by the callee.
 */
#ifndef SIGNET_PKI_WEBAUTHN_H
#define SIGNET_PKI_WEBAUTHN_H

#include <stddef.h>
#include <stdint.h>

#define WEBAUTHN_ALG_ES256         (-7)
#define WEBAUTHN_ALG_RS256         (-257)
#define WEBAUTHN_CREDENTIAL_ID_MAX 1023 /* the spec's upper bound of a credential id */
#define WEBAUTHN_PUBLIC_KEY_MAX    1024 /* DER SPKI: RSA-4096 needs 550 bytes, P-256 91 */
#define WEBAUTHN_CHALLENGE_LEN     32
#define WEBAUTHN_INPUT_MAX         65536 /* bytes of clientDataJSON, authData, attestation */

/* What the relying party expects of a response. */
struct webauthn_expected {
    const char *rp_id;                  /* "example.com": the host of the public URL */
    const char *origin;                 /* "https://example.com[:port]": the public URL's origin */
    unsigned char challenge_sha256[32]; /* SHA-256 of the challenge that was issued */
};

/* A registered credential (out of registration, in of an assertion). */
struct webauthn_credential {
    unsigned char id[WEBAUTHN_CREDENTIAL_ID_MAX];
    size_t id_len;
    unsigned char public_key[WEBAUTHN_PUBLIC_KEY_MAX]; /* DER SubjectPublicKeyInfo */
    size_t public_key_len;
    int alg; /* WEBAUTHN_ALG_ES256 | WEBAUTHN_ALG_RS256 */
    uint32_t sign_count;
};

enum webauthn_result {
    WEBAUTHN_OK = 0,
    WEBAUTHN_MALFORMED,               /* not JSON / CBOR / authData of the expected shape */
    WEBAUTHN_WRONG_TYPE,              /* clientDataJSON.type */
    WEBAUTHN_WRONG_CHALLENGE,         /* not the challenge that was issued */
    WEBAUTHN_WRONG_ORIGIN,            /* clientDataJSON.origin */
    WEBAUTHN_WRONG_RP,                /* rpIdHash */
    WEBAUTHN_USER_NOT_PRESENT,        /* flag UP missing */
    WEBAUTHN_USER_NOT_VERIFIED,       /* flag UV missing */
    WEBAUTHN_UNSUPPORTED_KEY,         /* a COSE key or algorithm other than ES256 / RS256 */
    WEBAUTHN_UNSUPPORTED_ATTESTATION, /* fmt other than none / packed self-attestation */
    WEBAUTHN_BAD_SIGNATURE,           /* the signature does not verify */
    WEBAUTHN_COUNTER_REGRESSION,      /* signCount did not grow: cloned authenticator? */
    WEBAUTHN_ERROR,                   /* out of memory or an OpenSSL failure (our side) */
};

/* Verifies a registration response; on OK *out holds the new credential (sign_count from
 * authData). */
enum webauthn_result
webauthn_verify_registration(const struct webauthn_expected *x, const unsigned char *client_data,
                             size_t client_data_len, const unsigned char *attestation_object,
                             size_t attestation_object_len, struct webauthn_credential *out);

/* Verifies an assertion made with cred; on OK *sign_count is the authenticator's new counter
 * (to be stored), on COUNTER_REGRESSION the counter it sent. */
enum webauthn_result webauthn_verify_assertion(const struct webauthn_expected *x,
                                               const struct webauthn_credential *cred,
                                               const unsigned char *client_data,
                                               size_t client_data_len,
                                               const unsigned char *auth_data, size_t auth_data_len,
                                               const unsigned char *signature, size_t signature_len,
                                               uint32_t *sign_count);

/* A stable name of r for audit records ("PASSKEY_WRONG_ORIGIN", …). */
const char *webauthn_result_name(enum webauthn_result r);

#endif
