/* The SQLite steps shared by the ledger and the contact log. */
#include "sqlite_store_internal.h"

#include "internal.h"

int fu__db_fail(sqlite3 *db, int src, const char *store, const char *what) {
    if (src == SQLITE_NOMEM) return fu__error_nomem();
    const char *detail = db ? sqlite3_errmsg(db) : sqlite3_errstr(src);
    if ((src & 0xff) == SQLITE_FULL) return fu__error_set(FU_EDB, "%s: %s: disk full: %s", store, what, detail);
    return fu__error_set(FU_EDB, "%s: %s: %s", store, what, detail);
}

int fu__db_exec(sqlite3 *db, const char *store, const char *sql, const char *what) {
    int src = sqlite3_exec(db, sql, NULL, NULL, NULL);
    return src == SQLITE_OK ? FU_OK : fu__db_fail(db, src, store, what);
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
