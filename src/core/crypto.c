#include "core/crypto.h"

#include "core/rand.h"

#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/kdf.h>
#include <openssl/sha.h>

#include <string.h>

void crypto_sha256(const void *data, size_t len, unsigned char out[SHA256_LEN])
{
    SHA256(data, len, out);
}

bool crypto_sha256_two(const void *a, size_t a_len, const void *b, size_t b_len,
                       unsigned char out[SHA256_LEN])
{
    EVP_MD_CTX *md = EVP_MD_CTX_new();
    unsigned int n = 0;
    bool ok = md && EVP_DigestInit_ex(md, EVP_sha256(), NULL) == 1 &&
              EVP_DigestUpdate(md, a, a_len) == 1 && EVP_DigestUpdate(md, b, b_len) == 1 &&
              EVP_DigestFinal_ex(md, out, &n) == 1 && n == SHA256_LEN;
    EVP_MD_CTX_free(md);
    return ok;
}

void crypto_hex(const void *data, size_t len, char *out)
{
    static const char hex[] = "0123456789abcdef";
    const unsigned char *p = data;
    for (size_t i = 0; i < len; i++) {
        out[2 * i] = hex[p[i] >> 4];
        out[2 * i + 1] = hex[p[i] & 15];
    }
    out[2 * len] = '\0';
}

void crypto_sha256_hex(const void *data, size_t len, char out[SHA256_HEX_LEN])
{
    unsigned char md[SHA256_LEN];
    crypto_sha256(data, len, md);
    crypto_hex(md, sizeof md, out);
}

bool crypto_hmac_sha256(const void *key, size_t key_len, const void *data, size_t len,
                        unsigned char out[SHA256_LEN])
{
    unsigned int n = 0;
    return HMAC(EVP_sha256(), key, (int)key_len, data, len, out, &n) && n == SHA256_LEN;
}

bool crypto_hmac_sha1(const void *key, size_t key_len, const void *data, size_t len,
                      unsigned char out[SHA1_LEN])
{
    unsigned int n = 0;
    return HMAC(EVP_sha1(), key, (int)key_len, data, len, out, &n) && n == SHA1_LEN;
}

bool crypto_scrypt(const void *pass, size_t pass_len, const void *salt, size_t salt_len, uint64_t n,
                   uint32_t r, uint32_t p, unsigned char *out, size_t out_len)
{
    if (n < 2 || n > ((uint64_t)1 << 20) || (n & (n - 1)) != 0 || r == 0 || p == 0 ||
        (uint64_t)r * p >= ((uint64_t)1 << 30) || out_len == 0)
        return false;
    /* OpenSSL refuses parameters needing more than maxmem (32 MiB by default, which
     * N = 2^15, r = 8 just exceeds): allow what these parameters need and a little more. */
    uint64_t maxmem = 128 * (uint64_t)r * (n + p + 2) + ((uint64_t)1 << 20);
    EVP_KDF *kdf = EVP_KDF_fetch(NULL, "SCRYPT", NULL);
    EVP_KDF_CTX *ctx = kdf ? EVP_KDF_CTX_new(kdf) : NULL;
    OSSL_PARAM params[] = {
        OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_PASSWORD, (void *)pass, pass_len),
        OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_SALT, (void *)salt, salt_len),
        OSSL_PARAM_construct_uint64(OSSL_KDF_PARAM_SCRYPT_N, &n),
        OSSL_PARAM_construct_uint32(OSSL_KDF_PARAM_SCRYPT_R, &r),
        OSSL_PARAM_construct_uint32(OSSL_KDF_PARAM_SCRYPT_P, &p),
        OSSL_PARAM_construct_uint64(OSSL_KDF_PARAM_SCRYPT_MAXMEM, &maxmem),
        OSSL_PARAM_construct_end(),
    };
    bool ok = ctx && EVP_KDF_derive(ctx, out, out_len, params) == 1;
    EVP_KDF_CTX_free(ctx);
    EVP_KDF_free(kdf);
    return ok;
}

bool crypto_hotp(const void *key, size_t key_len, uint64_t counter, int digits, uint32_t *code)
{
    static const uint32_t pow10[] = {1000000u, 10000000u, 100000000u};
    unsigned char msg[8], mac[SHA1_LEN];
    if (digits < 6 || digits > 8)
        return false;
    for (int i = 7; i >= 0; i--) {
        msg[i] = (unsigned char)(counter & 0xff);
        counter >>= 8;
    }
    if (!crypto_hmac_sha1(key, key_len, msg, sizeof msg, mac))
        return false;
    /* RFC 4226 5.3: dynamic truncation. */
    unsigned off = mac[SHA1_LEN - 1] & 0x0f;
    uint32_t bin = ((uint32_t)(mac[off] & 0x7f) << 24) | ((uint32_t)mac[off + 1] << 16) |
                   ((uint32_t)mac[off + 2] << 8) | (uint32_t)mac[off + 3];
    *code = bin % pow10[digits - 6];
    memset(mac, 0, sizeof mac);
    return true;
}

int64_t crypto_totp_step(int64_t unix_ms)
{
    return unix_ms < 0 ? 0 : unix_ms / 1000 / CRYPTO_TOTP_PERIOD;
}

enum crypto_totp_result crypto_totp_verify(const void *key, size_t key_len, int64_t unix_ms,
                                           int64_t last_step, const char *entered, int64_t *step)
{
    uint32_t want = 0;
    if (!entered)
        return CRYPTO_TOTP_WRONG;
    for (int i = 0; i < CRYPTO_TOTP_DIGITS; i++) {
        if (entered[i] < '0' || entered[i] > '9')
            return CRYPTO_TOTP_WRONG;
        want = want * 10 + (uint32_t)(entered[i] - '0');
    }
    if (entered[CRYPTO_TOTP_DIGITS] != '\0')
        return CRYPTO_TOTP_WRONG;
    int64_t now = crypto_totp_step(unix_ms);
    enum crypto_totp_result res = CRYPTO_TOTP_WRONG;
    for (int64_t s = now - CRYPTO_TOTP_WINDOW; s <= now + CRYPTO_TOTP_WINDOW; s++) {
        uint32_t code = 0;
        if (s < 0 || !crypto_hotp(key, key_len, (uint64_t)s, CRYPTO_TOTP_DIGITS, &code))
            continue;
        if (code != want)
            continue;
        if (s > last_step) {
            res = CRYPTO_TOTP_OK;
            *step = s;
        } else if (res != CRYPTO_TOTP_OK) {
            res = CRYPTO_TOTP_REPLAYED;
        }
    }
    return res;
}

bool crypto_seal(const unsigned char key[CRYPTO_KEY_LEN], const void *aad, size_t aad_len,
                 const void *plain, size_t len, unsigned char *out, size_t out_cap, size_t *out_len)
{
    bool ok = false;
    int n = 0, f = 0;
    EVP_CIPHER_CTX *ctx = NULL;
    if (len > (size_t)1 << 30 || out_cap < len + CRYPTO_SEAL_OVERHEAD)
        return false;
    if (!rand_bytes(out, 12))
        return false;
    ctx = EVP_CIPHER_CTX_new();
    if (!ctx || !EVP_EncryptInit_ex(ctx, EVP_aes_256_gcm(), NULL, key, out))
        goto cleanup;
    if (aad && aad_len && !EVP_EncryptUpdate(ctx, NULL, &n, aad, (int)aad_len))
        goto cleanup;
    if (!EVP_EncryptUpdate(ctx, out + 12, &n, plain, (int)len) ||
        !EVP_EncryptFinal_ex(ctx, out + 12 + n, &f))
        goto cleanup;
    if (!EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_GET_TAG, 16, out + 12 + n + f))
        goto cleanup;
    *out_len = 12 + (size_t)n + (size_t)f + 16;
    ok = true;
cleanup:
    EVP_CIPHER_CTX_free(ctx);
    return ok;
}

bool crypto_open(const unsigned char key[CRYPTO_KEY_LEN], const void *aad, size_t aad_len,
                 const void *sealed, size_t len, unsigned char *out, size_t out_cap,
                 size_t *out_len)
{
    bool ok = false;
    int n = 0, f = 0;
    const unsigned char *in = sealed;
    EVP_CIPHER_CTX *ctx = NULL;
    if (len < CRYPTO_SEAL_OVERHEAD || out_cap < len - CRYPTO_SEAL_OVERHEAD)
        return false;
    size_t clen = len - CRYPTO_SEAL_OVERHEAD;
    ctx = EVP_CIPHER_CTX_new();
    if (!ctx || !EVP_DecryptInit_ex(ctx, EVP_aes_256_gcm(), NULL, key, in))
        goto cleanup;
    if (aad && aad_len && !EVP_DecryptUpdate(ctx, NULL, &n, aad, (int)aad_len))
        goto cleanup;
    if (!EVP_DecryptUpdate(ctx, out, &n, in + 12, (int)clen))
        goto cleanup;
    if (!EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_SET_TAG, 16, (void *)(in + 12 + clen)))
        goto cleanup;
    if (EVP_DecryptFinal_ex(ctx, out + n, &f) <= 0)
        goto cleanup;
    *out_len = (size_t)n + (size_t)f;
    ok = true;
cleanup:
    EVP_CIPHER_CTX_free(ctx);
    return ok;
}
