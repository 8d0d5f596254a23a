/* The public calls the faces (CLI, bindings) are built on: fu_error_set,
 * fu_error_set_at, fu_error_prefix, fu_strdup (followup/common.h), the CSV
 * record writer and the all-or-nothing output file (followup/output.h). Only
 * public headers: what a program outside the library sees. */
#include "fu_test.h"
#include "followup.h"

#include <criterion/criterion.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

Test(faces_error, error_set_returns_code_and_formats_message) {
    fu_error_set_at(FU_EPARSE, "old.csv", 3, 4, "col", "stale");
    int rc = fu_error_set(FU_EINVAL, "argument %d is %s", 2, "bad");
    cr_assert_eq(rc, FU_EINVAL);
    fu_test_expect_error(FU_EINVAL, "argument 2 is bad", "", 0, 0, ""); /* the earlier position is gone */
}

Test(faces_error, error_set_without_format_uses_strerror) {
    cr_assert_eq(fu_error_set(FU_ENOMEM, NULL), FU_ENOMEM);
    cr_assert_str_eq(fu_error_last()->message, "out of memory");
}

Test(faces_error, error_set_at_keeps_position_and_formats_one_line) {
    int rc = fu_error_set_at(FU_ENOTFOUND, "notes.csv", 7, 12, "customer_id", "customer '%s' is unknown", "C9");
    cr_assert_eq(rc, FU_ENOTFOUND);
    char buf[256];
    fu_error_format(buf, sizeof buf);
    cr_assert_str_eq(buf, "notes.csv:7:12: customer_id: customer 'C9' is unknown");
    fu_error_set_at(FU_EIO, NULL, 0, 0, NULL, "plain");
    fu_error_format(buf, sizeof buf);
    cr_assert_str_eq(buf, "plain");
}

Test(faces_error, error_prefix_keeps_code_and_position) {
    fu_error_set_at(FU_ERANGE, "in.csv", 2, 5, "x", "too large");
    fu_error_prefix("row %d", 3);
    fu_test_expect_error(FU_ERANGE, "row 3: too large", "in.csv", 2, 5, "x");
}

Test(faces_error, message_is_cut_at_1023_bytes) {
    char big[3000];
    memset(big, 'a', sizeof big - 1);
    big[sizeof big - 1] = '\0';
    fu_error_set(FU_EINVAL, "%s", big);
    cr_assert_eq(strlen(fu_error_last()->message), 1023);
}

Test(faces_error, strdup_copies_with_the_library_allocator) {
    fu_test_alloc_install(0);
    char *d = fu_strdup("héllo");
    cr_assert_str_eq(d, "héllo");
    cr_assert_eq(fu_test_alloc_live(), 1);
    fu_free(d);
    cr_assert_eq(fu_test_alloc_live(), 0);
    cr_assert_null(fu_strdup(NULL));
    fu_test_alloc_uninstall();
    fu_test_alloc_install(1);
    cr_assert_null(fu_strdup("x"));
    cr_assert_eq(fu_error_last()->code, FU_ENOMEM);
    fu_test_alloc_uninstall();
}

/* ------------------------------------------------------------- CSV record */

static char *record(const char *const *cells, size_t n, unsigned flags) {
    char *out = NULL;
    size_t len = 99;
    cr_assert_eq(fu_csv_format_record(cells, n, flags, &len, &out), FU_OK);
    cr_assert_eq(len, strlen(out));
    return out;
}

Test(faces_csv, record_quotes_and_neutralises_like_the_library) {
    const char *cells[] = {"plain", "a,b", "say \"hi\"", " lead", "=1+2", "-0.5", "@x", NULL, "line\nbreak"};
    char *r = record(cells, 9, 0);
    cr_assert_str_eq(r, "plain,\"a,b\",\"say \"\"hi\"\"\",\" lead\",\"'=1+2\",-0.5,\"'@x\",,\"line\nbreak\"\n");
    fu_free(r);
    r = record(cells, 9, FU_CSV_RAW);
    cr_assert_str_eq(r, "plain,\"a,b\",\"say \"\"hi\"\"\",\" lead\",=1+2,-0.5,@x,,\"line\nbreak\"\n");
    fu_free(r);
}

Test(faces_csv, record_of_no_cells_is_an_empty_line_and_null_out_is_refused) {
    char *r = record(NULL, 0, 0);
    cr_assert_str_eq(r, "\n");
    fu_free(r);
    cr_assert_eq(fu_csv_format_record(NULL, 2, 0, NULL, &r), FU_EINVAL);
    cr_assert_null(r);
    const char *one[] = {"x"};
    cr_assert_eq(fu_csv_format_record(one, 1, 0, NULL, NULL), FU_EINVAL);
}

static int op_record(void *ctx) {
    (void)ctx;
    const char *cells[] = {"=a", "b,c", "d"};
    char *out = NULL;
    int rc = fu_csv_format_record(cells, 3, 0, NULL, &out);
    fu_free(out);
    return rc;
}

Test(faces_csv, record_out_of_memory_leaks_nothing) { fu_test_oom("csv record", op_record, NULL, 50); }

/* ------------------------------------------------------------ output file */

static char *tmp_dir(void) {
    char *d = strdup("/tmp/fu-faces-XXXXXX");
    cr_assert_not_null(mkdtemp(d));
    return d;
}

static void write_text(const char *path, const char *text) {
    FILE *f = fopen(path, "w");
    cr_assert_not_null(f, "%s", path);
    fputs(text, f);
    fclose(f);
}

/* The file at path holds exactly `want`. */
static void expect_text(const char *path, const char *want) {
    size_t len;
    char *got = fu_test_read_file(path, &len);
    cr_assert_str_eq(got, want, "%s", path);
    free(got);
}

Test(faces_outfile, commit_replaces_the_file_whole) {
    char *dir = tmp_dir(), path[256];
    snprintf(path, sizeof path, "%s/out.csv", dir);
    write_text(path, "old\n");
    chmod(path, 0640);
    fu_outfile *o = NULL;
    cr_assert_eq(fu_outfile_open(&o, path), FU_OK);
    cr_assert_str_eq(fu_outfile_path(o), path);
    fputs("new", fu_outfile_stream(o));
    expect_text(path, "old\n"); /* untouched until commit */
    cr_assert_eq(fu_outfile_commit(o), FU_OK);
    expect_text(path, "new");
    struct stat st;
    cr_assert_eq(stat(path, &st), 0);
    cr_assert_eq(st.st_mode & 0777, 0640); /* a replaced file keeps its mode */
    unlink(path);
    cr_assert_eq(rmdir(dir), 0); /* no temporary file left */
    free(dir);
}

Test(faces_outfile, abort_leaves_the_old_file_and_no_temporary) {
    char *dir = tmp_dir(), path[256];
    snprintf(path, sizeof path, "%s/keep.txt", dir);
    write_text(path, "keep");
    fu_outfile *o = NULL;
    cr_assert_eq(fu_outfile_open(&o, path), FU_OK);
    fputs("lost", fu_outfile_stream(o));
    fu_outfile_abort(o);
    fu_outfile_abort(NULL);
    expect_text(path, "keep");
    unlink(path);
    cr_assert_eq(rmdir(dir), 0);
    free(dir);
}

Test(faces_outfile, bad_paths_are_refused_with_a_reason) {
    fu_outfile *o = (fu_outfile *)1;
    cr_assert_eq(fu_outfile_open(&o, ""), FU_EINVAL);
    cr_assert_null(o);
    cr_assert_eq(fu_outfile_open(&o, "/tmp"), FU_EIO);
    cr_assert_null(o);
    cr_assert(strstr(fu_error_last()->message, "Is a directory") != NULL, "%s", fu_error_last()->message);
    cr_assert_eq(fu_outfile_open(&o, "/nonexistent-dir-fu/x.csv"), FU_EIO);
    cr_assert_eq(fu_outfile_commit(NULL), FU_EINVAL);
}

/* A path that is not a regular file is written in place: an output to
 * /dev/null or a FIFO must not replace the device with a regular file by the
 * rename (review s13: `plan --output /dev/null` run as root turned /dev/null
 * into a regular file). Checked on a FIFO in a temporary directory, read
 * through a descriptor opened before the write. */
Test(faces_outfile, a_fifo_is_written_in_place_not_replaced) {
    char *dir = tmp_dir(), path[256];
    snprintf(path, sizeof path, "%s/pipe", dir);
    cr_assert_eq(mkfifo(path, 0600), 0);
    int rd = open(path, O_RDONLY | O_NONBLOCK);
    cr_assert_geq(rd, 0);
    fu_outfile *o = NULL;
    cr_assert_eq(fu_outfile_open(&o, path), FU_OK, "%s", fu_error_last()->message);
    fputs("through\n", fu_outfile_stream(o));
    cr_assert_eq(fu_outfile_commit(o), FU_OK, "%s", fu_error_last()->message);
    char buf[32] = {0};
    cr_assert_eq(read(rd, buf, sizeof buf - 1), 8);
    cr_assert_str_eq(buf, "through\n");
    close(rd);
    struct stat st;
    cr_assert_eq(stat(path, &st), 0);
    cr_assert(S_ISFIFO(st.st_mode), "the FIFO was replaced by a regular file");
    unlink(path);
    cr_assert_eq(rmdir(dir), 0); /* no temporary file left beside it */
    free(dir);
}
