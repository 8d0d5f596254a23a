/* Model files (followup/guard.h, docs/formats.md "Model files"): a best-time
 * model loaded into a model over the same customers in another order, over
 * more or other customers, and from a version 1 file (review s13, I8); what
 * the reader does with a directory, an endless input and a huge or truncated
 * file (review s13, I9). */
#include "fu_test.h"

#include <criterion/criterion.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static char dir[256];

static void write_text(const char *path, const char *text, size_t len) {
    FILE *f = fopen(path, "wb");
    cr_assert_not_null(f);
    cr_assert_eq(fwrite(text, 1, len, f), len);
    fclose(f);
}

/* `body` with its checksum line (FNV-1a 64 of every byte before it), as a
 * writer of the format makes it. */
static void write_sealed(const char *path, const char *body) {
    uint64_t h = 1469598103934665603ull;
    for (const char *s = body; *s; s++) h = (h ^ (unsigned char)*s) * 1099511628211ull;
    size_t n = strlen(body);
    char *text = malloc(n + 40);
    cr_assert_not_null(text);
    int k = snprintf(text, n + 40, "%schecksum %016" PRIx64 "\n", body, h);
    write_text(path, text, (size_t)k);
    free(text);
}

static fu_policy *policy(void) {
    fu_policy *p = NULL;
    cr_assert_eq(fu_policy_default(&p), FU_OK);
    return p;
}

/* C1 answers at 10:00 and misses at 16:00 (Beijing), C2 the reverse, on
 * three Mondays; the customers file lists `ids` in that order. */
static fu_book *book_of(const char *ids) {
    char customers[256] = "customer_id,tz\n";
    char one[64];
    for (const char *s = ids; *s;) {
        size_t n = strcspn(s, ",");
        snprintf(one, sizeof one, "%.*s,Asia/Shanghai\n", (int)n, s);
        strcat(customers, one);
        s += n + (s[n] == ',');
    }
    static const char *const rows[] = {
        "C1,2026-02-09T10:00:00+08:00,contact,phone,answered\n", "C1,2026-02-16T10:00:00+08:00,contact,phone,answered\n",
        "C1,2026-02-23T10:00:00+08:00,contact,phone,answered\n", "C1,2026-02-09T16:00:00+08:00,contact,phone,no_answer\n",
        "C1,2026-02-16T16:00:00+08:00,contact,phone,no_answer\n", "C2,2026-02-09T16:00:00+08:00,contact,phone,answered\n",
        "C2,2026-02-16T16:00:00+08:00,contact,phone,answered\n", "C2,2026-02-23T16:00:00+08:00,contact,phone,answered\n",
        "C2,2026-02-09T10:00:00+08:00,contact,phone,no_answer\n", "C2,2026-02-16T10:00:00+08:00,contact,phone,no_answer\n",
    };
    char events[1024] = "customer_id,at,kind,channel,outcome\n";
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++)
        if (strstr(ids, (char[]){rows[i][0], rows[i][1], 0})) strcat(events, rows[i]); /* its customer is in the book */
    fu_book *b = NULL;
    cr_assert_eq(fu_book_new(&b, NULL), FU_OK);
    cr_assert_eq(fu_book_read_customers_csv_from_string(b, customers, strlen(customers), "<c>"), FU_OK, "%s",
                 fu_error_last()->message);
    cr_assert_eq(fu_book_read_events_csv_from_string(b, events, strlen(events), "<e>"), FU_OK, "%s",
                 fu_error_last()->message);
    return b;
}

static fu_besttime *model_of(const fu_policy *p, const fu_book *b) {
    fu_besttime_options o = FU_BESTTIME_OPTIONS_INIT;
    o.prior_method = FU_BESTTIME_PRIOR_FIXED;
    o.half_life_seconds = -1;
    o.share_day = o.share_hour = 0;
    fu_besttime *m = NULL;
    cr_assert_eq(fu_besttime_new(&m, p, b, NULL, 0, &o), FU_OK, "%s", fu_error_last()->message);
    return m;
}

/* Customer a of model x and customer b of model y have the same evidence in every slot. */
static void same_customer(const fu_besttime *x, size_t a, const fu_besttime *y, size_t b) {
    int64_t now = fu_test_time("2026-03-02T00:00:00Z");
    for (int k = 0; k < fu_besttime_slot_count(x); k++) {
        fu_besttime_estimate u, v;
        cr_assert_eq(fu_besttime_posterior(x, a, k, now, 0, &u), FU_OK);
        cr_assert_eq(fu_besttime_posterior(y, b, k, now, 0, &v), FU_OK);
        cr_assert(u.alpha == v.alpha && u.beta == v.beta && u.trials == v.trials,
                  "slot %d: customer %zu (%g, %g) vs customer %zu (%g, %g)", k, a, u.alpha, u.beta, b, v.alpha, v.beta);
    }
}

static double trials(const fu_besttime *m, size_t c) {
    double t = 0;
    int64_t now = fu_test_time("2026-03-02T00:00:00Z");
    for (int k = 0; k < fu_besttime_slot_count(m); k++) {
        fu_besttime_estimate e;
        cr_assert_eq(fu_besttime_posterior(m, c, k, now, 0, &e), FU_OK);
        t += e.trials;
    }
    return t;
}

Test(model_file, besttime_load_maps_customers_by_id_not_position) {
    fu_test_mkdtemp(dir, sizeof dir, "fu-mfile");
    char path[300];
    snprintf(path, sizeof path, "%s/bt.model", dir);
    fu_policy *p = policy();
    fu_book *a = book_of("C1,C2"), *b = book_of("C2,C1"), *c = book_of("C3,C1,C2"), *d = book_of("C1,C3");
    fu_besttime *ma = model_of(p, a), *mb = model_of(p, b), *mc = model_of(p, c), *md = model_of(p, d);
    cr_assert_eq(fu_besttime_save(ma, path), FU_OK, "%s", fu_error_last()->message);

    /* the same customers in another order: C1 is customer 1 of b */
    cr_assert_eq(fu_besttime_load(mb, path), FU_OK, "%s", fu_error_last()->message);
    same_customer(ma, 0, mb, 1);
    same_customer(ma, 1, mb, 0);
    /* more customers: the new one (C3, first) gets no evidence */
    cr_assert_eq(fu_besttime_load(mc, path), FU_OK, "%s", fu_error_last()->message);
    same_customer(ma, 0, mc, 1);
    same_customer(ma, 1, mc, 2);
    cr_assert_eq(trials(mc, 0), 0);
    /* a saved customer (C2, line 4) that the model's book lacks: refused, nothing changed */
    double before = trials(md, 0);
    cr_assert_eq(fu_besttime_load(md, path), FU_EPARSE);
    cr_assert_str_eq(fu_error_last()->source, path);
    cr_assert_eq(fu_error_last()->line, 5, "%s", fu_error_last()->message);
    cr_assert(strstr(fu_error_last()->message, "customer 1 of the saved model") &&
                  strstr(fu_error_last()->message, "not a customer of the model's book"),
              "%s", fu_error_last()->message);
    cr_assert_eq(trials(md, 0), before);

    fu_besttime_free(ma);
    fu_besttime_free(mb);
    fu_besttime_free(mc);
    fu_besttime_free(md);
    fu_book_free(a);
    fu_book_free(b);
    fu_book_free(c);
    fu_book_free(d);
    fu_policy_free(p);
    fu_test_rmtree(dir);
}

/* A version 1 file (positions only, as written before 2026-12-07) is read by
 * position into a model of as many customers, refused by one of another size. */
Test(model_file, besttime_version_1_files_load_by_position) {
    fu_test_mkdtemp(dir, sizeof dir, "fu-mfile");
    char path[300];
    snprintf(path, sizeof path, "%s/v1.model", dir);
    fu_policy *p = policy();
    fu_book *a = book_of("C1,C2"), *c = book_of("C3,C1,C2");
    fu_besttime *ma = model_of(p, a), *mc = model_of(p, c);
    cr_assert_eq(fu_besttime_save(ma, path), FU_OK);
    size_t len = 0;
    char *text = fu_test_read_file(path, &len);
    cr_assert_not_null(text);
    /* version 2 -> 1: drop each customer line's id hash and the checksum */
    cr_assert(strncmp(text, "followup-model besttime 2\n", 26) == 0, "%.30s", text);
    text[24] = '1';
    char *v1 = calloc(len + 1, 1), *o = v1;
    for (char *line = text; *line && strncmp(line, "checksum ", 9) != 0;) {
        char *nl = strchr(line, '\n');
        size_t n = (size_t)(nl - line) + 1;
        if (strncmp(line, "customer ", 9) == 0) {
            char *hash = strchr(line + 9, ' ') + 1;
            memcpy(o, line, (size_t)(hash - line));
            o += hash - line;
            memcpy(o, hash + 17, (size_t)(nl + 1 - (hash + 17)));
            o += nl + 1 - (hash + 17);
        } else {
            memcpy(o, line, n);
            o += n;
        }
        line = nl + 1;
    }
    write_sealed(path, v1);
    fu_besttime *back = model_of(p, a);
    cr_assert_eq(fu_besttime_load(back, path), FU_OK, "%s", fu_error_last()->message);
    same_customer(ma, 0, back, 0);
    same_customer(ma, 1, back, 1);
    cr_assert_eq(fu_besttime_load(mc, path), FU_EPARSE);
    cr_assert(strstr(fu_error_last()->message, "the file has 2 customers"), "%s", fu_error_last()->message);
    free(v1);
    free(text);
    fu_besttime_free(back);
    fu_besttime_free(ma);
    fu_besttime_free(mc);
    fu_book_free(a);
    fu_book_free(c);
    fu_policy_free(p);
    fu_test_rmtree(dir);
}

/* Review s13 I9: a directory, an endless input, a file larger than the model
 * can be, a truncated file, a NUL byte, a line given twice, denormals. */
Test(model_file, bounded_reads_and_clear_errors_naming_the_file) {
    fu_test_mkdtemp(dir, sizeof dir, "fu-mfile");
    char path[300];
    snprintf(path, sizeof path, "%s/m.model", dir);
    fu_policy *p = policy();
    fu_book *a = book_of("C1,C2");
    fu_besttime *m = model_of(p, a);
    fu_model_params mp;

    cr_assert_eq(fu_model_params_load(&mp, dir), FU_EIO);
    cr_assert(strstr(fu_error_last()->message, "is a directory"), "%s", fu_error_last()->message);
    cr_assert_eq(fu_besttime_load(m, dir), FU_EIO);
    cr_assert(strstr(fu_error_last()->message, "is a directory"), "%s", fu_error_last()->message);

    /* /dev/zero: refused at its first byte, not read until memory runs out */
    cr_assert_eq(fu_model_params_load(&mp, "/dev/zero"), FU_EPARSE);
    fu_test_expect_error(FU_EPARSE, "a NUL byte (byte 1 of the file): not a model file", "/dev/zero", 1, 1, "");
    cr_assert_eq(fu_besttime_load(m, "/dev/zero"), FU_EPARSE);

    /* larger than a customer-base file (4,096 bytes) or than a best-time file
     * of a 2-customer model with 168 slots can be */
    size_t big = 200000;
    char *text = malloc(big);
    cr_assert_not_null(text);
    memset(text, '#', big);
    for (size_t i = 99; i < big; i += 100) text[i] = '\n';
    write_text(path, text, 5000);
    cr_assert_eq(fu_model_params_load(&mp, path), FU_ELIMIT);
    cr_assert(strstr(fu_error_last()->message, "larger than 4096 bytes") && strstr(fu_error_last()->message, path),
              "%s", fu_error_last()->message);
    write_text(path, text, big);
    cr_assert_eq(fu_besttime_load(m, path), FU_ELIMIT);
    cr_assert(strstr(fu_error_last()->message, "larger than"), "%s", fu_error_last()->message);
    free(text);

    /* truncated: the byte it stops at */
    write_text(path, "followup-model customer-base 1\nbgnbd 0x1p+0", 43);
    cr_assert_eq(fu_model_params_load(&mp, path), FU_EPARSE);
    cr_assert(strstr(fu_error_last()->message, "truncated at byte 43"), "%s", fu_error_last()->message);
    /* a NUL inside: its line and column */
    write_text(path, "followup-model customer-base 1\nbgnbd 0x1p+0\0 junk\n", 50);
    cr_assert_eq(fu_model_params_load(&mp, path), FU_EPARSE);
    fu_test_expect_error(FU_EPARSE, "a NUL byte (byte 44 of the file): not a model file", path, 2, 13, "");
    /* a line twice; a denormal; the largest double is a number */
    write_sealed(path, "followup-model customer-base 1\nbgnbd 0x1p+0 0x1p+0 0x1p+0 0x1p+0\n"
                       "bgnbd 0x1p+1 0x1p+0 0x1p+0 0x1p+0\n");
    cr_assert_eq(fu_model_params_load(&mp, path), FU_EPARSE);
    fu_test_expect_error(FU_EPARSE, "a second 'bgnbd' line", path, 3, 1, "");
    write_sealed(path, "followup-model customer-base 1\ngammagamma 0x1p-1074 0x1p+0 0x1p+0\n");
    cr_assert_eq(fu_model_params_load(&mp, path), FU_EPARSE);
    cr_assert(strstr(fu_error_last()->message, "not denormal"), "%s", fu_error_last()->message);
    write_sealed(path, "followup-model customer-base 1\ngammagamma 0x1p-1022 0x1p+0 0x1.fffffffffffffp+1023\n");
    cr_assert_eq(fu_model_params_load(&mp, path), FU_OK, "%s", fu_error_last()->message);
    cr_assert(mp.has_gammagamma && !mp.has_bgnbd);

    fu_besttime_free(m);
    fu_book_free(a);
    fu_policy_free(p);
    fu_test_rmtree(dir);
}

/* What fu_model_params_save() writes, fu_model_params_load() reads back
 * (review s13 R3): a denormal or infinite parameter is refused when saving
 * (FU_EINVAL naming the model, no file written), where before the save
 * succeeded and the load then refused the only copy of the fit. */
Test(model_file, save_refuses_parameters_the_load_would_refuse) {
    fu_test_mkdtemp(dir, sizeof dir, "fu-mfile");
    char path[300];
    snprintf(path, sizeof path, "%s/p.model", dir);
    fu_model_params m;
    memset(&m, 0, sizeof m);
    m.has_bgnbd = 1;
    m.bgnbd.r = 0.24, m.bgnbd.alpha = 4.41, m.bgnbd.a = 0.79, m.bgnbd.b = 1e-310;
    cr_assert_eq(fu_model_params_save(&m, path), FU_EINVAL);
    cr_assert(strstr(fu_error_last()->message, "bgnbd"), "%s", fu_error_last()->message);
    FILE *f = fopen(path, "rb");
    cr_assert_null(f, "a file was written");
    m.bgnbd.b = 2.43;
    m.has_gammagamma = 1;
    m.gammagamma.p = 6.25, m.gammagamma.q = 3.74, m.gammagamma.gamma = HUGE_VAL;
    cr_assert_eq(fu_model_params_save(&m, path), FU_EINVAL);
    cr_assert(strstr(fu_error_last()->message, "gammagamma"), "%s", fu_error_last()->message);
    m.gammagamma.gamma = 15.4;
    cr_assert_eq(fu_model_params_save(&m, path), FU_OK, "%s", fu_error_last()->message);
    fu_model_params back;
    cr_assert_eq(fu_model_params_load(&back, path), FU_OK, "%s", fu_error_last()->message);
    cr_assert(back.has_bgnbd && back.has_gammagamma && back.bgnbd.b == 2.43 && back.gammagamma.gamma == 15.4);
    fu_test_rmtree(dir);
}
