/* The notes CSV reader (followup/notes.h): columns in any order, one
 * callback per note with the position of each field, errors with file, line,
 * column and column name. */
#include "fu_test.h"
#include "followup.h"

#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>

typedef struct seen {
    int n;
    char ids[4][16];
    int64_t at[4];
    char text[4][64];
    unsigned long line[4], col_text[4], col_id[4];
    int stop_at; /* 1-based note that the callback rejects, 0: none */
} seen;

static int collect(const fu_note *note, void *ud) {
    seen *s = ud;
    if (s->n >= 4) return fu_error_set(FU_ELIMIT, "too many");
    if (s->stop_at == s->n + 1)
        return fu_note_error(note, FU_NOTE_CUSTOMER_ID, FU_ENOTFOUND, "customer '%s' is not known", note->customer_id);
    snprintf(s->ids[s->n], sizeof s->ids[0], "%s", note->customer_id);
    cr_assert_eq(strlen(note->customer_id), note->customer_id_len);
    cr_assert_eq(strlen(note->text), note->text_len);
    snprintf(s->text[s->n], sizeof s->text[0], "%s", note->text);
    s->at[s->n] = note->at;
    s->line[s->n] = note->record_line;
    s->col_text[s->n] = note->column[FU_NOTE_TEXT];
    s->col_id[s->n] = note->column[FU_NOTE_CUSTOMER_ID];
    s->n++;
    return FU_OK;
}

static int read_text(const char *text, seen *s) {
    return fu_notes_read_csv_from_string(text, strlen(text), "notes.csv", collect, s);
}

Test(notes, reads_columns_in_any_order_with_positions) {
    const char *csv = "extra,note,at,customer_id\n"
                      "1,\"within 2 days, promised\",2026-01-01T10:00:00+08:00,C1\n"
                      "\n"
                      "2,,2026-01-02T00:00:00Z,C2\n";
    seen s = {0};
    cr_assert_eq(read_text(csv, &s), FU_OK);
    cr_assert_eq(s.n, 2);
    cr_assert_str_eq(s.ids[0], "C1");
    cr_assert_str_eq(s.text[0], "within 2 days, promised");
    cr_assert_eq(s.at[0], 1767232800); /* 2026-01-01T02:00:00Z */
    cr_assert_eq(s.line[0], 2);
    cr_assert_eq(s.col_text[0], 3);
    cr_assert_eq(s.col_id[0], 55);
    cr_assert_str_eq(s.ids[1], "C2");
    cr_assert_str_eq(s.text[1], "");
    cr_assert_eq(s.at[1], 1767312000);
    cr_assert_eq(s.line[1], 4);
}

static void expect_error(const char *csv, int code, const char *formatted) {
    seen s = {0};
    cr_assert_eq(read_text(csv, &s), code);
    char buf[512];
    fu_error_format(buf, sizeof buf);
    cr_assert_str_eq(buf, formatted);
}

Test(notes, errors_name_file_line_column_and_column) {
    expect_error("customer_id,note\nC1,x\n", FU_EPARSE, "notes.csv:1:1: at: missing required column 'at'");
    expect_error("customer_id,at,note\nC1,2026-01-01T10:00:00+08:00\n", FU_EPARSE,
                 "notes.csv:2:29: note: the record has no 'note' field");
    expect_error("customer_id,at,note\n,2026-01-01T10:00:00+08:00,x\n", FU_EPARSE,
                 "notes.csv:2:1: customer_id: empty customer_id");
    expect_error("customer_id,at,note\nC1,2026-01-01T10:00:00+08:00,ok\nC2,soon,x\n", FU_EPARSE,
                 "notes.csv:3:4: at: bad time 'soon': expected a 4-digit year");
    /* one column, the file's, where the offset is missing (was 2:4 and "column 20") */
    expect_error("customer_id,at,note\nC1,2026-11-02T10:00:00,x\n", FU_EPARSE,
                 "notes.csv:2:23: at: bad time '2026-11-02T10:00:00': an offset is required (Z or +HH:MM)");
    expect_error("customer_id,at,note\nC1,\"2026-11-02T10:00\",x\n", FU_EPARSE,
                 "notes.csv:2:21: at: bad time '2026-11-02T10:00': an offset is required (Z or +HH:MM)");
    expect_error("customer_id,at,note\nC1,2026-01-01T10:00:00+08:00,\"open\n", FU_EPARSE,
                 "notes.csv:2:30: note: quoted field is not terminated");
}

Test(notes, empty_input_is_a_parse_error) {
    seen s = {0};
    cr_assert_eq(read_text("", &s), FU_EPARSE);
    cr_assert_eq(s.n, 0);
}

Test(notes, the_callback_stops_the_reading_with_its_error_at_the_field) {
    const char *csv = "customer_id,at,note\nC1,2026-01-01T10:00:00+08:00,a\nC2,2026-01-01T10:00:00+08:00,b\n"
                      "C3,bad,c\n";
    seen s = {0};
    s.stop_at = 2;
    cr_assert_eq(read_text(csv, &s), FU_ENOTFOUND);
    cr_assert_eq(s.n, 1); /* the third note (a bad time) is never read */
    char buf[512];
    fu_error_format(buf, sizeof buf);
    cr_assert_str_eq(buf, "notes.csv:3:1: customer_id: customer 'C2' is not known");
}

Test(notes, reads_a_file_and_refuses_null_arguments) {
    seen s = {0};
    cr_assert_eq(fu_notes_read_csv(FU_TEST_SRCDIR "/../examples/sample/data/notes.csv", collect, &s), FU_ELIMIT);
    cr_assert_eq(s.n, 4);
    cr_assert_str_eq(s.ids[0], "C00162");
    cr_assert_eq(fu_notes_read_csv("/nonexistent/notes.csv", collect, &s), FU_EIO);
    cr_assert_eq(fu_notes_read_csv(NULL, collect, &s), FU_EINVAL);
    cr_assert_eq(fu_notes_read_csv_from_string("x", 1, NULL, NULL, NULL), FU_EINVAL);
}

static int count_only(const fu_note *note, void *ud) {
    (void)note;
    ++*(int *)ud;
    return FU_OK;
}

static int op_notes(void *ctx) {
    (void)ctx;
    const char *csv = "customer_id,at,note\nC1,2026-01-01T10:00:00+08:00,\"a, b\"\nC2,2026-01-01T10:00:00Z,c\n";
    int n = 0;
    return fu_notes_read_csv_from_string(csv, strlen(csv), "n.csv", count_only, &n);
}

Test(notes, out_of_memory_leaks_nothing) { fu_test_oom("notes", op_notes, NULL, 200); }

/* A column named twice: which one holds the note cannot be told, so the
 * header is refused naming both fields (was: the first taken silently;
 * review s13 leftovers, as the --bank and customers readers). */
Test(notes, duplicate_columns_are_refused_naming_both_fields) {
    expect_error("customer_id,at,note,note\nC1,2026-01-01T10:00:00+08:00,a,b\n", FU_EPARSE,
                 "notes.csv:1:21: note: column 'note' appears twice (fields 3 and 4)");
    expect_error("customer_id,at,note,extra,customer_id\nC1,2026-01-01T10:00:00+08:00,a,b,C2\n", FU_EPARSE,
                 "notes.csv:1:27: customer_id: column 'customer_id' appears twice (fields 1 and 5)");
    expect_error("at,at,note\n2026-01-01T10:00:00+08:00,2026-01-01T10:00:00+08:00,a\n", FU_EPARSE,
                 "notes.csv:1:4: at: column 'at' appears twice (fields 1 and 2)");
}

/* Header names are matched without regard to ASCII case and surrounding
 * spaces, as every other reader (docs/formats.md "Header row"): an export
 * with `Customer_ID, AT ,Note` reads; two names equal but for case are the
 * same column twice (was: case-sensitive, the columns missing). */
Test(notes, header_names_match_in_any_case_and_spacing) {
    const char *csv = "Customer_ID, AT ,Note\nC1,2026-01-01T10:00:00+08:00,a\nC2,2026-01-01T10:00:00Z,b\n";
    int n = 0;
    cr_assert_eq(fu_notes_read_csv_from_string(csv, strlen(csv), "notes.csv", count_only, &n), FU_OK, "%s",
                 fu_error_last()->message);
    cr_assert_eq(n, 2);
    expect_error("customer_id,at,note,NOTE\nC1,2026-01-01T10:00:00+08:00,a,b\n", FU_EPARSE,
                 "notes.csv:1:21: NOTE: column 'note' appears twice (fields 3 and 4)");
}
