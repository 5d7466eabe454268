/*
 * pdf_position_visible: pure geometry — does a signature box lie on the visible page? Works on
 * the struct pdf_info from pdf_inspect, in the page space described in pdf.h. No MuPDF, no
 * allocation, no ownership.
 */
#include "pdf/pdf.h"

#include <limits.h>
#include <math.h>

enum pdf_position_result pdf_position_visible(const struct pdf_info *info, int page, double x,
                                              double y, double w, double h, int *resolved_page)
{
    if (info == NULL || (info->page_count > 0 && info->pages == NULL))
        return PDF_POSITION_INVALID;
    if (!isfinite(x) || !isfinite(y) || !isfinite(w) || !isfinite(h) || x < 0 || y < 0 || w <= 0 ||
        h <= 0)
        return PDF_POSITION_INVALID;

    /* Resolve in long long: page_count <= PDF_MAX_PAGES in practice, but do not trust it. */
    long long count = info->page_count > (size_t)INT_MAX ? INT_MAX : (long long)info->page_count;
    long long index = page < 0 ? count + page : page;
    if (index < 0 || index >= count)
        return PDF_POSITION_NO_SUCH_PAGE;
    if (resolved_page != NULL)
        *resolved_page = (int)index;

    const struct pdf_page_info *p = &info->pages[index];
    if (x + w > p->width || y + h > p->height)
        return PDF_POSITION_OUTSIDE;
    return PDF_POSITION_OK;
}
