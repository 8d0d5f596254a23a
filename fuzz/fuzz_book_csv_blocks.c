/* Differential fuzzing of the events CSV reader: the serial reader against
 * the block reader on one and on two threads (lib/book_csv.c). The first byte
 * picks the book flags (and, its lowest bit, the portable or the SSE2 path
 * of the splitter for the one-thread read; two threads take the widest),
 * the second the block size (64..1084 bytes, so that blocks cut the input
 * everywhere) and the one-thread read's step (16..1024 bytes). Any
 * difference in the result, the first error (code, line, column, column
 * name, message), the statistics or the book written back traps. */
#include "followup.h"
#include "../lib/book_internal.h"
#include "../lib/csv_internal.h"

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char customers[] = "customer_id,tz\nC1,Asia/Shanghai\nC2,Europe/Berlin\n";

typedef struct result {
    int rc, code;
    unsigned long line, column;
    char path[64], message[256];
    fu_book_stats st;
    char *csv;
} result;

static void read_once(const uint8_t *data, size_t size, int threads, result *r) {
    memset(r, 0, sizeof *r);
    fu_book_options opts = FU_BOOK_OPTIONS_INIT;
    opts.flags = ((data[0] >> 1) & (FU_BOOK_CREATE_CUSTOMERS | FU_BOOK_SKIP_UNKNOWN_KINDS | FU_BOOK_KEEP_DUPLICATES)) |
                 FU_BOOK_WRITE_RAW_NOTES | FU_BOOK_WRITE_RAW_CELLS;
    fu__book_csv_tune(threads, 64 + (size_t)data[1] * 4);
    /* one thread reads a step of 16..1024 bytes a block, on past it to a line break */
    fu__book_csv_tune_step(threads == 1 ? 16 + (size_t)(data[1] % 64) * 16 : 0);
    /* the splitter's masks: portable or SSE2 on one thread, the widest (AVX2 where the CPU has it) on two */
    fu__csv_split_path(threads == 1 ? ((data[0] & 1) ? FU__CSV_PATH_PORTABLE : FU__CSV_PATH_SSE2) : FU__CSV_PATH_AUTO);
    fu_book *book = NULL;
    if (fu_book_new(&book, &opts) != FU_OK) __builtin_trap();
    if (fu_book_read_customers_csv_from_string(book, customers, sizeof customers - 1, "c.csv")) __builtin_trap();
    r->rc = fu_book_read_events_csv_from_string(book, (const char *)data + 2, size - 2, "<fuzz>");
    if (r->rc) {
        const fu_error *e = fu_error_last();
        if (!e->message[0]) __builtin_trap();
        r->code = e->code;
        r->line = e->line;
        r->column = e->column;
        snprintf(r->path, sizeof r->path, "%s", e->path ? e->path : "");
        snprintf(r->message, sizeof r->message, "%s", e->message);
    }
    fu_book_get_stats(book, &r->st);
    size_t n = 0;
    if (fu_book_write_events_csv_to_string(book, &n, &r->csv) != FU_OK) __builtin_trap();
    fu_book_free(book);
    fu__book_csv_tune(0, 0);
    fu__book_csv_tune_step(0);
    fu__csv_split_path(FU__CSV_PATH_AUTO);
}

static void same(const result *a, const result *b) {
    if (a->rc != b->rc || a->code != b->code || a->line != b->line || a->column != b->column ||
        strcmp(a->path, b->path) || strcmp(a->message, b->message) || strcmp(a->csv, b->csv) ||
        memcmp(&a->st, &b->st, sizeof a->st))
        __builtin_trap();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    if (size < 2) return 0;
    result serial, one, two;
    read_once(data, size, -1, &serial);
    read_once(data, size, 1, &one);
    read_once(data, size, 2, &two);
    same(&serial, &one);
    same(&serial, &two);
    fu_free(serial.csv);
    fu_free(one.csv);
    fu_free(two.csv);
    return 0;
}
