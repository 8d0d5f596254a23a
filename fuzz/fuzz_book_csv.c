/* Fuzz the customers and events CSV readers. The first byte picks the reader. */
#include "followup.h"

#include <stddef.h>
#include <stdint.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char customers[] =
    "customer_id,tz,annual_spend\nC1,Asia/Shanghai,120000\nC2,Europe/Berlin,5000\n";

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    if (size < 1) return 0;
    fu_book_options opts = FU_BOOK_OPTIONS_INIT;
    opts.flags = (data[0] >> 1) & (FU_BOOK_CREATE_CUSTOMERS | FU_BOOK_SKIP_UNKNOWN_KINDS |
                                   FU_BOOK_KEEP_DUPLICATES);
    fu_book *book = NULL;
    if (fu_book_new(&book, &opts) != FU_OK) return 0;
    const char *text = (const char *)data + 1;
    size_t len = size - 1;
    int rc;
    if (data[0] & 1) {
        rc = fu_book_read_customers_csv_from_string(book, text, len, "<fuzz>");
    } else {
        rc = fu_book_read_customers_csv_from_string(book, customers, sizeof customers - 1, "c.csv");
        if (rc == FU_OK) rc = fu_book_read_events_csv_from_string(book, text, len, "<fuzz>");
    }
    if (rc == FU_OK && fu_book_finalize(book) == FU_OK) {
        char *csv = NULL;
        size_t n = 0;
        if (fu_book_write_events_csv_to_string(book, &n, &csv) == FU_OK) fu_free(csv);
    } else if (rc != FU_OK && fu_error_last()->message[0] == '\0') {
        __builtin_trap();
    }
    fu_book_free(book);
    return 0;
}
