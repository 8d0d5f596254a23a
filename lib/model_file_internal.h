/* Versioned text files for fitted models (docs/formats.md, "model files"):
 *
 *     followup-model <kind> <version>
 *     <lines of the model>
 *     checksum <16 hex digits: FNV-1a 64 of every byte before this line>
 *
 * Numbers are written exactly (C99 hex floats, "%a"). A reader refuses a
 * newer version, another kind, a missing or wrong checksum, and bad lines,
 * naming the file and line. Not installed. */
#ifndef FU_MODEL_FILE_INTERNAL_H
#define FU_MODEL_FILE_INTERNAL_H

#include "internal.h"

typedef struct fu__mfile {
    const char *path;
    char *text;   /* the whole file, NUL-terminated; lines cut in place */
    size_t len;
    char *pos;    /* next line */
    unsigned long line;
    int version;
} fu__mfile;

/* Start a file of `kind` and format `version` in `b` (the caller appends lines). */
int fu__mfile_begin(fu__buf *b, const char *kind, int version);
/* Append the checksum and write `b` to `path` (atomically: a temporary file
 * renamed over it). Frees `b`. */
int fu__mfile_commit(fu__buf *b, const char *path);
/* Read `path` (at most `max_bytes`: a larger input is refused with FU_ELIMIT;
 * a directory or a NUL byte are refused too), check kind, version
 * (1..`newest`; f->version) and checksum; `f->pos` at the first model line. */
int fu__mfile_open(fu__mfile *f, const char *path, const char *kind, int newest, size_t max_bytes);

/* The largest customer-base model file (three lines of four numbers). */
#define FU__MFILE_PARAMS_MAX ((size_t)4096)
void fu__mfile_close(fu__mfile *f);
/* The next model line (NUL-terminated) or NULL at the end. */
char *fu__mfile_next(fu__mfile *f);
/* An error at the current line. */
int fu__mfile_error(const fu__mfile *f, const char *fmt, ...) FU_PRINTF(2, 3);

#endif
