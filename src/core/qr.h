/*
 * QR codes as SVG images, for the authenticator-app enrolment (an otpauth:// URI the phone
 * scans). The symbol is made by libqrencode: a QR encoder (mode selection, Reed-Solomon,
 * masking) is exactly the kind of well-specified, well-tested code the project takes from a
 * well-kept library rather than writing it (DESIGN.md, Dependencies). This module only draws
 * the modules as one SVG path, server-side, so the page needs no script library and no
 * inline markup (it shows the SVG as an <img> from a data: URL, which the CSP allows).
 */
#ifndef SIGNET_CORE_QR_H
#define SIGNET_CORE_QR_H

/*
 * The QR code of text (byte mode, error correction level M) as a standalone SVG document:
 * black modules on white with a 4-module quiet zone, scaled by the viewer. Returns an owned
 * NUL-terminated string (free()), or NULL when text does not fit a QR code or memory runs out.
 */
char *qr_svg(const char *text);

#endif
