/* The SQLite steps shared by the ledger and the contact log. */
#include "sqlite_store_internal.h"

#include "internal.h"

int fu__db_fail(sqlite3 *db, int src, const char *store, const char *what) {
    if (src == SQLITE_NOMEM) return fu__error_nomem();
    const char *detail = db ? sqlite3_errmsg(db) : sqlite3_errstr(src);
    if ((src & 0xff) == SQLITE_FULL) return fu__error_set(FU_EDB, "%s: %s: disk full: %s", store, what, detail);
    if ((src & 0xff) == SQLITE_BUSY || (src & 0xff) == SQLITE_LOCKED)
        return fu__error_set(FU_EDB, "%s: %s: locked by another process past the busy timeout (%s)", store, what,
                             detail);
    return fu__error_set(FU_EDB, "%s: %s: %s", store, what, detail);
}

int fu__db_exec(sqlite3 *db, const char *store, const char *sql, const char *what) {
    int src = sqlite3_exec(db, sql, NULL, NULL, NULL);
    return src == SQLITE_OK ? FU_OK : fu__db_fail(db, src, store, what);
}

/* Switching to WAL needs the file to itself for a moment, and SQLite does
 * not always call the busy handler for it: while another process creates
 * or opens the same new file, the pragma can fail at once with
 * SQLITE_BUSY. It is retried every 5 ms until timeout_ms have passed. */
int fu__db_wal(sqlite3 *db, const char *store, int timeout_ms) {
    for (int waited = 0;; waited += 5) {
        int src = sqlite3_exec(db, "PRAGMA journal_mode=WAL", NULL, NULL, NULL);
        if (src == SQLITE_OK) return FU_OK;
        if (((src & 0xff) != SQLITE_BUSY && (src & 0xff) != SQLITE_LOCKED) || waited >= timeout_ms)
            return fu__db_fail(db, src, store, "WAL");
        sqlite3_sleep(5);
    }
}

int fu__db_finish(sqlite3 *db, const char *store, int rc) {
    if (rc == FU_OK) {
        rc = fu__db_exec(db, store, "COMMIT", "commit");
        if (rc == FU_OK) return FU_OK;
    }
    /* Keep the first error's detail: a failing rollback adds nothing useful. */
    sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
    return rc;
}

int fu__db_prepare(sqlite3 *db, const char *store, const char *sql, sqlite3_stmt **st) {
    int src = sqlite3_prepare_v3(db, sql, -1, SQLITE_PREPARE_PERSISTENT, st, NULL);
    return src == SQLITE_OK ? FU_OK : fu__db_fail(db, src, store, "preparing a statement");
}
