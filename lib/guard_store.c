/* fu_contact_log: the guard's persistent contact log in SQLite (WAL,
 * synchronous FULL, created 0600, integrity-checked on open). The same care
 * as the commitment ledger (commit_store.c): every append is one
 * transaction, so an acknowledged batch survives SIGKILL and a killed batch
 * leaves nothing behind; several processes append at once (BEGIN IMMEDIATE
 * with a busy timeout). The log keeps to its own tables so that it can
 * share a file with the ledger. */
#include "followup/guard.h"
#include "followup/redact.h"

#include "guard_internal.h"
#include "internal.h"
#include "errtext.h"
#include "sqlite_store_internal.h"
#include "utf8_internal.h"

#include <errno.h>
#include <fcntl.h>
#include <sqlite3.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

struct fu_contact_log {
    sqlite3 *db;
    char *label; /* "contact log 'PATH'" once open (errors name the file); NULL while opening */
    fu_contact_log_options opts;
    sqlite3_stmt *st_insert;
    fu_redactor *red; /* made at the first text that may need it */
    /* Threads sharing the handle (a guard's and an importer's appends) take
     * turns: the connection is opened without SQLite's mutex and an append
     * is a transaction of its own. Recursive: fu__contact_log_begin() holds
     * it until fu__contact_log_end(), across the guard's reads. */
    pthread_mutex_t mu;
    int has_mu;
};

int fu__guard_mutex_init(pthread_mutex_t *m) {
    pthread_mutexattr_t a;
    if (pthread_mutexattr_init(&a)) return fu__error_nomem();
    int r = pthread_mutexattr_settype(&a, PTHREAD_MUTEX_RECURSIVE) || pthread_mutex_init(m, &a);
    pthread_mutexattr_destroy(&a);
    return r ? fu__error_nomem() : FU_OK;
}

static void log_lock(fu_contact_log *l) { pthread_mutex_lock(&l->mu); }
static void log_unlock(fu_contact_log *l) { pthread_mutex_unlock(&l->mu); }

/* ------------------------------------------------------------- masking */

/* Whether a text may hold what the redactor masks (numbers, e-mail
 * addresses, full-width digits): every kind it knows needs an ASCII digit,
 * an '@' or a non-ASCII byte, so a rule name such as
 * "cadences.delivery.first_contact" costs nothing. */
static int may_hold_pii(const char *s) {
    for (const unsigned char *p = (const unsigned char *)s; *p; p++)
        if ((*p >= '0' && *p <= '9') || *p == '@' || *p >= 0x80) return 1;
    return 0;
}

int fu__contact_mask(fu_redactor **red, const char *s, char **out);
/* The masked copy of a free-text field (agent, rule) in *out, made with
 * the built-in redactor (*red, made on first use); NULL when nothing is
 * masked. */
int fu__contact_mask(fu_redactor **red, const char *s, char **out) {
    *out = NULL;
    if (!s || !*s || !may_hold_pii(s)) return FU_OK;
    int rc = *red ? FU_OK : fu_redactor_new(red, NULL);
    char *m = NULL;
    if (rc == FU_OK) rc = fu_redactor_apply(*red, s, strlen(s), NULL, &m);
    if (rc) return rc;
    if (strcmp(m, s) == 0) {
        fu_free(m);
        return FU_OK;
    }
    *out = m;
    return FU_OK;
}

int fu__contact_log_masks(const fu_contact_log *l);
int fu__contact_log_masks(const fu_contact_log *l) { return !(l->opts.flags & FU_CONTACT_LOG_STORE_RAW_TEXT); }

static const char *const outcome_names[FU_GUARD_OUTCOME_COUNT] = {
    "attempted", "answered", "no_answer", "busy", "voicemail", "refused", "wrong_number", "callback_requested"};

const char *fu_guard_outcome_name(fu_guard_outcome o) { return o >= 0 && o < FU_GUARD_OUTCOME_COUNT ? outcome_names[o] : NULL; }

static int ieq(const char *a, size_t n, const char *b) {
    if (strlen(b) != n) return 0;
    for (size_t i = 0; i < n; i++) {
        char x = a[i], y = b[i];
        if (x >= 'A' && x <= 'Z') x = (char)(x - 'A' + 'a');
        if (x != y) return 0;
    }
    return 1;
}

int fu_guard_outcome_from_string(const char *text, size_t len, fu_guard_outcome *out) {
    if (!text || !out)
        return fu__error_set(FU_EINVAL, "fu_guard_outcome_from_string: %s is NULL", !text ? "text" : "out");
    for (int i = 0; i < FU_GUARD_OUTCOME_COUNT; i++)
        if (ieq(text, len, outcome_names[i])) {
            *out = (fu_guard_outcome)i;
            return FU_OK;
        }
    if (ieq(text, len, "callback")) {
        *out = FU_GUARD_CALLBACK;
        return FU_OK;
    }
    char q[FU_ERRTEXT_CELL_CAP];
    return fu__error_set(FU_EPARSE,
                         "unknown outcome '%s': expected attempted, answered, no_answer, busy, voicemail, refused,"
                         " wrong_number or callback_requested",
                         fu__errtext_cell(q, sizeof q, text, len));
}

void fu_contact_record_init(fu_contact_record *r) {
    if (!r) return;
    memset(r, 0, sizeof *r);
    r->at = FU_BOOK_NO_TIME;
    r->channel = FU_CHANNEL_NONE;
    r->outcome = FU_GUARD_ATTEMPTED;
    r->priority = FU_PRIORITY_NORMAL;
    r->duration = -1;
    r->callback_at = FU_BOOK_NO_TIME;
}

int fu_contact_record_validate(const fu_contact_record *r) {
    if (!r) return fu__error_set(FU_EINVAL, "record is NULL");
    if (!r->customer_id || !*r->customer_id) return fu__error_set(FU_EINVAL, "customer_id: required, non-empty");
    if (r->at == FU_BOOK_NO_TIME) return fu__error_set(FU_EINVAL, "at: required");
    if (r->at < FU__TIME_MIN || r->at > FU__TIME_MAX) return fu__error_set(FU_ERANGE, "at: %lld is outside years 1..9999", (long long)r->at);
    if ((int)r->channel <= FU_CHANNEL_NONE || (int)r->channel >= FU_CHANNEL_COUNT)
        return fu__error_set(FU_EINVAL, "channel: %d is not a channel (phone, sms, email, chat, video, visit)",
                             (int)r->channel);
    if ((int)r->outcome < 0 || (int)r->outcome >= FU_GUARD_OUTCOME_COUNT)
        return fu__error_set(FU_EINVAL, "outcome: %d is not an outcome (attempted, answered, no_answer, busy,"
                             " voicemail, refused, wrong_number, callback_requested)", (int)r->outcome);
    if ((int)r->priority < FU_PRIORITY_URGENT || (int)r->priority > FU_PRIORITY_LOW)
        return fu__error_set(FU_EINVAL, "priority: %d is not a priority (urgent, high, normal, low)", (int)r->priority);
    if (r->duration < -1) return fu__error_set(FU_ERANGE, "duration: %lld must be >= 0 (or -1: unknown)",
                                               (long long)r->duration);
    if (r->duration > FU_CONTACT_MAX_DURATION)
        return fu__error_set(FU_ERANGE, "duration: %lld seconds is more than a day (at most %d)",
                             (long long)r->duration, FU_CONTACT_MAX_DURATION);
    static const char *const names[4] = {"customer_id", "agent_id", "rule", "order_id"};
    const char *text[4] = {r->customer_id, r->agent_id, r->rule, r->order_id};
    for (int i = 0; i < 4; i++) {
        int rc = fu__utf8_check_str(names[i], text[i]);
        if (rc) return rc;
    }
    if (r->outcome == FU_GUARD_CALLBACK) {
        if (r->callback_at == FU_BOOK_NO_TIME)
            return fu__error_set(FU_EINVAL, "callback_at: required for outcome callback_requested");
        if (r->callback_at < FU__TIME_MIN || r->callback_at > FU__TIME_MAX)
            return fu__error_set(FU_ERANGE, "callback_at: outside years 1..9999");
        if (r->callback_at < r->at)
            return fu__error_set(FU_EINVAL, "callback_at: %lld lies before the attempt (at %lld); a call-back is"
                                 " asked for a later time", (long long)r->callback_at, (long long)r->at);
    } else if (r->callback_at != FU_BOOK_NO_TIME) {
        return fu__error_set(FU_EINVAL, "callback_at: only for outcome callback_requested");
    }
    return FU_OK;
}

/* ------------------------------------------------------------- errors */

/* The log as errors name it: "contact log 'g.log'", "contact log" while
 * opening (the caller names the file of a failed open) or in memory. */
static const char *label(const fu_contact_log *l) { return l && l->label ? l->label : "contact log"; }

static int db_fail(fu_contact_log *l, int src, const char *what) {
    return fu__db_fail(l ? l->db : NULL, src, label(l), what);
}

static int exec(fu_contact_log *l, const char *sql, const char *what) {
    return fu__db_exec(l->db, label(l), sql, what);
}

static int finish(fu_contact_log *l, int rc) { return fu__db_finish(l->db, label(l), rc); }

/* ------------------------------------------------------------- schema */

static const char k_schema_v1[] =
    "CREATE TABLE contact_log_meta(key TEXT PRIMARY KEY, value INTEGER NOT NULL) WITHOUT ROWID;"
    "CREATE TABLE contact_log("
    " seq INTEGER PRIMARY KEY AUTOINCREMENT,"
    " customer_id TEXT NOT NULL CHECK(length(customer_id) > 0),"
    " at INTEGER NOT NULL, channel TEXT NOT NULL, outcome TEXT NOT NULL, priority TEXT NOT NULL,"
    " agent_id TEXT, rule TEXT, order_id TEXT,"
    " duration INTEGER CHECK(duration IS NULL OR duration >= 0), callback_at INTEGER);"
    "INSERT INTO contact_log_meta VALUES('schema_version', 1);";

/* The columns row_record reads, in its order. */
#define RECORD_SELECT                                                                                       \
    "SELECT seq, customer_id, at, channel, outcome, priority, agent_id, rule, order_id, duration, callback_at" \
    " FROM contact_log"

static int int_query(fu_contact_log *l, const char *sql, int64_t *out, const char *what) {
    sqlite3_stmt *st = NULL;
    int src = sqlite3_prepare_v2(l->db, sql, -1, &st, NULL);
    *out = 0;
    if (src == SQLITE_OK && (src = sqlite3_step(st)) == SQLITE_ROW) {
        *out = sqlite3_column_int64(st, 0);
        src = SQLITE_OK;
    } else if (src == SQLITE_DONE) {
        src = SQLITE_OK;
    }
    sqlite3_finalize(st);
    return src == SQLITE_OK ? FU_OK : db_fail(l, src, what);
}

static int schema_version(fu_contact_log *l, int64_t *v) {
    int64_t has = 0;
    int rc = int_query(l, "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = 'contact_log_meta'",
                       &has, "reading the schema");
    if (rc || !has) {
        *v = 0;
        return rc;
    }
    return int_query(l, "SELECT value FROM contact_log_meta WHERE key = 'schema_version'", v,
                     "reading the schema version");
}

/* Whether the file is a contact log, or a file it may be made in: an empty
 * database or a commitment ledger (the log shares the ledger's file, see
 * guard.h). A foreign database is refused before anything is written to it
 * (not even the switch to WAL). */
#define LEDGER_APP_ID 0x46554C47 /* commit_store.c */
static int check_identity(fu_contact_log *l, int64_t v) {
    int64_t app = 0, other = 0;
    int rc = int_query(l, "PRAGMA application_id", &app, "reading the application id");
    if (rc == FU_OK)
        rc = int_query(l, "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
                          " AND name NOT IN ('contact_log', 'contact_log_meta')", &other, "reading the schema");
    if (rc) return rc;
    if (v == 0 && other > 0 && app != LEDGER_APP_ID)
        return fu__error_set(FU_EDB, "contact log: not a contact log (the file holds other tables and no contact"
                             " log; a contact log may share only a commitment ledger's file)");
    if (v != FU_CONTACT_LOG_SCHEMA_VERSION) return FU_OK;
    sqlite3_stmt *st = NULL;
    int src = sqlite3_prepare_v2(l->db, RECORD_SELECT " LIMIT 0", -1, &st, NULL);
    sqlite3_finalize(st);
    if (src == SQLITE_NOMEM) return fu__error_nomem();
    if (src != SQLITE_OK)
        return fu__error_set(FU_EDB, "contact log: not a contact log (%s)", sqlite3_errmsg(l->db));
    return FU_OK;
}

static int migrate(fu_contact_log *l) {
    int64_t v = 0;
    int rc = schema_version(l, &v);
    if (rc == FU_OK) rc = check_identity(l, v);
    if (rc) return rc;
    if (v > FU_CONTACT_LOG_SCHEMA_VERSION)
        return fu__error_set(FU_EDB, "contact log: schema version %lld is newer than this library's %d; upgrade"
                             " libfollowup", (long long)v, FU_CONTACT_LOG_SCHEMA_VERSION);
    if (v == FU_CONTACT_LOG_SCHEMA_VERSION) return FU_OK;
    if (l->opts.flags & FU_CONTACT_LOG_READONLY)
        return fu__error_set(FU_EDB, "contact log: no contact log in this file (schema version %lld); open it for"
                             " writing once", (long long)v);
    if ((rc = exec(l, "BEGIN IMMEDIATE", "begin"))) return rc;
    rc = schema_version(l, &v); /* another process may have created it meanwhile */
    if (rc == FU_OK && v == 0) rc = exec(l, k_schema_v1, "creating the schema");
    return finish(l, rc);
}

static int integrity(fu_contact_log *l) {
    sqlite3_stmt *st = NULL;
    int src = sqlite3_prepare_v2(l->db, "PRAGMA quick_check", -1, &st, NULL);
    int rc = FU_OK;
    if (src == SQLITE_OK && (src = sqlite3_step(st)) == SQLITE_ROW) {
        const char *r = (const char *)sqlite3_column_text(st, 0);
        if (!r || strcmp(r, "ok") != 0)
            rc = fu__error_set(FU_EDB, "contact log: the file is corrupt (integrity check: %s); restore it from a"
                               " backup", r ? r : "?");
        src = SQLITE_OK;
    }
    if (rc == FU_OK && src != SQLITE_OK) rc = db_fail(l, src, "integrity check");
    sqlite3_finalize(st);
    return rc;
}

/* ------------------------------------------------------------- open/close */

FU_DEFINE_INIT(fu_contact_log_options_init, fu_contact_log_options, FU_CONTACT_LOG_OPTIONS_INIT)

void fu_contact_log_close(fu_contact_log *l) {
    if (!l) return;
    sqlite3_finalize(l->st_insert);
    sqlite3_close_v2(l->db);
    fu_redactor_free(l->red);
    if (l->has_mu) pthread_mutex_destroy(&l->mu);
    fu__free(l->label);
    fu__free(l);
}

/* Only plain file paths, as the ledger (commit_store.c): SQLite reads
 * ":memory:" and "file:" URIs in ways that keep nothing, or keep it
 * elsewhere, and the caller would be told it worked. */
static int check_path(const char *path) {
    if (!path[0]) return fu__error_set(FU_EINVAL, "contact log: the path is empty");
    if (strcmp(path, ":memory:") == 0)
        return fu__error_set(FU_EINVAL, "contact log: ':memory:' is not a file (a log in memory keeps nothing after"
                                        " the process: caps and redial rules would be lost); pass NULL for one");
    if (strncmp(path, "file:", 5) == 0)
        return fu__error_set(FU_EINVAL, "contact log: '%s' looks like an SQLite URI; only plain file paths are"
                                        " accepted (write './%s' for a file of that name)", path, path);
    struct stat st;
    if (stat(path, &st) == 0 && S_ISDIR(st.st_mode))
        return fu__error_set(FU_EINVAL, "contact log: '%s' is a directory", path);
    return FU_OK;
}

/* Create the file with mode 0600 before SQLite does (SQLite gives its
 * -wal and -shm files the mode of the database file). */
static int create_private(const char *path) {
    int fd = open(path, O_WRONLY | O_CREAT | O_EXCL, 0600);
    if (fd >= 0) {
        close(fd);
        return FU_OK;
    }
    if (errno == EEXIST) return FU_OK;
    return fu__error_set(FU_EIO, "contact log: cannot create '%s': %s", path, strerror(errno));
}

/* Whether agent and rule text is stored raw is the log's, recorded at its
 * first open for writing (contact_log_meta 'raw_text'): a process opening it
 * with the other setting would store raw and masked text side by side, and
 * its guard would mask the rules it is asked about differently, so it is
 * refused. A log written before the setting was recorded takes the first
 * writer's; a reader of such a log is not checked. */
static int text_mode(fu_contact_log *l, int ro) {
    int64_t raw = (l->opts.flags & FU_CONTACT_LOG_STORE_RAW_TEXT) != 0, has = 0, stored = 0;
    int rc = int_query(l, "SELECT count(*) FROM contact_log_meta WHERE key = 'raw_text'", &has, "reading the settings");
    if (rc == FU_OK && !has && !ro)
        rc = exec(l, raw ? "INSERT OR IGNORE INTO contact_log_meta VALUES('raw_text', 1)"
                         : "INSERT OR IGNORE INTO contact_log_meta VALUES('raw_text', 0)", "recording the settings");
    if (rc || (!has && ro)) return rc;
    rc = int_query(l, "SELECT value FROM contact_log_meta WHERE key = 'raw_text'", &stored, "reading the settings");
    if (rc == FU_OK && stored != raw)
        rc = fu__error_set(FU_EINVAL, "contact log: the log stores agent and rule text %s, this open asks for it %s;"
                           " open it %s FU_CONTACT_LOG_STORE_RAW_TEXT (store_raw_text) as it was created",
                           stored ? "raw" : "masked", raw ? "raw" : "masked", stored ? "with" : "without");
    return rc;
}

static int configure(fu_contact_log *l, int memory) {
    int ro = (l->opts.flags & FU_CONTACT_LOG_READONLY) != 0;
    sqlite3_extended_result_codes(l->db, 1);
    sqlite3_busy_timeout(l->db, l->opts.busy_timeout_ms ? l->opts.busy_timeout_ms : 5000);
    /* a file that is not a database fails here, with a clear message */
    int rc = exec(l, "SELECT count(*) FROM sqlite_master", "reading the file");
    if (rc == FU_OK && !memory) rc = integrity(l);
    int64_t v = 0;
    if (rc == FU_OK) rc = schema_version(l, &v);
    if (rc == FU_OK) rc = check_identity(l, v); /* before anything is written */
    if (rc == FU_OK && !memory && !ro)
        rc = fu__db_wal(l->db, "contact log", l->opts.busy_timeout_ms ? l->opts.busy_timeout_ms : 5000);
    if (rc == FU_OK)
        rc = exec(l, (l->opts.flags & FU_CONTACT_LOG_SYNC_NORMAL) ? "PRAGMA synchronous=NORMAL"
                                                                  : "PRAGMA synchronous=FULL", "synchronous");
    if (rc == FU_OK) rc = exec(l, "PRAGMA cache_size=-16384", "cache size");
    if (rc == FU_OK) rc = migrate(l);
    if (rc == FU_OK) rc = text_mode(l, ro);
    if (rc == FU_OK && !ro) {
        rc = fu__db_prepare(l->db, "contact log",
                            "INSERT INTO contact_log(customer_id, at, channel, outcome, priority, agent_id,"
                            " rule, order_id, duration, callback_at) VALUES(?1,?2,?3,?4,?5,?6,?7,?8,?9,?10)",
                            &l->st_insert);
    }
    return rc;
}

int fu_contact_log_open(fu_contact_log **out, const char *path, const fu_contact_log_options *opts) {
    if (!out) return fu__error_set(FU_EINVAL, "fu_contact_log_open: out is NULL");
    *out = NULL;
    fu_contact_log_options def = FU_CONTACT_LOG_OPTIONS_INIT;
    if (!opts) opts = &def;
    if (opts->version != FU_CONTACT_LOG_OPTIONS_VERSION)
        return fu__error_set(FU_EINVAL, "fu_contact_log_options: unknown version %u", opts->version);
    if (opts->flags & ~(FU_CONTACT_LOG_READONLY | FU_CONTACT_LOG_SYNC_NORMAL | FU_CONTACT_LOG_STORE_RAW_TEXT))
        return fu__error_set(FU_EINVAL, "fu_contact_log_options: unknown flags 0x%x", opts->flags);
    if (opts->busy_timeout_ms < 0) return fu__error_set(FU_EINVAL, "fu_contact_log_options: busy_timeout_ms < 0");
    int memory = !path;
    int ro = (opts->flags & FU_CONTACT_LOG_READONLY) != 0;
    if (memory && ro) return fu__error_set(FU_EINVAL, "contact log: a log in memory cannot be read-only");
    if (!memory) {
        int rc = check_path(path);
        if (rc == FU_OK && !ro) rc = create_private(path);
        if (rc) return rc;
    }
    fu_contact_log *l = fu__calloc(1, sizeof *l);
    if (!l) return fu__error_nomem();
    l->opts = *opts;
    if (fu__guard_mutex_init(&l->mu)) {
        fu__free(l);
        return FU_ENOMEM;
    }
    l->has_mu = 1;
    int flags = (ro ? SQLITE_OPEN_READONLY : SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE) | SQLITE_OPEN_NOMUTEX;
    int src = sqlite3_open_v2(memory ? ":memory:" : path, &l->db, flags, NULL);
    int rc = FU_OK;
    if (src != SQLITE_OK)
        rc = src == SQLITE_NOMEM ? fu__error_nomem()
                                 : fu__error_set(FU_EDB, "contact log: cannot open '%s': %s", memory ? ":memory:" : path,
                                                 l->db ? sqlite3_errmsg(l->db) : sqlite3_errstr(src));
    if (rc == FU_OK) rc = configure(l, memory);
    if (rc == FU_OK && !memory) {
        fu__buf b = FU__BUF_INIT;
        if (fu__buf_printf(&b, "contact log '%s'", path) != FU_OK || b.failed) {
            fu__buf_free(&b);
            rc = fu__error_nomem();
        } else {
            l->label = b.data;
        }
    }
    if (rc != FU_OK) {
        fu_contact_log_close(l);
        return rc;
    }
    *out = l;
    return FU_OK;
}

/* ------------------------------------------------------------- appending */

static void bind_text(sqlite3_stmt *st, int i, const char *s) {
    if (s && *s) sqlite3_bind_text(st, i, s, -1, SQLITE_STATIC);
    else sqlite3_bind_null(st, i);
}

static int insert_one(fu_contact_log *l, const fu_contact_record *r) {
    sqlite3_stmt *st = l->st_insert;
    char *agent = NULL, *rule = NULL; /* masked copies */
    if (fu__contact_log_masks(l)) {
        int rc = fu__contact_mask(&l->red, r->agent_id, &agent);
        if (rc == FU_OK) rc = fu__contact_mask(&l->red, r->rule, &rule);
        if (rc) {
            fu_free(agent);
            return rc;
        }
    }
    sqlite3_bind_text(st, 1, r->customer_id, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 2, r->at);
    sqlite3_bind_text(st, 3, fu_channel_name((int)r->channel), -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 4, outcome_names[r->outcome], -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 5, fu_priority_name((int)r->priority), -1, SQLITE_STATIC);
    bind_text(st, 6, agent ? agent : r->agent_id);
    bind_text(st, 7, rule ? rule : r->rule);
    bind_text(st, 8, r->order_id);
    if (r->duration >= 0) sqlite3_bind_int64(st, 9, r->duration);
    else sqlite3_bind_null(st, 9);
    if (r->callback_at != FU_BOOK_NO_TIME) sqlite3_bind_int64(st, 10, r->callback_at);
    else sqlite3_bind_null(st, 10);
    int src = sqlite3_step(st);
    sqlite3_reset(st);
    sqlite3_clear_bindings(st);
    fu_free(agent);
    fu_free(rule);
    return src == SQLITE_DONE ? FU_OK : db_fail(l, src, "appending a record");
}

/* Append n validated records in the open transaction, then commit it (or
 * roll it back on failure). */
static int append_commit(fu_contact_log *l, const fu_contact_record *r, size_t n, int64_t *seq_out) {
    int rc = FU_OK;
    for (size_t i = 0; i < n && rc == FU_OK; i++) rc = insert_one(l, &r[i]);
    int64_t last = sqlite3_last_insert_rowid(l->db);
    rc = finish(l, rc);
    if (rc == FU_OK && seq_out) *seq_out = last - (int64_t)n + 1;
    return rc;
}

int fu_contact_log_append(fu_contact_log *l, const fu_contact_record *r, size_t n, int64_t *seq_out) {
    if (!l || (!r && n)) return fu__error_set(FU_EINVAL, "fu_contact_log_append: %s is NULL", !l ? "log" : "records");
    if (l->opts.flags & FU_CONTACT_LOG_READONLY) return fu__error_set(FU_ESTATE, "contact log: opened read-only");
    for (size_t i = 0; i < n; i++) {
        int rc = fu_contact_record_validate(&r[i]);
        if (rc) {
            fu__error_prefix("record %zu", i);
            return rc;
        }
    }
    if (!n) {
        if (seq_out) *seq_out = 0;
        return FU_OK;
    }
    log_lock(l);
    int rc = exec(l, "BEGIN IMMEDIATE", "begin");
    if (rc == FU_OK) rc = append_commit(l, r, n, seq_out);
    log_unlock(l);
    return rc;
}

/* For fu_guard_check_and_record(): hold the write lock (other writers wait,
 * up to the busy timeout) while the guard reads what they appended, checks
 * and appends; end() rolls back what is still open. */
int fu__contact_log_begin(fu_contact_log *l);
int fu__contact_log_begin(fu_contact_log *l) {
    if (l->opts.flags & FU_CONTACT_LOG_READONLY) return fu__error_set(FU_ESTATE, "contact log: opened read-only");
    log_lock(l); /* held until fu__contact_log_end() */
    int rc = exec(l, "BEGIN IMMEDIATE", "begin");
    if (rc) log_unlock(l);
    return rc;
}

int fu__contact_log_append_commit(fu_contact_log *l, const fu_contact_record *r, size_t n, int64_t *seq_out);
int fu__contact_log_append_commit(fu_contact_log *l, const fu_contact_record *r, size_t n, int64_t *seq_out) {
    return append_commit(l, r, n, seq_out);
}

void fu__contact_log_end(fu_contact_log *l);
void fu__contact_log_end(fu_contact_log *l) {
    if (!sqlite3_get_autocommit(l->db)) sqlite3_exec(l->db, "ROLLBACK", NULL, NULL, NULL);
    log_unlock(l);
}

int fu_contact_log_count(fu_contact_log *l, size_t *out) {
    if (!l || !out) return fu__error_set(FU_EINVAL, "fu_contact_log_count: %s is NULL", !l ? "log" : "out");
    int64_t v = 0;
    log_lock(l);
    int rc = int_query(l, "SELECT count(*) FROM contact_log", &v, "counting");
    log_unlock(l);
    *out = (size_t)v;
    return rc;
}

/* ------------------------------------------------------------- reading */

static int enum_of(const char *s, int (*parse)(const char *, size_t, void *), void *out) {
    return parse(s ? s : "", s ? strlen(s) : 0, out);
}

static int parse_channel(const char *s, size_t n, void *o) { return fu_channel_from_string(s, n, o); }
static int parse_outcome(const char *s, size_t n, void *o) { return fu_guard_outcome_from_string(s, n, o); }

static int parse_priority(const char *s, size_t n, void *o) {
    for (int p = 0; p < 4; p++)
        if (ieq(s, n, fu_priority_name(p))) {
            *(fu_priority *)o = (fu_priority)p;
            return FU_OK;
        }
    char q[FU_ERRTEXT_CELL_CAP];
    return fu__error_set(FU_EPARSE, "unknown priority '%s'", fu__errtext_cell(q, sizeof q, s, n));
}

/* A stored value that no writer of this library makes (a damaged or
 * foreign-written log): FU_EDB naming the record and the column. */
static int bad_value(const fu_contact_log *l, sqlite3_stmt *st, int col, int64_t seq, const char *what) {
    const char *name = sqlite3_column_name(st, col);
    return fu__error_set(FU_EDB, "%s: record %lld: %s %s (a damaged or foreign-written log; restore it from a backup)",
                         label(l), (long long)seq, name ? name : "?", what);
}

/* Integer column col: SQLite keeps text in an INTEGER column ('yesterday'
 * would read as 0), so its type is checked before its value, lo..hi. */
static int check_int(const fu_contact_log *l, sqlite3_stmt *st, int col, int64_t lo, int64_t hi, int nullable,
                     int64_t seq) {
    int type = sqlite3_column_type(st, col);
    if (type == SQLITE_NULL && nullable) return FU_OK;
    if (type != SQLITE_INTEGER)
        return bad_value(l, st, col, seq,
                         type == SQLITE_NULL ? "is NULL, not an integer"
                         : type == SQLITE_FLOAT ? "is a real, not an integer" : "is text, not an integer");
    int64_t v = sqlite3_column_int64(st, col);
    if (v >= lo && v <= hi) return FU_OK;
    char what[96];
    if (lo == FU__TIME_MIN) snprintf(what, sizeof what, "%lld is not a time of years 1..9999", (long long)v);
    else snprintf(what, sizeof what, "%lld is outside %lld..%lld", (long long)v, (long long)lo, (long long)hi);
    return bad_value(l, st, col, seq, what);
}

/* Text column col: no NUL inside (it would cut the text silently). */
static int check_text(const fu_contact_log *l, sqlite3_stmt *st, int col, int64_t seq) {
    const char *s = (const char *)sqlite3_column_text(st, col);
    size_t n = (size_t)sqlite3_column_bytes(st, col);
    return s && memchr(s, '\0', n) ? bad_value(l, st, col, seq, "holds a NUL byte") : FU_OK;
}

static int check_row(const fu_contact_log *l, sqlite3_stmt *st, int64_t seq) {
    int rc = check_int(l, st, 2, FU__TIME_MIN, FU__TIME_MAX, 0, seq);
    if (rc == FU_OK) rc = check_int(l, st, 9, 0, FU_CONTACT_MAX_DURATION, 1, seq);
    if (rc == FU_OK) rc = check_int(l, st, 10, FU__TIME_MIN, FU__TIME_MAX, 1, seq);
    for (int col = 1; col <= 8 && rc == FU_OK; col++)
        if (col != 2) rc = check_text(l, st, col, seq);
    return rc;
}

static int row_record(const fu_contact_log *l, sqlite3_stmt *st, fu_contact_record *r) {
    fu_contact_record_init(r);
    r->seq = sqlite3_column_int64(st, 0);
    int rc = check_row(l, st, r->seq);
    if (rc) return rc;
    r->customer_id = (const char *)sqlite3_column_text(st, 1);
    r->at = sqlite3_column_int64(st, 2);
    if (enum_of((const char *)sqlite3_column_text(st, 3), parse_channel, &r->channel) ||
        enum_of((const char *)sqlite3_column_text(st, 4), parse_outcome, &r->outcome) ||
        enum_of((const char *)sqlite3_column_text(st, 5), parse_priority, &r->priority)) {
        fu__error_prefix("%s: record %lld", label(l), (long long)r->seq);
        return FU_EDB;
    }
    r->agent_id = (const char *)sqlite3_column_text(st, 6);
    r->rule = (const char *)sqlite3_column_text(st, 7);
    r->order_id = (const char *)sqlite3_column_text(st, 8);
    if (sqlite3_column_type(st, 9) != SQLITE_NULL) r->duration = sqlite3_column_int64(st, 9);
    if (sqlite3_column_type(st, 10) != SQLITE_NULL) r->callback_at = sqlite3_column_int64(st, 10);
    if (!r->customer_id || !*r->customer_id)
        return fu__error_set(FU_EDB, "%s: record %lld has no customer", label(l), (long long)r->seq);
    return FU_OK;
}


/* Hand every row of the bound statement st to fn, in order. */
static int each_record(fu_contact_log *l, sqlite3_stmt *st, fu_contact_log_fn fn, void *ud) {
    int src, rc = FU_OK;
    while ((src = sqlite3_step(st)) == SQLITE_ROW) {
        fu_contact_record r;
        if ((rc = row_record(l, st, &r))) break;
        if ((rc = fn(ud, &r))) break;
    }
    if (rc == FU_OK && src != SQLITE_DONE) rc = db_fail(l, src, "reading");
    return rc;
}

/* fu_contact_log_read() runs the caller's callback without the log's lock:
 * a callback that asks a guard sharing this log (which takes the guard's
 * lock, then the log's) would otherwise wait for ever on a thread in
 * fu_guard_check_and_record() (the guard's lock, then the log's; review
 * r2 M4). So it copies the rows out under the lock, a batch at a time, and
 * calls back after releasing it. */
#define READ_BATCH 256

typedef struct read_batch {
    fu_contact_record r[READ_BATCH];
    size_t off[READ_BATCH][4]; /* customer_id, agent_id, rule, order_id: offset + 1 in txt, 0: NULL */
    char *txt;
    size_t ntxt, txt_cap, n;
} read_batch;

static int batch_text(read_batch *b, const char *s, size_t *off) {
    *off = 0;
    if (!s) return FU_OK;
    size_t len = strlen(s) + 1;
    if (b->ntxt + len > b->txt_cap && FU_GROW(b->txt, b->txt_cap, b->ntxt + len)) return FU_ENOMEM;
    memcpy(b->txt + b->ntxt, s, len);
    *off = b->ntxt + 1;
    b->ntxt += len;
    return FU_OK;
}

/* Copy the record r (its texts borrowed from the statement) into b. */
static int batch_add(read_batch *b, const fu_contact_record *r) {
    size_t *o = b->off[b->n];
    if (batch_text(b, r->customer_id, &o[0]) || batch_text(b, r->agent_id, &o[1]) || batch_text(b, r->rule, &o[2]) ||
        batch_text(b, r->order_id, &o[3]))
        return FU_ENOMEM;
    b->r[b->n++] = *r;
    return FU_OK;
}

/* The texts' pointers, once the batch's text no longer moves. */
static void batch_fix(read_batch *b) {
    for (size_t i = 0; i < b->n; i++) {
        const char **p[4] = {&b->r[i].customer_id, &b->r[i].agent_id, &b->r[i].rule, &b->r[i].order_id};
        for (int k = 0; k < 4; k++) *p[k] = b->off[i][k] ? b->txt + b->off[i][k] - 1 : NULL;
    }
}

/* Up to READ_BATCH records with after < seq <= upto into b (those before a
 * bad row too: the reading reports them, then the error). */
static int batch_read_locked(fu_contact_log *l, int64_t after, int64_t upto, const char *customer_id, read_batch *b) {
    sqlite3_stmt *st = NULL;
    const char *sql = customer_id
                          ? RECORD_SELECT " WHERE seq > ?1 AND seq <= ?3 AND customer_id = ?2 ORDER BY seq LIMIT ?4"
                          : RECORD_SELECT " WHERE seq > ?1 AND seq <= ?3 ORDER BY seq LIMIT ?4";
    b->n = b->ntxt = 0;
    int src = sqlite3_prepare_v2(l->db, sql, -1, &st, NULL), rc = FU_OK;
    if (src != SQLITE_OK) return db_fail(l, src, "reading");
    sqlite3_bind_int64(st, 1, after);
    sqlite3_bind_int64(st, 3, upto);
    sqlite3_bind_int(st, 4, READ_BATCH);
    if (customer_id) sqlite3_bind_text(st, 2, customer_id, -1, SQLITE_STATIC);
    while ((src = sqlite3_step(st)) == SQLITE_ROW) {
        fu_contact_record r;
        if ((rc = row_record(l, st, &r)) || (rc = batch_add(b, &r))) break;
    }
    if (rc == FU_OK && src != SQLITE_DONE) rc = db_fail(l, src, "reading");
    sqlite3_finalize(st);
    batch_fix(b);
    return rc;
}

/* Hand b's records to fn; then the batch's own error `brc` (its message
 * kept across the callbacks, which may set and clear errors of their own). */
static int batch_deliver(read_batch *b, int brc, fu_contact_log_fn fn, void *ud) {
    char msg[512] = "";
    if (brc) snprintf(msg, sizeof msg, "%s", fu_error_last()->message);
    for (size_t i = 0; i < b->n; i++) {
        int rc = fn(ud, &b->r[i]);
        if (rc) return rc;
    }
    return brc ? fu__error_set(brc, "%s", msg) : FU_OK;
}

int fu_contact_log_read(fu_contact_log *l, int64_t after_seq, const char *customer_id, fu_contact_log_fn fn,
                        void *ud) {
    if (!l || !fn) return fu__error_set(FU_EINVAL, "fu_contact_log_read: %s is NULL", !l ? "log" : "fn");
    read_batch *b = fu__calloc(1, sizeof *b);
    if (!b) return fu__error_nomem();
    int64_t upto = 0; /* the records there are when the reading starts */
    log_lock(l);
    int rc = int_query(l, "SELECT coalesce(max(seq), 0) FROM contact_log", &upto, "reading");
    log_unlock(l);
    for (int64_t after = after_seq; rc == FU_OK;) {
        log_lock(l);
        int brc = batch_read_locked(l, after, upto, customer_id, b);
        log_unlock(l);
        rc = batch_deliver(b, brc, fn, ud);
        if (b->n < READ_BATCH) break;
        after = b->r[b->n - 1].seq;
    }
    fu__free(b->txt);
    fu__free(b);
    return rc;
}

/* ------------------------------------------------------------- to a book */

fu_outcome fu__guard_book_outcome(fu_guard_outcome o);
fu_outcome fu__guard_book_outcome(fu_guard_outcome o) {
    switch (o) {
    case FU_GUARD_ANSWERED: return FU_OUTCOME_ANSWERED;
    case FU_GUARD_CALLBACK: return FU_OUTCOME_CALLBACK_REQUESTED;
    case FU_GUARD_NO_ANSWER: return FU_OUTCOME_NO_ANSWER;
    case FU_GUARD_BUSY: return FU_OUTCOME_BUSY;
    case FU_GUARD_WRONG_NUMBER: return FU_OUTCOME_WRONG_NUMBER;
    case FU_GUARD_VOICEMAIL: return FU_OUTCOME_VOICEMAIL;
    case FU_GUARD_REFUSED: return FU_OUTCOME_REFUSED;
    default: return FU_OUTCOME_NONE;
    }
}

typedef struct load_ctx {
    fu_event_in *ev;
    size_t n, cap;
} load_ctx;

static void load_free(load_ctx *c) {
    for (size_t i = 0; i < c->n; i++) {
        fu__free((char *)c->ev[i].customer_id);
        fu__free((char *)c->ev[i].agent_id);
        fu__free((char *)c->ev[i].order_id);
        fu__free((char *)c->ev[i].note);
    }
    fu__free(c->ev);
}

static char *dup_opt(const char *s, int *fail) {
    if (!s || !*s) return NULL;
    char *d = fu__strdup(s);
    if (!d) *fail = 1;
    return d;
}

static const char *const book_notes[FU_GUARD_OUTCOME_COUNT] = {
    "guard:attempted", "guard:answered", "guard:no_answer", "guard:busy", "guard:voicemail", "guard:refused",
    "guard:wrong_number", "guard:callback_requested"};

static int load_one(void *ud, const fu_contact_record *r) {
    load_ctx *c = ud;
    if (c->n == c->cap && FU_GROW(c->ev, c->cap, c->n + 1)) return FU_ENOMEM;
    fu_event_in *ev = &c->ev[c->n];
    fu_event_in_init(ev);
    int fail = 0;
    ev->customer_id = dup_opt(r->customer_id, &fail);
    ev->agent_id = dup_opt(r->agent_id, &fail);
    ev->order_id = dup_opt(r->order_id, &fail);
    /* A call-back's note is the time asked for, which the planner's redial
     * rule reads (as in an events file); other notes name the guard outcome. */
    char when[FU_TIME_TEXT_SIZE];
    const char *note = book_notes[r->outcome];
    if (r->outcome == FU_GUARD_CALLBACK && r->callback_at != FU_BOOK_NO_TIME &&
        fu_time_format(r->callback_at, 0, FU_TIME_FORMAT_Z, when, sizeof when) == FU_OK)
        note = when;
    ev->note = dup_opt(note, &fail);
    c->n++; /* freed by load_free() even when a copy failed */
    if (fail) return fu__error_nomem();
    ev->at = r->at;
    ev->kind = FU_EVENT_CONTACT;
    ev->channel = r->channel;
    ev->outcome = fu__guard_book_outcome(r->outcome);
    return FU_OK;
}

int fu_contact_log_load_book(fu_contact_log *l, fu_book *book) {
    if (!l || !book) return fu__error_set(FU_EINVAL, "fu_contact_log_load_book: %s is NULL", !l ? "log" : "book");
    load_ctx c = {NULL, 0, 0};
    int rc = fu_contact_log_read(l, 0, NULL, load_one, &c);
    if (rc == FU_OK && c.n) {
        rc = fu_book_add_events(book, c.ev, c.n); /* all or nothing */
        if (rc) fu__error_prefix("contact log");
    }
    load_free(&c);
    if (rc) return rc;
    return fu_book_finalize(book);
}

/* ------------------------------------------------------------- for the guard */

int fu__contact_log_read_all(fu_contact_log *l, fu_contact_log_fn fn, void *ud, int64_t *max_seq);
/* Every record in seq order, in one read snapshot with the highest seq it
 * holds. */
static int read_all_locked(fu_contact_log *l, fu_contact_log_fn fn, void *ud, int64_t *max_seq) {
    int rc = exec(l, "BEGIN", "begin");
    if (rc) return rc;
    rc = int_query(l, "SELECT coalesce(max(seq), 0) FROM contact_log", max_seq, "reading");
    sqlite3_stmt *st = NULL;
    int src = SQLITE_OK;
    if (rc == FU_OK) {
        src = sqlite3_prepare_v2(l->db, RECORD_SELECT " WHERE seq <= ?1 ORDER BY seq", -1, &st, NULL);
        if (src != SQLITE_OK) rc = db_fail(l, src, "reading");
    }
    if (rc == FU_OK) {
        sqlite3_bind_int64(st, 1, *max_seq);
        rc = each_record(l, st, fn, ud);
    }
    sqlite3_finalize(st);
    sqlite3_exec(l->db, "COMMIT", NULL, NULL, NULL);
    return rc;
}

int fu__contact_log_read_all(fu_contact_log *l, fu_contact_log_fn fn, void *ud, int64_t *max_seq) {
    log_lock(l);
    int rc = read_all_locked(l, fn, ud, max_seq);
    log_unlock(l);
    return rc;
}
