/*
 * PAdES signing (docs/pades.md): one function that signs a PDF held in memory at PAdES
 * baseline B-B, B-T, B-LT or B-LTA, with a fresh on-demand signer certificate from the
 * instance's CA of the requested level. It joins the PDF side (pdf/sign.h) and the PKI side
 * (pki/signer.h, pki/tsa.h); it holds no I/O of its own — what needs the store (recording the
 * issued certificate, revocation data for B-LT) comes in through callbacks.
 *
 * Steps: rewrite a repaired unsigned file once; issue the certificate; report it through
 * on_certificate (the caller records it, e.g. in the certificate registry, before it is used);
 * add the signature field + dictionary as an incremental update; hash the byte ranges; build
 * the CMS (B-T: with the signature time stamp); fill it in. B-LT: append a /DSS with the
 * certificates (signer, issuing CA, root, TSA) and the OCSP responses and CRLs the revocation
 * callback supplies. B-LTA: then a document time stamp (/DocTimeStamp) over everything.
 *
 * Ownership: pades_sign fills a caller-provided struct pades_result whose buffers it allocates
 * and pades_result_free releases. All inputs are borrowed for the call.
 */
#ifndef SIGNET_SIGN_PADES_H
#define SIGNET_SIGN_PADES_H

#include "pki/signer.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct pdf_engine;
struct pdf_stamp;
struct pki_ca;
struct pki_tsa;

enum pades_level { PADES_B_B = 0, PADES_B_T, PADES_B_LT, PADES_B_LTA };

/* "B-B", "B-T", "B-LT", "B-LTA" ↔ enum; parse returns false for anything else. */
bool pades_level_parse(const char *text, enum pades_level *out);
const char *pades_level_name(enum pades_level level);

/* What the caller learns about the certificate it must record (all borrowed for the call). */
struct pades_certificate {
    const char *issuer;  /* CA entity name: "simple-ca", ... */
    const char *serial;  /* upper-case hex */
    const char *subject; /* RFC 2253 */
    const unsigned char *der;
    size_t der_len;
    int64_t not_before_ms, not_after_ms;
};

struct pades_hooks {
    void *arg;
    /* Called once the signer certificate exists, before it signs. Returning false aborts
     * the signature (the message in err is shown to the caller). May be NULL. */
    bool (*on_certificate)(void *arg, const struct pades_certificate *cert, char *err,
                           size_t err_len);
    /* B-LT: the DER OCSP response for a certificate issued by the instance's PKI (owned,
     * free()), or NULL when none can be had (the DSS then lacks it). May be NULL. */
    unsigned char *(*ocsp_response)(void *arg, const unsigned char *cert_der, size_t cert_len,
                                    size_t *out_len);
    /* B-LT: the current DER CRLs of the root and of the issuing CA named issuer: an owned
     * array of owned items with an owned array of lengths (free() each item and both arrays).
     * May be NULL. */
    bool (*crls)(void *arg, const char *issuer, unsigned char ***items, size_t **lens, size_t *n);
};

struct pades_request {
    enum pades_level pades;
    enum pki_signer_level level;
    enum pki_key_algorithm key;
    struct pki_signer_identity identity;
    /* Visible signature box in the contract's page space (pdf/pdf.h); invisible when false. */
    bool visible;
    int page;
    double x, y, w, h;
    const unsigned char *image; /* optional drawn signature (PNG/JPEG) */
    size_t image_len;
    const char *reason, *location; /* may be NULL */
    int64_t now;                   /* seconds since the epoch: /M, certificate validity */
    int64_t cert_validity_s;       /* 0: PADES_CERT_VALIDITY_DEFAULT */
    /* NULL: pades_sign issues a fresh certificate (level, key, identity, cert_validity_s) and
     * reports it through on_certificate. Else the signature is made with this one (borrowed;
     * from pades_signer_issue), so that the documents of one signing act share a certificate. */
    const struct pki_signer *signer;
};

#define PADES_CERT_VALIDITY_DEFAULT 600 /* ten minutes, as on-demand certificates usually are */

struct pades_timing { /* microseconds spent per step, for bench/sign */
    int64_t certificate_us, pdf_us, hash_us, cms_us, ltv_us;
};

struct pades_result {
    unsigned char *pdf; /* the signed file (owned) */
    size_t len;
    char issuer[32];   /* CA entity name */
    char serial[80];   /* signer certificate serial, hex */
    char subject[600]; /* RFC 2253 */
    char field_name[64];
    struct pades_timing timing;
};

enum pades_status {
    PADES_OK = 0,
    PADES_BAD_INPUT, /* the PDF or request is not signable: message in err for the client */
    PADES_FAILED     /* our side failed (PKI, TSA, memory): message in err, logged */
};

enum pades_status pades_sign(struct pdf_engine *engine, const struct pki_ca *ca,
                             const struct pki_tsa *tsa, const struct pades_hooks *hooks,
                             const struct pades_request *req, const void *pdf, size_t len,
                             struct pades_result *out, char *err, size_t err_len);
/* Issues the on-demand signer certificate and key that pades_sign would issue for req (and
 * reports it through hooks->on_certificate): owned, pki_signer_free (which destroys the key).
 * issuer / serial / subject as in struct pades_result. NULL with *status and err on failure. */
struct pki_signer *pades_signer_issue(const struct pki_ca *ca, const struct pades_hooks *hooks,
                                      const struct pades_request *req, char issuer[32],
                                      char serial[80], char subject[600], enum pades_status *status,
                                      char *err, size_t err_len);
/* Adds a document time stamp (B-LTA) to an already signed PDF; *out owned (free()). */
enum pades_status pades_timestamp(struct pdf_engine *engine, const struct pki_tsa *tsa,
                                  const void *pdf, size_t len, int64_t now, unsigned char **out,
                                  size_t *out_len, char *err, size_t err_len);
void pades_result_free(struct pades_result *r);

#endif
