/*
 * QR code SVG rendering over libqrencode (see core/qr.h).
 */
#include "core/qr.h"

#include "core/buf.h"

#include <qrencode.h>
#include <stdlib.h>
#include <string.h>

#define QUIET 4 /* modules of white border the standard asks for */

char *qr_svg(const char *text)
{
    char *out = NULL;
    QRcode *qr = QRcode_encodeString8bit(text, 0, QR_ECLEVEL_M);
    if (!qr)
        return NULL;
    int w = qr->width, size = w + 2 * QUIET;
    struct buf b;
    buf_init(&b, (size_t)1 << 20);
    bool ok = buf_appendf(
                  &b,
                  "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 %d %d\" "
                  "shape-rendering=\"crispEdges\"><rect width=\"%d\" height=\"%d\" fill=\"#fff\"/>"
                  "<path fill=\"#000\" d=\"",
                  size, size, size, size) == BUF_OK;
    /* One horizontal run of dark modules per path segment keeps the image small. */
    for (int y = 0; ok && y < w; y++)
        for (int x = 0; ok && x < w;) {
            if (!(qr->data[y * w + x] & 1)) {
                x++;
                continue;
            }
            int run = 1;
            while (x + run < w && (qr->data[y * w + x + run] & 1))
                run++;
            ok = buf_appendf(&b, "M%d %dh%dv1h-%dz", x + QUIET, y + QUIET, run, run) == BUF_OK;
            x += run;
        }
    ok = ok && buf_append_str(&b, "\"/></svg>") == BUF_OK;
    if (ok)
        out = buf_steal(&b, NULL);
    buf_free(&b);
    QRcode_free(qr);
    return out;
}
