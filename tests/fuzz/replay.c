/* Runs a fuzz target (fuzz_target.h) without libFuzzer, for `meson test`:
 * every corpus file as it is, then deterministic mutations of each (bit
 * flips, interesting bytes and words -- lengths, offsets, counts --
 * truncations, duplicated chunks, splices with another file).
 *
 *   replay [--mutations N] [--seed S] FILE|DIR...
 *
 * Corpus files whose names start with "ok-" are valid inputs the target
 * must accept (return 0) as they are; a refusal fails the run.
 *
 * EMU_FUZZ_SCALE=K multiplies the mutations (the long mode). The sequence
 * depends only on the seed and the corpus: to get the input behind a crash,
 * run again with EMU_FUZZ_KEEP=1, which writes each input to
 * ./replay-current-{0,1} before running it (the last one written is it). */
#include <dirent.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "fuzz_target.h"
#include "rng.h"

#define MAX_FILES  512
#define INPUT_MAX  (8u << 20)
#define HEAD_BYTES 512 /* words are most often changed here: headers, program headers */

#define MUST_ACCEPT "ok-" /* file-name prefix of inputs the target must accept */

struct corpus {
    uint8_t *data[MAX_FILES];
    size_t size[MAX_FILES];
    bool must_accept[MAX_FILES];
    const char *name[MAX_FILES];
    size_t n;
};

static void add_file(struct corpus *c, const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f || c->n == MAX_FILES) {
        fprintf(stderr, "replay: cannot use '%s'\n", path);
        if (f) fclose(f);
        return;
    }
    uint8_t *buf = malloc(INPUT_MAX);
    size_t len = buf ? fread(buf, 1, INPUT_MAX, f) : 0;
    fclose(f);
    uint8_t *fit = buf ? realloc(buf, len ? len : 1) : NULL;
    const char *base = strrchr(path, '/') ? strrchr(path, '/') + 1 : path;
    c->data[c->n] = fit ? fit : buf;
    c->must_accept[c->n] = !strncmp(base, MUST_ACCEPT, strlen(MUST_ACCEPT));
    c->name[c->n] = strdup(base);
    c->size[c->n++] = len;
}

static void add_path(struct corpus *c, const char *path)
{
    struct stat st;
    if (stat(path, &st) == 0 && S_ISDIR(st.st_mode)) {
        struct dirent **names;
        int n = scandir(path, &names, NULL, alphasort); /* sorted: deterministic order */
        for (int i = 0; i < n; i++) {
            char full[4096];
            if (names[i]->d_name[0] != '.') {
                snprintf(full, sizeof(full), "%s/%s", path, names[i]->d_name);
                add_file(c, full);
            }
            free(names[i]);
        }
        free(names);
        return;
    }
    add_file(c, path);
}

static uint64_t interesting_word(struct rng *r, size_t size)
{
    static const uint64_t v[] = {0,          1,          2,          0x7F,
                                 0x80,       0xFF,       0xFFFF,     0x7FFFFFFF,
                                 0x80000000, 0xFFFFFFFF, 0xFFFFFFFE, 0x100000,
                                 0x1000,     0x200000,   0x40,       0x34,
                                 0x38,       0x20,       UINT64_MAX, 0x8000000000000000ULL};
    if (rng_chance(r, 20)) return size + rng_below(r, 3) - 1;
    return RNG_PICK(r, v);
}

/* One mutation of buf (len bytes, capacity INPUT_MAX); returns the new length. */
static size_t mutate(struct rng *r, uint8_t *buf, size_t len, const struct corpus *c)
{
    size_t at = len ? rng_below(r, rng_chance(r, 70) && len > HEAD_BYTES ? HEAD_BYTES : len) : 0;
    switch (rng_below(r, 7)) {
    case 0:
        if (len) buf[at] ^= (uint8_t)(1u << rng_below(r, 8));
        return len;
    case 1:
        if (len) buf[at] = (uint8_t)interesting_word(r, len);
        return len;
    case 2:
    case 3: { /* a 2-, 4- or 8-byte field */
        unsigned w = 2u << rng_below(r, 3);
        uint64_t v = interesting_word(r, len);
        at &= ~(size_t)(w - 1);
        for (unsigned i = 0; i < w && at + i < len; i++)
            buf[at + i] = (uint8_t)(v >> (8 * i));
        return len;
    }
    case 4: return len ? rng_below(r, len) : 0; /* truncate */
    case 5: {                                   /* duplicate a chunk at the end */
        size_t n = len ? rng_below(r, len - at + 1) : 0;
        if (len + n > INPUT_MAX) return len;
        memmove(buf + len, buf + at, n);
        return len + n;
    }
    default: { /* splice: the tail of another file from `at` on */
        size_t other = rng_below(r, c->n);
        if (at >= c->size[other]) return len;
        memcpy(buf + at, c->data[other] + at, c->size[other] - at);
        return c->size[other];
    }
    }
}

/* Keeps the input about to run, so that a crash leaves its reproducer. */
static void save_current(const uint8_t *buf, size_t len, unsigned long n)
{
    char name[64];
    snprintf(name, sizeof(name), "replay-current-%lu", n % 2); /* the last two */
    FILE *f = fopen(name, "wb");
    if (!f) return;
    fwrite(buf, 1, len, f);
    fclose(f);
}

/* Runs every corpus file, then `mutations` mutations of each. Returns the
 * number of "ok-" files the target refused. */
static unsigned run_corpus(const struct corpus *c, uint64_t mutations, uint64_t seed, bool keep,
                           unsigned long *runs, unsigned long *accepted)
{
    uint8_t *buf = malloc(INPUT_MAX);
    struct rng r = {seed};
    unsigned refused = 0;
    for (size_t f = 0; f < c->n && buf; f++) {
        bool ok = LLVMFuzzerTestOneInput(c->data[f], c->size[f]) == 0;
        if (!ok && c->must_accept[f]) {
            fprintf(stderr, "replay: the target refused '%s', a valid input\n", c->name[f]);
            refused++;
        }
        *accepted += ok;
        ++*runs;
        for (uint64_t k = 0; k < mutations; k++, ++*runs) {
            memcpy(buf, c->data[f], c->size[f]);
            size_t len = c->size[f];
            for (unsigned n = 1 + (unsigned)rng_below(&r, 4); n > 0; n--)
                len = mutate(&r, buf, len, c);
            if (keep) save_current(buf, len, *runs);
            *accepted += LLVMFuzzerTestOneInput(buf, len) == 0;
        }
    }
    free(buf);
    return refused;
}

int main(int argc, char **argv)
{
    uint64_t mutations = 100, seed = 1;
    struct corpus *c = calloc(1, sizeof(*c));
    if (!c) return 2;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--mutations") && i + 1 < argc)
            mutations = strtoull(argv[++i], NULL, 0);
        else if (!strcmp(argv[i], "--seed") && i + 1 < argc)
            seed = strtoull(argv[++i], NULL, 0);
        else
            add_path(c, argv[i]);
    }
    const char *scale = getenv("EMU_FUZZ_SCALE");
    if (scale) mutations *= strtoull(scale, NULL, 0);
    if (!c->n) {
        fprintf(stderr, "usage: replay [--mutations N] [--seed S] FILE|DIR...\n");
        free(c);
        return 2;
    }
    unsigned long runs = 0, accepted = 0;
    clock_t t0 = clock();
    unsigned refused =
        run_corpus(c, mutations, seed, getenv("EMU_FUZZ_KEEP") != NULL, &runs, &accepted);
    printf("replay: %zu corpus files, %lu inputs (seed %llu), %lu accepted, %.1f s of CPU\n", c->n,
           runs, (unsigned long long)seed, accepted, (double)(clock() - t0) / CLOCKS_PER_SEC);
    for (size_t f = 0; f < c->n; f++) {
        free(c->data[f]);
        free((void *)c->name[f]);
    }
    free(c);
    return refused ? 1 : 0;
}
