/**
 * @file followup/output.h
 * @brief Writing output files the way the library does: CSV records with
 *        formula neutralisation, and files replaced all or nothing.
 *
 * For programs built on libfollowup (the `followup` command line tool, the
 * bindings) that write their own tables next to the library's: their CSV
 * cells follow the same rules (docs/formats.md, "CSV output and
 * spreadsheets") and a failed write never empties or truncates an existing
 * file.
 *
 * Threads: an #fu_outfile is used by one thread at a time; the functions keep
 * no other state.
 */
#ifndef FOLLOWUP_OUTPUT_H
#define FOLLOWUP_OUTPUT_H

#include "common.h"

#include <stdio.h>

#ifdef __cplusplus
extern "C" {
#endif

/** fu_csv_format_record() flag: write text cells as they are, without
 *  formula neutralisation (the writers' "raw" option). */
#define FU_CSV_RAW 0x2u

/**
 * Format one CSV record of `n` text cells, ending with a line feed.
 *
 * A cell is quoted when it holds ',', '"', CR or LF or starts or ends with a
 * space or tab. Unless `flags` has #FU_CSV_RAW, a cell that a spreadsheet
 * would take for a formula (first byte '=', '+', '-', '@', tab or CR, and
 * not a plain decimal number such as `-0.5`) is written quoted with a "'" in
 * front. A NULL cell is an empty one.
 *
 * @param cells  `n` NUL-terminated cells (NULL allowed when `n` is 0)
 * @param[out] len  the length of `*out` without its NUL (may be NULL)
 * @param[out] out  the record, NUL-terminated; free it with fu_free()
 * @param n the number of fields
 * @param flags flags (0 for none), as described above
 * @return #FU_OK, #FU_EINVAL (NULL `out`, or `cells` with `n` > 0),
 *         #FU_ENOMEM or #FU_ELIMIT.
 */
FU_EXTERN int fu_csv_format_record(const char *const *cells, size_t n, unsigned int flags, size_t *len,
                                   char **out);

/**
 * An output file replaced all or nothing: written to a new file beside the
 * target (same directory, created exclusively; a replaced file keeps its
 * mode), then flushed, fsync'ed and renamed over the target by
 * fu_outfile_commit(). Any failure, and fu_outfile_abort(), removes the
 * temporary file and leaves what was at the path as it was. A path that
 * exists and is not a regular file (/dev/null, a terminal, a FIFO) is
 * written in place: no temporary file, no rename (which would replace the
 * device with a regular file), not all or nothing.
 */
typedef struct fu_outfile fu_outfile;

/**
 * Start writing `path`.
 *
 * @param[out] out  the handle; finish it with fu_outfile_commit() or
 *                  fu_outfile_abort(), which free it
 * @param path the file to write (replaced only by a successful commit)
 * @return #FU_OK, #FU_EINVAL (NULL or empty path), #FU_ENOMEM or #FU_EIO
 *         (a directory, no room for the temporary file; the error names
 *         `path` and the reason).
 */
FU_EXTERN int fu_outfile_open(fu_outfile **out, const char *path);

/** The stream to write to (borrowed from `file`, valid until it is
 *  committed or aborted). */
FU_EXTERN FILE *fu_outfile_stream(fu_outfile *file);

/** The target path given to fu_outfile_open() (borrowed from `file`). */
FU_EXTERN const char *fu_outfile_path(const fu_outfile *file);

/**
 * Flush, fsync and rename the file into place, then free the handle
 * (NULL: #FU_EINVAL). On failure the temporary file is removed and the
 * handle freed all the same.
 *
 * @return #FU_OK or #FU_EIO (a write failed earlier or now, a full disk).
 */
FU_EXTERN int fu_outfile_commit(fu_outfile *file);

/** Discard what was written and free the handle; the target is untouched.
 *  NULL is a no-op. */
FU_EXTERN void fu_outfile_abort(fu_outfile *file);

#ifdef __cplusplus
}
#endif

#endif /* FOLLOWUP_OUTPUT_H */
