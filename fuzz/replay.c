/*
 * Corpus replay for the libFuzzer targets in fuzz/: a main() that feeds every file named on
 * the command line (a directory: each regular file in it, in name order) to the target's
 * LLVMFuzzerTestOneInput, first as it is and then in REPLAY_VARIANTS deterministic variants
 * (cuts, flipped bytes, PDF tokens written over the bytes, a repeated slice). ctest runs it in
 * every build, the sanitizer build included, so that each fuzz entry point runs even where
 * clang's libFuzzer is missing. Exits 1 when no input was found (never passes without
 * running), 0 otherwise; a bug in the target aborts.
 *
 * Ownership: every input buffer is malloc'ed and freed here; the target owns nothing of it.
 */
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Inputs larger than this are skipped (the fuzzers run with -max_len=65536). */
#define REPLAY_MAX_FILE  (1 << 20)
#define REPLAY_VARIANTS  24
#define REPLAY_MAX_NAMES 4096

static const char *const tokens[] = {
    "0",
    "-1",
    "2147483648",
    "99999999",
    "1e308",
    "/Rotate 90",
    "/Rotate -270",
    "R",
    "0 0 R",
    "obj",
    "endobj",
    "stream",
    "endstream",
    "xref",
    "trailer",
    "startxref",
    "<<",
    ">>",
    "[",
    "]",
    "(",
    ")",
    "\\",
    "/Count 100000",
    "/Kids [3 0 R 3 0 R]",
    "/Parent 2 0 R",
    "/MediaBox [0 0 0 0]",
    "/CropBox [1e30 -1e30 0 0]",
    "/UserUnit 0.0001",
    "/Length 999999",
    "/Filter /FlateDecode",
    "/Encrypt",
    "/ObjStm",
    "/XRefStm",
    "/FT /Sig",
    "/V << >>",
    "BT ET",
    "q q q q",
    "Q Q Q",
    "1e38 0 0 1e38 0 0 cm",
    "/F1 1e9 Tf",
    "Do",
    "\\s1\\",
};

static uint64_t xorshift(uint64_t *state)
{
    uint64_t x = *state;
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    *state = x;
    return x;
}

/* Writes variant `k` of data[0..len) into out (room for 2 * len + 64 bytes); returns its
 * length. */
static size_t make_variant(const uint8_t *data, size_t len, unsigned k, uint64_t *rng, uint8_t *out)
{
    memcpy(out, data, len);
    if (len == 0)
        return 0;
    switch (k % 6) {
    case 0: /* cut somewhere */
        return (size_t)(xorshift(rng) % len);
    case 1: /* flip a few bytes */
        for (int i = 0; i < 1 + (int)(k % 4) * 4; i++)
            out[xorshift(rng) % len] ^= (uint8_t)(1u << (xorshift(rng) % 8));
        return len;
    case 2:   /* a token written over the bytes at a random place */
    case 3: { /* the same next to a digit, where numbers live */
        const char *t = tokens[xorshift(rng) % (sizeof tokens / sizeof tokens[0])];
        size_t at = (size_t)(xorshift(rng) % len);
        if (k % 6 == 3) {
            const uint8_t *digit = memchr(data + at, '1', len - at);
            if (digit != NULL)
                at = (size_t)(digit - data);
        }
        size_t n = strlen(t);
        if (at + n > len)
            n = len - at;
        memcpy(out + at, t, n);
        return len;
    }
    case 4: { /* a slice repeated */
        size_t from = (size_t)(xorshift(rng) % len);
        size_t n = (size_t)(xorshift(rng) % (len - from)) + 1;
        memcpy(out + len, data + from, n);
        return len + n;
    }
    default: /* a zeroed stretch */
    {
        size_t from = (size_t)(xorshift(rng) % len);
        size_t n = (size_t)(xorshift(rng) % 64) + 1;
        memset(out + from, 0, from + n > len ? len - from : n);
        return len;
    }
    }
}

static int replay_file(const char *path, unsigned index)
{
    FILE *f = fopen(path, "rb");
    if (f == NULL) {
        fprintf(stderr, "replay: cannot open %s\n", path);
        return 0;
    }
    uint8_t *data = malloc(REPLAY_MAX_FILE);
    uint8_t *variant = malloc(2 * (size_t)REPLAY_MAX_FILE + 64);
    size_t len = data != NULL ? fread(data, 1, REPLAY_MAX_FILE, f) : 0;
    int ran = 0;
    if (data != NULL && variant != NULL && (len < REPLAY_MAX_FILE || feof(f))) {
        /* The exact bytes first, in a buffer of their own size so ASan sees overreads. */
        uint8_t *exact = malloc(len > 0 ? len : 1);
        if (exact != NULL) {
            memcpy(exact, data, len);
            LLVMFuzzerTestOneInput(exact, len);
            free(exact);
            ran = 1;
        }
        uint64_t rng = 0x9e3779b97f4a7c15ull ^ ((uint64_t)index * 0x100000001b3ull);
        for (unsigned k = 0; k < REPLAY_VARIANTS; k++) {
            size_t n = make_variant(data, len, k, &rng, variant);
            uint8_t *copy = malloc(n > 0 ? n : 1);
            if (copy == NULL)
                break;
            memcpy(copy, variant, n);
            LLVMFuzzerTestOneInput(copy, n);
            free(copy);
        }
    }
    free(variant);
    free(data);
    fclose(f);
    return ran;
}

static int compare_names(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Replays the regular files of a directory in name order; returns how many ran. */
static int replay_dir(const char *dir, unsigned *index)
{
    DIR *d = opendir(dir);
    char *names[REPLAY_MAX_NAMES];
    size_t count = 0;
    int ran = 0;
    if (d == NULL)
        return 0;
    for (struct dirent *e = readdir(d); e != NULL && count < REPLAY_MAX_NAMES; e = readdir(d)) {
        if (e->d_name[0] == '.')
            continue;
        size_t n = strlen(dir) + strlen(e->d_name) + 2;
        names[count] = malloc(n);
        if (names[count] == NULL)
            break;
        snprintf(names[count], n, "%s/%s", dir, e->d_name);
        count++;
    }
    closedir(d);
    qsort(names, count, sizeof names[0], compare_names);
    for (size_t i = 0; i < count; i++) {
        struct stat st;
        if (stat(names[i], &st) == 0 && S_ISREG(st.st_mode))
            ran += replay_file(names[i], (*index)++);
        free(names[i]);
    }
    return ran;
}

int main(int argc, char **argv)
{
    unsigned index = 0;
    int ran = 0;
    for (int i = 1; i < argc; i++) {
        struct stat st;
        if (stat(argv[i], &st) != 0) {
            fprintf(stderr, "replay: no such file or directory: %s\n", argv[i]);
            return 1;
        }
        ran += S_ISDIR(st.st_mode) ? replay_dir(argv[i], &index) : replay_file(argv[i], index++);
    }
    printf("replayed %d inputs, each with %d variants\n", ran, REPLAY_VARIANTS);
    if (ran == 0) {
        fprintf(stderr, "replay: no input (usage: %s FILE_OR_DIR...)\n", argv[0]);
        return 1;
    }
    return 0;
}
