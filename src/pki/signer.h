/*
 * On-demand signer certificates and the PAdES CMS signature (docs/pki.md, "Signatures").
 *
 * For every signature Signet makes, pki_signer_issue creates a fresh key pair (ECDSA P-256 by
 * default, RSA-3072 on request) and a certificate for it, issued by the CA of the signature
 * level (SIMPLE → simple-ca, ADVANCED → advanced-ca, QUALIFIED → qualified-ca), valid from a
 * minute before `now` for `validity_s` seconds. pki_cms_sign then builds the CMS SignedData
 * that goes into the PDF's /Contents: ETSI EN 319 142-1 baseline (B-B) — detached, one
 * SignerInfo, signed attributes content-type, message-digest and signing-certificate-v2, no
 * signing-time, the signer certificate with its CA chain — and, when a time-stamping unit is
 * given, the RFC 3161 signature time stamp as unsigned attribute (B-T).
 *
 * Profiles of signer certificates:
 *   subject   C (optional), GN, SN, CN, serialNumber (the registered identity; optional)
 *   keyUsage  critical, digitalSignature, nonRepudiation
 *   extendedKeyUsage  emailProtection, documentSigning (1.3.6.1.5.5.7.3.36)
 *   policies  QUALIFIED: QCP-n-qscd 0.4.0.194112.1.2; ADVANCED: NCP+ 0.4.0.2042.1.2; SIMPLE: none
 *   qcStatements (QUALIFIED only): QcCompliance, QcSSCD, QcType esign
 *   AKI, SKI, AIA (OCSP + caIssuers) and CRL distribution point under public_url, as the CAs.
 *
 * Ownership: pki_signer_issue returns a signer freed by pki_signer_free, which destroys the
 * private key (OpenSSL clears key material when it frees it). The signer borrows nothing.
 * Functions returning bytes return owned memory (free()). A signer is used by one thread.
 */
#ifndef SIGNET_PKI_SIGNER_H
#define SIGNET_PKI_SIGNER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct pki_ca;
struct pki_tsa;
struct pki_signer;

enum pki_signer_level { PKI_SIGNER_SIMPLE = 0, PKI_SIGNER_ADVANCED, PKI_SIGNER_QUALIFIED };
enum pki_key_algorithm { PKI_KEY_EC_P256 = 0, PKI_KEY_RSA_3072 };

/* Longest accepted name part (bytes of UTF-8): X.520 ub-name is 32768, we stay far below. */
#define PKI_SIGNER_MAX_NAME 256

struct pki_signer_identity {
    const char *given_name;    /* GN; may be NULL */
    const char *surname;       /* SN; may be NULL */
    const char *common_name;   /* CN; required ("GIVEN SURNAME" when the caller has nothing) */
    const char *serial_number; /* serialNumber, e.g. the registered identity; may be NULL */
    const char *country;       /* C, two letters; may be NULL */
};

/* The issuing CA entity name ("simple-ca", ...) of a level; NULL for an unknown level. */
const char *pki_signer_level_ca(enum pki_signer_level level);
/* Parses "SIMPLE" / "ADVANCED" / "QUALIFIED" (also with "_EU" suffix, as the contract's
 * levels); false for anything else. */
bool pki_signer_level_parse(const char *text, enum pki_signer_level *out);

/*
 * Issues a signer certificate. public_url as for pki_ca_generate, or NULL for the URL the
 * hierarchy was created with (read from the issuing CA's CRL distribution point). NULL with one
 * line in err when the identity is unusable (no common name, a name part too long or not UTF-8, a
 * country that is not two letters) or on a library failure.
 */
struct pki_signer *pki_signer_issue(const struct pki_ca *ca, enum pki_signer_level level,
                                    enum pki_key_algorithm alg,
                                    const struct pki_signer_identity *id, const char *public_url,
                                    int64_t now, int64_t validity_s, char *err, size_t err_len);
void pki_signer_free(struct pki_signer *s);

/* The certificate as DER (owned); NULL on failure. */
unsigned char *pki_signer_cert_der(const struct pki_signer *s, size_t *len);
/* The issuing CA entity name (borrowed, static). */
const char *pki_signer_issuer(const struct pki_signer *s);
/* The serial number as upper-case hex without leading zeros (as `openssl x509 -serial`
 * prints it), the subject as one RFC 2253 line, and notBefore/notAfter in ms. */
bool pki_signer_serial_hex(const struct pki_signer *s, char *out, size_t out_len);
bool pki_signer_subject(const struct pki_signer *s, char *out, size_t out_len);
int64_t pki_signer_not_before_ms(const struct pki_signer *s);
int64_t pki_signer_not_after_ms(const struct pki_signer *s);

/*
 * Builds the DER CMS SignedData (ContentInfo) for a detached signature over content whose
 * SHA-256 is `digest` (for a PDF: the two byte ranges). With tsa non-NULL the SignerInfo gets
 * a signature time stamp from it (B-T); with NULL it is B-B. NULL with one line in err.
 */
unsigned char *pki_cms_sign(const struct pki_signer *s, const struct pki_ca *ca,
                            const unsigned char digest[32], const struct pki_tsa *tsa, size_t *len,
                            char *err, size_t err_len);

/* The signer certificate (DER, owned) of a CMS SignedData (trailing zero padding allowed, as in
 * a PDF's /Contents), taken from the certificates the CMS carries; NULL when there is none. */
unsigned char *pki_cms_signer_cert(const unsigned char *cms, size_t cms_len, size_t *len);

#endif
