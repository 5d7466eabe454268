/*
 * Revocation, pure part (docs/pki.md, "Revocation"): OCSP responses (RFC 6960) and CRLs
 * (RFC 5280) for certificates issued by the hierarchy in a struct pki_ca. No I/O: the status
 * of a certificate comes from the caller (pki/registry.h reads it from the store).
 *
 * Who signs: a response about a certificate issued by an issuing CA (simple-ca, advanced-ca,
 * qualified-ca: the signer certificates) is signed by that CA's own key (RFC 6960
 * §4.2.2.2, the CA itself is an authorized responder); a response about a certificate issued
 * by the root (the issuing CAs, tsa, ocsp) is signed by the root-issued delegated responder
 * "ocsp" (extendedKeyUsage OCSPSigning, id-pkix-ocsp-nocheck). Every response names its
 * responder by key hash and carries the responder's certificate. CRLs are signed by the CA
 * they are about (root or an issuing CA).
 *
 * Times given to these functions are seconds since the epoch.
 *
 * Ownership: functions returning bytes return owned memory (free()). All functions are
 * thread-safe; they only read the struct pki_ca.
 */
#ifndef SIGNET_PKI_REVOCATION_H
#define SIGNET_PKI_REVOCATION_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct pki_ca;

#define PKI_OCSP_VALIDITY_S 3600 /* nextUpdate - thisUpdate of our OCSP responses */
#define PKI_CRL_VALIDITY_S  3600 /* nextUpdate - thisUpdate of our CRLs */
#define PKI_OCSP_MAX_IDS    16   /* CertIDs accepted in one OCSPRequest */
#define PKI_SERIAL_HEX_LEN  84   /* buffer for a serial as hex (41 bytes), NUL */

/* RFC 5280 CRLReason codes (7 is unused; certificateHold and removeFromCRL are not offered:
 * a revocation here is final). PKI_REASON_NONE: no reason stated. */
#define PKI_REASON_NONE -1

enum pki_cert_state { PKI_CERT_GOOD, PKI_CERT_REVOKED, PKI_CERT_UNKNOWN };

struct pki_cert_status {
    enum pki_cert_state state;
    int64_t revoked_at; /* seconds; PKI_CERT_REVOKED only */
    int reason;         /* CRLReason code or PKI_REASON_NONE; "unspecified" (0) is not sent */
};

/* The CRLReason code of a name ("unspecified", "keyCompromise", "cACompromise",
 * "affiliationChanged", "superseded", "cessationOfOperation", "privilegeWithdrawn",
 * "aACompromise"; case-insensitive), or PKI_REASON_NONE for anything else. */
int pki_reason_code(const char *name);
/* The name of a code accepted by pki_reason_code, else NULL. */
const char *pki_reason_name(int code);

/* Normalizes a serial number written in hex: optional "0x", optional ':' between bytes,
 * either case; leading zeros dropped; output uppercase with an even number of digits (as
 * OpenSSL prints serials). False if it is not hex, is too long for out, or is zero. */
bool pki_serial_normalize(const char *in, char *out, size_t out_len);

/* What the registry keeps about a certificate (pki/registry.h). */
struct pki_cert_info {
    char serial_hex[PKI_SERIAL_HEX_LEN];
    char subject[1024]; /* RFC 2253, truncated if longer */
    int64_t not_before; /* seconds */
    int64_t not_after;
    int issuer; /* index of the issuing entity in the hierarchy (pki/ca.h), or -1 */
};
/* Parses a DER certificate; the issuer is looked up in ca (may be NULL: issuer -1). False if
 * the DER is not a certificate. */
bool pki_cert_info(const struct pki_ca *ca, const unsigned char *der, size_t len,
                   struct pki_cert_info *out);

/*
 * A signed, successful OCSP response (DER) about one certificate issued by one of ca's CAs:
 * CertID with SHA-256, thisUpdate = now, nextUpdate = now + PKI_OCSP_VALIDITY_S, the status
 * given (PKI_CERT_REVOKED with its time and reason), responder by key hash, the responder's
 * certificate included; producedAt is the system clock. This is what a PAdES /DSS embeds.
 * NULL if the certificate does not parse or no CA of ca issued it, or on failure.
 */
unsigned char *pki_ocsp_response_der(const struct pki_ca *ca, const unsigned char *cert_der,
                                     size_t cert_len, const struct pki_cert_status *status,
                                     int64_t now, size_t *out_len);

/* Looks up the status of the certificate of CA `issuer` (entity index) with serial
 * serial_hex (as pki_serial_normalize writes it). False when the lookup failed (the store is
 * unavailable): the responder then answers tryLater. */
typedef bool (*pki_status_lookup)(void *cls, size_t issuer, const char *serial_hex,
                                  struct pki_cert_status *out);

/*
 * Answers a DER OCSPRequest: every CertID (SHA-1, SHA-256, SHA-384 or SHA-512) is matched to
 * the CA that issued it and its status looked up; the response echoes the CertIDs and the
 * nonce, and is signed as described at the top. Errors are OCSP responses too: a request
 * that does not parse, has no or more than PKI_OCSP_MAX_IDS CertIDs or an unsupported hash
 * gets malformedRequest; CertIDs of a CA that is not ours, or of two different CAs in one
 * request, get unauthorized; a failed lookup gets tryLater. *out is owned (free()). False
 * only when no response could be encoded (out of memory, a signing failure).
 */
bool pki_ocsp_respond(const struct pki_ca *ca, const void *req, size_t len, int64_t now,
                      pki_status_lookup lookup, void *cls, unsigned char **out, size_t *out_len);

/* An unsigned OCSP response with an error status (1 malformedRequest, 2 internalError,
 * 3 tryLater, 5 sigRequired, 6 unauthorized); NULL on failure. */
unsigned char *pki_ocsp_error_der(int status, size_t *out_len);

/* The OCSP response status of a DER OCSPResponse (0 successful, 1 malformedRequest, …), or
 * -1 if it does not parse. For logs and tests. */
int pki_ocsp_response_status(const unsigned char *der, size_t len);

/* One entry of a CRL. */
struct pki_revoked {
    const char *serial_hex; /* as pki_serial_normalize writes it */
    int64_t revoked_at;     /* seconds */
    int reason;             /* CRLReason code or PKI_REASON_NONE; 0 is not written */
};

/*
 * A v2 CRL (DER) of CA `issuer` (entity index of the root or an issuing CA) listing the n
 * entries, with thisUpdate = now, nextUpdate = next_update, the CRL number and the authority
 * key identifier, signed by that CA with ECDSA-SHA384. NULL if issuer is not a CA, a serial
 * is not valid hex, or on failure.
 */
unsigned char *pki_crl_der(const struct pki_ca *ca, size_t issuer, const struct pki_revoked *list,
                           size_t n, int64_t now, int64_t next_update, int64_t crl_number,
                           size_t *out_len);

#endif
