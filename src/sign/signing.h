/*
 * The signing step of a process: one signer signs every document of the process on which it
 * is placed (docs/signing.md). The signer pages (issue 6) call this after the signer has been
 * authorized and has confirmed with a signature method; tests call it directly.
 *
 * What it does, for organization_id's PENDING process and one of its PENDING signers:
 *   - checks that the process has not passed validUntil, that the method is one the release
 *     allowed (or, without a list, one the signature level allows), and that a QUALIFIED
 *     signature comes with the registered identity of the signer (Smart Registration Service);
 *   - signs each document the signer is placed on, on top of its newest version (the original,
 *     or the file after the previous signature), as PAdES B-LT (sign/pades.h) with a fresh
 *     certificate of the level's CA, visibly at the signer's first position on that document
 *     (with the drawn signature when that position asks for one);
 *   - when this was the last pending signer, adds a document time stamp (B-LTA) to every
 *     signed document and completes the process;
 *   - stores each new file as a document version (its id becomes lastSignedFileId), marks the
 *     signer SIGNED with signedOn, certificateName (not for the unauthenticated methods CLICK
 *     and SMS, as the contract says) and certificateMatch, and appends audit records ("sign";
 *     "transaction" COMPLETED) and, on completion, the completion notices (sign/notices.h) —
 *     all in one transaction.
 * Two signers signing the same document at once: the second transaction finds the version
 * number taken, and signs again on top of the first one's file (up to SIGN_SIGNING_ATTEMPTS).
 * Nothing here knows HTTP or SQL.
 */
#ifndef SIGNET_SIGN_SIGNING_H
#define SIGNET_SIGN_SIGNING_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct store;
struct pdf_engine;
struct pki_service;
struct store_document;
struct store_signature_position;

#define SIGN_SIGNING_ATTEMPTS 5

/* What the signing step needs; all borrowed. */
struct sign_signing_env {
    struct store *store;
    struct pdf_engine *pdf;
    struct pki_service *pki;
    /* The participant-link key (CRYPTO_KEY_LEN bytes) and PUBLIC_URL: the completion notices
     * (sign/notices.h) carry each participant's URL, where the signed file is. NULL: the
     * notices go without it. */
    const unsigned char *link_key;
    const char *public_url;
};

/* The identity the Smart Registration Service registered for the signer (all borrowed). */
struct sign_registered_identity {
    const char *given_name;
    const char *surname;
    const char *serial_number; /* the registration's identity number */
    const char *country;       /* two letters */
};

struct sign_signing_request {
    const char *organization_id;
    const char *process_id;
    const char *participant_id; /* the signer's identification (participant id) */
    const char *method;         /* "CLICK" | "SMS" | "APP" | "PASSKEY" | "OSS" */
    /* Required for QUALIFIED / QUALIFIED_EU; optional otherwise (then the declared name). */
    const struct sign_registered_identity *identity;
    /* Optional drawn signature (PNG/JPEG). It goes only into the visible boxes whose position
     * asks for it (stickerProvider CUSTOM_VISUAL_SIGNATURE_PROVIDER, sign_signing_box_drawn);
     * the other boxes show the text alone. */
    const unsigned char *image;
    size_t image_len;
    int64_t now_ms;
};

struct sign_signing_outcome {
    size_t documents; /* documents signed */
    bool completed;   /* this signature completed the process */
    char certificate_issuer[32];
    char certificate_serial[80];
};

enum sign_signing_result {
    SIGN_SIGNING_OK = 0,
    SIGN_SIGNING_NOT_FOUND,    /* no such process in the organization, or no such signer */
    SIGN_SIGNING_WRONG_STATE,  /* the process or the signer is not pending: err says which */
    SIGN_SIGNING_REFUSED,      /* method not allowed, identity missing, not placed: err says */
    SIGN_SIGNING_BAD_DOCUMENT, /* a document cannot be signed: err says which and why */
    SIGN_SIGNING_UNAVAILABLE,  /* the store, the PKI or the time-stamping failed; try again */
};

enum sign_signing_result sign_participant_sign(const struct sign_signing_env *env,
                                               const struct sign_signing_request *req,
                                               struct sign_signing_outcome *out, char *err,
                                               size_t err_len);

/* The signer's visible box on document d: its first signature position there (the others are
 * not stamped), or NULL when participant_id is not placed on d. Borrowed from d. */
const struct store_signature_position *sign_signing_box(const struct store_document *d,
                                                        const char *participant_id);
/* True when that box asks for a drawn signature (stickerProvider
 * CUSTOM_VISUAL_SIGNATURE_PROVIDER). */
bool sign_signing_box_drawn(const struct store_signature_position *box);

/* "MATCH" when the declared name (first and last name) and the certificate's common name are
 * the same apart from letter case and spacing, else "MISMATCH". */
const char *sign_certificate_match(const char *first_name, const char *last_name,
                                   const char *certificate_name);

#endif
