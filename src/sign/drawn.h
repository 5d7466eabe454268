/*
 * A drawn signature sent by the signer page (docs/signer-pages.md, "Drawn signature"): the
 * base64 of a PNG, checked strictly before anything is signed. Pure byte checks; the pixels
 * are decoded afterwards by pdf_image_check (pdf/pdf.h), as the visible signature will.
 *
 * Ownership: sign_drawn_decode returns the decoded PNG in *png (malloc'ed, the caller frees
 * it with free()); err is caller-owned.
 */
#ifndef SIGNET_SIGN_DRAWN_H
#define SIGNET_SIGN_DRAWN_H

#include <stdbool.h>
#include <stddef.h>

#define SIGN_DRAWN_MAX_BYTES  (256 * 1024) /* decoded PNG */
#define SIGN_DRAWN_MAX_WIDTH  4096         /* pixels */
#define SIGN_DRAWN_MAX_HEIGHT 2048

/*
 * Decodes b64 (standard alphabet with padding, no white space, no data: prefix) into *png and
 * checks that it is a PNG of at most SIGN_DRAWN_MAX_BYTES: the 8-byte signature, then chunks
 * each with a correct CRC, IHDR first (13 bytes, width 1..SIGN_DRAWN_MAX_WIDTH, height
 * 1..SIGN_DRAWN_MAX_HEIGHT, a valid bit depth for its colour type, compression, filter and
 * interlace methods as PNG defines them), at least one IDAT, IEND last and nothing after it.
 * On success returns true with *png, *len, *width, *height set; otherwise false, *png NULL
 * and err holds a message for the signer ("what to fix").
 */
bool sign_drawn_decode(const char *b64, unsigned char **png, size_t *len, int *width, int *height,
                       char *err, size_t err_len);

#endif
