/* The followup command line tool: shared declarations of the subcommands. */
#ifndef FU_CLI_H
#define FU_CLI_H

#include "followup.h"

#include <stddef.h>
#include <stdio.h>

/* Exit codes (documented in docs/cli.md). */
enum {
    CLI_OK = 0,       /* success */
    CLI_FAIL = 1,     /* the command ran and found a problem (e.g. an invalid policy) */
    CLI_USAGE = 2,    /* bad command line */
    CLI_INPUT = 3,    /* unreadable or invalid input file */
    CLI_INTERNAL = 4  /* out of memory or another internal failure */
};

typedef struct cli_command {
    const char *name;
    const char *summary;
    int (*run)(int argc, char **argv); /* argv[0] is the subcommand name */
    void (*help)(FILE *out);
} cli_command;

/* Print fu_error_last() as "followup: <context>: source:line:col: path: message". */
void cli_error(const char *context);
/* Map a libfollowup result code to an exit code. */
int cli_exit_code(int rc);
/* Print a bad-command-line message (printf format, ending in "\n") on
 * standard error and return CLI_USAGE. */
int cli_usage(const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 1, 2)))
#endif
    ;
/* True when option `name` is among argv[first..argc) (after the parser
 * accepted them: an option's value is never taken for one). */
int cli_given(int argc, char **argv, int first, const char *name);
/* A text option's value (NULL: not given) is UTF-8: CLI_OK, or CLI_USAGE
 * after "PROG: --text: 'fix \xFF' is not valid UTF-8 (byte 5)". */
int cli_text_option(const char *prog, const char *opt, const char *value);
/* True when argv[i] is -h or --help. */
int cli_is_help(const char *arg);
/* A whole number 0..100,000,000 (no sign): 0, or -1 with *out unchanged. */
int cli_parse_uint(const char *s, unsigned int *out);
/* The value of option `opt` as a whole decimal number lo..hi: 0, or 1 after
 * "PROG: OPT: bad number 'VALUE'" on stderr (`prog` is "followup besttime"). */
int cli_parse_ull(const char *prog, const char *opt, const char *value, unsigned long long lo,
                  unsigned long long hi, unsigned long long *out);

/* The policy at `path` (NULL: the built-in one) into *out: FU_OK, or the
 * libfollowup code after cli_error("policy"). */
int cli_policy_load(const char *path, fu_policy **out);
/* A new book (`opts`, NULL for defaults) into *out, filled from the customers
 * CSV and then the events CSV (each skipped when NULL) and finalized when
 * `finalize`: FU_OK or the first failure's code, error left for cli_error();
 * *out may be set on failure too (the caller frees it). */
int cli_book_read(fu_book **out, const fu_book_options *opts, const char *customers, const char *events,
                  int finalize);

/* ---- options: one table per command drives the parser and the help ----
 * An option is `--name VALUE` (arg set) or a flag `--name` (arg NULL). The
 * parser stores each value (flags: "1") in the `const char *` member at
 * `offset` of the command's argument struct, or calls `each` for every
 * occurrence of a repeatable option (it returns 0, or nonzero after printing
 * why the value is bad). An option is repeatable when its help says so
 * ("repeatable", "repeat per channel": `each` then sees every value); any
 * other given twice is refused ("PROG: --now given twice ('a', then 'b');
 * give it once"). Errors are one line on stderr and CLI_USAGE:
 * "PROG: unknown option '--x' (SUB takes --a, --b; see --help)", "PROG:
 * --customers needs a value", "PROG: unexpected argument 'x' (see --help)". */
typedef struct cli_option {
    const char *name; /* "--customers"; NULL: a heading line `help` in the help */
    const char *arg;  /* "CSV" in the help; NULL for a flag */
    const char *help; /* lines joined by '\n'; the first follows the name; NULL: not
                         shown (documented with another entry) */
    size_t offset;    /* of the value in the argument struct, or CLI_NO_SLOT */
    int (*each)(const char *value, void *args);
} cli_option;
#define CLI_NO_SLOT ((size_t)-1)
/* The largest contact cost --cost takes: sums of costs stay finite. */
#define CLI_MAX_COST 1e12
#define CLI_HEADING(text) {NULL, NULL, text, CLI_NO_SLOT, NULL}
#define CLI_OPT(name, arg, help, type, member) {name, arg, help, offsetof(type, member), NULL}

/* Parse argv[first..argc) against `opts` (n entries) into `args`.
 * Positional arguments (not starting with '-', or "-" alone) go to `positional` (up to
 * max_positional; one more is an error). CLI_OK or CLI_USAGE after a message
 * starting with `prog`. */
int cli_parse_options(const char *prog, const cli_option *opts, size_t n, int argc, char **argv, int first,
                      void *args, const char **positional, size_t max_positional, size_t *npositional);
/* The options section of a help text: "  NAME ARG" padded to `width`
 * columns (at least one space), then the help; further help lines indented
 * by width + 2. */
void cli_print_options(FILE *out, const cli_option *opts, size_t n, int width);
/* cli_parse_options() for a subcommand that takes only the options named in
 * `accepted` (NULL-terminated; NULL: all of `opts`): another option of the
 * table is refused before its value, "PROG: --x does not apply here (SUB
 * takes --a, --b; see --help)", CLI_USAGE. */
int cli_parse_options_for(const char *prog, const cli_option *opts, size_t n, const char *const *accepted, int argc,
                          char **argv, int first, void *args, const char **positional, size_t max_positional,
                          size_t *npositional);

/* ---- output: a table of text cells written as CSV, JSON or aligned text ---- */
typedef enum cli_format { CLI_FORMAT_TABLE, CLI_FORMAT_CSV, CLI_FORMAT_JSON } cli_format;
int cli_format_parse(const char *text, cli_format *out);

typedef struct cli_table cli_table;
cli_table *cli_table_new(size_t ncols, const char *const *headers);
/* Add a row of ncols cells (copied). Returns 0 or -1 on out of memory. */
int cli_table_add(cli_table *t, const char *const *cells);
size_t cli_table_rows(const cli_table *t);
/* JSON type letter per column, strlen(types) == ncols (json.h: 's' string,
 * 'S' string or null, 'n' number or null, 'b' boolean). 0 or -1. */
int cli_table_set_types(cli_table *t, const char *types);
/* Table format only: narrow the widest columns (cells cut with an ellipsis)
 * so that a row takes at most `width` display columns. */
void cli_table_set_max_width(cli_table *t, size_t width);
/* Display width of UTF-8 text in a terminal (ICU East Asian Width). */
size_t cli_text_width(const char *s);
/* A copy of s for a terminal (free()): control characters (C0, DEL, C1)
 * and bytes that are not UTF-8 written as escapes (\t, \r, \x1B, \xFF,
 * \u0085), so that data cannot move the cursor, retitle the window or
 * recolour the text; newlines kept when keep_newlines (a text of several
 * lines), else written as \n. NULL when out of memory. */
char *cli_visible(const char *s, int keep_newlines);
/* cli_visible(s, 0) for one message: the copy lives until the fourth call
 * after (four per message at most), "?" when out of memory. */
const char *cli_shown(const char *s);
/* True when progress may be shown: standard error is a terminal. */
int cli_progress_enabled(void);
/* Write at most max_rows rows (0 = all). CSV cells go through the library's
 * cell writer (formula neutralisation unless cli_csv_raw). Returns CLI_OK;
 * CLI_INPUT when a text cannot be written in the format (JSON: not valid
 * UTF-8) after "followup: row R, column C: ..." on stderr, nothing written;
 * CLI_INTERNAL (no message) when out of memory or a write failed. */
int cli_table_write(const cli_table *t, cli_format fmt, FILE *out, size_t max_rows);
/* cli_table_write()'s check of the texts alone, nothing written: CLI_OK or
 * CLI_INPUT after the message (for a document of several tables). */
int cli_table_check(const cli_table *t, cli_format fmt);

/* Set by the global option --csv-raw: CSV text cells are written as they
 * are, without formula neutralisation (docs/formats.md). */
extern int cli_csv_raw;

/* ---- output files: written beside the target and renamed over it when
 * complete, so a failure never empties or truncates an existing file
 * (fu_outfile, followup/output.h) ---- */
typedef struct cli_out {
    FILE *f;          /* write here */
    fu_outfile *file; /* NULL for standard output */
} cli_out;
/* An option's file: `option` "--customers", `path` NULL when not given. */
typedef struct cli_path {
    const char *option;
    const char *path;
} cli_path;
/* Refuse an output that would replace one of the command's inputs (the same
 * device and inode, through symlinks and hard links; a file that does not
 * exist yet is no input) or another output (also by directory and name when
 * it does not exist yet): CLI_OK, or CLI_USAGE after "PROG: --output x is
 * the --events input x (the same file): it would be overwritten". Call it
 * before reading or writing anything. */
int cli_check_outputs(const char *prog, const cli_path *outputs, size_t nout, const cli_path *inputs, size_t nin);
/* Open `path` (NULL: standard output). CLI_OK, or an exit code after an
 * error message starting with `prog`. */
int cli_out_open(cli_out *o, const char *path, const char *prog);
/* Finish: with `ok`, flush, fsync and rename the file into place (or flush
 * standard output); without `ok` discard the file, leaving what was at the
 * path. A write error on the stream (a full disk) is reported with its
 * reason and discards the file too. CLI_OK, or CLI_INPUT / CLI_INTERNAL
 * after a message; a caller's own failure (`ok` 0) is the caller's to report. */
int cli_out_close(cli_out *o, int ok, const char *prog);
void cli_table_free(cli_table *t);

/* subcommands */
extern const cli_command cli_cmd_plan;
extern const cli_command cli_cmd_simulate;
extern const cli_command cli_cmd_segment;
extern const cli_command cli_cmd_besttime;
extern const cli_command cli_cmd_commitments;
extern const cli_command cli_cmd_kpi;
extern const cli_command cli_cmd_check_policy;
extern const cli_command cli_cmd_version;
extern const cli_command cli_cmd_guard;

/* Events more than CLI_EARLY_YEARS years before the first percentile of the
 * book's event times (null placeholders such as 0001-01-01) or after its
 * 99th percentile (open ends such as 9999-12-31): a warning on standard
 * error per side prefixed by `prog`, their count returned, the earliest
 * other event's time in *first_regular (INT64_MIN when no early ones) and
 * the latest other event's time in *last_regular (INT64_MAX when no late
 * ones). Reads the event times once, in chunks (fu_book_event_times()). */
#define CLI_EARLY_YEARS 20
size_t cli_early_events(const fu_book *book, const char *prog, int64_t *first_regular, int64_t *last_regular);

#endif
