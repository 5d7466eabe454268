/*
 * The RFC 3161 time-stamping unit (docs/pki.md), on OpenSSL's TS_RESP_CTX: answers a
 * TimeStampReq with a TimeStampResp signed by the hierarchy's "tsa" entity. SHA-256, SHA-384
 * and SHA-512 message imprints are accepted; the time is the system clock to the second with
 * an accuracy of 1 s; ordering is false; serial numbers are 128-bit random (positive), so no
 * store round trip is needed per stamp; the TSA certificate is included when certReq is set.
 *
 * Ownership: pki_tsa_new returns a unit freed by pki_tsa_free (NULL ok). It borrows the
 * struct pki_ca, which must outlive it. A unit is immutable and may be used by several
 * threads at once (each answer builds its own OpenSSL context).
 */
#ifndef SIGNET_PKI_TSA_H
#define SIGNET_PKI_TSA_H

#include <stdbool.h>
#include <stddef.h>

struct pki_ca;
struct pki_tsa;

/* A unit stamping under policy_oid (dotted decimal). NULL with one line in err if the OID is
 * not one or the hierarchy has no TSA. */
struct pki_tsa *pki_tsa_new(const struct pki_ca *ca, const char *policy_oid, char *err,
                            size_t err_len);
void pki_tsa_free(struct pki_tsa *t);

/*
 * Answers the DER TimeStampReq in query (len bytes) with a DER TimeStampResp into *reply
 * (owned, free()). A malformed or unacceptable query still gets a reply, with status
 * "rejection" and the failure info RFC 3161 names. False only when no reply could be made
 * (out of memory, a signing failure): our bug, logged.
 */
bool pki_tsa_respond(const struct pki_tsa *t, const void *query, size_t len,
                     unsigned char **reply, size_t *reply_len);

/*
 * Stamps a SHA-256 digest in-process (the same path as POST /tsa: a TimeStampReq with certReq
 * and a random nonce, answered by pki_tsa_respond) and returns the time-stamp token — the DER
 * ContentInfo of the signed TSTInfo — as owned bytes (free()). NULL on failure (logged).
 */
unsigned char *pki_tsa_token(const struct pki_tsa *t, const unsigned char digest[32],
                             size_t *len);

#endif
