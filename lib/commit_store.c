/* fu_commit: the ledger, stored in SQLite (in memory or a WAL file). */
#include "followup/commit.h"

#include "commit_internal.h"
#include "followup/planner.h"
#include "internal.h"

#include "policy_internal.h"
#include "sqlite_store_internal.h"
#include "utf8_internal.h"

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <sqlite3.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* PRAGMA application_id of a ledger: "FULG". Files made before it was set
 * (0) are recognised by their tables. */
#define LEDGER_APP_ID 0x46554C47

/* The prepared statements of a ledger. */
enum { ST_INSERT, ST_EVENT, ST_UPDATE, ST_ROW, ST_LAST, ST_COUNT };

struct fu_ledger {
    sqlite3 *db;
    fu_ledger_options opts;
    fu_redactor *own_redactor;
    fu_redactor *redactor; /* NULL when storing raw text */
    sqlite3_stmt *st[ST_COUNT]; /* prepared by prepare_writes() from k_statements */
    char *label; /* "ledger 'PATH'" once open (errors name the file); NULL while opening */
};

/* The ledger as errors name it: "ledger 'l.db'", "ledger" while opening
 * (the caller names the file of a failed open) or in memory. */
static const char *label(const fu_ledger *l) { return l && l->label ? l->label : "ledger"; }

/* ------------------------------------------------------------- errors */

static int db_fail(const fu_ledger *l, int src, const char *what) {
    return fu__db_fail(l ? l->db : NULL, src, label(l), what);
}

static int exec(fu_ledger *l, const char *sql, const char *what) { return fu__db_exec(l->db, label(l), sql, what); }

static int begin_write(fu_ledger *l) {
    if (l->opts.flags & FU_LEDGER_READONLY) return fu__error_set(FU_ESTATE, "%s: opened read-only", label(l));
    return exec(l, "BEGIN IMMEDIATE", "begin");
}

static int finish(fu_ledger *l, int rc) { return fu__db_finish(l->db, label(l), rc); }

/* ------------------------------------------------------------- schema */

static const char k_schema_v1[] =
    "CREATE TABLE commitment("
    " id INTEGER PRIMARY KEY AUTOINCREMENT,"
    " customer_id TEXT NOT NULL, text TEXT NOT NULL, category TEXT NOT NULL,"
    " owner TEXT NOT NULL, created_by TEXT NOT NULL, rule TEXT NOT NULL,"
    " created_at INTEGER NOT NULL, deadline INTEGER NOT NULL,"
    " warn_at INTEGER NOT NULL, breach_at INTEGER NOT NULL,"
    " state INTEGER NOT NULL, warned INTEGER NOT NULL, level INTEGER NOT NULL,"
    " closed_at INTEGER);"
    "CREATE INDEX commitment_state_deadline ON commitment(state, deadline);"
    "CREATE TABLE event("
    " commitment_id INTEGER NOT NULL REFERENCES commitment(id), seq INTEGER NOT NULL,"
    " at INTEGER NOT NULL, kind INTEGER NOT NULL, from_state INTEGER NOT NULL,"
    " to_state INTEGER NOT NULL, level INTEGER NOT NULL, rule TEXT NOT NULL,"
    " actor TEXT NOT NULL, PRIMARY KEY(commitment_id, seq)) WITHOUT ROWID;";

/* v2: when the next rule falls due (so that a tick reads only what changes),
 * and indexes for the by-owner and by-customer queries. */
static const char k_schema_v2[] =
    "ALTER TABLE commitment ADD COLUMN next_at INTEGER;"
    "CREATE INDEX commitment_next ON commitment(next_at) WHERE next_at IS NOT NULL;"
    "CREATE INDEX commitment_customer ON commitment(customer_id, deadline);"
    "CREATE INDEX commitment_owner ON commitment(owner, state, deadline);";

/* v3: the unresolved commitments in deadline order, in a partial covering
 * index: the due / overdue / at-risk queries read only unresolved rows,
 * already sorted, without a lookup into the table per row (about half the
 * time of listing through commitment_state_deadline, which it replaces);
 * and all commitments by deadline, covering the on-time rate of a period. */
static const char k_schema_v3[] =
    "CREATE INDEX commitment_unresolved ON commitment(deadline, id, customer_id, text, category,"
    " owner, created_by, rule, created_at, warn_at, breach_at, state, warned, level, closed_at)"
    " WHERE state < 2;"
    "DROP INDEX commitment_state_deadline;"
    "CREATE INDEX commitment_deadline ON commitment(deadline, state, closed_at);";

static int64_t next_at_of(const fu_ledger *l, int state, int warned, int level, int64_t warn_at,
                          int64_t breach_at, int *has) {
    *has = 1;
    if (state == FU_COMMIT_OPEN) return warned ? breach_at : warn_at;
    if (state == FU_COMMIT_BREACHED && level < l->opts.max_level)
        return breach_at + (int64_t)(level + 1) * l->opts.escalate_after;
    *has = 0;
    return 0;
}

static int backfill_next_at(fu_ledger *l) {
    sqlite3_stmt *sel = NULL, *upd = NULL;
    int src = sqlite3_prepare_v2(l->db,
                                 "SELECT id, state, warned, level, warn_at, breach_at FROM commitment"
                                 " WHERE state < 2", -1, &sel, NULL);
    if (src == SQLITE_OK)
        src = sqlite3_prepare_v2(l->db, "UPDATE commitment SET next_at = ?2 WHERE id = ?1", -1, &upd, NULL);
    while (src == SQLITE_OK && (src = sqlite3_step(sel)) == SQLITE_ROW) {
        int has;
        int64_t n = next_at_of(l, sqlite3_column_int(sel, 1), sqlite3_column_int(sel, 2),
                               sqlite3_column_int(sel, 3), sqlite3_column_int64(sel, 4),
                               sqlite3_column_int64(sel, 5), &has);
        sqlite3_bind_int64(upd, 1, sqlite3_column_int64(sel, 0));
        if (has) sqlite3_bind_int64(upd, 2, n);
        else sqlite3_bind_null(upd, 2);
        src = sqlite3_step(upd);
        sqlite3_reset(upd);
        if (src == SQLITE_DONE) src = SQLITE_OK;
    }
    int rc = src == SQLITE_DONE ? FU_OK : db_fail(l, src, "migration to schema 2");
    sqlite3_finalize(sel);
    sqlite3_finalize(upd);
    return rc;
}

static int read_int(const fu_ledger *l, const char *sql, int *out) {
    sqlite3_stmt *st = NULL;
    int src = sqlite3_prepare_v2(l->db, sql, -1, &st, NULL);
    if (src == SQLITE_OK && (src = sqlite3_step(st)) == SQLITE_ROW) {
        *out = sqlite3_column_int(st, 0);
        src = SQLITE_OK;
    }
    sqlite3_finalize(st);
    return src == SQLITE_OK ? FU_OK : db_fail(l, src, "reading the schema");
}

static int read_version(const fu_ledger *l, int *out) { return read_int(l, "PRAGMA user_version", out); }

static int not_a_ledger(const char *why) {
    return fu__error_set(FU_EDB, "ledger: not a follow-up ledger (%s)", why);
}

/* Whether the file is a ledger (or an empty database to make one in):
 * its application id is ours, or 0 in a file written before it was set, and
 * then the ledger's tables hold the ledger's columns. A foreign database
 * gets "not a follow-up ledger", never a "no such column" later. */
static int check_identity(fu_ledger *l, int v, int *app_out) {
    int app = 0, n = 0;
    int rc = read_int(l, "PRAGMA application_id", &app);
    if (rc == FU_OK)
        rc = read_int(l, "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'", &n);
    if (rc != FU_OK) return rc;
    *app_out = app;
    char why[160];
    if (app != 0 && app != LEDGER_APP_ID) {
        snprintf(why, sizeof why, "its application id is 0x%08X", (unsigned)app);
        return not_a_ledger(why);
    }
    if (v == 0) {
        if (n > 0) return not_a_ledger("it holds other tables and no ledger schema");
        if (l->opts.flags & FU_LEDGER_READONLY) return not_a_ledger("the file is empty; nothing to read");
        return FU_OK;
    }
    if (v > FU_LEDGER_SCHEMA_VERSION) {
        if (app == LEDGER_APP_ID) return FU_OK; /* a later library's ledger: migrate() says so */
        snprintf(why, sizeof why, "schema version %d without the ledger's application id", v);
        return not_a_ledger(why);
    }
    static const char *const probes[2] = {
        "SELECT id, customer_id, text, category, owner, created_by, rule, created_at, deadline, warn_at,"
        " breach_at, state, warned, level, closed_at FROM commitment LIMIT 0",
        "SELECT commitment_id, seq, at, kind, from_state, to_state, level, rule, actor FROM event LIMIT 0"};
    for (int i = 0; i < 2; i++) {
        sqlite3_stmt *st = NULL;
        int src = sqlite3_prepare_v2(l->db, probes[i], -1, &st, NULL);
        sqlite3_finalize(st);
        if (src == SQLITE_NOMEM) return fu__error_nomem();
        if (src != SQLITE_OK) {
            snprintf(why, sizeof why, "%s", sqlite3_errmsg(l->db));
            return not_a_ledger(why);
        }
    }
    return FU_OK;
}

static int newer_schema(int v) {
    return fu__error_set(FU_EDB, "ledger: schema version %d is newer than this library's %d", v,
                         FU_LEDGER_SCHEMA_VERSION);
}

static int migrate(fu_ledger *l) {
    int v = 0, app = 0;
    int rc = read_version(l, &v);
    if (rc == FU_OK) rc = check_identity(l, v, &app);
    if (rc != FU_OK) return rc;
    if (v > FU_LEDGER_SCHEMA_VERSION) return newer_schema(v);
    if (v == FU_LEDGER_SCHEMA_VERSION && (app == LEDGER_APP_ID || (l->opts.flags & FU_LEDGER_READONLY)))
        return FU_OK;
    if (l->opts.flags & FU_LEDGER_READONLY)
        return fu__error_set(FU_EDB, "ledger: schema version %d needs migrating to %d; open it for writing once",
                             v, FU_LEDGER_SCHEMA_VERSION);
    rc = begin_write(l);
    if (rc != FU_OK) return rc;
    rc = read_version(l, &v); /* another process may have migrated meanwhile */
    if (rc == FU_OK) rc = check_identity(l, v, &app);
    if (rc == FU_OK && v == 0) {
        rc = exec(l, k_schema_v1, "creating schema 1");
        if (rc == FU_OK) v = 1;
    }
    if (rc == FU_OK && v == 1) {
        rc = exec(l, k_schema_v2, "migrating to schema 2");
        if (rc == FU_OK) rc = backfill_next_at(l);
        if (rc == FU_OK) v = 2;
    }
    if (rc == FU_OK && v == 2) {
        rc = exec(l, k_schema_v3, "migrating to schema 3");
        if (rc == FU_OK) v = 3;
    }
    if (rc == FU_OK) {
        char sql[96];
        snprintf(sql, sizeof sql, "PRAGMA user_version = %d; PRAGMA application_id = %d", v, LEDGER_APP_ID);
        rc = exec(l, sql, "writing the schema version");
    }
    return finish(l, rc);
}

/* ------------------------------------------------------------- open/close */

FU_DEFINE_INIT(fu_ledger_options_init, fu_ledger_options, FU_LEDGER_OPTIONS_INIT)

void fu_ledger_close(fu_ledger *l) {
    if (!l) return;
    for (int i = 0; i < ST_COUNT; i++) sqlite3_finalize(l->st[i]);
    sqlite3_close_v2(l->db);
    fu_redactor_free(l->own_redactor);
    fu__free(l->label);
    fu__free(l);
}

static int prepare(fu_ledger *l, const char *sql, sqlite3_stmt **st) {
    return fu__db_prepare(l->db, label(l), sql, st);
}

static int check_options(const fu_ledger_options *o) {
    if (o->version != FU_LEDGER_OPTIONS_VERSION)
        return fu__error_set(FU_EINVAL, "fu_ledger_options: unknown version %u", o->version);
    if (!(o->warn_share > 0) || !(o->breach_share >= o->warn_share) || !(o->breach_share <= 2))
        return fu__error_set(FU_EINVAL, "fu_ledger_options: need 0 < warn_share <= breach_share <= 2");
    if (o->escalate_after <= 0) return fu__error_set(FU_EINVAL, "fu_ledger_options: escalate_after must be > 0");
    if (o->max_level < 0 || o->max_level > 1000)
        return fu__error_set(FU_EINVAL, "fu_ledger_options: max_level out of 0..1000");
    if (o->busy_timeout_ms < 0) return fu__error_set(FU_EINVAL, "fu_ledger_options: busy_timeout_ms < 0");
    return FU_OK;
}

/* Only plain file paths: SQLite would read ":memory:" and "file:" URIs
 * (mode=memory, another file than the one named, ...) in ways that store
 * nothing or store elsewhere, and the caller would be told it worked. */
static int check_path(const char *path, int readonly, int *exists) {
    *exists = 0;
    if (!path[0]) return fu__error_set(FU_EINVAL, "ledger: the path is empty");
    if (strcmp(path, ":memory:") == 0)
        return fu__error_set(FU_EINVAL, "ledger: ':memory:' is not a file; pass NULL for a ledger in memory");
    if (strncmp(path, "file:", 5) == 0)
        return fu__error_set(FU_EINVAL, "ledger: '%s' looks like an SQLite URI; only plain file paths are accepted "
                                        "(write './%s' for a file of that name)", path, path);
    struct stat st;
    if (stat(path, &st) == 0) {
        if (S_ISDIR(st.st_mode)) return fu__error_set(FU_EINVAL, "ledger: '%s' is a directory", path);
        *exists = 1;
        if (readonly && st.st_size == 0)
            return fu__error_set(FU_EDB, "ledger: not a follow-up ledger ('%s' is an empty file; nothing to read)", path);
        return FU_OK;
    }
    if (errno != ENOENT) return fu__error_set(FU_EIO, "ledger: cannot open '%s': %s", path, strerror(errno));
    if (readonly) return fu__error_set(FU_ENOTFOUND, "ledger: '%s' does not exist", path);
    return FU_OK;
}

/* A new ledger file is made readable by its owner only (0600); SQLite gives
 * the -wal and -shm files the mode of the database file. Returns 1 when it
 * made the file. */
static int create_private(const char *path) {
    int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    if (fd < 0) return 0; /* exists meanwhile, or SQLite gives the reason */
    close(fd);
    return 1;
}

/* "file:" URI of `path` with ?immutable=1, for reading a ledger in a
 * directory we cannot write (the WAL index cannot be made there). */
static char *immutable_uri(const char *path) {
    fu__buf b = FU__BUF_INIT;
    fu__buf_puts(&b, "file:");
    for (const unsigned char *c = (const unsigned char *)path; *c; c++) {
        if ((*c >= 'a' && *c <= 'z') || (*c >= 'A' && *c <= 'Z') || (*c >= '0' && *c <= '9') || strchr("/-._~", *c))
            fu__buf_append(&b, (const char *)c, 1);
        else
            fu__buf_printf(&b, "%%%02X", *c);
    }
    fu__buf_puts(&b, "?immutable=1");
    if (b.failed) {
        fu__buf_free(&b);
        return NULL;
    }
    return fu__buf_detach(&b);
}

static int dir_writable(const char *path) {
    const char *slash = strrchr(path, '/');
    if (!slash) return access(".", W_OK) == 0;
    if (slash == path) return access("/", W_OK) == 0;
    char dir[4096];
    size_t n = (size_t)(slash - path);
    if (n >= sizeof dir) return 1;
    memcpy(dir, path, n);
    dir[n] = '\0';
    return access(dir, W_OK) == 0;
}

/* Open the database and read its first page (a file that is not a database
 * fails here). A read-only open of a WAL file in a directory we cannot write
 * falls back to an immutable open when no write-ahead log is pending. */
static int open_db(fu_ledger *l, const char *path, int memory, int readonly) {
    int flags = (readonly ? SQLITE_OPEN_READONLY : SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE) | SQLITE_OPEN_NOMUTEX;
    const char *name = memory ? ":memory:" : path;
    for (int attempt = 0;; attempt++) {
        char *uri = attempt ? immutable_uri(path) : NULL;
        if (attempt && !uri) return fu__error_nomem();
        int src = sqlite3_open_v2(attempt ? uri : name, &l->db, flags | (attempt ? SQLITE_OPEN_URI : 0), NULL);
        fu__free(uri);
        if (src != SQLITE_OK)
            return src == SQLITE_NOMEM ? fu__error_nomem()
                                       : fu__error_set(FU_EDB, "ledger: cannot open '%s': %s", name,
                                                       l->db ? sqlite3_errmsg(l->db) : sqlite3_errstr(src));
        sqlite3_extended_result_codes(l->db, 1);
        sqlite3_busy_timeout(l->db, l->opts.busy_timeout_ms ? l->opts.busy_timeout_ms : 5000);
        src = sqlite3_exec(l->db, "SELECT count(*) FROM sqlite_master", NULL, NULL, NULL);
        if (src == SQLITE_OK) return FU_OK;
        int prim = src & 0xFF;
        if (!attempt && readonly && !memory && (prim == SQLITE_READONLY || prim == SQLITE_CANTOPEN) &&
            !dir_writable(path)) {
            char wal[4200];
            struct stat st;
            snprintf(wal, sizeof wal, "%s-wal", path);
            if (stat(wal, &st) == 0 && st.st_size > 0)
                return fu__error_set(FU_EDB, "ledger: '%s' has a pending write-ahead log and its directory is "
                                             "read-only; open it once where it can be written", path);
            sqlite3_close_v2(l->db);
            l->db = NULL;
            continue;
        }
        if (src == SQLITE_NOMEM) return fu__error_nomem();
        return fu__error_set(FU_EDB, "ledger: not a follow-up ledger (%s)", sqlite3_errmsg(l->db));
    }
}

/* PRAGMA quick_check: a damaged file is refused on open instead of taking
 * writes (and losing them) later. */
static int check_integrity(fu_ledger *l) {
    sqlite3_stmt *st = NULL;
    int src = sqlite3_prepare_v2(l->db, "PRAGMA quick_check(3)", -1, &st, NULL);
    int rc = FU_OK;
    if (src != SQLITE_OK) return db_fail(l, src, "checking the file");
    src = sqlite3_step(st);
    if (src == SQLITE_ROW) {
        const char *msg = (const char *)sqlite3_column_text(st, 0);
        if (!msg || strcmp(msg, "ok") != 0)
            rc = fu__error_set(FU_EDB, "ledger: the file is damaged (quick_check: %s); restore it from a backup",
                               msg ? msg : "?");
    } else if (src == SQLITE_NOMEM) {
        rc = fu__error_nomem();
    } else {
        rc = fu__error_set(FU_EDB, "ledger: the file is damaged (%s); restore it from a backup", sqlite3_errmsg(l->db));
    }
    sqlite3_finalize(st);
    return rc;
}

/* The columns read into a `row` (read_row()). */
#define ROW_COLUMNS "id, state, warned, level, warn_at, breach_at, created_at"

static const char *const k_statements[ST_COUNT] = {
    [ST_INSERT] = "INSERT INTO commitment(customer_id, text, category, owner, created_by, rule,"
                  " created_at, deadline, warn_at, breach_at, state, warned, level, closed_at, next_at)"
                  " VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, 0, 0, 0, NULL, ?9)",
    [ST_EVENT] = "INSERT INTO event(commitment_id, seq, at, kind, from_state, to_state, level, rule, actor)"
                 " VALUES(?1, (SELECT coalesce(max(seq), 0) + 1 FROM event WHERE commitment_id = ?1),"
                 " ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
    [ST_UPDATE] = "UPDATE commitment SET state = ?2, warned = ?3, level = ?4, closed_at = ?5, next_at = ?6"
                  " WHERE id = ?1",
    [ST_ROW] = "SELECT " ROW_COLUMNS " FROM commitment WHERE id = ?1",
    [ST_LAST] = "SELECT max(at) FROM event WHERE commitment_id = ?1",
};

static int prepare_writes(fu_ledger *l) {
    int rc = FU_OK;
    for (int i = 0; i < ST_COUNT && rc == FU_OK; i++) rc = prepare(l, k_statements[i], &l->st[i]);
    return rc;
}

static int configure(fu_ledger *l, int memory) {
    unsigned f = l->opts.flags;
    int rc = FU_OK;
    if (!memory && !(f & FU_LEDGER_NO_CHECK)) rc = check_integrity(l);
    /* A file that is not a ledger (or a newer one) is refused before WAL
     * mode, which would persist in another program's file and leave -wal
     * and -shm next to it. */
    if (rc == FU_OK && !memory && !(f & FU_LEDGER_READONLY)) {
        int v = 0, app = 0;
        rc = read_version(l, &v);
        if (rc == FU_OK) rc = check_identity(l, v, &app);
        if (rc == FU_OK && v > FU_LEDGER_SCHEMA_VERSION) rc = newer_schema(v);
        if (rc == FU_OK) rc = fu__db_wal(l->db, "ledger", l->opts.busy_timeout_ms ? l->opts.busy_timeout_ms : 5000);
    }
    if (rc == FU_OK)
        rc = exec(l, (f & FU_LEDGER_SYNC_NORMAL) ? "PRAGMA synchronous=NORMAL" : "PRAGMA synchronous=FULL",
                  "synchronous");
    if (rc == FU_OK) rc = exec(l, "PRAGMA foreign_keys=ON", "foreign keys");
    /* Queries over a large ledger read pages at random (index -> row): map
     * the file and keep a bigger page cache instead of a read() per page. */
    if (rc == FU_OK && !memory) rc = exec(l, "PRAGMA mmap_size=1073741824", "mmap");
    if (rc == FU_OK) rc = exec(l, "PRAGMA cache_size=-65536", "cache size");
    if (rc == FU_OK) rc = migrate(l);
    if (rc == FU_OK && !(f & FU_LEDGER_READONLY)) rc = prepare_writes(l);
    return rc;
}

int fu_ledger_open(fu_ledger **out, const char *path, const fu_ledger_options *opts) {
    if (!out) return fu__error_set(FU_EINVAL, "out is NULL");
    *out = NULL;
    fu_ledger_options def = FU_LEDGER_OPTIONS_INIT;
    if (!opts) opts = &def;
    int rc = check_options(opts);
    if (rc != FU_OK) return rc;
    int memory = !path, readonly = (opts->flags & FU_LEDGER_READONLY) != 0, exists = 0, created = 0;
    if (memory && readonly) return fu__error_set(FU_EINVAL, "ledger: a ledger in memory cannot be read-only");
    if (!memory && (rc = check_path(path, readonly, &exists)) != FU_OK) return rc;

    fu_ledger *l = fu__calloc(1, sizeof *l);
    if (!l) return fu__error_nomem();
    l->opts = *opts;
    if (!(opts->flags & FU_LEDGER_STORE_RAW_TEXT)) {
        if (opts->redactor) {
            l->redactor = opts->redactor;
        } else {
            rc = fu_redactor_new(&l->own_redactor, NULL);
            l->redactor = l->own_redactor;
        }
    }
    if (rc == FU_OK && !memory && !exists && !readonly) created = create_private(path);
    if (rc == FU_OK) rc = open_db(l, path, memory, readonly);
    if (rc == FU_OK) rc = configure(l, memory);
    if (rc == FU_OK && !memory) {
        fu__buf b = FU__BUF_INIT;
        if (fu__buf_printf(&b, "ledger '%s'", path) != FU_OK || b.failed) rc = fu__error_nomem();
        else l->label = b.data;
        if (rc != FU_OK) fu__buf_free(&b);
    }
    if (rc != FU_OK) {
        fu_ledger_close(l);
        if (created) unlink(path); /* nothing of ours stays behind */
        return rc;
    }
    *out = l;
    return FU_OK;
}

int fu_ledger_open_with_policy(fu_ledger **out, const char *path, const fu_policy *policy, unsigned int flags) {
    if (out) *out = NULL;
    if (!out || !policy)
        return fu__error_set(FU_EINVAL, "fu_ledger_open_with_policy: %s is NULL", !out ? "out" : "policy");
    fu_ledger_options o;
    int rc = fu_ledger_options_from_policy(policy, &o);
    if (rc != FU_OK) return rc;
    o.flags |= flags;
    fu_redactor *red = NULL;
    if (!(o.flags & FU_LEDGER_STORE_RAW_TEXT) && (rc = fu_redactor_new_from_policy(&red, policy)) != FU_OK) return rc;
    o.redactor = red;
    rc = fu_ledger_open(out, path, &o);
    if (rc != FU_OK) {
        fu_redactor_free(red);
        return rc;
    }
    (*out)->own_redactor = red; /* freed with the ledger */
    return FU_OK;
}

int fu_ledger_schema_version(const fu_ledger *l, int *out) {
    if (!l || !out) return fu__error_set(FU_EINVAL, "fu_ledger_schema_version: %s is NULL", !l ? "ledger" : "out");
    return read_version(l, out);
}

/* ------------------------------------------------------------- writing */

typedef struct row {
    int64_t id;
    int state, warned, level;
    int64_t warn_at, breach_at, created_at;
} row;

static int add_event(fu_ledger *l, int64_t id, int64_t at, int kind, int from, int to, int level,
                     const char *rule, const char *by) {
    sqlite3_stmt *st = l->st[ST_EVENT];
    sqlite3_bind_int64(st, 1, id);
    sqlite3_bind_int64(st, 2, at);
    sqlite3_bind_int(st, 3, kind);
    sqlite3_bind_int(st, 4, from);
    sqlite3_bind_int(st, 5, to);
    sqlite3_bind_int(st, 6, level);
    sqlite3_bind_text(st, 7, rule, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 8, by ? by : "", -1, SQLITE_STATIC);
    int src = sqlite3_step(st);
    sqlite3_reset(st);
    sqlite3_clear_bindings(st);
    return src == SQLITE_DONE ? FU_OK : db_fail(l, src, "recording an event");
}

static int save_row(fu_ledger *l, const row *r, int64_t closed_at) {
    sqlite3_stmt *st = l->st[ST_UPDATE];
    int has;
    int64_t next = next_at_of(l, r->state, r->warned, r->level, r->warn_at, r->breach_at, &has);
    sqlite3_bind_int64(st, 1, r->id);
    sqlite3_bind_int(st, 2, r->state);
    sqlite3_bind_int(st, 3, r->warned);
    sqlite3_bind_int(st, 4, r->level);
    if (closed_at != FU_COMMIT_NO_TIME) sqlite3_bind_int64(st, 5, closed_at);
    else sqlite3_bind_null(st, 5);
    if (has) sqlite3_bind_int64(st, 6, next);
    else sqlite3_bind_null(st, 6);
    int src = sqlite3_step(st);
    sqlite3_reset(st);
    return src == SQLITE_DONE ? FU_OK : db_fail(l, src, "updating a commitment");
}

/* Apply the escalation rules to `r` up to `upto`, recording each transition
 * at the instant its rule fell due. */
static int advance(fu_ledger *l, row *r, int64_t upto, size_t *events) {
    int rc = FU_OK;
    int changed = 0;
    for (;;) {
        if (r->state == FU_COMMIT_OPEN && !r->warned && r->warn_at <= upto) {
            r->warned = 1;
            rc = add_event(l, r->id, r->warn_at, FU_COMMIT_EV_WARNED, FU_COMMIT_OPEN, FU_COMMIT_OPEN, r->level,
                           "commitments.warn_at", "");
        } else if (r->state == FU_COMMIT_OPEN && r->breach_at <= upto) {
            r->state = FU_COMMIT_BREACHED;
            rc = add_event(l, r->id, r->breach_at, FU_COMMIT_EV_BREACHED, FU_COMMIT_OPEN, FU_COMMIT_BREACHED,
                           r->level, "commitments.breach_at", "");
        } else if (r->state == FU_COMMIT_BREACHED && r->level < l->opts.max_level &&
                   r->breach_at + (int64_t)(r->level + 1) * l->opts.escalate_after <= upto) {
            r->level++;
            rc = add_event(l, r->id, r->breach_at + (int64_t)r->level * l->opts.escalate_after,
                           FU_COMMIT_EV_ESCALATED, FU_COMMIT_BREACHED, FU_COMMIT_BREACHED, r->level,
                           "commitments.escalate_after", "");
        } else {
            break;
        }
        if (rc != FU_OK) return rc;
        changed = 1;
        if (events) (*events)++;
    }
    return changed ? save_row(l, r, FU_COMMIT_NO_TIME) : FU_OK;
}

#define N_FIELDS 6

/* The masked copy of a free-text field in *out (NULL when the ledger stores
 * raw text or the field is empty). */
static int mask_field(fu_ledger *l, const char *s, char **out) {
    *out = NULL;
    if (!l->redactor || !s || !s[0]) return FU_OK;
    return fu_redactor_apply(l->redactor, s, strlen(s), NULL, out);
}

static int insert_one(fu_ledger *l, const fu_commit_input *in, int64_t *id_out) {
    if (!in || in->version != FU_COMMIT_INPUT_VERSION)
        return fu__error_set(FU_EINVAL, "fu_commit_input: NULL or unknown version");
    if (!in->customer_id || !in->customer_id[0]) return fu__error_set(FU_EINVAL, "a commitment needs a customer_id");
    int64_t deadline = in->deadline;
    int rc = FU_OK;
    if (deadline == FU_COMMIT_NO_TIME) rc = fu__commit_deadline_from_duration(&in->promised, in->calendar, in->created_at, &deadline);
    if (rc != FU_OK) return rc;
    /* every time stored must pass the reader's row check (years 1..9999) */
    if (in->created_at < FU__TIME_MIN || in->created_at > FU__TIME_MAX)
        return fu__error_set(FU_ERANGE, "the commitment's created_at %lld lies outside the years 1..9999",
                             (long long)in->created_at);
    if (deadline < in->created_at)
        return fu__error_set(FU_EINVAL, "the deadline lies before the commitment was made");
    char iso[FU_TIME_TEXT_SIZE];
    if (fu_time_format(deadline, 0, 0, iso, sizeof iso) != FU_OK)
        return fu__error_set(FU_ERANGE, "the deadline lies outside the years 1..9999");
    double span = (double)(deadline - in->created_at);
    int64_t warn_at = in->created_at + (int64_t)llround(span * l->opts.warn_share);
    int64_t breach_at = in->created_at + (int64_t)llround(span * l->opts.breach_share);
    if (breach_at > FU__TIME_MAX || warn_at > FU__TIME_MAX)
        return fu__error_set(FU_ERANGE, "the %s time (%g of the span from made to deadline) lies past the year 9999",
                             breach_at > FU__TIME_MAX ? "breach" : "warning",
                             breach_at > FU__TIME_MAX ? l->opts.breach_share : l->opts.warn_share);

    static const char *const names[N_FIELDS] = {"customer_id", "text", "category", "owner", "created_by", "rule"};
    const char *field[N_FIELDS] = {in->customer_id, in->text, in->category, in->owner, in->created_by,
                                   in->rule ? in->rule : "api.add"};
    for (int i = 0; i < N_FIELDS; i++) {
        char what[40];
        snprintf(what, sizeof what, "commitment %s", names[i]);
        if (!field[i]) field[i] = "";
        if ((rc = fu__utf8_check_str(what, field[i])) != FU_OK) return rc;
    }
    /* text, category, owner and created_by are free text: masked like notes */
    char *masked[N_FIELDS] = {NULL};
    for (int i = 1; i <= 4 && rc == FU_OK; i++) rc = mask_field(l, field[i], &masked[i]);
    if (rc == FU_OK) {
        sqlite3_stmt *st = l->st[ST_INSERT];
        for (int i = 0; i < N_FIELDS; i++)
            sqlite3_bind_text(st, i + 1, masked[i] ? masked[i] : field[i], -1, SQLITE_STATIC);
        sqlite3_bind_int64(st, 7, in->created_at);
        sqlite3_bind_int64(st, 8, deadline);
        sqlite3_bind_int64(st, 9, warn_at);
        sqlite3_bind_int64(st, 10, breach_at);
        int src = sqlite3_step(st);
        sqlite3_reset(st);
        sqlite3_clear_bindings(st);
        if (src != SQLITE_DONE) rc = db_fail(l, src, "adding a commitment");
    }
    if (rc == FU_OK)
        rc = add_event(l, sqlite3_last_insert_rowid(l->db), in->created_at, FU_COMMIT_EV_CREATED, -1, FU_COMMIT_OPEN,
                       0, field[5], masked[4] ? masked[4] : field[4]);
    if (rc == FU_OK && id_out) *id_out = sqlite3_last_insert_rowid(l->db);
    for (int i = 0; i < N_FIELDS; i++) fu__free(masked[i]);
    return rc;
}

int fu_ledger_add(fu_ledger *l, const fu_commit_input *in, int64_t *out) {
    if (!l || !in) return fu__error_set(FU_EINVAL, "fu_ledger_add: %s is NULL", !l ? "ledger" : "in");
    int rc = begin_write(l);
    if (rc != FU_OK) return rc;
    return finish(l, insert_one(l, in, out));
}

int fu_ledger_add_bulk(fu_ledger *l, const fu_commit_input *in, size_t n, int64_t *ids) {
    if (!l || (n && !in)) return fu__error_set(FU_EINVAL, "fu_ledger_add_bulk: %s is NULL", !l ? "ledger" : "in");
    int rc = begin_write(l);
    if (rc != FU_OK) return rc;
    for (size_t i = 0; i < n && rc == FU_OK; i++) {
        rc = insert_one(l, &in[i], ids ? &ids[i] : NULL);
        if (rc != FU_OK) fu__error_prefix("commitment %zu", i);
    }
    return finish(l, rc);
}

/* The ROW_COLUMNS of the current result row of `st`. */

static int read_row(const fu_ledger *l, sqlite3_stmt *st, row *r);

static int load_row(fu_ledger *l, int64_t id, row *r) {
    sqlite3_stmt *st = l->st[ST_ROW];
    sqlite3_bind_int64(st, 1, id);
    int src = sqlite3_step(st);
    int rc = FU_OK;
    if (src == SQLITE_ROW) {
        rc = read_row(l, st, r);
    } else if (src == SQLITE_DONE) {
        rc = fu__error_set(FU_ENOTFOUND, "no commitment with id %lld", (long long)id);
    } else {
        rc = db_fail(l, src, "reading a commitment");
    }
    sqlite3_reset(st);
    return rc;
}

static int last_event_at(fu_ledger *l, int64_t id, int64_t *out) {
    sqlite3_stmt *st = l->st[ST_LAST];
    sqlite3_bind_int64(st, 1, id);
    int src = sqlite3_step(st);
    if (src == SQLITE_ROW) *out = sqlite3_column_type(st, 0) == SQLITE_NULL ? INT64_MIN : sqlite3_column_int64(st, 0);
    sqlite3_reset(st);
    return src == SQLITE_ROW ? FU_OK : db_fail(l, src, "reading the history");
}

/* Close one commitment inside the caller's transaction. */
static int close_in_tx(fu_ledger *l, int64_t id, int64_t at, const char *by, int to_state) {
    row r = {0};
    int rc = load_row(l, id, &r);
    if (rc == FU_OK && r.state >= FU_COMMIT_FULFILLED)
        rc = fu__error_set(FU_ESTATE, "commitment %lld is %s already", (long long)id, fu_commit_state_name(r.state));
    if (rc == FU_OK && at < r.created_at)
        rc = fu__error_set(FU_EINVAL, "commitment %lld cannot be closed before it was made", (long long)id);
    int64_t last = 0;
    if (rc == FU_OK && (rc = last_event_at(l, id, &last)) == FU_OK && at < last) {
        char at_s[FU_TIME_TEXT_SIZE] = "?", last_s[FU_TIME_TEXT_SIZE] = "?";
        fu_time_format(at, 0, FU_TIME_FORMAT_Z, at_s, sizeof at_s);
        fu_time_format(last, 0, FU_TIME_FORMAT_Z, last_s, sizeof last_s);
        rc = fu__error_set(FU_EINVAL,
                           "commitment %lld cannot be closed at %s, before its last recorded event (at %s); "
                           "a recorded breach cannot be rewritten",
                           (long long)id, at_s, last_s);
    }
    char *masked_by = NULL;
    if (rc == FU_OK) rc = fu__utf8_check_str("closed by", by);
    if (rc == FU_OK) rc = mask_field(l, by, &masked_by);
    if (rc == FU_OK) rc = advance(l, &r, at, NULL);
    if (rc == FU_OK) {
        int from = r.state;
        r.state = to_state;
        rc = add_event(l, id, at, to_state == FU_COMMIT_FULFILLED ? FU_COMMIT_EV_FULFILLED : FU_COMMIT_EV_CANCELLED,
                       from, to_state, r.level, to_state == FU_COMMIT_FULFILLED ? "api.fulfill" : "api.cancel",
                       masked_by ? masked_by : by);
    }
    fu__free(masked_by);
    if (rc == FU_OK) rc = save_row(l, &r, at);
    return rc;
}

static int close_one(fu_ledger *l, int64_t id, int64_t at, const char *by, int to_state) {
    if (!l) return fu__error_set(FU_EINVAL, "ledger is NULL");
    int rc = begin_write(l);
    if (rc != FU_OK) return rc;
    return finish(l, close_in_tx(l, id, at, by, to_state));
}

int fu_ledger_fulfill(fu_ledger *l, int64_t id, int64_t at, const char *by) {
    return close_one(l, id, at, by, FU_COMMIT_FULFILLED);
}

int fu_ledger_cancel(fu_ledger *l, int64_t id, int64_t at, const char *by) {
    return close_one(l, id, at, by, FU_COMMIT_CANCELLED);
}

int fu_ledger_fulfill_bulk(fu_ledger *l, const int64_t *ids, const int64_t *at, size_t n, const char *by) {
    if (!l || (n && (!ids || !at)))
        return fu__error_set(FU_EINVAL, "fu_ledger_fulfill_bulk: %s is NULL", !l ? "ledger" : !ids ? "ids" : "at");
    int rc = begin_write(l);
    if (rc != FU_OK) return rc;
    for (size_t i = 0; i < n && rc == FU_OK; i++) {
        rc = close_in_tx(l, ids[i], at[i], by, FU_COMMIT_FULFILLED);
        if (rc != FU_OK) fu__error_prefix("entry %zu", i);
    }
    return finish(l, rc);
}

int fu_ledger_tick(fu_ledger *l, int64_t now, size_t *out) {
    if (out) *out = 0;
    if (!l) return fu__error_set(FU_EINVAL, "ledger is NULL");
    int rc = begin_write(l);
    if (rc != FU_OK) return rc;
    /* Read the due rows first: updating next_at while scanning its index
     * could visit a row twice. */
    row *rows = NULL;
    size_t n = 0, cap = 0, events = 0;
    sqlite3_stmt *st = NULL;
    int src = sqlite3_prepare_v2(l->db,
                                 "SELECT " ROW_COLUMNS " FROM commitment WHERE next_at <= ?1 ORDER BY next_at, id",
                                 -1, &st, NULL);
    if (src == SQLITE_OK) sqlite3_bind_int64(st, 1, now);
    while (src == SQLITE_OK && (src = sqlite3_step(st)) == SQLITE_ROW) {
        if (FU_GROW(rows, cap, n + 1) != FU_OK) {
            rc = FU_ENOMEM;
            break;
        }
        if ((rc = read_row(l, st, &rows[n++])) != FU_OK) break;
        src = SQLITE_OK;
    }
    if (rc == FU_OK && src != SQLITE_DONE) rc = db_fail(l, src, "finding due commitments");
    sqlite3_finalize(st);
    for (size_t i = 0; i < n && rc == FU_OK; i++) rc = advance(l, &rows[i], now, &events);
    fu__free(rows);
    rc = finish(l, rc);
    if (rc == FU_OK && out) *out = events;
    return rc;
}

/* ------------------------------------------------------------- reading */

struct fu_commitment_list {
    fu_commitment *items;
    size_t n, cap;
    fu_commit_event *events;
    size_t n_events, cap_events;
    fu__buf strings;
};

size_t fu_commitment_list_count(const fu_commitment_list *list) { return list ? list->n : 0; }

const fu_commitment *fu_commitment_list_get(const fu_commitment_list *list, size_t i) {
    return list && i < list->n ? &list->items[i] : NULL;
}

void fu_commitment_list_free(fu_commitment_list *list) {
    if (!list) return;
    fu__buf_free(&list->strings);
    FU_FREE_ALL(list->items, list->events, list);
}

/* Strings are collected in one buffer; until the list is complete their
 * fields hold offsets into it, turned into pointers by fix_pointers(). */
static int put_string(fu_commitment_list *list, sqlite3_stmt *st, int col, const char **field) {
    const char *s = (const char *)sqlite3_column_text(st, col);
    size_t n = (size_t)sqlite3_column_bytes(st, col);
    size_t off = list->strings.len;
    if (fu__buf_append(&list->strings, s ? s : "", n) != FU_OK) return FU_ENOMEM;
    if (fu__buf_append(&list->strings, "", 1) != FU_OK) return FU_ENOMEM; /* keep the NUL */
    *field = (const char *)(uintptr_t)off;
    return FU_OK;
}

static const char *off_ptr(const fu_commitment_list *list, const char *off) {
    return list->strings.data + (uintptr_t)off;
}

static void fix_pointers(fu_commitment_list *list) {
    for (size_t i = 0; i < list->n_events; i++) {
        fu_commit_event *e = &list->events[i];
        e->rule = off_ptr(list, e->rule);
        e->by = off_ptr(list, e->by);
    }
    for (size_t i = 0; i < list->n; i++) {
        fu_commitment *c = &list->items[i];
        c->customer_id = off_ptr(list, c->customer_id);
        c->text = off_ptr(list, c->text);
        c->category = off_ptr(list, c->category);
        c->owner = off_ptr(list, c->owner);
        c->created_by = off_ptr(list, c->created_by);
        c->rule = off_ptr(list, c->rule);
        c->events = c->n_events ? list->events + (uintptr_t)c->events : NULL;
    }
}

#define COLUMNS                                                                                  \
    "id, customer_id, text, category, owner, created_by, rule, created_at, deadline, warn_at," \
    " breach_at, state, warned, level, closed_at"

static int load_events(fu_ledger *l, fu_commitment_list *list, fu_commitment *c) {
    sqlite3_stmt *st = NULL;
    int src = sqlite3_prepare_v2(l->db,
                                 "SELECT at, kind, from_state, to_state, level, rule, actor FROM event"
                                 " WHERE commitment_id = ?1 ORDER BY seq", -1, &st, NULL);
    if (src != SQLITE_OK) return db_fail(l, src, "reading events");
    sqlite3_bind_int64(st, 1, c->id);
    size_t first = list->n_events;
    int rc = FU_OK;
    while ((src = sqlite3_step(st)) == SQLITE_ROW) {
        if (FU_GROW(list->events, list->cap_events, list->n_events + 1) != FU_OK) {
            rc = FU_ENOMEM;
            break;
        }
        fu_commit_event *e = &list->events[list->n_events++];
        e->at = sqlite3_column_int64(st, 0);
        e->kind = sqlite3_column_int(st, 1);
        e->from_state = sqlite3_column_int(st, 2);
        e->to_state = sqlite3_column_int(st, 3);
        e->level = sqlite3_column_int(st, 4);
        if (put_string(list, st, 5, &e->rule) != FU_OK || put_string(list, st, 6, &e->by) != FU_OK) {
            rc = FU_ENOMEM;
            break;
        }
    }
    if (rc == FU_OK && src != SQLITE_DONE) rc = db_fail(l, src, "reading events");
    sqlite3_finalize(st);
    c->events = (const fu_commit_event *)(uintptr_t)first;
    c->n_events = list->n_events - first;
    return rc;
}

/* WHERE clause and parameters of a query. */
static int build_where(const fu_commit_query *q, fu__buf *sql) {
    int rc = FU_OK;
    /* as of an instant: unresolved then (made by then, not closed by then);
     * the stored state may be a later one (add_row() projects it) */
    const char *unresolved = (q->flags & FU_QUERY_AS_OF)
                                 ? " WHERE (state < 2 OR closed_at > ?3) AND created_at <= ?3"
                                 : " WHERE state < 2";
    switch (q->kind) {
    case FU_QUERY_ALL:
        rc = fu__buf_puts(sql, " WHERE 1");
        break;
    case FU_QUERY_DUE:
        rc = fu__buf_printf(sql, "%s AND deadline >= ?1 AND deadline < ?2", unresolved);
        break;
    case FU_QUERY_AT_RISK:
        rc = fu__buf_printf(sql, "%s AND deadline > ?3 AND %s AND warn_at <= ?3", unresolved,
                            (q->flags & FU_QUERY_AS_OF) ? "breach_at > ?3" : "state = 0");
        break;
    case FU_QUERY_OVERDUE:
        rc = fu__buf_printf(sql, "%s AND deadline <= ?3", unresolved);
        break;
    default:
        return fu__error_set(FU_EINVAL, "unknown query kind %d", q->kind);
    }
    /* For the unresolved kinds the covering index beats the owner index
     * (which needs a lookup per row and a sort): the unary + keeps SQLite
     * from using commitment_owner there. */
    if (rc == FU_OK && q->owner)
        rc = fu__buf_puts(sql, q->kind == FU_QUERY_ALL ? " AND owner = ?4" : " AND +owner = ?4");
    if (rc == FU_OK && q->customer_id) rc = fu__buf_puts(sql, " AND customer_id = ?5");
    return rc;
}

static int prepare_query(fu_ledger *l, const fu_commit_query *q, const char *select, int order,
                         sqlite3_stmt **st) {
    fu__buf sql = FU__BUF_INIT;
    int rc = fu__buf_puts(&sql, select);
    if (rc == FU_OK) rc = build_where(q, &sql);
    if (rc == FU_OK && order) rc = fu__buf_puts(&sql, " ORDER BY deadline, id");
    if (rc == FU_OK && order && q->limit) rc = fu__buf_printf(&sql, " LIMIT %zu", q->limit);
    if (rc == FU_OK) {
        int src = sqlite3_prepare_v2(l->db, sql.data, -1, st, NULL);
        if (src != SQLITE_OK) rc = db_fail(l, src, "preparing a query");
    }
    fu__buf_free(&sql);
    if (rc != FU_OK) return rc;
    sqlite3_bind_int64(*st, 1, q->from);
    sqlite3_bind_int64(*st, 2, q->to);
    sqlite3_bind_int64(*st, 3, q->now);
    /* the owner is stored masked: compare with the masked filter */
    char *owner = NULL;
    if (q->owner && (rc = mask_field(l, q->owner, &owner)) != FU_OK) {
        sqlite3_finalize(*st);
        *st = NULL;
        return rc;
    }
    if (q->owner) sqlite3_bind_text(*st, 4, owner ? owner : q->owner, -1, SQLITE_TRANSIENT);
    if (q->customer_id) sqlite3_bind_text(*st, 5, q->customer_id, -1, SQLITE_STATIC);
    fu__free(owner);
    return FU_OK;
}

static int check_query(fu_ledger *l, const fu_commit_query *q) {
    if (!l || !q) return fu__error_set(FU_EINVAL, "fu_ledger_query: %s is NULL", !l ? "ledger" : "q");
    if (q->version != FU_COMMIT_QUERY_VERSION) return fu__error_set(FU_EINVAL, "fu_commit_query: unknown version %u", q->version);
    int rc = fu__utf8_check_str("query owner", q->owner);
    if (rc == FU_OK) rc = fu__utf8_check_str("query customer_id", q->customer_id);
    return rc;
}

/* The escalation rules applied to `c` up to `upto`, in memory (as advance()
 * does in the file). */
static void project(const fu_ledger *l, fu_commitment *c, int64_t upto) {
    for (;;) {
        if (c->state == FU_COMMIT_OPEN && !c->warned && c->warn_at <= upto)
            c->warned = 1;
        else if (c->state == FU_COMMIT_OPEN && c->breach_at <= upto)
            c->state = FU_COMMIT_BREACHED;
        else if (c->state == FU_COMMIT_BREACHED && c->level < l->opts.max_level &&
                 c->breach_at + (int64_t)(c->level + 1) * l->opts.escalate_after <= upto)
            c->level++;
        else
            break;
    }
}

/* Stored values that no writer of this library makes (a damaged or
 * foreign-written ledger): an integer column holding text or a real, a time
 * outside years 1..9999, a state, warned flag or level out of range, a NUL
 * inside a text. Listing them would print placeholders ("?", "") as data.
 * FU_OK, or FU_EDB naming the commitment and the column. */
static int bad_int(const fu_ledger *l, sqlite3_stmt *st, int col, int64_t lo, int64_t hi, int nullable, int64_t id) {
    int type = sqlite3_column_type(st, col);
    if (type == SQLITE_NULL && nullable) return FU_OK;
    const char *name = sqlite3_column_name(st, col);
    if (type != SQLITE_INTEGER)
        return fu__error_set(FU_EDB, "%s: commitment %lld: %s is %s, not an integer (a damaged or foreign-written "
                                     "ledger; restore it from a backup)",
                             label(l), (long long)id, name ? name : "?",
                             type == SQLITE_NULL ? "NULL" : type == SQLITE_FLOAT ? "a real" : "text");
    int64_t v = sqlite3_column_int64(st, col);
    if (v >= lo && v <= hi) return FU_OK;
    if (lo == FU__TIME_MIN)
        return fu__error_set(FU_EDB, "%s: commitment %lld: %s %lld is not a time of years 1..9999 (a damaged or "
                                     "foreign-written ledger; restore it from a backup)",
                             label(l), (long long)id, name ? name : "?", (long long)v);
    return fu__error_set(FU_EDB, "%s: commitment %lld: %s %lld is outside %lld..%lld (a damaged or foreign-written "
                                 "ledger; restore it from a backup)",
                         label(l), (long long)id, name ? name : "?", (long long)v, (long long)lo, (long long)hi);
}

static int check_text(const fu_ledger *l, sqlite3_stmt *st, int col, int64_t id) {
    const char *s = (const char *)sqlite3_column_text(st, col);
    size_t n = (size_t)sqlite3_column_bytes(st, col);
    if (!s || memchr(s, '\0', n) == NULL) return FU_OK;
    const char *name = sqlite3_column_name(st, col);
    return fu__error_set(FU_EDB, "%s: commitment %lld: %s holds a NUL byte at byte %zu (a damaged or "
                                 "foreign-written ledger; restore it from a backup)",
                         label(l), (long long)id, name ? name : "?", (size_t)((const char *)memchr(s, '\0', n) - s) + 1);
}

/* The state, warned and level columns, at col, col + 1 and col + 2 of
 * both the listing's and the row's queries. */
static int check_flags(const fu_ledger *l, sqlite3_stmt *st, int col, int64_t id) {
    int rc = bad_int(l, st, col, FU_COMMIT_OPEN, FU_COMMIT_CANCELLED, 0, id);
    if (rc == FU_OK) rc = bad_int(l, st, col + 1, 0, 1, 0, id);
    if (rc == FU_OK) rc = bad_int(l, st, col + 2, 0, 1000, 0, id);
    return rc;
}

static int check_row(const fu_ledger *l, sqlite3_stmt *st) {
    int64_t id = sqlite3_column_int64(st, 0);
    int rc = FU_OK;
    for (int col = 1; col <= 6 && rc == FU_OK; col++) rc = check_text(l, st, col, id);
    for (int col = 7; col <= 10 && rc == FU_OK; col++) rc = bad_int(l, st, col, FU__TIME_MIN, FU__TIME_MAX, 0, id);
    if (rc == FU_OK) rc = check_flags(l, st, 11, id);
    if (rc == FU_OK) rc = bad_int(l, st, 14, FU__TIME_MIN, FU__TIME_MAX, 1, id);
    return rc;
}

/* A row of ROW_COLUMNS, checked as check_row() checks a listed one. */
static int read_row(const fu_ledger *l, sqlite3_stmt *st, row *r) {
    r->id = sqlite3_column_int64(st, 0);
    r->state = sqlite3_column_int(st, 1);
    r->warned = sqlite3_column_int(st, 2);
    r->level = sqlite3_column_int(st, 3);
    r->warn_at = sqlite3_column_int64(st, 4);
    r->breach_at = sqlite3_column_int64(st, 5);
    r->created_at = sqlite3_column_int64(st, 6);
    int rc = check_flags(l, st, 1, r->id);
    for (int col = 4; col <= 6 && rc == FU_OK; col++) rc = bad_int(l, st, col, FU__TIME_MIN, FU__TIME_MAX, 0, r->id);
    return rc;
}

static int add_row(fu_ledger *l, fu_commitment_list *list, sqlite3_stmt *st, int with_events,
                   const int64_t *as_of) {
    int bad = check_row(l, st);
    if (bad != FU_OK) return bad;
    if (FU_GROW(list->items, list->cap, list->n + 1) != FU_OK) return FU_ENOMEM;
    fu_commitment *c = &list->items[list->n++];
    memset(c, 0, sizeof *c);
    c->id = sqlite3_column_int64(st, 0);
    if (put_string(list, st, 1, &c->customer_id) != FU_OK || put_string(list, st, 2, &c->text) != FU_OK ||
        put_string(list, st, 3, &c->category) != FU_OK || put_string(list, st, 4, &c->owner) != FU_OK ||
        put_string(list, st, 5, &c->created_by) != FU_OK || put_string(list, st, 6, &c->rule) != FU_OK)
        return FU_ENOMEM;
    c->created_at = sqlite3_column_int64(st, 7);
    c->deadline = sqlite3_column_int64(st, 8);
    c->warn_at = sqlite3_column_int64(st, 9);
    c->breach_at = sqlite3_column_int64(st, 10);
    c->state = sqlite3_column_int(st, 11);
    c->warned = sqlite3_column_int(st, 12);
    c->level = sqlite3_column_int(st, 13);
    c->closed_at = sqlite3_column_type(st, 14) == SQLITE_NULL ? FU_COMMIT_NO_TIME : sqlite3_column_int64(st, 14);
    if (as_of && (c->closed_at == FU_COMMIT_NO_TIME || c->closed_at > *as_of)) {
        /* open at as_of (closed later, if at all): escalated as the rules
         * make it then, not as later ticks stored it */
        c->state = FU_COMMIT_OPEN;
        c->warned = 0;
        c->level = 0;
        c->closed_at = FU_COMMIT_NO_TIME;
    }
    if (as_of) project(l, c, *as_of);
    return with_events ? load_events(l, list, c) : FU_OK;
}

/* Step through `st` (which selects COLUMNS) into a new list. */
static int collect(fu_ledger *l, sqlite3_stmt *st, int with_events, const int64_t *as_of,
                   fu_commitment_list **out) {
    fu_commitment_list *list = fu__calloc(1, sizeof *list);
    if (!list) return fu__error_nomem();
    int rc = FU_OK, src;
    while ((src = sqlite3_step(st)) == SQLITE_ROW) {
        rc = add_row(l, list, st, with_events, as_of);
        if (rc != FU_OK) break;
    }
    if (rc == FU_OK && src != SQLITE_DONE) rc = db_fail(l, src, "running a query");
    if (rc == FU_OK && list->strings.failed) rc = FU_ENOMEM;
    if (rc == FU_ENOMEM) rc = fu__error_nomem();
    if (rc != FU_OK) {
        fu_commitment_list_free(list);
        return rc;
    }
    fix_pointers(list);
    *out = list;
    return FU_OK;
}

static int run_query(fu_ledger *l, const fu_commit_query *q, fu_commitment_list **out) {
    sqlite3_stmt *st = NULL;
    int rc = prepare_query(l, q, "SELECT " COLUMNS " FROM commitment", 1, &st);
    if (rc != FU_OK) return rc;
    rc = collect(l, st, (q->flags & FU_QUERY_EVENTS) != 0, (q->flags & FU_QUERY_AS_OF) ? &q->now : NULL, out);
    sqlite3_finalize(st);
    return rc;
}

/* A read transaction keeps the rows and their events consistent while
 * another process writes. */
static int read_begin(fu_ledger *l) { return exec(l, "BEGIN", "begin a read"); }

int fu_ledger_query(fu_ledger *l, const fu_commit_query *q, fu_commitment_list **out) {
    if (out) *out = NULL;
    int rc = check_query(l, q);
    if (rc != FU_OK) return rc;
    if (!out) return fu__error_set(FU_EINVAL, "out is NULL");
    rc = read_begin(l);
    if (rc != FU_OK) return rc;
    rc = run_query(l, q, out);
    int rc2 = finish(l, rc);
    if (rc == FU_OK && rc2 != FU_OK) {
        fu_commitment_list_free(*out);
        *out = NULL;
    }
    return rc2;
}

int fu_ledger_count(fu_ledger *l, const fu_commit_query *q, size_t *out) {
    int rc = check_query(l, q);
    if (rc != FU_OK) return rc;
    if (!out) return fu__error_set(FU_EINVAL, "out is NULL");
    sqlite3_stmt *st = NULL;
    rc = prepare_query(l, q, "SELECT count(*) FROM commitment", 0, &st);
    if (rc != FU_OK) return rc;
    int src = sqlite3_step(st);
    if (src == SQLITE_ROW) *out = (size_t)sqlite3_column_int64(st, 0);
    else rc = db_fail(l, src, "counting");
    sqlite3_finalize(st);
    return rc;
}

int fu_ledger_get(fu_ledger *l, int64_t id, fu_commitment_list **out) {
    if (out) *out = NULL;
    if (!l || !out) return fu__error_set(FU_EINVAL, "fu_ledger_get: %s is NULL", !l ? "ledger" : "out");
    int rc = read_begin(l);
    if (rc != FU_OK) return rc;
    sqlite3_stmt *st = NULL;
    fu_commitment_list *list = NULL;
    int src = sqlite3_prepare_v2(l->db, "SELECT " COLUMNS " FROM commitment WHERE id = ?1", -1, &st, NULL);
    if (src != SQLITE_OK) rc = db_fail(l, src, "reading a commitment");
    if (rc == FU_OK) {
        sqlite3_bind_int64(st, 1, id);
        rc = collect(l, st, 1, NULL, &list);
    }
    sqlite3_finalize(st);
    if (rc == FU_OK && list->n == 0) rc = fu__error_set(FU_ENOTFOUND, "no commitment with id %lld", (long long)id);
    rc = finish(l, rc);
    if (rc != FU_OK) {
        fu_commitment_list_free(list);
        return rc;
    }
    *out = list;
    return FU_OK;
}

int fu_ledger_on_time(fu_ledger *l, int64_t from, int64_t to, int64_t now, fu_on_time *out) {
    if (!l || !out) return fu__error_set(FU_EINVAL, "fu_ledger_on_time: %s is NULL", !l ? "ledger" : "out");
    sqlite3_stmt *st = NULL;
    int src = sqlite3_prepare_v2(l->db,
                                 "SELECT count(*), coalesce(sum(state = 2 AND closed_at <= deadline), 0)"
                                 " FROM commitment WHERE deadline >= ?1 AND deadline < ?2 AND state != 3"
                                 " AND (deadline <= ?3 OR (state = 2 AND closed_at <= ?3))",
                                 -1, &st, NULL);
    if (src != SQLITE_OK) return db_fail(l, src, "on-time rate");
    sqlite3_bind_int64(st, 1, from);
    sqlite3_bind_int64(st, 2, to);
    sqlite3_bind_int64(st, 3, now);
    int rc = FU_OK;
    src = sqlite3_step(st);
    if (src == SQLITE_ROW) {
        out->due = (size_t)sqlite3_column_int64(st, 0);
        out->on_time = (size_t)sqlite3_column_int64(st, 1);
        out->rate = out->due ? (double)out->on_time / (double)out->due : NAN;
    } else {
        rc = db_fail(l, src, "on-time rate");
    }
    sqlite3_finalize(st);
    return rc;
}

/* ------------------------------------------------- planner escalations */

/* The step of `rule` ("cadences.<cadence>.<step>", `len` bytes) when it is a
 * problem escalation: a step with a team of a cadence (or step) conditioned
 * on `unresolved`. */
static const fu__pol_step *escalation_step(const fu__policy *t, const char *rule, size_t len) {
    static const char pre[] = "cadences.";
    if (len <= sizeof pre - 1 || strncmp(rule, pre, sizeof pre - 1) != 0) return NULL;
    for (size_t i = 0; i < t->n_cadences; i++) {
        const fu__pol_cadence *c = &t->cadences[i];
        for (size_t k = 0; k < c->n_steps; k++) {
            const fu__pol_step *s = &c->steps[k];
            if (strlen(s->rule) != len || memcmp(s->rule, rule, len) != 0) continue;
            return s->team && s->team[0] && (c->when.unresolved || s->when.unresolved) ? s : NULL;
        }
    }
    return NULL;
}

/* 1 when the customer has an escalation event of `rule` at `at`. */
static int escalation_recorded(fu_ledger *l, const char *customer, const char *rule, int64_t at, int *found) {
    sqlite3_stmt *st = NULL;
    int src = sqlite3_prepare_v2(l->db,
                                 "SELECT 1 FROM event e JOIN commitment c ON c.id = e.commitment_id"
                                 " WHERE c.customer_id = ?1 AND e.kind = ?2 AND e.rule = ?3 AND e.at = ?4 LIMIT 1",
                                 -1, &st, NULL);
    if (src == SQLITE_OK) {
        sqlite3_bind_text(st, 1, customer, -1, SQLITE_STATIC);
        sqlite3_bind_int(st, 2, FU_COMMIT_EV_ESCALATED);
        sqlite3_bind_text(st, 3, rule, -1, SQLITE_STATIC);
        sqlite3_bind_int64(st, 4, at);
        src = sqlite3_step(st);
    }
    *found = src == SQLITE_ROW;
    sqlite3_finalize(st);
    return src == SQLITE_ROW || src == SQLITE_DONE ? FU_OK : db_fail(l, src, "looking up an escalation");
}

/* The customer's earliest commitment made in [from, upto] and neither
 * fulfilled nor cancelled by `upto`; 0 when none. */
static int related_commitment(fu_ledger *l, const char *customer, int64_t from, int64_t upto, int64_t *id) {
    sqlite3_stmt *st = NULL;
    *id = 0;
    int src = sqlite3_prepare_v2(l->db,
                                 "SELECT id FROM commitment WHERE customer_id = ?1 AND created_at >= ?2"
                                 " AND created_at <= ?3 AND (closed_at IS NULL OR closed_at > ?3)"
                                 " ORDER BY created_at, id LIMIT 1",
                                 -1, &st, NULL);
    if (src == SQLITE_OK) {
        sqlite3_bind_text(st, 1, customer, -1, SQLITE_STATIC);
        sqlite3_bind_int64(st, 2, from);
        sqlite3_bind_int64(st, 3, upto);
        src = sqlite3_step(st);
        if (src == SQLITE_ROW) *id = sqlite3_column_int64(st, 0);
    }
    sqlite3_finalize(st);
    return src == SQLITE_ROW || src == SQLITE_DONE ? FU_OK : db_fail(l, src, "looking up a related commitment");
}

static int record_one_escalation(fu_ledger *l, const fu_touchpoint *tp, const fu__pol_step *s, size_t *out) {
    int found, rc = escalation_recorded(l, tp->customer_id, s->rule, tp->due_from, &found);
    if (rc != FU_OK || found) return rc;
    int64_t id = 0;
    int64_t problem = tp->trigger_at <= tp->due_from ? tp->trigger_at : tp->due_from;
    rc = related_commitment(l, tp->customer_id, problem, tp->due_from, &id);
    if (rc == FU_OK && !id) {
        fu__buf text = FU__BUF_INIT;
        fu__buf_puts(&text, tp->purpose);
        if (tp->order_id[0]) {
            fu__buf_puts(&text, " (order ");
            fu__buf_puts(&text, tp->order_id);
            fu__buf_puts(&text, ")");
        }
        if (text.failed) rc = fu__error_nomem();
        fu_commit_input in = FU_COMMIT_INPUT_INIT;
        in.customer_id = tp->customer_id;
        in.text = text.data ? text.data : "";
        in.category = "escalation";
        in.owner = s->team;
        in.created_at = problem;
        in.deadline = tp->due_to >= problem ? tp->due_to : problem;
        in.rule = s->rule;
        if (rc == FU_OK) rc = insert_one(l, &in, &id);
        fu__buf_free(&text);
    }
    row r = {0};
    if (rc == FU_OK) rc = load_row(l, id, &r);
    if (rc == FU_OK)
        rc = add_event(l, id, tp->due_from, FU_COMMIT_EV_ESCALATED, r.state, r.state, r.level, s->rule, s->team);
    if (rc == FU_OK) ++*out;
    return rc;
}

int fu_ledger_record_escalations(fu_ledger *l, const fu_policy *policy, const struct fu_plan *plan, int64_t now,
                                 size_t *out) {
    if (out) *out = 0;
    if (!l || !policy || !plan)
        return fu__error_set(FU_EINVAL, "fu_ledger_record_escalations: %s is NULL",
                             !l ? "ledger" : !policy ? "policy" : "plan");
    const fu__policy *t = fu__policy_typed(policy);
    size_t n_rec = 0;
    int rc = begin_write(l);
    if (rc != FU_OK) return rc;
    for (int st = 0; st < FU_TOUCHPOINT_STATUS_COUNT && rc == FU_OK; st++) {
        size_t n = 0;
        const fu_touchpoint *tp = fu_plan_touchpoints(plan, (fu_touchpoint_status)st, &n);
        for (size_t i = 0; i < n && rc == FU_OK; i++) {
            if (tp[i].due_from > now) continue;
            const char *r = tp[i].rule;
            while (*r && rc == FU_OK) { /* "; "-separated rules of a merged contact */
                const char *end = strstr(r, "; ");
                size_t len = end ? (size_t)(end - r) : strlen(r);
                const fu__pol_step *s = escalation_step(t, r, len);
                if (s) rc = record_one_escalation(l, &tp[i], s, &n_rec);
                r += len;
                if (*r) r += 2;
            }
        }
    }
    rc = finish(l, rc);
    if (rc == FU_OK && out) *out = n_rec;
    return rc;
}
