#include "pki/ca.h"
#include "pki/internal.h"

#include <openssl/asn1.h>
#include <openssl/bn.h>
#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/x509v3.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define DAYS_PER_YEAR 365
#define LONG_MAX_DER  (64 * 1024) /* no certificate or key of ours comes near this */

enum role { ROLE_ROOT, ROLE_ISSUING, ROLE_TSA, ROLE_OCSP, ROLE_RA };

/* The hierarchy's profile: one row per entity, in position order; issuers come first. */
static const struct entity_spec {
    const char *name;
    enum role role;
    const char *role_name;
    const char *issuer;
    const char *common_name;
    const char *curve;
    int years;
} specs[PKI_CA_ENTITIES] = {
    {"root", ROLE_ROOT, "root", "root", "Signet Root CA", "P-384", 20},
    {"simple-ca", ROLE_ISSUING, "issuing", "root", "Signet Simple CA", "P-384", 10},
    {"advanced-ca", ROLE_ISSUING, "issuing", "root", "Signet Advanced CA", "P-384", 10},
    {"qualified-ca", ROLE_ISSUING, "issuing", "root", "Signet Qualified CA", "P-384", 10},
    {"tsa", ROLE_TSA, "tsa", "root", "Signet Time-Stamping Authority", "P-256", 10},
    {"ocsp", ROLE_OCSP, "ocsp", "root", "Signet OCSP Responder", "P-256", 5},
    /* The registration authority signs SRS evidence packages (docs/srs.md). */
    {"ra", ROLE_RA, "ra", "root", "Signet Registration Authority", "P-256", 5},
};

struct pki_ca {
    X509 *cert[PKI_CA_ENTITIES];
    EVP_PKEY *key[PKI_CA_ENTITIES];
};

const char *pki_ca_entity_name(size_t i)
{
    return i < PKI_CA_ENTITIES ? specs[i].name : NULL;
}

const char *pki_ca_entity_role(size_t i)
{
    return i < PKI_CA_ENTITIES ? specs[i].role_name : NULL;
}

const char *pki_ca_entity_issuer(size_t i)
{
    return i < PKI_CA_ENTITIES ? specs[i].issuer : NULL;
}

int pki_ca_entity_find(const char *name, size_t name_len)
{
    for (size_t i = 0; i < PKI_CA_ENTITIES; i++)
        if (strlen(specs[i].name) == name_len && memcmp(specs[i].name, name, name_len) == 0)
            return (int)i;
    return -1;
}

X509 *pki_ca_x509(const struct pki_ca *ca, size_t i)
{
    return ca && i < PKI_CA_ENTITIES ? ca->cert[i] : NULL;
}

EVP_PKEY *pki_ca_pkey(const struct pki_ca *ca, size_t i)
{
    return ca && i < PKI_CA_ENTITIES ? ca->key[i] : NULL;
}

struct pki_ca *pki_ca_new(void)
{
    return calloc(1, sizeof(struct pki_ca));
}

void pki_ca_free(struct pki_ca *ca)
{
    if (!ca)
        return;
    for (size_t i = 0; i < PKI_CA_ENTITIES; i++) {
        X509_free(ca->cert[i]);
        EVP_PKEY_free(ca->key[i]);
    }
    free(ca);
}

void pki_secret_free(void *p, size_t len)
{
    if (!p)
        return;
    OPENSSL_cleanse(p, len);
    free(p);
}

/* The URL goes into extension strings that OpenSSL splits at ',' and ';'. */
static bool public_url_ok(const char *url)
{
    size_t n = strlen(url);
    if (n == 0 || n > 512 || url[n - 1] == '/')
        return false;
    if (strncmp(url, "http://", 7) != 0 && strncmp(url, "https://", 8) != 0)
        return false;
    for (const char *p = url; *p; p++)
        if ((unsigned char)*p <= ' ' || (unsigned char)*p >= 0x7f || strchr(",;\"'\\", *p))
            return false;
    return true;
}

/* A positive random 128-bit serial number. */
bool pki_x509_set_random_serial(X509 *x)
{
    unsigned char b[16];
    bool ok = false;
    if (RAND_bytes(b, sizeof b) != 1)
        return false;
    b[0] &= 0x7f;
    b[0] |= 0x40; /* full length, never zero */
    BIGNUM *bn = BN_bin2bn(b, sizeof b, NULL);
    ASN1_INTEGER *ai = bn ? BN_to_ASN1_INTEGER(bn, NULL) : NULL;
    ok = ai && X509_set_serialNumber(x, ai) == 1;
    ASN1_INTEGER_free(ai);
    BN_free(bn);
    return ok;
}

bool pki_x509_add_ext(X509 *x, X509V3_CTX *v3, int nid, const char *value)
{
    X509_EXTENSION *ext = X509V3_EXT_nconf_nid(NULL, v3, nid, value);
    if (!ext)
        return false;
    bool ok = X509_add_ext(x, ext, -1) == 1;
    X509_EXTENSION_free(ext);
    return ok;
}

static bool add_extensions(X509 *x, X509 *issuer, const struct entity_spec *s, const char *url)
{
    char aia[1200], crl[700];
    X509V3_CTX v3;
    X509V3_set_ctx(&v3, issuer, x, NULL, NULL, 0);
    if (!pki_x509_add_ext(x, &v3, NID_subject_key_identifier, "hash"))
        return false;
    if (s->role == ROLE_ROOT)
        return pki_x509_add_ext(x, &v3, NID_basic_constraints, "critical,CA:TRUE") &&
               pki_x509_add_ext(x, &v3, NID_key_usage, "critical,keyCertSign,cRLSign");
    snprintf(aia, sizeof aia, "OCSP;URI:%s/ocsp,caIssuers;URI:%s/pki/%s.der", url, url, s->issuer);
    snprintf(crl, sizeof crl, "URI:%s/crl/%s.crl", url, s->issuer);
    /* keyid; issuer + serial for an operator's root that has no subject key identifier */
    if (!pki_x509_add_ext(x, &v3, NID_authority_key_identifier, "keyid,issuer"))
        return false;
    switch (s->role) {
    case ROLE_ISSUING:
        return pki_x509_add_ext(x, &v3, NID_basic_constraints, "critical,CA:TRUE,pathlen:0") &&
               pki_x509_add_ext(x, &v3, NID_key_usage, "critical,keyCertSign,cRLSign") &&
               pki_x509_add_ext(x, &v3, NID_info_access, aia) &&
               pki_x509_add_ext(x, &v3, NID_crl_distribution_points, crl);
    case ROLE_TSA:
        /* RFC 3161 §2.3: the only extended key usage, and critical. */
        return pki_x509_add_ext(x, &v3, NID_basic_constraints, "critical,CA:FALSE") &&
               pki_x509_add_ext(x, &v3, NID_key_usage,
                                "critical,digitalSignature,nonRepudiation") &&
               pki_x509_add_ext(x, &v3, NID_ext_key_usage, "critical,timeStamping") &&
               pki_x509_add_ext(x, &v3, NID_info_access, aia) &&
               pki_x509_add_ext(x, &v3, NID_crl_distribution_points, crl);
    case ROLE_OCSP:
        /* A delegated responder is not itself checked for revocation (RFC 6960 §4.2.2.2.1):
         * no OCSP URL, id-pkix-ocsp-nocheck instead. */
        snprintf(aia, sizeof aia, "caIssuers;URI:%s/pki/%s.der", url, s->issuer);
        return pki_x509_add_ext(x, &v3, NID_basic_constraints, "critical,CA:FALSE") &&
               pki_x509_add_ext(x, &v3, NID_key_usage, "critical,digitalSignature") &&
               pki_x509_add_ext(x, &v3, NID_ext_key_usage, "OCSPSigning") &&
               pki_x509_add_ext(x, &v3, NID_id_pkix_OCSP_noCheck, "yes") &&
               pki_x509_add_ext(x, &v3, NID_info_access, aia);
    case ROLE_RA:
        /* Signs CMS evidence packages: no extended key usage, so any S/MIME-style verifier
         * accepts it for signatures. */
        return pki_x509_add_ext(x, &v3, NID_basic_constraints, "critical,CA:FALSE") &&
               pki_x509_add_ext(x, &v3, NID_key_usage,
                                "critical,digitalSignature,nonRepudiation") &&
               pki_x509_add_ext(x, &v3, NID_info_access, aia) &&
               pki_x509_add_ext(x, &v3, NID_crl_distribution_points, crl);
    case ROLE_ROOT:
        break;
    }
    return false;
}

/* Issues the certificate of entity s for key; issuer/issuer_key NULL: self-signed. */
static X509 *issue(const struct entity_spec *s, EVP_PKEY *key, X509 *issuer, EVP_PKEY *issuer_key,
                   const char *url, int64_t now)
{
    X509 *x = X509_new();
    X509_NAME *name = X509_NAME_new();
    bool ok = x && name && X509_set_version(x, X509_VERSION_3) == 1 &&
              pki_x509_set_random_serial(x) &&
              X509_NAME_add_entry_by_txt(name, "O", MBSTRING_UTF8, (const unsigned char *)"Signet",
                                         -1, -1, 0) == 1 &&
              X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_UTF8,
                                         (const unsigned char *)s->common_name, -1, -1, 0) == 1 &&
              X509_set_subject_name(x, name) == 1 &&
              X509_set_issuer_name(x, issuer ? X509_get_subject_name(issuer) : name) == 1 &&
              ASN1_TIME_set(X509_getm_notBefore(x), (time_t)now) &&
              ASN1_TIME_adj(X509_getm_notAfter(x), (time_t)now, s->years * DAYS_PER_YEAR, 0) &&
              X509_set_pubkey(x, key) == 1;
    /* For the root, the issuer in the v3 context is the certificate itself. */
    ok = ok && add_extensions(x, issuer ? issuer : x, s, url);
    ok = ok && X509_sign(x, issuer_key ? issuer_key : key, EVP_sha384()) > 0;
    X509_NAME_free(name);
    if (!ok) {
        X509_free(x);
        return NULL;
    }
    return x;
}

static bool fill(struct pki_ca *ca, const char *public_url, int64_t now, char *err, size_t err_len);

/* The hierarchy under root_cert/root_key (both taken over by the new hierarchy, may be NULL:
 * a new root). */
static struct pki_ca *generate(const char *public_url, int64_t now, X509 *root_cert,
                               EVP_PKEY *root_key, char *err, size_t err_len)
{
    if (!public_url || !public_url_ok(public_url)) {
        snprintf(err, err_len,
                 "the public URL \"%s\" cannot go into certificates: use http(s)://HOST[:PORT]"
                 "[/PATH] without a trailing slash, quotes, commas or semicolons",
                 public_url ? public_url : "");
        X509_free(root_cert);
        EVP_PKEY_free(root_key);
        return NULL;
    }
    struct pki_ca *ca = pki_ca_new();
    if (!ca) {
        snprintf(err, err_len, "out of memory");
        X509_free(root_cert);
        EVP_PKEY_free(root_key);
        return NULL;
    }
    if (root_cert) {
        ca->cert[0] = root_cert;
        ca->key[0] = root_key;
    }
    if (!fill(ca, public_url, now, err, err_len)) {
        pki_ca_free(ca);
        return NULL;
    }
    return ca;
}

/* Issues every entity of ca that is missing (keys and certificates), issuers first. */
static bool fill(struct pki_ca *ca, const char *public_url, int64_t now, char *err, size_t err_len)
{
    for (size_t i = 0; i < PKI_CA_ENTITIES; i++) {
        const struct entity_spec *s = &specs[i];
        int issuer = s->role == ROLE_ROOT ? -1 : pki_ca_entity_find(s->issuer, strlen(s->issuer));
        if (ca->cert[i])
            continue; /* the configured root */
        ca->key[i] = EVP_EC_gen(s->curve);
        if (ca->key[i])
            ca->cert[i] = issue(s, ca->key[i], issuer >= 0 ? ca->cert[issuer] : NULL,
                                issuer >= 0 ? ca->key[issuer] : NULL, public_url, now);
        if (!ca->cert[i]) {
            unsigned long e = ERR_get_error();
            snprintf(err, err_len, "cannot create the %s certificate: %s", s->name,
                     e ? ERR_reason_error_string(e) : "unknown error");
            ERR_clear_error();
            return false;
        }
    }
    return true;
}

bool pki_ca_fill_missing(struct pki_ca *ca, const char *public_url, int64_t now, char *err,
                         size_t err_len)
{
    if (!ca || !ca->cert[0] || !public_url || !public_url_ok(public_url)) {
        snprintf(err, err_len, "cannot add PKI entities without the root or a usable public URL");
        return false;
    }
    return fill(ca, public_url, now, err, err_len);
}

struct pki_ca *pki_ca_generate(const char *public_url, int64_t now, char *err, size_t err_len)
{
    return generate(public_url, now, NULL, NULL, err, err_len);
}

struct pki_ca *pki_ca_generate_under(const char *public_url, int64_t now, const char *cert_pem,
                                     const char *key_pem, char *err, size_t err_len)
{
    X509 *cert = NULL;
    EVP_PKEY *key = NULL;
    BIO *b = BIO_new_file(cert_pem, "r");
    if (b)
        cert = PEM_read_bio_X509(b, NULL, NULL, NULL);
    BIO_free(b);
    b = BIO_new_file(key_pem, "r");
    if (b)
        key = PEM_read_bio_PrivateKey(b, NULL, NULL, NULL);
    BIO_free(b);
    const char *why = NULL;
    if (!cert)
        why = "cannot read the root certificate (PEM)";
    else if (!key)
        why = "cannot read the root private key (unencrypted PEM)";
    else if (X509_check_private_key(cert, key) != 1)
        why = "the root private key does not belong to the root certificate";
    else if (X509_check_ca(cert) < 1 || ((X509_get_extension_flags(cert) & EXFLAG_KUSAGE) &&
                                         !(X509_get_key_usage(cert) & KU_KEY_CERT_SIGN)))
        why = "the root certificate is not a CA certificate allowed to sign certificates";
    else if (X509_cmp_time(X509_get0_notBefore(cert), &(time_t){(time_t)now}) > 0 ||
             X509_cmp_time(X509_get0_notAfter(cert),
                           &(time_t){(time_t)(now + 10 * 365 * 86400LL)}) < 0)
        why = "the root certificate is not valid now or expires within the issuing CAs' ten years";
    if (why) {
        snprintf(err, err_len, "%s", why);
        ERR_clear_error();
        X509_free(cert);
        EVP_PKEY_free(key);
        return NULL;
    }
    return generate(public_url, now, cert, key, err, err_len);
}

bool pki_ca_add(struct pki_ca *ca, const char *name, const unsigned char *cert_der, size_t cert_len,
                const unsigned char *key_der, size_t key_len)
{
    int i = pki_ca_entity_find(name, strlen(name));
    if (!ca || i < 0 || ca->cert[i] || cert_len > LONG_MAX_DER || key_len > LONG_MAX_DER)
        return false;
    const unsigned char *p = cert_der;
    X509 *x = d2i_X509(NULL, &p, (long)cert_len);
    p = key_der;
    EVP_PKEY *k = d2i_AutoPrivateKey(NULL, &p, (long)key_len);
    if (!x || !k || X509_check_private_key(x, k) != 1) {
        X509_free(x);
        EVP_PKEY_free(k);
        ERR_clear_error();
        return false;
    }
    ca->cert[i] = x;
    ca->key[i] = k;
    return true;
}

bool pki_ca_check(const struct pki_ca *ca, char *err, size_t err_len)
{
    for (size_t i = 0; i < PKI_CA_ENTITIES; i++) {
        int issuer = pki_ca_entity_find(specs[i].issuer, strlen(specs[i].issuer));
        if (!ca->cert[i] || !ca->key[i]) {
            snprintf(err, err_len, "the %s certificate or key is missing", specs[i].name);
            return false;
        }
        if (issuer < 0 || !ca->cert[issuer] ||
            X509_verify(ca->cert[i], X509_get0_pubkey(ca->cert[issuer])) != 1) {
            ERR_clear_error();
            snprintf(err, err_len, "the %s certificate is not signed by %s", specs[i].name,
                     specs[i].issuer);
            return false;
        }
    }
    return true;
}

unsigned char *pki_ca_cert_der(const struct pki_ca *ca, size_t i, size_t *len)
{
    X509 *x = pki_ca_x509(ca, i);
    int n = x ? i2d_X509(x, NULL) : -1;
    if (n <= 0)
        return NULL;
    unsigned char *out = malloc((size_t)n), *p = out;
    if (!out)
        return NULL;
    if (i2d_X509(x, &p) != n) {
        free(out);
        return NULL;
    }
    *len = (size_t)n;
    return out;
}

/* Copies a memory BIO's content into a new NUL-terminated string. */
static bool bio_steal(BIO *bio, char **out, size_t *len)
{
    char *data = NULL;
    long n = BIO_get_mem_data(bio, &data);
    if (n <= 0)
        return false;
    *out = malloc((size_t)n + 1);
    if (!*out)
        return false;
    memcpy(*out, data, (size_t)n);
    (*out)[n] = '\0';
    *len = (size_t)n;
    return true;
}

char *pki_ca_cert_pem(const struct pki_ca *ca, size_t i, size_t *len)
{
    X509 *x = pki_ca_x509(ca, i);
    BIO *bio = x ? BIO_new(BIO_s_mem()) : NULL;
    char *out = NULL;
    if (bio && PEM_write_bio_X509(bio, x) == 1)
        bio_steal(bio, &out, len);
    BIO_free(bio);
    return out;
}

char *pki_ca_chain_pem(const struct pki_ca *ca, size_t *len)
{
    BIO *bio = BIO_new(BIO_s_mem());
    char *out = NULL;
    bool ok = bio != NULL;
    for (size_t i = 0; ok && i < PKI_CA_ENTITIES; i++)
        if (specs[i].role == ROLE_ROOT || specs[i].role == ROLE_ISSUING)
            ok = ca->cert[i] && PEM_write_bio_X509(bio, ca->cert[i]) == 1;
    if (ok)
        bio_steal(bio, &out, len);
    BIO_free(bio);
    return out;
}

unsigned char *pki_ca_key_der(const struct pki_ca *ca, size_t i, size_t *len)
{
    EVP_PKEY *k = pki_ca_pkey(ca, i);
    PKCS8_PRIV_KEY_INFO *p8 = k ? EVP_PKEY2PKCS8(k) : NULL;
    unsigned char *der = NULL;
    int n = p8 ? i2d_PKCS8_PRIV_KEY_INFO(p8, &der) : -1;
    PKCS8_PRIV_KEY_INFO_free(p8);
    if (n <= 0)
        return NULL;
    unsigned char *out = malloc((size_t)n);
    if (out) {
        memcpy(out, der, (size_t)n);
        *len = (size_t)n;
    }
    OPENSSL_clear_free(der, (size_t)n);
    return out;
}
