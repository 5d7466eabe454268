/*
 * scrypt password hashes (see core/password.h).
 */
#include "core/password.h"

#include "core/crypto.h"
#include "core/rand.h"
#include "core/str.h"

#include <stdint.h>
#include <stdio.h>
#include <string.h>

bool password_hash(const char *password, char out[PASSWORD_STORED_LEN])
{
    unsigned char salt[PASSWORD_SALT_LEN], hash[PASSWORD_HASH_LEN];
    char salt_hex[2 * PASSWORD_SALT_LEN + 1], hash_hex[2 * PASSWORD_HASH_LEN + 1];
    bool ok = rand_bytes(salt, sizeof salt) &&
              crypto_scrypt(password, strlen(password), salt, sizeof salt, PASSWORD_SCRYPT_N,
                            PASSWORD_SCRYPT_R, PASSWORD_SCRYPT_P, hash, sizeof hash);
    if (ok) {
        crypto_hex(salt, sizeof salt, salt_hex);
        crypto_hex(hash, sizeof hash, hash_hex);
        int n = snprintf(out, PASSWORD_STORED_LEN, "scrypt$%d$%d$%d$%s$%s", PASSWORD_SCRYPT_N,
                         PASSWORD_SCRYPT_R, PASSWORD_SCRYPT_P, salt_hex, hash_hex);
        ok = n > 0 && n < PASSWORD_STORED_LEN;
    }
    memset(hash, 0, sizeof hash);
    return ok;
}

void password_burn(void)
{
    char dummy[PASSWORD_STORED_LEN];
    (void)password_hash("signet-no-such-account", dummy);
}

/* The next '$'-separated field of *p into out (cap bytes); false when missing or too long. */
static bool next_field(const char **p, char *out, size_t cap)
{
    const char *end = strchr(*p, '$');
    size_t n = end ? (size_t)(end - *p) : strlen(*p);
    if (n == 0 || n >= cap)
        return false;
    memcpy(out, *p, n);
    out[n] = '\0';
    *p += n + (end ? 1 : 0);
    return true;
}

static bool hex_decode(const char *hex, unsigned char *out, size_t cap, size_t *len)
{
    size_t n = strlen(hex);
    if (n % 2 || n / 2 > cap)
        return false;
    for (size_t i = 0; i < n / 2; i++) {
        int v = 0;
        for (int k = 0; k < 2; k++) {
            char c = hex[2 * i + (size_t)k];
            int d = c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
            if (d < 0)
                return false;
            v = v * 16 + d;
        }
        out[i] = (unsigned char)v;
    }
    *len = n / 2;
    return true;
}

bool password_verify(const char *password, const char *stored)
{
    char kind[16], n_s[16], r_s[16], p_s[16], salt_hex[130], hash_hex[130];
    unsigned char salt[64], want[64], got[64];
    size_t salt_len = 0, hash_len = 0;
    int64_t n = 0, r = 0, p = 0;
    const char *c = stored;
    bool ok = next_field(&c, kind, sizeof kind) && !strcmp(kind, "scrypt") &&
              next_field(&c, n_s, sizeof n_s) && next_field(&c, r_s, sizeof r_s) &&
              next_field(&c, p_s, sizeof p_s) && next_field(&c, salt_hex, sizeof salt_hex) &&
              next_field(&c, hash_hex, sizeof hash_hex) && !*c &&
              str_to_i64(n_s, 2, (int64_t)1 << 20, &n) && str_to_i64(r_s, 1, 64, &r) &&
              str_to_i64(p_s, 1, 64, &p) && hex_decode(salt_hex, salt, sizeof salt, &salt_len) &&
              salt_len >= 8 && hex_decode(hash_hex, want, sizeof want, &hash_len) && hash_len >= 16;
    ok = ok &&
         crypto_scrypt(password, strlen(password), salt, salt_len, (uint64_t)n, (uint32_t)r,
                       (uint32_t)p, got, hash_len) &&
         str_ct_equal(got, want, hash_len);
    memset(got, 0, sizeof got);
    return ok;
}
