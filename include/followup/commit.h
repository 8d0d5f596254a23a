/**
 * @file followup/commit.h
 * @brief Commitment tracking: a ledger of promises made to customers, their
 * deadlines in business time, escalation, and extraction of promises from
 * free-text notes.
 *
 * **Ledger.** A #fu_ledger holds commitments (#fu_commitment). Each has a
 * deadline, computed at registration from a promised duration in the
 * customer's business calendar (or given directly), and a state:
 *
 *     open ──(deadline passes)──► breached ──(fulfilled late)──► fulfilled
 *       │ └──────────────(fulfilled)───────────────────────────► fulfilled
 *       └─────────────(cancelled)──────────────────────────────► cancelled
 *
 * (a breached commitment may also be cancelled). fu_ledger_tick() applies the
 * escalation rules of #fu_ledger_options up to an instant:
 * - `commitments.warn_at`: a warning when the share `warn_share` (default 75%)
 *   of the allowed time (created → deadline) has passed; the state stays open
 *   and the commitment is "at risk";
 * - `commitments.breach_at`: open → breached at `breach_share` (default 100%)
 *   of the allowed time, i.e. at the deadline;
 * - `commitments.escalate_after`: one escalation level up for every
 *   `escalate_after` (default 48 h) it stays breached, up to `max_level`.
 * Every transition is an event (#fu_commit_event) timestamped with the
 * instant its rule fell due (not the instant of the tick that noticed it)
 * and named after the rule, so the history does not depend on how often the
 * host ticks. Fulfilling or cancelling at time `at` first applies the rules
 * up to `at`.
 *
 * **Storage.** The ledger is an SQLite database: in memory (path NULL) or a
 * file. A file is opened in WAL mode with `synchronous=FULL`: a call that
 * returned #FU_OK (an *acknowledged* write) survives a crash of the process
 * or the machine, and a bulk add is one transaction, all or nothing. Other
 * processes may read the file while one writes. The schema is versioned
 * (`PRAGMA user_version`, #FU_LEDGER_SCHEMA_VERSION) and older files are
 * migrated when opened for writing. SQLite allocates with its own allocator,
 * not the one set with fu_set_allocator().
 *
 * **Privacy.** Commitment texts and the free-text fields (category, owner,
 * created_by, the `by` of a close) are masked with a #fu_redactor before
 * they are stored, unless the host opts out with #FU_LEDGER_STORE_RAW_TEXT;
 * the owner filter of a query is masked the same way, so it still matches.
 * Every text must be well-formed UTF-8 (#FU_EINVAL naming the field and the
 * byte offset otherwise).
 *
 * **Extraction.** A #fu_extractor finds promises in notes ("3个工作日内解决",
 * "within 2 business days", "by Friday", ...) with PCRE2 patterns and turns
 * each into a deadline relative to the note's time in the customer's
 * calendar; it also flags risky promises ("保证今天修好", "guarantee").
 *
 * Threads: a ledger and an extractor are used by one thread at a time.
 *
 * **Conventions of every call below** (each function's comment names its
 * case in an "Owns:" / "Borrows:" / "Threads:" line, as cmark does):
 * - *Owned* results: a ledger (fu_ledger_close()), a #fu_commitment_list
 *   (fu_commitment_list_free()), an extractor (fu_extractor_free()) and an
 *   extraction (fu_extraction_free()) handed out through `[out]` belong to
 *   the caller.
 * - *Borrowed* results: a #fu_commitment, its strings and its `events` live
 *   until their list is freed (a list does not borrow from its ledger and may
 *   outlive it). In a #fu_promise and a #fu_risk, `text` and `reason` live
 *   until the extraction is freed; `rule` is borrowed from the *extractor*
 *   (the pattern's name) and lives until fu_extractor_free() ("min_lead" is
 *   static): keep the extractor while reading rules.
 * - *Inputs*: texts of a #fu_commit_input, query filters and patterns are
 *   copied or used during the call only, except #fu_ledger_options.redactor
 *   and #fu_commit_input.calendar (borrowed for the call; the redactor for the
 *   ledger's life).
 * - *Threads*: "changes" = one thread at a time on that handle (a ledger is
 *   one SQLite connection; every call on it, reads included, is "changes");
 *   "reads" = any number of threads at once on a handle nothing changes;
 *   "any" = no shared state. Distinct ledgers, also on one file, may be used
 *   from distinct threads or processes at once.
 * - *Units*: every instant (`at`, `created_at`, `deadline`, `warn_at`,
 *   `breach_at`, `closed_at`, query `from`/`to`/`now`) is `int64_t` UTC
 *   seconds since 1970-01-01T00:00:00Z; durations are seconds
 *   (`escalate_after`, `min_lead_seconds`) or a #fu_duration (value and
 *   unit); `warn_share`/`breach_share` are fractions of the allowed time
 *   (0.75 = 75%); `minute_of_day` is minutes after local midnight; the one
 *   exception is `busy_timeout_ms`, in milliseconds (SQLite's unit).
 */
#ifndef FOLLOWUP_COMMIT_H
#define FOLLOWUP_COMMIT_H

#include "followup/calendar.h"
#include "followup/common.h"
#include "followup/policy.h"
#include "followup/redact.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ===================================================================== */
/** @name Commitments
 *  @{ */

/** The state of a commitment. Open and breached are "unresolved". */
typedef enum fu_commit_state {
    FU_COMMIT_STATE_NONE = -1, /**< no state yet: fu_commit_event.from_state of a creation */
    FU_COMMIT_OPEN = 0,      /**< promised, deadline not reached */
    FU_COMMIT_BREACHED = 1,  /**< the deadline passed unresolved */
    FU_COMMIT_FULFILLED = 2, /**< kept (on time or late) */
    FU_COMMIT_CANCELLED = 3  /**< withdrawn; counts in no rate */
} fu_commit_state;

/** What happened to a commitment. */
typedef enum fu_commit_event_kind {
    FU_COMMIT_EV_CREATED = 0,
    FU_COMMIT_EV_WARNED = 1,
    FU_COMMIT_EV_BREACHED = 2,
    FU_COMMIT_EV_ESCALATED = 3,
    FU_COMMIT_EV_FULFILLED = 4,
    FU_COMMIT_EV_CANCELLED = 5
} fu_commit_event_kind;

/** One entry of a commitment's history. Strings are borrowed from the list. */
typedef struct fu_commit_event {
    int64_t at;       /**< when the rule fell due / the call's `at` */
    fu_commit_event_kind kind; /**< what happened */
    fu_commit_state from_state; /**< state before (#FU_COMMIT_STATE_NONE = -1 for creation) */
    fu_commit_state to_state;   /**< state after */
    int level;                  /**< escalation level after the event */
    const char *rule; /**< "commitments.breach_at", "api.fulfill", an extraction rule */
    const char *by;   /**< who acted ("" for rules) */
} fu_commit_event;

/** "open", "breached", "fulfilled", "cancelled"; "unknown" otherwise.
 *  Static storage. Threads: any. */
FU_EXTERN const char *fu_commit_state_name(fu_commit_state state);
/** "created", "warned", "breached", "escalated", "fulfilled", "cancelled";
 *  "unknown" otherwise. Static storage. Threads: any. */
FU_EXTERN const char *fu_commit_event_name(fu_commit_event_kind kind);

/** Marks "no instant given" in #fu_commit_input.deadline. */
#define FU_COMMIT_NO_TIME INT64_MIN

/**
 * A commitment to register. Strings are copied. Either `deadline` is given,
 * or it is computed from `promised` in `calendar`:
 * - #FU_DURATION_SECONDS: `created_at` + seconds (wall time);
 * - #FU_DURATION_BUSINESS_SECONDS: fu_calendar_add_business();
 * - #FU_DURATION_WORKING_DAYS: fu_calendar_add_working_days(), close of
 *   business of the target day;
 * - #FU_DURATION_MONTHS: the same local time `value` months later (the day
 *   clamped to the month's last).
 * `calendar` may be NULL only for #FU_DURATION_SECONDS.
 */
typedef struct fu_commit_input {
    unsigned int version;      /**< #FU_COMMIT_INPUT_VERSION */
    const char *customer_id;   /**< required, non-empty */
    const char *text;          /**< the promise as said or written (masked on store) */
    const char *category;      /**< e.g. "repair", "refund"; NULL: "" */
    const char *owner;         /**< responsible department; NULL: "" */
    const char *created_by;    /**< agent id; NULL: "" */
    int64_t created_at;        /**< when the promise was made */
    int64_t deadline;          /**< #FU_COMMIT_NO_TIME to compute it from `promised` */
    fu_duration promised;      /**< the promised duration (value >= 0) */
    const fu_calendar *calendar; /**< the customer's calendar (borrowed) */
    const char *rule;          /**< what produced it (an extraction rule); NULL: "api.add" */
} fu_commit_input;

#define FU_COMMIT_INPUT_VERSION 1
#define FU_COMMIT_INPUT_INIT \
    { FU_COMMIT_INPUT_VERSION, NULL, NULL, NULL, NULL, NULL, 0, FU_COMMIT_NO_TIME, {0, FU_DURATION_SECONDS}, NULL, NULL }

/** Fill `in` with the defaults (same as #FU_COMMIT_INPUT_INIT); NULL is a
 *  no-op. Threads: any. */
FU_EXTERN void fu_commit_input_init(fu_commit_input *in);

/** A stored commitment. Strings and events are borrowed from its list. */
typedef struct fu_commitment {
    int64_t id;              /**< assigned by the ledger, > 0 */
    const char *customer_id;
    const char *text;        /**< masked unless the ledger stores raw text */
    const char *category;
    const char *owner;
    const char *created_by;
    const char *rule;        /**< what produced it */
    int64_t created_at;
    int64_t deadline;
    int64_t warn_at;         /**< when it becomes at risk */
    int64_t breach_at;       /**< when it is breached (the deadline by default) */
    fu_commit_state state;   /**< where it stands */
    int warned;              /**< 1 once the warning was raised */
    int level;               /**< escalation level, 0 = not escalated */
    int64_t closed_at;       /**< fulfilled/cancelled at; #FU_COMMIT_NO_TIME when unresolved */
    const fu_commit_event *events; /**< history, oldest first (see #FU_QUERY_EVENTS) */
    size_t n_events;
} fu_commitment;

/** A list of commitments handed out by the ledger (opaque). Threads: read-only,
 *  may be shared. */
typedef struct fu_commitment_list fu_commitment_list;

/** Number of commitments in a list (0 for NULL). Threads: reads. */
FU_EXTERN size_t fu_commitment_list_count(const fu_commitment_list *list);
/** The `i`th commitment, borrowed from the list (with its strings and
 *  events, valid until fu_commitment_list_free()); NULL when out of range.
 *  Threads: reads. */
FU_EXTERN const fu_commitment *fu_commitment_list_get(const fu_commitment_list *list, size_t i);
/** Free a list and everything borrowed from it. NULL is a no-op.
 *  Threads: changes. */
FU_EXTERN void fu_commitment_list_free(fu_commitment_list *list);

/** @} */

/* ===================================================================== */
/** @name The ledger
 *  @{ */

/** The schema version this library writes (PRAGMA user_version). */
#define FU_LEDGER_SCHEMA_VERSION 3

/** Open an existing ledger file read-only (no migration, no writes). */
#define FU_LEDGER_READONLY 0x1u
/** Store commitment texts as given: the host opts out of masking. */
#define FU_LEDGER_STORE_RAW_TEXT 0x2u
/** `synchronous=NORMAL` instead of FULL: faster, and an acknowledged write
 *  survives a crash of the process but not necessarily of the machine. */
#define FU_LEDGER_SYNC_NORMAL 0x4u
/** Skip the integrity check on open (`PRAGMA quick_check`, which reads the
 *  whole file: about 0.5 s per 100 MB). Only for a host that checks the file
 *  itself; a damaged file is otherwise refused with #FU_EDB. */
#define FU_LEDGER_NO_CHECK 0x8u

/** Escalation rules and storage options. Defaults follow the built-in policy. */
typedef struct fu_ledger_options {
    unsigned int version;     /**< #FU_LEDGER_OPTIONS_VERSION */
    double warn_share;        /**< (0, breach_share]: at risk after this share of the allowed time; 0.75 */
    double breach_share;      /**< [warn_share, 2]: breached after this share; 1.0 */
    int64_t escalate_after;   /**< seconds breached per escalation level, > 0; 48 h */
    int max_level;            /**< highest escalation level, >= 0; 3 */
    unsigned int flags;       /**< #FU_LEDGER_READONLY, #FU_LEDGER_STORE_RAW_TEXT, #FU_LEDGER_SYNC_NORMAL, #FU_LEDGER_NO_CHECK */
    fu_redactor *redactor;    /**< masks texts (borrowed, must outlive the ledger); NULL: a default one */
    int busy_timeout_ms;      /**< wait this long for another process's lock; 0: 5000 */
} fu_ledger_options;

#define FU_LEDGER_OPTIONS_VERSION 1
#define FU_LEDGER_OPTIONS_INIT { FU_LEDGER_OPTIONS_VERSION, 0.75, 1.0, 48 * 3600, 3, 0, NULL, 0 }

/** Fill `opts` with the defaults (same as #FU_LEDGER_OPTIONS_INIT).
 *  Threads: any. */
FU_EXTERN void fu_ledger_options_init(fu_ledger_options *opts);

/**
 * Escalation rules from a policy's `commitments` section (`warn_at`,
 * `breach_at`, `escalate_after`); the other fields keep their defaults.
 * The policy is read during the call only (may be shared: policies are
 * immutable). Threads: any.
 * @return #FU_OK; #FU_EPOLICY when `escalate_after` is not in wall time;
 *         #FU_EINVAL.
 */
FU_EXTERN int fu_ledger_options_from_policy(const fu_policy *policy, fu_ledger_options *opts);

/** A commitment ledger (opaque). Threads: one thread at a time (one SQLite
 *  connection); several ledgers on one file, in threads or processes, are fine. */
typedef struct fu_ledger fu_ledger;

/**
 * Open (or create) a ledger.
 * A file is given by a plain path: `":memory:"`, an empty path and SQLite
 * URIs (`file:...`) are refused with #FU_EINVAL (they would store nothing,
 * or somewhere else than the name says). A new file is created with mode
 * 0600 (its -wal and -shm files get the same). On open the file is checked
 * with `PRAGMA quick_check` (unless #FU_LEDGER_NO_CHECK): a damaged file is
 * refused. A database that is not a ledger (another application id, other
 * tables, missing columns) is refused as "not a follow-up ledger". A
 * read-only open needs an existing, non-empty ledger and writes nothing; in
 * a directory the process cannot write it reads the file as immutable
 * (provided no write-ahead log is pending).
 *
 * @param[out] out the ledger, owned by the caller (fu_ledger_close())
 * @param path     a file path, or NULL for a ledger in memory (copied)
 * @param opts     NULL for the defaults; `opts->redactor` is borrowed for the
 *                 ledger's whole life, the rest read during the call
 * Threads: any (a new ledger is a new connection).
 * @return #FU_OK; #FU_EINVAL for bad options or a path that is not a plain
 *         file path (or is a directory); #FU_ENOTFOUND for a read-only open
 *         of a missing file; #FU_EDB when the file is damaged, not a ledger
 *         (also an empty file opened read-only), has a newer schema than this
 *         library, or SQLite fails (also a read-only open of a file that
 *         needs migrating); #FU_EIO; #FU_ENOMEM.
 */
FU_EXTERN int fu_ledger_open(fu_ledger **out, const char *path, const fu_ledger_options *opts);

/**
 * Open (or create) a ledger as a policy asks: the escalation rules of its
 * `commitments` section (fu_ledger_options_from_policy()) and a redactor
 * made from its `redaction` section (fu_redactor_new_from_policy(): the
 * built-in kinds switched on there and every `redaction.extra` pattern),
 * owned by the ledger. `flags` as #fu_ledger_options.flags. The policy is
 * not kept after the call. Threads: any.
 * @return as fu_ledger_open(); #FU_EPOLICY from the policy; #FU_EINVAL for a
 *         NULL policy.
 */
FU_EXTERN int fu_ledger_open_with_policy(fu_ledger **out, const char *path, const fu_policy *policy,
                                         unsigned int flags);

/** Close a ledger (lists it handed out stay valid). NULL is a no-op.
 *  Threads: changes. */
FU_EXTERN void fu_ledger_close(fu_ledger *ledger);

/** The schema version of the open ledger (#FU_LEDGER_SCHEMA_VERSION after
 *  migration) into `*out`. The ledger is not changed (hence `const`), but the
 *  call uses its database connection. Threads: changes. */
FU_EXTERN int fu_ledger_schema_version(const fu_ledger *ledger, int *out);

/**
 * Register one commitment (one transaction, durable when it returns). Its
 * texts are copied (masked); `in->calendar` is used during the call only.
 * Threads: changes.
 * @param ledger the ledger
 * @param in the commitment to add (copied)
 * @param[out] out the new id (may be NULL)
 * @return #FU_OK; #FU_EINVAL (missing customer, bad duration, deadline before
 *         creation); #FU_ERANGE from the calendar, or a created_at, deadline,
 *         warning or breach time outside the years 1..9999 (what the ledger
 *         stores passes its own row check); #FU_ELIMIT from masking;
 *         #FU_EDB; #FU_ENOMEM.
 */
FU_EXTERN int fu_ledger_add(fu_ledger *ledger, const fu_commit_input *in, int64_t *out);

/**
 * Register `n` commitments in one transaction: all of them or none.
 * Threads: changes.
 * @param ledger the ledger
 * @param in the commitments to add (copied)
 * @param n the number of commitments
 * @param ids receives the `n` new ids (may be NULL; room for `n`)
 */
FU_EXTERN int fu_ledger_add_bulk(fu_ledger *ledger, const fu_commit_input *in, size_t n,
                                 int64_t *ids);

/**
 * Mark a commitment fulfilled at `at` (rules up to `at` are applied first, so
 * a late fulfilment keeps its breach in the history). A close dated before
 * the last recorded event of the commitment is refused: a breach a tick
 * recorded cannot be rewritten as an on-time fulfilment. `by` (may be
 * NULL: "") is copied. Threads: changes.
 * @return #FU_OK; #FU_ENOTFOUND; #FU_ESTATE when it is fulfilled or
 *         cancelled already; #FU_EINVAL when `at` lies before its creation
 *         or its last recorded event, or `by` is not UTF-8; #FU_EDB;
 *         #FU_ENOMEM.
 */
FU_EXTERN int fu_ledger_fulfill(fu_ledger *ledger, int64_t id, int64_t at, const char *by);

/**
 * Mark `n` commitments fulfilled, `ids[i]` at `at[i]`, in one transaction:
 * all of them or none (the error names the first entry that failed).
 * Threads: changes.
 */
FU_EXTERN int fu_ledger_fulfill_bulk(fu_ledger *ledger, const int64_t *ids, const int64_t *at,
                                     size_t n, const char *by);

/**
 * Close the loop from the book: fulfil every open or breached commitment
 * that a resolution recorded in `book` answers by `now` (review s9 F26).
 * A commitment made at `created_at` for a customer of the book is answered
 * when every issue of that customer (fault, complaint, inquiry, feedback)
 * still open at `created_at` is closed afterwards by a `resolved` event (a
 * fault also by a `repair`), matched as the planner matches them: same
 * order id, or either without one, except that a `resolved` without an order
 * id that answers an issue without one raised since the previous `resolved`
 * closes only that issue. It is fulfilled at the last of those closings (on
 * time or late: a recorded breach stays). A promise made when no issue was
 * open raised its own: the first `resolved` after it that closes no issue
 * raised since answers it (the simulation's rule); one the book never
 * resolves is left to the ledger. Commitments of
 * customers the book does not have are left alone. One transaction
 * (fu_ledger_fulfill_bulk(), `by` "book" when NULL).
 * @return #FU_OK (*n_fulfilled, may be NULL: how many); #FU_EINVAL; the
 *         ledger's errors. Threads: changes.
 */
typedef struct fu_book fu_book; /* followup/book.h; C11 allows the repeat */
FU_EXTERN int fu_ledger_fulfill_from_book(fu_ledger *ledger, const fu_book *book, int64_t now,
                                          const char *by, size_t *n_fulfilled);

/** Cancel a commitment at `at`; errors as fu_ledger_fulfill(). Threads: changes. */
FU_EXTERN int fu_ledger_cancel(fu_ledger *ledger, int64_t id, int64_t at, const char *by);

/**
 * Apply the escalation rules up to `now` to every unresolved commitment, in
 * one transaction. Threads: changes.
 * @param ledger the ledger
 * @param now the current instant, UTC seconds
 * @param[out] out number of events recorded (may be NULL)
 */
FU_EXTERN int fu_ledger_tick(fu_ledger *ledger, int64_t now, size_t *out);

typedef struct fu_plan fu_plan; /* followup/planner.h; C11 allows the repeat */

/**
 * Record the planner's problem escalations in the ledger (seed 000: unresolved
 * 48 h after the problem arose -> the expert team). A touchpoint of `plan` is
 * an escalation when one of its rules is a step with a `team` of a cadence (or
 * step) of `policy` with `when: {unresolved: true}` (built-in:
 * `cadences.fault_escalation.expert_team`, `cadences.complaint_escalation.expert_team`).
 * For each such touchpoint of any status whose window has opened by `now`
 * (`due_from <= now`), an #FU_COMMIT_EV_ESCALATED event is recorded at
 * `due_from` (the escalation instant), its rule the step's rule, its actor the
 * team, on
 * - the related commitment: the customer's earliest commitment made between
 *   the problem (`trigger_at`) and the escalation and not fulfilled or
 *   cancelled by then, else
 * - a new commitment: category "escalation", owner the team, made at the
 *   problem's instant, due at the window's end (`due_to`), its text the
 *   touchpoint's purpose and order id, rule the step's rule.
 * The event changes neither state nor level (those stay the `commitments`
 * rules'). Idempotent: an escalation already recorded for the customer (same
 * rule, same instant) is skipped, so running a plan twice records once.
 * One transaction: all or nothing. `policy` and `plan` are read during the
 * call only. Threads: changes (the ledger); the plan may be read by other
 * threads meanwhile.
 * @param ledger the ledger
 * @param policy the policy the plan was made with
 * @param[out] out number of escalation events recorded (may be NULL)
 * @param plan the plan whose escalation touchpoints are recorded
 * @param now the current instant, UTC seconds
 * @return #FU_OK; #FU_EINVAL (NULL argument); #FU_EDB and the errors of fu_ledger_add()
 */
FU_EXTERN int fu_ledger_record_escalations(fu_ledger *ledger, const fu_policy *policy,
                                           const fu_plan *plan, int64_t now, size_t *out);

/** What a query selects. */
typedef enum fu_commit_query_kind {
    FU_QUERY_ALL = 0,     /**< every commitment (filters apply) */
    FU_QUERY_DUE = 1,     /**< unresolved, deadline in [from, to) */
    FU_QUERY_AT_RISK = 2, /**< open, warn_at <= now < deadline */
    FU_QUERY_OVERDUE = 3  /**< unresolved, deadline <= now */
} fu_commit_query_kind;

/** fu_commit_query flag: also load each commitment's history. */
#define FU_QUERY_EVENTS 0x1u
/** fu_commit_query flag: return each commitment as the escalation rules
 *  make it at `now` (state, warned, level), computed in memory without
 *  storing anything, so that a read-only ledger can report as of an
 *  instant. The history (#FU_QUERY_EVENTS) is the stored one. */
#define FU_QUERY_AS_OF 0x2u

/** A query. Results come ordered by deadline, then id. */
typedef struct fu_commit_query {
    unsigned int version;    /**< #FU_COMMIT_QUERY_VERSION */
    fu_commit_query_kind kind; /**< what the query selects */
    int64_t from, to;        /**< #FU_QUERY_DUE window */
    int64_t now;             /**< #FU_QUERY_AT_RISK, #FU_QUERY_OVERDUE */
    const char *owner;       /**< only this owner department; NULL: any */
    const char *customer_id; /**< only this customer; NULL: any */
    size_t limit;            /**< at most this many; 0: no limit */
    unsigned int flags;      /**< #FU_QUERY_EVENTS, #FU_QUERY_AS_OF */
} fu_commit_query;

#define FU_COMMIT_QUERY_VERSION 1
#define FU_COMMIT_QUERY_INIT { FU_COMMIT_QUERY_VERSION, FU_QUERY_ALL, 0, 0, 0, NULL, NULL, 0, 0 }

/** Fill `q` with the defaults (same as #FU_COMMIT_QUERY_INIT: every
 *  commitment, no filter); NULL is a no-op. Threads: any. */
FU_EXTERN void fu_commit_query_init(fu_commit_query *q);

/** Run a query (`q` and its filters read during the call only).
 *  Threads: changes (the ledger's connection).
 * @param ledger the ledger
 * @param q the query (fu_commit_query_init())
 *  @param[out] out the list, owned by the caller (fu_commitment_list_free());
 *                  it does not borrow from the ledger. */
FU_EXTERN int fu_ledger_query(fu_ledger *ledger, const fu_commit_query *q, fu_commitment_list **out);

/** Count what a query selects (ignores `limit`). Threads: changes. */
FU_EXTERN int fu_ledger_count(fu_ledger *ledger, const fu_commit_query *q, size_t *out);

/** One commitment with its history, as a list of one owned by the caller
 *  (fu_commitment_list_free()). Threads: changes.
 *  @return #FU_ENOTFOUND when absent. */
FU_EXTERN int fu_ledger_get(fu_ledger *ledger, int64_t id, fu_commitment_list **out);

/** Promise-keeping over a period. */
typedef struct fu_on_time {
    size_t due;     /**< not cancelled, deadline in [from, to) and either passed by `now` or fulfilled */
    size_t on_time; /**< of those, fulfilled at or before the deadline */
    double rate;    /**< on_time / due; NaN when due is 0 */
} fu_on_time;

/** The on-time rate of commitments whose deadline lies in [from, to), as of
 *  `now` (UTC seconds). Threads: changes. */
FU_EXTERN int fu_ledger_on_time(fu_ledger *ledger, int64_t from, int64_t to, int64_t now,
                                fu_on_time *out);

/** @} */

/* ===================================================================== */
/** @name Extraction of promises from notes
 *  @{ */

/** How a pattern's match becomes a deadline (mirrors the policy's `deadline:`). */
typedef enum fu_deadline_kind {
    /** `at` + `count` × `unit`, where `count` is read from capture group
     *  `group` (ASCII digits, or Chinese numerals such as 三, 两, 十二, 二十四)
     *  and `unit` is one unit ({3600, SECONDS} for hours, {1, WORKING_DAYS});
     *  with `group` 0, `unit` is the whole duration. */
    FU_DEADLINE_IN = 0,
    FU_DEADLINE_TOMORROW = 1,  /**< the next local day at `minute_of_day` */
    FU_DEADLINE_WEEKDAY = 2,   /**< the next `weekday` at `minute_of_day`; today if still ahead */
    FU_DEADLINE_NEXT_WEEK = 3, /**< `weekday` of next week (weeks Monday–Sunday) */
    FU_DEADLINE_MONTH_END = 4, /**< the month's last day at `minute_of_day` (next month's once past) */
    FU_DEADLINE_TODAY = 5,     /**< today at `minute_of_day` (the note's time if already past) */
    /** Close of business: the end of the last open interval of the note's
     *  local day in the calendar's business hours (local midnight after it for
     *  a calendar without hours); a day that is no working day (weekend,
     *  holiday) gives the close of the next working day; the note's time if
     *  today's close is already past. `minute_of_day` is not used. */
    FU_DEADLINE_CLOSE = 6,
    /** The end of this week (weeks Monday–Sunday): this week's `weekday` at
     *  `minute_of_day`; the note's time if already past. */
    FU_DEADLINE_WEEK_END = 7
} fu_deadline_kind;

/** A deadline rule. */
typedef struct fu_deadline_rule {
    fu_deadline_kind kind; /**< how the match becomes a deadline */
    fu_duration unit;  /**< #FU_DEADLINE_IN: one unit, or the whole duration when `group` is 0 */
    /** #FU_DEADLINE_IN: capture group holding the count, 0: none.
     *  #FU_DEADLINE_WEEKDAY, #FU_DEADLINE_NEXT_WEEK, #FU_DEADLINE_WEEK_END:
     *  capture group naming the weekday (一 … 六, 日 or 天 for Sunday, 1 … 7,
     *  or an English name or its first three letters), which then replaces
     *  `weekday` (fu_extractor_run(); fu_deadline_compute() takes `weekday`). */
    int group;
    fu_weekday weekday; /**< #FU_MONDAY … #FU_SUNDAY */
    int minute_of_day; /**< 0..1439 local */
} fu_deadline_rule;

/** An extraction pattern: PCRE2 in UTF-8 mode, caseless; `\d`, `\s`, `\w` and
 *  `\b` are ASCII-only (no PCRE2_UCP), literal Chinese text matches as usual. */
typedef struct fu_extract_pattern {
    const char *name;   /**< rule name cited in results */
    const char *regex;
    fu_deadline_rule deadline;
} fu_extract_pattern;

/** A risky-promise pattern. */
typedef struct fu_risky_pattern {
    const char *name;   /**< rule name cited in results */
    const char *regex;
    const char *reason; /**< why it is risky */
} fu_risky_pattern;

/** Leave out the built-in patterns (use only those given). */
#define FU_EXTRACT_NO_BUILTIN 0x1u
/** The caller guarantees that every note given to fu_extractor_run() is
 *  well-formed UTF-8 (e.g. it came through a reader that checked it): the
 *  extractor skips its own check. Passing ill-formed UTF-8 then is undefined
 *  behaviour (PCRE2 reads it unchecked). */
#define FU_EXTRACT_VALID_UTF8 0x2u

/** How to build an extractor. */
typedef struct fu_extract_options {
    unsigned int version;              /**< #FU_EXTRACT_OPTIONS_VERSION */
    const fu_extract_pattern *patterns; /**< tried before the built-in ones; first match wins */
    size_t n_patterns;
    const fu_risky_pattern *risky;
    size_t n_risky;
    /** A promise whose deadline is less than this many seconds after the
     *  note is flagged risky with rule "min_lead" (0: no minimum). */
    int64_t min_lead_seconds;
    unsigned int flags;                /**< #FU_EXTRACT_NO_BUILTIN, #FU_EXTRACT_VALID_UTF8 */
    uint32_t match_limit;              /**< PCRE2 match limit; 0: 1,000,000 */
} fu_extract_options;

#define FU_EXTRACT_OPTIONS_VERSION 1
#define FU_EXTRACT_OPTIONS_INIT { FU_EXTRACT_OPTIONS_VERSION, NULL, 0, NULL, 0, 0, 0, 0 }

/** Fill `opts` with the defaults (same as #FU_EXTRACT_OPTIONS_INIT); NULL is
 *  a no-op. Threads: any. */
FU_EXTERN void fu_extract_options_init(fu_extract_options *opts);

/** A compiled extractor (opaque). Threads: one thread at a time. */
typedef struct fu_extractor fu_extractor;

/**
 * Compile an extractor. The built-in patterns are those of the built-in
 * policy (docs/commitments.md lists them). Patterns are compiled and their
 * texts copied: `opts` is not kept. Threads: any.
 * @param[out] out the extractor, owned by the caller (fu_extractor_free())
 * @param opts NULL for the defaults (read during the call only)
 * @return #FU_OK; #FU_EPARSE naming a pattern that does not compile;
 *         #FU_EINVAL; #FU_ENOMEM.
 */
FU_EXTERN int fu_extractor_new(fu_extractor **out, const fu_extract_options *opts);

/**
 * An extractor with the patterns and risky phrases of a policy's
 * `commitments` section (instead of the built-in ones). The policy is not
 * kept. Threads: any.
 * @param[out] out the extractor, owned by the caller (fu_extractor_free())
 * @param policy the policy whose promise patterns are used (read during the call)
 */
FU_EXTERN int fu_extractor_new_from_policy(fu_extractor **out, const fu_policy *policy);

/** Free an extractor. NULL is a no-op. The `rule` of every promise and risk
 *  of its extractions becomes invalid (see the conventions above).
 *  Threads: changes. */
FU_EXTERN void fu_extractor_free(fu_extractor *ex);

/** A promise found in a note. `text` is borrowed from the extraction, `rule`
 *  from the extractor that made it (see the conventions above). */
typedef struct fu_promise {
    size_t start, end;     /**< byte span in the note */
    const char *text;      /**< the matched text */
    const char *rule;      /**< the pattern's name */
    int64_t deadline;      /**< UTC */
    int risky;             /**< 1 when its deadline is too close (rule "min_lead") */
} fu_promise;

/** A risky phrase found in a note. `text` and `reason` are borrowed from the
 *  extraction, `rule` from the extractor ("min_lead": static). */
typedef struct fu_risk {
    size_t start, end;     /**< byte span */
    const char *text;      /**< the matched text */
    const char *rule;      /**< the pattern's name, or "min_lead" */
    const char *reason;
} fu_risk;

/** The result of one extraction (opaque). Threads: read-only, may be shared. */
typedef struct fu_extraction fu_extraction;

/**
 * Find promises and risky phrases in `note` (UTF-8, `len` bytes) written at
 * `at`; deadlines are computed in `calendar` (required: local dates and
 * business time come from it). The note is checked for well-formed UTF-8
 * once (unless #FU_EXTRACT_VALID_UTF8): an ill-formed note is refused with
 * #FU_EINVAL naming the byte offset, line and column. Spans are byte offsets
 * in the note.
 * `note` is not kept; `calendar` is read during the call only.
 * Threads: changes (the extractor holds match data).
 * @param ex the extractor
 * @param calendar the calendar (the zone and business hours of `at` and of the deadlines)
 * @param note the note (UTF-8)
 * @param len the length of `note` in bytes
 * @param at when the note was written, UTC seconds (the start of relative deadlines)
 * @param[out] out the result, owned by the caller (fu_extraction_free())
 * @return #FU_OK; #FU_ELIMIT when a pattern hit a match limit; #FU_ERANGE
 *         from the calendar; #FU_EINVAL (also ill-formed UTF-8); #FU_ENOMEM.
 */
FU_EXTERN int fu_extractor_run(fu_extractor *ex, const fu_calendar *calendar, const char *note,
                               size_t len, int64_t at, fu_extraction **out);

/**
 * fu_extractor_run() with per-call `flags`: #FU_EXTRACT_VALID_UTF8 when the
 * caller knows this note is well-formed UTF-8 (e.g. the UTF-8 of a Python
 * str), which skips the check for this call only; 0 is fu_extractor_run().
 * Other bits are #FU_EINVAL. Same results, same errors otherwise.
 */
FU_EXTERN int fu_extractor_run_flags(fu_extractor *ex, const fu_calendar *calendar, const char *note,
                                     size_t len, int64_t at, unsigned int flags, fu_extraction **out);

/** Number of promises (0 for NULL). Threads: reads. */
FU_EXTERN size_t fu_extraction_promise_count(const fu_extraction *x);
/** The `i`th promise in order of position, borrowed (as #fu_promise says);
 *  NULL when out of range. Threads: reads. */
FU_EXTERN const fu_promise *fu_extraction_promise(const fu_extraction *x, size_t i);
/** Number of risks (0 for NULL). Threads: reads. */
FU_EXTERN size_t fu_extraction_risk_count(const fu_extraction *x);
/** The `i`th risk, risky phrases in order of position, then "min_lead" ones;
 *  borrowed (as #fu_risk says); NULL when out of range. Threads: reads. */
FU_EXTERN const fu_risk *fu_extraction_risk(const fu_extraction *x, size_t i);
/** Free an extraction. NULL is a no-op. Threads: changes. */
FU_EXTERN void fu_extraction_free(fu_extraction *x);

/**
 * Compute a deadline from a rule, as the extractor does (exposed for hosts
 * that keep their own patterns). `count` is the captured count (ignored
 * unless the rule is #FU_DEADLINE_IN with a group). `at` and `*out` are
 * UTC seconds. Threads: reads (of `calendar`); owns nothing.
 */
FU_EXTERN int fu_deadline_compute(const fu_deadline_rule *rule, int64_t count,
                                  const fu_calendar *calendar, int64_t at, int64_t *out);

/** @} */

#ifdef __cplusplus
}
#endif

#endif /* FOLLOWUP_COMMIT_H */
