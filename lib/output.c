/* The public face of the library's CSV cell writer and all-or-nothing output
 * files (followup/output.h), for programs that write beside the library. */
#include "csv_internal.h"
#include "followup/output.h"

#include <string.h>

int fu_csv_format_record(const char *const *cells, size_t n, unsigned int flags, size_t *len, char **out) {
    if (len) *len = 0;
    if (!out) return fu__error_set(FU_EINVAL, "fu_csv_format_record: out is NULL");
    *out = NULL;
    if (!cells && n) return fu__error_set(FU_EINVAL, "fu_csv_format_record: cells is NULL");
    unsigned int cell_flags = (flags & FU_CSV_RAW) ? FU__CSV_RAW : 0u;
    fu__buf b = FU__BUF_INIT;
    int rc = FU_OK;
    for (size_t c = 0; c < n && rc == FU_OK; c++) rc = fu__csv_putf(&b, c == 0, cells[c], cell_flags);
    if (rc == FU_OK) rc = fu__csv_end(&b);
    if (rc != FU_OK) {
        fu__buf_free(&b);
        return rc;
    }
    size_t l = b.len;
    *out = fu__buf_detach(&b);
    if (!*out) return fu__error_nomem();
    if (len) *len = l;
    return FU_OK;
}

struct fu_outfile {
    fu__outfile o;
};

int fu_outfile_open(fu_outfile **out, const char *path) {
    if (!out) return fu__error_set(FU_EINVAL, "fu_outfile_open: out is NULL");
    *out = NULL;
    fu_outfile *f = fu__calloc(1, sizeof *f);
    if (!f) return fu__error_nomem();
    int rc = fu__outfile_open(&f->o, path);
    if (rc != FU_OK) {
        fu__free(f);
        return rc;
    }
    *out = f;
    return FU_OK;
}

FILE *fu_outfile_stream(fu_outfile *file) { return file ? file->o.f : NULL; }

const char *fu_outfile_path(const fu_outfile *file) { return file ? file->o.path : NULL; }

int fu_outfile_commit(fu_outfile *file) {
    if (!file) return fu__error_set(FU_EINVAL, "fu_outfile_commit: file is NULL");
    int rc = fu__outfile_commit(&file->o);
    fu__free(file);
    return rc;
}

void fu_outfile_abort(fu_outfile *file) {
    if (!file) return;
    fu__outfile_abort(&file->o);
    fu__free(file);
}
