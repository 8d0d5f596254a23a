/* Benchmark of fu_redact (issue 7 target: masking at >= 100 MB/s; issue 13:
 * >= 400 MB/s on ordinary notes, recall >= 99% and no false positive on the
 * labelled variants).
 *
 * `bench_redact`: a corpus of follow-up notes in Chinese and English, about
 * one piece of personal data per 150 bytes, is masked (a) as one large text
 * in one call, (b) note by note with fu_redactor_apply, (c) with
 * fu_redactor_apply_bulk, and (d) with one extra caller pattern. Each figure
 * is the median of RUNS.
 *
 * `bench_redact ordinary FILE`: ordinary notes: the `note` column (the
 * last) of a notes CSV such as examples/sample/data/notes.csv (about one
 * note in three holds a phone number or e-mail), repeated to 40 MB, masked
 * as one text and note by note.
 *
 * `bench_redact hostile`: `a@a@a@...` (no address) of 0.25, 0.5 and 1 MB,
 * one call each: the CPU time must double with the size, not quadruple.
 *
 * `bench_redact corpus FILE`: recall and false positives on the labelled
 * variants of tests/data/redact/corpus.tsv, by kind (uses only the API of
 * every version, so it also measures an older library). */
#include "followup.h"
#include "bench_util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define RUNS 7 /* timings are CPU time of the process (bu_cpu): on a shared
                  machine wall time mostly measures the other processes */
#define N_NOTES 400000

static uint64_t rng = 0x9E3779B97F4A7C15ULL;
static unsigned next_rand(void) { return (unsigned)(bu_xorshift64(&rng) >> 11); }

/* The notes joined into one text, one per line (total: their lengths + 1
 * each); *len = bytes before the terminating NUL. */
static char *join_notes(char *const *notes, const size_t *lens, size_t n_notes, size_t total, size_t *len) {
    char *joined = malloc(total + 1);
    size_t off = 0;
    for (size_t i = 0; i < n_notes; i++) {
        memcpy(joined + off, notes[i], lens[i]);
        off += lens[i];
        joined[off++] = '\n';
    }
    joined[off] = '\0';
    *len = off;
    return joined;
}

/* One run of the two timings every corpus gets: the joined text in one call
 * (*t_one) and one call per note (*t_each), CPU seconds. */
static void time_one_each(fu_redactor *r, const char *joined, size_t len, char *const *notes, const size_t *lens,
                          size_t n_notes, double *t_one, double *t_each) {
    char *out;
    size_t n;
    double t0 = bu_cpu();
    if (fu_redactor_apply(r, joined, len, &n, &out)) bu_die("apply");
    *t_one = bu_cpu() - t0;
    fu_free(out);
    t0 = bu_cpu();
    for (size_t i = 0; i < n_notes; i++) {
        if (fu_redactor_apply(r, notes[i], lens[i], &n, &out)) bu_die("apply");
        fu_free(out);
    }
    *t_each = bu_cpu() - t0;
}

/* The medians of those two timings, with the throughput on mb megabytes. */
static void print_one_each(double *t_one, double *t_each, double mb, size_t n_notes) {
    double m = bu_median(t_one, RUNS);
    printf("one text, one call:          %7.3f s  %7.1f MB/s\n", m, mb / m);
    m = bu_median(t_each, RUNS);
    printf("one call per note:           %7.3f s  %7.1f MB/s  (%.0f ns/note)\n", m, mb / m, m / (double)n_notes * 1e9);
}

static const char *const templates[] = {
    "客户王先生反映空调不制冷，已安排师傅上门，联系电话%s，承诺3个工作日内解决。",
    "Called the customer about the delivery; she asked us to e-mail %s with the invoice by Friday.",
    "回访：客户对安装服务满意，身份证号%s已核验，下次回访定在下个月。",
    "Refund to card %s requested, finance to confirm within 2 business days, customer calm.",
    "客户投诉配送延迟三天，情绪较大，备用号码%s，已道歉并补偿优惠券，明天下午前回电。",
    "No personal data in this one: routine check after installation, everything works fine, NPS 9.",
    "座机%s无人接听，改发短信提醒，客户稍后回复表示产品使用正常，无其他需求。",
};

static void fill(char *buf, size_t size, int t) {
    char pii[64];
    switch (t) {
    case 0:
    case 4:
        snprintf(pii, sizeof pii, "1%u%09u", 3 + next_rand() % 7, next_rand() % 1000000000u);
        break;
    case 1:
        snprintf(pii, sizeof pii, "li.%u@example.com", next_rand() % 100000);
        break;
    case 2:
        strcpy(pii, "110105199001011232");
        break;
    case 3:
        strcpy(pii, "6222 0212 3456 7894");
        break;
    case 6:
        snprintf(pii, sizeof pii, "010-%08u", next_rand() % 100000000u);
        break;
    default:
        pii[0] = '\0';
    }
    snprintf(buf, size, templates[t], pii);
}

/* Undo the \\n \\r \\t \\\\ escapes of a corpus field in place. */
static void unescape(char *s) {
    char *w = s;
    for (char *r = s; *r; r++) {
        if (r[0] == '\\' && r[1]) {
            r++;
            *w++ = *r == 'n' ? '\n' : *r == 'r' ? '\r' : *r == 't' ? '\t' : *r;
        } else {
            *w++ = *r;
        }
    }
    *w = '\0';
}

#define MAX_KINDS 24

/* One pass with a redactor of `flags`; the variants of kinds cjk_* (numbers
 * in Chinese numerals) count only when `cjk`. */
static int corpus_pass(const char *path, unsigned flags, int cjk) {
    FILE *f = fopen(path, "r");
    if (!f) {
        perror(path);
        return 1;
    }
    fu_redact_options o = FU_REDACT_OPTIONS_INIT;
    o.flags = flags;
    fu_redactor *r = NULL;
    if (fu_redactor_new(&r, &o)) bu_die("redactor");
    char kinds[MAX_KINDS][32];
    size_t pos[MAX_KINDS] = {0}, caught[MAX_KINDS] = {0}, nk = 0, neg = 0, fp = 0, bad = 0;
    char line[4096];
    while (fgets(line, sizeof line, f)) {
        if (line[0] == '#' || line[0] == '\n') continue;
        line[strcspn(line, "\n")] = '\0';
        char *expect = strtok(line, "\t"), *kind = strtok(NULL, "\t"), *text = strtok(NULL, "\t");
        char *secret = strtok(NULL, "\t");
        if (!expect || !kind || !text || (!cjk && strncmp(kind, "cjk_", 4) == 0)) continue;
        unescape(text);
        if (secret) unescape(secret);
        char *out = NULL;
        size_t n = 0;
        if (fu_redactor_apply(r, text, strlen(text), &n, &out)) {
            bad++;
            continue;
        }
        if (strcmp(expect, "keep") == 0) {
            neg++;
            if (strcmp(out, text) != 0) {
                fp++;
                printf("false positive: %s -> %s\n", text, out);
            }
        } else {
            size_t k = 0;
            while (k < nk && strcmp(kinds[k], kind) != 0) k++;
            if (k == nk && nk < MAX_KINDS) snprintf(kinds[nk++], sizeof kinds[0], "%s", kind);
            if (k < MAX_KINDS) {
                pos[k]++;
                if (!secret || !strstr(out, secret)) caught[k]++;
                else printf("missed (%s): %s\n", kind, text);
            }
        }
        fu_free(out);
    }
    fclose(f);
    size_t tp = 0, tc = 0;
    for (size_t k = 0; k < nk; k++) {
        printf("%-10s %4zu variants, %4zu masked  recall %6.2f%%\n", kinds[k], pos[k], caught[k],
               100.0 * (double)caught[k] / (double)pos[k]);
        tp += pos[k];
        tc += caught[k];
    }
    printf("all        %4zu variants, %4zu masked  recall %6.2f%%\n", tp, tc, 100.0 * (double)tc / (double)tp);
    printf("negatives  %4zu look-alikes, %zu false positives; %zu texts refused\n", neg, fp, bad);
    fu_redactor_free(r);
    return 0;
}

static int corpus(const char *path) {
    printf("default redactor:\n");
    int rc = corpus_pass(path, 0, 0);
#ifdef FU_REDACT_CJK_NUMERALS
    if (rc == 0) {
        printf("with FU_REDACT_CJK_NUMERALS (numbers in Chinese numerals):\n");
        rc = corpus_pass(path, FU_REDACT_CJK_NUMERALS, 1);
    }
#endif
    return rc;
}

static int ordinary(const char *path) {
    FILE *f = fopen(path, "r");
    if (!f) {
        perror(path);
        return 1;
    }
    char src[512][512];
    size_t n_src = 0;
    char line[1024];
    if (!fgets(line, sizeof line, f)) return 1; /* header */
    while (n_src < 512 && fgets(line, sizeof line, f)) {
        line[strcspn(line, "\r\n")] = '\0';
        char *c = strchr(line, ',');
        c = c ? strchr(c + 1, ',') : NULL;
        if (!c) continue;
        c++;
        size_t n = strlen(c);
        if (n >= 2 && c[0] == '"' && c[n - 1] == '"') {
            c[n - 1] = '\0';
            c++;
        }
        snprintf(src[n_src++], sizeof src[0], "%s", c);
    }
    fclose(f);
    if (!n_src) return 1;
    size_t n_notes = 0, total = 0;
    while (total < 40000000) total += strlen(src[n_notes++ % n_src]) + 1;
    char **notes = malloc(n_notes * sizeof *notes);
    size_t *lens = malloc(n_notes * sizeof *lens);
    for (size_t i = 0; i < n_notes; i++) {
        notes[i] = src[i % n_src];
        lens[i] = strlen(notes[i]);
    }
    size_t off;
    char *joined = join_notes(notes, lens, n_notes, total, &off);
    double mb = (double)total / 1e6;
    fu_redactor *r = NULL;
    if (fu_redactor_new(&r, NULL)) bu_die("redactor");
    double t_one[RUNS], t_each[RUNS];
#ifdef FU_REDACT_CJK_NUMERALS
    /* the opt-in mode, timed in the same rounds */
    fu_redact_options o = FU_REDACT_OPTIONS_INIT;
    o.flags = FU_REDACT_CJK_NUMERALS;
    fu_redactor *rc = NULL;
    if (fu_redactor_new(&rc, &o)) bu_die("redactor cjk");
    double c_one[RUNS], c_each[RUNS];
#endif
    for (int run = 0; run < RUNS; run++) {
        time_one_each(r, joined, off, notes, lens, n_notes, &t_one[run], &t_each[run]);
#ifdef FU_REDACT_CJK_NUMERALS
        time_one_each(rc, joined, off, notes, lens, n_notes, &c_one[run], &c_each[run]);
#endif
    }
    fu_redact_stats c;
    fu_redactor_get_stats(r, &c);
    printf("ordinary notes: %zu notes (%zu distinct), %.1f MB, %zu spans masked per pass\n", n_notes, n_src, mb,
           c.total / (2 * RUNS));
    print_one_each(t_one, t_each, mb, n_notes);
#ifdef FU_REDACT_CJK_NUMERALS
    printf("with FU_REDACT_CJK_NUMERALS:\n");
    print_one_each(c_one, c_each, mb, n_notes);
    fu_redactor_free(rc);
#endif
    fu_redactor_free(r);
    free(notes);
    free(lens);
    free(joined);
    return 0;
}

/* Hostile filler "a@a@...": median CPU time of one call per size. */
static int hostile(void) {
    double prev = 0;
    for (size_t mb4 = 1; mb4 <= 4; mb4 *= 2) {
        size_t n = mb4 * 262144;
        char *in = malloc(n + 1);
        for (size_t i = 0; i < n; i++) in[i] = i % 2 ? '@' : 'a';
        in[n] = '\0';
        fu_redactor *r = NULL;
        if (fu_redactor_new(&r, NULL)) bu_die("redactor");
        double t[RUNS];
        for (int run = 0; run < RUNS; run++) {
            char *out;
            size_t on;
            double t0 = bu_cpu();
            if (fu_redactor_apply(r, in, n, &on, &out)) bu_die("apply");
            t[run] = bu_cpu() - t0;
            fu_free(out);
        }
        double m = bu_median(t, RUNS);
        printf("a@a@... %4zu KiB: %8.4f s  %7.1f MB/s", n / 1024, m, (double)n / 1e6 / m);
        if (prev > 0) printf("  (x%.2f of the half size)", m / prev);
        printf("\n");
        prev = m;
        fu_redactor_free(r);
        free(in);
    }
    return 0;
}

int main(int argc, char **argv) {
    if (argc == 2 && strcmp(argv[1], "hostile") == 0) return hostile();
    if (argc == 3 && strcmp(argv[1], "corpus") == 0) return corpus(argv[2]);
    if (argc == 3 && strcmp(argv[1], "ordinary") == 0) return ordinary(argv[2]);
    if (argc != 1) {
        fprintf(stderr, "usage: bench_redact [corpus tests/data/redact/corpus.tsv | ordinary NOTES.csv | hostile]\n");
        return 2;
    }
    /* the corpus: N_NOTES notes, each its own string, and all of them joined */
    char **notes = malloc(N_NOTES * sizeof *notes);
    size_t *lens = malloc(N_NOTES * sizeof *lens);
    size_t total = 0;
    for (size_t i = 0; i < N_NOTES; i++) {
        char buf[256];
        fill(buf, sizeof buf, (int)(next_rand() % 7));
        lens[i] = strlen(buf);
        notes[i] = malloc(lens[i] + 1);
        memcpy(notes[i], buf, lens[i] + 1);
        total += lens[i] + 1;
    }
    size_t off;
    char *joined = join_notes(notes, lens, N_NOTES, total, &off);
    double mb = (double)total / 1e6;

    fu_redactor *r = NULL;
    if (fu_redactor_new(&r, NULL)) bu_die("redactor");
    fu_redact_pattern extra[] = {{"ticket", "工单号[A-Z]{2}[0-9]{6}", 3, 2, NULL, 0}};
    fu_redact_options o = FU_REDACT_OPTIONS_INIT;
    o.extra = extra;
    o.n_extra = 1;
    fu_redactor *rx = NULL;
    if (fu_redactor_new(&rx, &o)) bu_die("redactor+extra");
    o.n_extra = 0;
    o.flags = FU_REDACT_NO_JIT;
    fu_redactor *rn = NULL;
    if (fu_redactor_new(&rn, &o)) bu_die("redactor no JIT");
    double t_cjk[RUNS];
    fu_redactor *rc = NULL;
#ifdef FU_REDACT_CJK_NUMERALS
    o.flags = FU_REDACT_CJK_NUMERALS;
    if (fu_redactor_new(&rc, &o)) bu_die("redactor cjk");
#endif

    printf("corpus: %zu notes, %.1f MB, JIT %s\n", (size_t)N_NOTES, mb, fu_redactor_uses_jit(r) ? "on" : "off");
    double t_one[RUNS], t_each[RUNS], t_bulk[RUNS], t_extra[RUNS], t_nojit[RUNS];
    size_t *offsets = malloc((N_NOTES + 1) * sizeof *offsets);
    for (int run = 0; run < RUNS; run++) {
        char *out;
        size_t n;
        time_one_each(r, joined, off, notes, lens, N_NOTES, &t_one[run], &t_each[run]);

        double t0 = bu_cpu();
        if (fu_redactor_apply_bulk(r, (const char *const *)notes, lens, N_NOTES, offsets, &out)) bu_die("bulk");
        t_bulk[run] = bu_cpu() - t0;
        fu_free(out);

        t0 = bu_cpu();
        if (fu_redactor_apply(rx, joined, off, &n, &out)) bu_die("apply extra");
        t_extra[run] = bu_cpu() - t0;
        fu_free(out);

        t0 = bu_cpu();
        if (fu_redactor_apply(rn, joined, off, &n, &out)) bu_die("apply no jit");
        t_nojit[run] = bu_cpu() - t0;
        fu_free(out);

        t_cjk[run] = 0;
        if (rc) {
            t0 = bu_cpu();
            if (fu_redactor_apply(rc, joined, off, &n, &out)) bu_die("apply cjk");
            t_cjk[run] = bu_cpu() - t0;
            fu_free(out);
        }
    }
    fu_redact_stats c;
    fu_redactor_get_stats(r, &c);
    printf("masked per pass: %zu spans (mobile %zu, landline %zu, id %zu, card %zu, email %zu)\n",
           c.total / (3 * RUNS), c.by_kind[FU_REDACT_MOBILE_CN] / (3 * RUNS),
           c.by_kind[FU_REDACT_LANDLINE_CN] / (3 * RUNS), c.by_kind[FU_REDACT_ID_CN] / (3 * RUNS),
           c.by_kind[FU_REDACT_BANK_CARD] / (3 * RUNS), c.by_kind[FU_REDACT_EMAIL] / (3 * RUNS));
    print_one_each(t_one, t_each, mb, N_NOTES);
    double m = bu_median(t_bulk, RUNS);
    printf("bulk call:                   %7.3f s  %7.1f MB/s\n", m, mb / m);
    m = bu_median(t_extra, RUNS);
    printf("one text, + 1 extra pattern: %7.3f s  %7.1f MB/s\n", m, mb / m);
    m = bu_median(t_nojit, RUNS);
    printf("one text, interpreter:       %7.3f s  %7.1f MB/s\n", m, mb / m);
    if (rc) {
        m = bu_median(t_cjk, RUNS);
        printf("one text, Chinese numerals:  %7.3f s  %7.1f MB/s\n", m, mb / m);
    }
    fu_redactor_free(rc);

    fu_redactor_free(r);
    fu_redactor_free(rx);
    fu_redactor_free(rn);
    for (size_t i = 0; i < N_NOTES; i++) free(notes[i]);
    free(notes);
    free(lens);
    free(joined);
    free(offsets);
    return 0;
}
