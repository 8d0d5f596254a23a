/* Private: the SQLite steps the ledger (commit_store.c) and the contact log
 * (guard_store.c) share. `store` names the store in messages ("ledger",
 * "contact log"). Not installed. */
#ifndef FU_SQLITE_STORE_INTERNAL_H
#define FU_SQLITE_STORE_INTERNAL_H

#include <sqlite3.h>

/* The error for SQLite result `src` while doing `what`: FU_ENOMEM, or FU_EDB
 * with "STORE: WHAT: [disk full: ]DETAIL" (DETAIL from db, which may be NULL). */
int fu__db_fail(sqlite3 *db, int src, const char *store, const char *what);
/* Run SQL without results: FU_OK or fu__db_fail. */
int fu__db_exec(sqlite3 *db, const char *store, const char *sql, const char *what);
/* PRAGMA journal_mode=WAL, retried while another process holds the file
 * (up to timeout_ms). */
int fu__db_wal(sqlite3 *db, const char *store, int timeout_ms);
/* End the transaction: COMMIT when rc is FU_OK (returns its result), else
 * (or when COMMIT fails) ROLLBACK, keeping the first error's detail. */
int fu__db_finish(sqlite3 *db, const char *store, int rc);
/* A statement kept for the life of the connection: FU_OK or fu__db_fail. */
int fu__db_prepare(sqlite3 *db, const char *store, const char *sql, sqlite3_stmt **st);

#endif /* FU_SQLITE_STORE_INTERNAL_H */
