#include "core/isotime.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

#define MS_PER_DAY 86400000LL

int64_t time_now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int64_t time_mono_us(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

/* Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's algorithm). */
static int64_t days_from_civil(int64_t y, int64_t m, int64_t d)
{
    y -= m <= 2;
    int64_t era = (y >= 0 ? y : y - 399) / 400;
    int64_t yoe = y - era * 400;
    int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

static void civil_from_days(int64_t z, int64_t *y, int64_t *m, int64_t *d)
{
    z += 719468;
    int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    int64_t doe = z - era * 146097;
    int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    int64_t mp = (5 * doy + 2) / 153;
    *d = doy - (153 * mp + 2) / 5 + 1;
    *m = mp < 10 ? mp + 3 : mp - 9;
    *y = yoe + era * 400 + (*m <= 2);
}

static int days_in_month(int64_t y, int64_t m)
{
    static const int days[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    return m == 2 && leap ? 29 : days[m - 1];
}

/* Reads exactly n digits at *p into *out and advances. */
static bool digits(const char **p, int n, int64_t *out)
{
    int64_t v = 0;
    for (int i = 0; i < n; i++) {
        char c = (*p)[i];
        if (c < '0' || c > '9')
            return false;
        v = v * 10 + (c - '0');
    }
    *p += n;
    *out = v;
    return true;
}

bool iso_parse_datetime(const char *s, int64_t *ms_out)
{
    const char *p = s;
    int64_t y, mo, d, h, mi, sec, ms = 0;
    if (!s || !digits(&p, 4, &y) || *p++ != '-' || !digits(&p, 2, &mo) || *p++ != '-' ||
        !digits(&p, 2, &d))
        return false;
    if (*p != 'T' && *p != 't')
        return false;
    p++;
    if (!digits(&p, 2, &h) || *p++ != ':' || !digits(&p, 2, &mi) || *p++ != ':' ||
        !digits(&p, 2, &sec))
        return false;
    if (*p == '.' || *p == ',') {
        p++;
        int n = 0;
        while (*p >= '0' && *p <= '9') {
            if (n < 3)
                ms = ms * 10 + (*p - '0');
            n++;
            p++;
        }
        if (n == 0)
            return false;
        for (; n < 3; n++)
            ms *= 10;
    }
    int64_t offset_min = 0;
    if (*p == 'Z' || *p == 'z') {
        p++;
    } else if (*p == '+' || *p == '-') {
        int sign = *p++ == '-' ? -1 : 1;
        int64_t oh, om;
        if (!digits(&p, 2, &oh) || *p++ != ':' || !digits(&p, 2, &om) || oh > 23 || om > 59)
            return false;
        offset_min = sign * (oh * 60 + om);
    } else {
        return false;
    }
    if (*p != '\0')
        return false;
    if (mo < 1 || mo > 12 || d < 1 || d > days_in_month(y, mo) || h > 23 || mi > 59 ||
        sec > 59)
        return false;
    int64_t days = days_from_civil(y, mo, d);
    *ms_out = days * MS_PER_DAY + ((h * 60 + mi - offset_min) * 60 + sec) * 1000 + ms;
    return true;
}

void iso_format_datetime(int64_t ms, bool with_millis, char out[ISO_DATETIME_LEN])
{
    int64_t days = ms / MS_PER_DAY, rem = ms % MS_PER_DAY;
    if (rem < 0) {
        rem += MS_PER_DAY;
        days--;
    }
    int64_t y, m, d;
    civil_from_days(days, &y, &m, &d);
    int64_t secs = rem / 1000;
    if (with_millis)
        snprintf(out, ISO_DATETIME_LEN, "%04lld-%02lld-%02lldT%02lld:%02lld:%02lld.%03lldZ",
                 (long long)y, (long long)m, (long long)d, (long long)(secs / 3600),
                 (long long)(secs / 60 % 60), (long long)(secs % 60), (long long)(rem % 1000));
    else
        snprintf(out, ISO_DATETIME_LEN, "%04lld-%02lld-%02lldT%02lld:%02lld:%02lldZ",
                 (long long)y, (long long)m, (long long)d, (long long)(secs / 3600),
                 (long long)(secs / 60 % 60), (long long)(secs % 60));
}

/* Reads a non-negative number of at most 9 digits (bounds every later multiplication). */
static bool number(const char **p, int64_t *out)
{
    int64_t v = 0;
    int n = 0;
    while (**p >= '0' && **p <= '9') {
        if (++n > 9)
            return false;
        v = v * 10 + (**p - '0');
        (*p)++;
    }
    *out = v;
    return n > 0;
}

bool iso_parse_duration(const char *s, struct iso_duration *d)
{
    memset(d, 0, sizeof *d);
    if (!s || (*s != 'P' && *s != 'p'))
        return false;
    const char *p = s + 1;
    static const char date_units[] = "YMWD", time_units[] = "HMS";
    int next = 0, parts = 0;
    bool in_time = false;
    while (*p) {
        if (*p == 'T' || *p == 't') {
            if (in_time)
                return false;
            in_time = true;
            next = 0;
            p++;
            if (!*p)
                return false;
            continue;
        }
        int64_t v, frac = 0;
        if (!number(&p, &v))
            return false;
        if (*p == '.' || *p == ',') {
            if (!in_time)
                return false;
            p++;
            int n = 0;
            while (*p >= '0' && *p <= '9') {
                if (n < 3)
                    frac = frac * 10 + (*p - '0');
                n++;
                p++;
            }
            if (n == 0 || (*p != 'S' && *p != 's'))
                return false;
            for (; n < 3; n++)
                frac *= 10;
        }
        char u = (char)(*p >= 'a' && *p <= 'z' ? *p - 32 : *p);
        const char *units = in_time ? time_units : date_units;
        const char *at = u ? strchr(units + next, u) : NULL;
        if (!at)
            return false;
        next = (int)(at - units) + 1;
        p++;
        parts++;
        if (!in_time) {
            int64_t *f[] = {&d->years, &d->months, &d->weeks, &d->days};
            *f[at - units] = v;
        } else if (u == 'H') {
            d->hours = v;
        } else if (u == 'M') {
            d->minutes = v;
        } else {
            d->millis = v * 1000 + frac;
        }
    }
    if (parts == 0)
        return false;
    /* "P1DT" has a T with nothing after it. */
    return !(in_time && (p[-1] == 'T' || p[-1] == 't'));
}

bool iso_duration_fixed_ms(const struct iso_duration *d, int64_t *out_ms)
{
    if (d->years || d->months)
        return false;
    *out_ms = ((d->weeks * 7 + d->days) * 24 + d->hours) * 3600000LL + d->minutes * 60000LL +
              d->millis;
    return true;
}

bool iso_duration_add(int64_t from_ms, const struct iso_duration *d, int64_t *out_ms)
{
    int64_t days = from_ms / MS_PER_DAY, rem = from_ms % MS_PER_DAY;
    if (rem < 0) {
        rem += MS_PER_DAY;
        days--;
    }
    int64_t y, m, dd;
    civil_from_days(days, &y, &m, &dd);
    int64_t total_months = y * 12 + (m - 1) + d->years * 12 + d->months;
    if (total_months < 0) /* before year 0: '/' and '%' would give a month of 0 or less */
        return false;
    y = total_months / 12;
    m = total_months % 12 + 1;
    if (y < 0 || y > 9999)
        return false;
    int dim = days_in_month(y, m);
    if (dd > dim)
        dd = dim;
    int64_t fixed;
    struct iso_duration rest = *d;
    rest.years = rest.months = 0;
    iso_duration_fixed_ms(&rest, &fixed);
    int64_t base = days_from_civil(y, m, dd) * MS_PER_DAY + rem;
    /* INT64_MAX - base itself overflows when base is negative (before 1970). */
    if (base > 0 && fixed > INT64_MAX - base)
        return false;
    *out_ms = base + fixed;
    return true;
}
