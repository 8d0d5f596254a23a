/* Reading an events CSV into a book, for bench/peers_pandas.py (issue 19:
 * "events CSV -> book" against pandas read_csv + to_datetime).
 *
 *   bench_csvread CUSTOMERS EVENTS REPS [THREADS [BLOCK_BYTES]]
 *
 * THREADS: how the events are read (fu__book_csv_tune): 0 as the library
 * chooses (default), -1 the serial reader, 1 in blocks on one thread, 2 in
 * blocks on two threads (parse || add). The environment variable
 * FU_CSV_PATH (1 portable, 2 SSE2, 3 AVX2) picks the block splitter's masks.
 *
 * Each pass reads CUSTOMERS into a new book (not timed) and then EVENTS
 * (fu_book_read_events_csv: parse, validate, intern, drop duplicates, sort,
 * index), timed; prints "time_ms WALL CPU BYTES EVENTS" per pass. Files as
 * written by bench_book (`bench_book N 10 DIR keep`). */
#include "followup.h"
#include "bench_util.h"
#include "../lib/book_internal.h"
#include "../lib/csv_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>

int main(int argc, char **argv) {
    if (argc < 4) {
        fprintf(stderr, "usage: bench_csvread CUSTOMERS EVENTS REPS [THREADS]\n");
        return 2;
    }
    struct stat st;
    if (stat(argv[2], &st)) return perror(argv[2]), 1;
    int reps = atoi(argv[3]);
    fu__book_csv_tune(argc > 4 ? atoi(argv[4]) : 0, argc > 5 ? (size_t)atol(argv[5]) : 0);
    /* FU_CSV_PATH=1/2/3: the splitter's portable, SSE2 or AVX2 masks (default: the widest) */
    const char *path = getenv("FU_CSV_PATH");
    if (path) fu__csv_split_path(atoi(path));
    for (int r = 0; r < reps; r++) {
        fu_book *book;
        if (fu_book_new(&book, NULL)) bu_die("new");
        if (fu_book_read_customers_csv(book, argv[1])) bu_die("customers");
        double w = bu_wall(), c = bu_cpu();
        if (fu_book_read_events_csv(book, argv[2])) bu_die("events");
        w = bu_wall() - w;
        c = bu_cpu() - c;
        printf("time_ms %.3f %.3f %lld %zu\n", 1e3 * w, 1e3 * c, (long long)st.st_size,
               fu_book_event_count(book));
        fu_book_free(book);
    }
    return 0;
}
