/* Versioned text files for fitted models (model_file_internal.h), and the
 * customer-base models' save and load (followup/guard.h). */
#include "followup/guard.h"

#include "model_file_internal.h"
#include "csv_internal.h"

#include <errno.h>
#include <float.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

static uint64_t fnv(const char *s, size_t n) {
    uint64_t h = 1469598103934665603ull;
    for (size_t i = 0; i < n; i++) h = (h ^ (unsigned char)s[i]) * 1099511628211ull;
    return h;
}

int fu__mfile_begin(fu__buf *b, const char *kind, int version) {
    return fu__buf_printf(b, "followup-model %s %d\n", kind, version);
}

int fu__mfile_commit(fu__buf *b, const char *path) {
    int rc = b->failed ? FU_ENOMEM : FU_OK;
    if (rc == FU_OK) rc = fu__buf_printf(b, "checksum %016" PRIx64 "\n", fnv(b->data, b->len - 0));
    /* the checksum covers every byte before its own line; the file is
     * replaced all or nothing (a device such as /dev/null written in place) */
    if (rc == FU_OK) rc = fu__outfile_write(path, b->data, b->len);
    else rc = fu__error_nomem();
    fu__buf_free(b);
    return rc;
}

int fu__mfile_error(const fu__mfile *f, const char *fmt, ...) {
    char msg[256];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    return fu__error_set_at(FU_EPARSE, f->path, f->line, 1, NULL, "%s", msg);
}

static int nul_byte(const char *path, const char *text, size_t at) {
    unsigned long line = 1;
    size_t start = 0;
    for (size_t i = 0; i < at; i++)
        if (text[i] == '\n') line++, start = i + 1;
    return fu__error_set_at(FU_EPARSE, path, line, (unsigned long)(at - start) + 1, NULL,
                            "a NUL byte (byte %zu of the file): not a model file", at + 1);
}

/* Read at most `max` bytes of `path`: a directory, a read error, a larger
 * input (an endless one: /dev/zero, a FIFO) and a NUL byte are refused,
 * naming the file. */
static int read_all(const char *path, size_t max, char **out, size_t *len) {
    FILE *fp = fopen(path, "rb");
    if (!fp) return fu__error_set(errno == ENOENT ? FU_ENOTFOUND : FU_EIO, "%s: cannot open: %s", path, strerror(errno));
    struct stat st;
    if (fstat(fileno(fp), &st) == 0 && S_ISDIR(st.st_mode)) {
        fclose(fp);
        return fu__error_set(FU_EIO, "%s: cannot read: is a directory, not a model file", path);
    }
    fu__buf b = FU__BUF_INIT;
    char chunk[65536];
    size_t n;
    int too_big = 0, nul = 0;
    while (!too_big && !nul && (n = fread(chunk, 1, sizeof chunk, fp)) > 0) {
        const char *z = memchr(chunk, 0, n); /* text: stop at a NUL (an endless /dev/zero too) */
        if (z) n = (size_t)(z - chunk) + 1, nul = 1;
        if (b.len + n > max) too_big = 1;
        else if (fu__buf_append(&b, chunk, n)) break;
    }
    int err = ferror(fp) ? errno : 0;
    fclose(fp);
    int rc = FU_OK;
    if (b.failed) rc = FU_ENOMEM;
    else if (too_big)
        rc = fu__error_set(FU_ELIMIT, "%s: larger than %zu bytes, the most a model file for this model can hold: "
                                      "not a model file, or one of a much larger model", path, max);
    else if (err) rc = fu__error_set(FU_EIO, "%s: read failed: %s", path, strerror(err));
    else if (nul) rc = nul_byte(path, b.data, b.len - 1);
    if (rc) {
        fu__buf_free(&b);
        return rc;
    }
    *len = b.len;
    *out = fu__buf_detach(&b);
    if (!*out) {
        *out = fu__strdup("");
        if (!*out) return fu__error_nomem();
    }
    return FU_OK;
}

int fu__mfile_open(fu__mfile *f, const char *path, const char *kind, int newest, size_t max_bytes) {
    memset(f, 0, sizeof *f);
    f->path = path;
    int rc = read_all(path, max_bytes, &f->text, &f->len);
    if (rc) return rc;
    f->line = 1;
    char k[64];
    int v = 0, used = 0;
    if (sscanf(f->text, "followup-model %63s %d%n", k, &v, &used) != 2 || f->text[used] != '\n') {
        rc = fu__mfile_error(f, "not a libfollowup model file (expected 'followup-model %s %d')", kind, newest);
    } else if (strcmp(k, kind) != 0) {
        rc = fu__mfile_error(f, "a '%s' model file, expected '%s'", k, kind);
    } else if (v > newest) {
        rc = fu__mfile_error(f, "format version %d is newer than this library's %d; upgrade libfollowup", v, newest);
    } else if (v < 1) {
        rc = fu__mfile_error(f, "bad format version %d", v);
    }
    /* the checksum line is the last one */
    if (rc == FU_OK) {
        size_t end = f->len;
        if (end && f->text[end - 1] == '\n') end--;
        size_t start = end;
        while (start > 0 && f->text[start - 1] != '\n') start--;
        unsigned long nlines = 1;
        for (size_t i = 0; i < start; i++) nlines += f->text[i] == '\n';
        uint64_t want = 0;
        char tail[40] = "";
        size_t tl = end - start < sizeof tail - 1 ? end - start : sizeof tail - 1;
        memcpy(tail, f->text + start, tl);
        tail[tl] = 0;
        f->line = nlines;
        if (sscanf(tail, "checksum %" SCNx64, &want) != 1)
            rc = fu__mfile_error(f, "no checksum line at the end: the file is truncated at byte %zu", f->len);
        else if (want != fnv(f->text, start))
            rc = fu__mfile_error(f, "checksum mismatch: the file is corrupt or was edited");
        f->text[start] = 0; /* the model lines end here */
        f->line = 1;
    }
    if (rc) {
        fu__mfile_close(f);
        return rc;
    }
    f->version = v;
    f->pos = f->text + used + 1;
    return FU_OK;
}

void fu__mfile_close(fu__mfile *f) {
    fu__free(f->text);
    f->text = NULL;
}

char *fu__mfile_next(fu__mfile *f) {
    if (!f->pos || !*f->pos) return NULL;
    char *s = f->pos, *nl = strchr(s, '\n');
    if (nl) {
        *nl = 0;
        f->pos = nl + 1;
    } else {
        f->pos = s + strlen(s);
    }
    f->line++;
    return s;
}

/* ------------------------------------------------------------ customer-base models */

/* Positive normal numbers: not 0, a denormal (0x1p-1074), inf or NaN. */
static int positive(const double *v, int n) {
    for (int i = 0; i < n; i++)
        if (!(v[i] >= DBL_MIN) || !isfinite(v[i])) return 0;
    return 1;
}

/* FU_OK when every model m has holds positive normal numbers, which is
 * what fu_model_params_load() reads back; else FU_EINVAL naming it. */
static int savable(const fu_model_params *m) {
    const double bg[4] = {m->bgnbd.r, m->bgnbd.alpha, m->bgnbd.a, m->bgnbd.b};
    const double pa[4] = {m->pareto.r, m->pareto.alpha, m->pareto.s, m->pareto.beta};
    const double gg[3] = {m->gammagamma.p, m->gammagamma.q, m->gammagamma.gamma};
    const char *bad = m->has_bgnbd && !positive(bg, 4)         ? "bgnbd"
                      : m->has_pareto && !positive(pa, 4)       ? "pareto"
                      : m->has_gammagamma && !positive(gg, 3)   ? "gammagamma"
                                                                : NULL;
    if (!bad) return FU_OK;
    return fu__error_set(FU_EINVAL,
                         "fu_model_params_save: the %s parameters are not all positive normal numbers (finite, not "
                         "denormal): a file of them could not be loaded",
                         bad);
}

int fu_model_params_save(const fu_model_params *m, const char *path) {
    if (!m || !path) return fu__error_set(FU_EINVAL, "fu_model_params_save: %s is NULL", !m ? "models" : "path");
    if (savable(m) != FU_OK) return FU_EINVAL;
    fu__buf b = FU__BUF_INIT;
    int rc = fu__mfile_begin(&b, "customer-base", 1);
    if (m->has_bgnbd)
        fu__buf_printf(&b, "bgnbd %a %a %a %a\n", m->bgnbd.r, m->bgnbd.alpha, m->bgnbd.a, m->bgnbd.b);
    if (m->has_pareto)
        fu__buf_printf(&b, "pareto %a %a %a %a\n", m->pareto.r, m->pareto.alpha, m->pareto.s, m->pareto.beta);
    if (m->has_gammagamma)
        fu__buf_printf(&b, "gammagamma %a %a %a\n", m->gammagamma.p, m->gammagamma.q, m->gammagamma.gamma);
    if (rc || b.failed) {
        fu__buf_free(&b);
        return fu__error_nomem();
    }
    return fu__mfile_commit(&b, path);
}

/* The model of line s when m has it already (a line given twice), else NULL. */
static const char *seen_before(const fu_model_params *m, const char *s) {
    if (m->has_bgnbd && strncmp(s, "bgnbd ", 6) == 0) return "bgnbd";
    if (m->has_pareto && strncmp(s, "pareto ", 7) == 0) return "pareto";
    if (m->has_gammagamma && strncmp(s, "gammagamma ", 11) == 0) return "gammagamma";
    return NULL;
}

int fu_model_params_load(fu_model_params *out, const char *path) {
    if (!out || !path) return fu__error_set(FU_EINVAL, "fu_model_params_load: %s is NULL", !out ? "out" : "path");
    fu__mfile f;
    int rc = fu__mfile_open(&f, path, "customer-base", 1, FU__MFILE_PARAMS_MAX);
    if (rc) return rc;
    fu_model_params m;
    memset(&m, 0, sizeof m);
    char *s;
    while (rc == FU_OK && (s = fu__mfile_next(&f))) {
        double v[4];
        int used = 0;
        const char *again = seen_before(&m, s);
        if (again) {
            rc = fu__mfile_error(&f, "a second '%s' line", again);
        } else if (sscanf(s, "bgnbd %la %la %la %la%n", &v[0], &v[1], &v[2], &v[3], &used) == 4 && !s[used] &&
                   positive(v, 4)) {
            m.has_bgnbd = 1;
            m.bgnbd.r = v[0], m.bgnbd.alpha = v[1], m.bgnbd.a = v[2], m.bgnbd.b = v[3];
        } else if (sscanf(s, "pareto %la %la %la %la%n", &v[0], &v[1], &v[2], &v[3], &used) == 4 && !s[used] &&
                   positive(v, 4)) {
            m.has_pareto = 1;
            m.pareto.r = v[0], m.pareto.alpha = v[1], m.pareto.s = v[2], m.pareto.beta = v[3];
        } else if (sscanf(s, "gammagamma %la %la %la%n", &v[0], &v[1], &v[2], &used) == 3 && !s[used] &&
                   positive(v, 3)) {
            m.has_gammagamma = 1;
            m.gammagamma.p = v[0], m.gammagamma.q = v[1], m.gammagamma.gamma = v[2];
        } else {
            rc = fu__mfile_error(&f, "expected 'bgnbd r alpha a b', 'pareto r alpha s beta' or 'gammagamma p q"
                                     " gamma' with positive numbers (finite, not denormal)");
        }
    }
    fu__mfile_close(&f);
    if (rc == FU_OK) *out = m;
    return rc;
}
