/*
 * The PKI side of signature verification (docs/verify.md), on OpenSSL: a CMS detached
 * signature (PAdES CAdES / adbe.pkcs7.detached) over given byte ranges, and an RFC 3161
 * document time stamp over its byte ranges.
 *
 * For a CMS signature it checks, and reports separately: the message digest against the
 * signed bytes, the signature over the signed attributes, the signer certificate's chain to
 * the trust store (intermediates from the CMS and the /DSS), the signature time stamp token
 * (its imprint over the signature value, its signature and the TSA's chain to the same trust
 * store) and, when the /DSS holds an OCSP response for the signer certificate signed by a
 * trusted responder, the revocation status. The chain is checked at the time the signature
 * time stamp proves when there is a valid one (on-demand certificates live minutes), else at
 * `now`. The level is read from the issuing CA in the verified chain: "simple", "advanced",
 * "qualified" when its common name is one of the instance's CAs ("Signet Simple CA", ...),
 * "external" otherwise.
 *
 * Ownership: a trust store from pki_verify_trust_* is freed by pki_verify_trust_free (NULL
 * ok); it is immutable after creation and may be shared by threads. Inputs are borrowed for
 * the call; results are written into caller-provided structs (no heap).
 */
#ifndef SIGNET_PKI_VERIFY_H
#define SIGNET_PKI_VERIFY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct pki_ca;
struct pki_verify_trust;

/* Trusts the hierarchy's root only. NULL when out of memory or the root is absent. */
struct pki_verify_trust *pki_verify_trust_from_ca(const struct pki_ca *ca);
/* Trusts every certificate in the PEM text (len bytes). NULL with one line in err when it
 * holds no certificate. */
struct pki_verify_trust *pki_verify_trust_from_pem(const char *pem, size_t len, char *err,
                                                   size_t err_len);
void pki_verify_trust_free(struct pki_verify_trust *t);

struct pki_bytes {
    const unsigned char *data;
    size_t len;
};

enum pki_revocation {
    PKI_REVOCATION_NOT_CHECKED = 0, /* no usable OCSP response for the signer certificate */
    PKI_REVOCATION_GOOD,
    PKI_REVOCATION_REVOKED,
    PKI_REVOCATION_UNKNOWN /* the responder said "unknown" */
};

struct pki_sig_check {
    bool parsed;       /* the bytes are a CMS SignedData / time stamp token */
    bool digest_ok;    /* message digest matches the signed bytes */
    bool signature_ok; /* signature over the signed attributes (or TSTInfo) verifies */
    bool chain_ok;     /* signer chains to the trust store */
    bool valid;        /* all of the above, time stamp ok when present, not revoked */
    char problem[256]; /* the first reason it is not valid, for people */
    char subject[600]; /* signer (or TSA) subject, RFC 2253 */
    char common_name[256];
    char serial[80]; /* upper-case hex */
    char issuer_cn[256];
    char level[16];     /* "simple", "advanced", "qualified", "external" */
    bool has_timestamp; /* CMS: a signature time stamp is present */
    bool timestamp_ok;
    int64_t timestamp_time; /* seconds since the epoch (genTime), 0 when none */
    char timestamp_problem[256];
    char tsa_cn[256];
    enum pki_revocation revocation;
    int64_t revoked_at; /* seconds since the epoch when revoked */
};

/*
 * Verifies a CMS detached signature (DER in cms, trailing zero padding allowed) over the
 * concatenated ranges. dss_certs and dss_ocsps (may be empty) come from the PDF's /DSS.
 * Always fills out; returns out->valid.
 */
bool pki_verify_cms(const struct pki_verify_trust *t, const unsigned char *cms, size_t cms_len,
                    const struct pki_bytes *ranges, size_t n_ranges,
                    const struct pki_bytes *dss_certs, size_t n_certs,
                    const struct pki_bytes *dss_ocsps, size_t n_ocsps, int64_t now,
                    struct pki_sig_check *out);

/*
 * Verifies an RFC 3161 time stamp token (DER ContentInfo, trailing zero padding allowed) as a
 * document time stamp over the concatenated ranges. subject/common_name name the TSA,
 * timestamp_time its time. Always fills out; returns out->valid.
 */
bool pki_verify_doc_timestamp(const struct pki_verify_trust *t, const unsigned char *token,
                              size_t token_len, const struct pki_bytes *ranges, size_t n_ranges,
                              const struct pki_bytes *dss_certs, size_t n_certs, int64_t now,
                              struct pki_sig_check *out);

#endif
