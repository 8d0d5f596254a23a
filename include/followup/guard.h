/**
 * @file followup/guard.h
 * @brief The contact guard: "may I contact this customer now, on this
 *        channel, and if not, when?" — and a persistent contact log.
 *
 * A dialer or a CRM asks the guard before every contact attempt and tells it
 * the outcome afterwards. The guard answers with the same law the batch
 * planner (followup/planner.h) applies: it calls the planner's own rules
 * (consent, suppressions, quiet hours, do-not-disturb, holidays, min gap,
 * every cap) over the customer's history — the book's events plus every
 * contact in the #fu_contact_log — and adds the redial rules of a dialer
 * (retry delay after an unanswered attempt, attempts per day, stop on a
 * wrong number or a refusal, honour a requested call-back time) and the
 * business calendar of business (B2B) customers (an industry or `is_smb`
 * yes: the policy calendar's hours in the customer's zone, rule
 * "calendars.hours"; urgent contacts skip it).
 * docs/guard.md gives the decision order with examples.
 *
 * **The contact log** is a SQLite file (WAL, `synchronous=FULL`, created
 * 0600, integrity-checked on open): a record acknowledged by
 * fu_contact_log_append() or fu_guard_record() survives a crash or SIGKILL;
 * several processes may append at once (each append is one transaction);
 * nothing ever stores half a batch.
 *
 * **Threads.** Threads may share one guard or one log: each call takes the
 * handle's lock, so calls on one handle take turns and answer as a serial
 * run would (only fu_guard_free() and fu_contact_log_close() must come
 * after every other call on the handle). Several guards (in threads or
 * processes) may share a policy, a book (read-only; fu_book_append_events()
 * between calls, never during one: the next check counts its events) and a
 * log file; a long-lived guard sees the records of other processes
 * after fu_guard_refresh(), and fu_guard_check_and_record() reads them
 * under the log's write lock before it answers.
 */
#ifndef FOLLOWUP_GUARD_H
#define FOLLOWUP_GUARD_H

#include "followup/common.h"
#include "followup/besttime.h"
#include "followup/book.h"
#include "followup/planner.h"
#include "followup/policy.h"
#include "followup/segment.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ===================================================================== */
/** @name Outcomes of a contact attempt
 *  @{ */

/** What an attempt gave. Values are only ever appended. */
typedef enum fu_guard_outcome {
    FU_GUARD_ATTEMPTED = 0,    /**< "attempted": made, outcome not known (yet) */
    FU_GUARD_ANSWERED = 1,     /**< "answered" */
    FU_GUARD_NO_ANSWER = 2,    /**< "no_answer" */
    FU_GUARD_BUSY = 3,         /**< "busy" */
    FU_GUARD_VOICEMAIL = 4,    /**< "voicemail" */
    FU_GUARD_REFUSED = 5,      /**< "refused": the customer declined this contact */
    FU_GUARD_WRONG_NUMBER = 6, /**< "wrong_number": the number is not the customer's */
    FU_GUARD_CALLBACK = 7      /**< "callback_requested": call again at `callback_at` */
} fu_guard_outcome;
/** Number of outcome values. */
#define FU_GUARD_OUTCOME_COUNT 8

/** The outcome's name ("no_answer"; static); NULL out of range. */
FU_EXTERN const char *fu_guard_outcome_name(fu_guard_outcome outcome);
/** Read an outcome name (ASCII case ignored; "callback" is also read).
 *  @return #FU_OK; #FU_EPARSE naming the text and the accepted names;
 *  #FU_EINVAL for NULL pointers. */
FU_EXTERN int fu_guard_outcome_from_string(const char *text, size_t len, fu_guard_outcome *out);

/** @} */

/* ===================================================================== */
/** @name Contact records
 *  @{ */

/**
 * One contact attempt and its outcome. Strings are copied when appended;
 * in records read back they are borrowed for the duration of the callback.
 * Initialise with fu_contact_record_init().
 */
typedef struct fu_contact_record {
    const char *customer_id; /**< required, non-empty */
    int64_t at;              /**< UTC seconds, required, years 1..9999 */
    fu_channel channel;      /**< required (not #FU_CHANNEL_NONE) */
    fu_guard_outcome outcome;
    fu_priority priority;    /**< of the contact; default normal */
    const char *agent_id;    /**< NULL or "" when absent */
    const char *rule;        /**< the touchpoint's rule ("cadences.delivery.first_contact"); NULL/"" */
    const char *order_id;    /**< NULL or "" when absent */
    int64_t duration;        /**< seconds, 0..#FU_CONTACT_MAX_DURATION; -1 when not known */
    int64_t callback_at;     /**< #FU_GUARD_CALLBACK: the instant asked for (not before `at`); else #FU_BOOK_NO_TIME */
    int64_t seq;             /**< read back: the record's number in the log (from 1); ignored when appending */
} fu_contact_record;

/** The longest contact a record may give (a day, in seconds): a longer
 *  duration is a unit or typing error and is refused. */
#define FU_CONTACT_MAX_DURATION 86400

/** Set every field of `r` to absent (priority normal, duration -1). */
FU_EXTERN void fu_contact_record_init(fu_contact_record *r);

/** @} */

/* ===================================================================== */
/** @name The contact log
 *  @{ */

/** An opaque contact log. */
typedef struct fu_contact_log fu_contact_log;

/** Open the log read-only (no appends, no creation). */
#define FU_CONTACT_LOG_READONLY 0x1u
/** `synchronous=NORMAL` instead of FULL: faster, and a power loss (not a
 *  process crash) may lose the last acknowledged appends. */
#define FU_CONTACT_LOG_SYNC_NORMAL 0x2u
/** Store `agent_id` and `rule` as given. By default they are free text and
 *  masked on the way in with the built-in redactor (followup/redact.h:
 *  phone numbers, ID and card numbers, e-mail addresses, ...), as the
 *  commitment ledger masks its free-text fields; a guard over the log masks
 *  the rules it is asked about the same way, so touchpoints still match.
 *  `customer_id` and `order_id` are identifiers and never masked. */
#define FU_CONTACT_LOG_STORE_RAW_TEXT 0x4u

/** Options of fu_contact_log_open(). Fields are only ever appended. */
typedef struct fu_contact_log_options {
    unsigned int version; /**< #FU_CONTACT_LOG_OPTIONS_VERSION */
    unsigned int flags;   /**< FU_CONTACT_LOG_* */
    int busy_timeout_ms;  /**< wait this long for another writer; 0: 5000 */
} fu_contact_log_options;

#define FU_CONTACT_LOG_OPTIONS_VERSION 1
#define FU_CONTACT_LOG_OPTIONS_INIT {FU_CONTACT_LOG_OPTIONS_VERSION, 0u, 0}
/** The schema version this library writes (PRAGMA user_version). */
#define FU_CONTACT_LOG_SCHEMA_VERSION 1

/** Fill `opts` with the defaults. */
FU_EXTERN void fu_contact_log_options_init(fu_contact_log_options *opts);

/**
 * Open (and create, mode 0600) a contact log. `path` NULL keeps it in
 * memory; the path ":memory:" and "file:" URIs are refused (#FU_EINVAL), as
 * by the ledger: they would keep nothing, or keep it elsewhere, while every
 * append reports success. The file may be a commitment ledger file too: the
 * log keeps to its own table `contact_log` (and its schema version in table
 * `contact_log_meta`). Any other database (other tables and no contact log)
 * is refused before anything is written to it.
 *
 * On open the file's integrity is checked (`PRAGMA quick_check`). A
 * read-only open never writes (no schema, no WAL switch).
 *
 * @return #FU_OK; #FU_EINVAL (bad options or path); #FU_EDB for a file that
 *         is not SQLite, is corrupt, is another application's database, or
 *         has a newer schema (the message says which); #FU_ENOMEM.
 */
FU_EXTERN int fu_contact_log_open(fu_contact_log **out, const char *path, const fu_contact_log_options *opts);

/** Close a log (NULL is a no-op). */
FU_EXTERN void fu_contact_log_close(fu_contact_log *log);

/**
 * Validate a record as an append would (customer id, instant, channel,
 * outcome, priority, duration, call-back time; customer_id, agent_id, rule
 * and order_id must be valid UTF-8). Errors name the field.
 * @return #FU_OK; #FU_EINVAL; #FU_ERANGE.
 */
FU_EXTERN int fu_contact_record_validate(const fu_contact_record *r);

/**
 * Append `n` records in one transaction: all or none. Every record is
 * validated first (the message starts with "record INDEX: "). When this
 * returns #FU_OK the records are on disk (with `synchronous=FULL`, also
 * after a power loss).
 * @param log the contact log
 * @param records the records to append (copied)
 * @param n their number
 * @param seq_out  receives the number of the first record (may be NULL);
 *                 the others follow in order
 * @return #FU_OK; #FU_EINVAL, #FU_ERANGE (a bad record, nothing written);
 *         #FU_ESTATE (read-only); #FU_EDB; #FU_ENOMEM.
 */
FU_EXTERN int fu_contact_log_append(fu_contact_log *log, const fu_contact_record *records, size_t n,
                                    int64_t *seq_out);

/** Number of records in the log. @return #FU_OK; #FU_EDB. */
FU_EXTERN int fu_contact_log_count(fu_contact_log *log, size_t *out);

/** Called for each record read; a non-zero return stops the reading (and is
 *  returned by fu_contact_log_read()). */
typedef int (*fu_contact_log_fn)(void *ud, const fu_contact_record *record);

/**
 * Read the records with seq > `after_seq` (0: all) in seq order, optionally
 * only those of one customer (`customer_id` NULL: all; the log is
 * append-only with no index by customer, so this scans it). The reading
 * holds the records there are when it starts; the callback runs without
 * the log's lock, so it may call a guard that shares this log.
 * @return #FU_OK; the callback's non-zero value; #FU_EDB; #FU_ENOMEM.
 */
FU_EXTERN int fu_contact_log_read(fu_contact_log *log, int64_t after_seq, const char *customer_id,
                                  fu_contact_log_fn fn, void *ud);

/**
 * Add the log's records to a book as events of kind `contact` (channel,
 * agent, order, and the outcome of the same name; `attempted` is stored
 * with no outcome). The event's note is the requested time of a
 * `callback_requested` record (ISO 8601, UTC), which the planner's redial
 * rule reads, and "guard:<outcome>" for the others. Then finalize the
 * book. All or nothing. Customers not in
 * the book are an error unless the book was made with
 * #FU_BOOK_CREATE_CUSTOMERS.
 * @return #FU_OK; #FU_ENOTFOUND; #FU_EDB; #FU_ENOMEM.
 */
FU_EXTERN int fu_contact_log_load_book(fu_contact_log *log, fu_book *book);

/** @} */

/* ===================================================================== */
/** @name The guard
 *  @{ */

/** An opaque guard. */
typedef struct fu_guard fu_guard;

/** What the guard does with a customer id that is not in the book. */
typedef enum fu_guard_unknown {
    /** What the policy says (`guard.unknown_customer`: `deny`, the built-in
     *  value, or `allow`). */
    FU_GUARD_UNKNOWN_POLICY = 0,
    /** Deny, rule "guard.unknown_customer" (a bank does not call someone
     *  it knows nothing about: consent is unknown). */
    FU_GUARD_UNKNOWN_DENY = 1,
    /** Allow on defaults: the policy's default calendar zone and its
     *  holidays, quiet hours, the min gap and the caps of a new customer
     *  over the log's contacts with that id, the redial rules. */
    FU_GUARD_UNKNOWN_ALLOW = 2
} fu_guard_unknown;

/** Guard flag: the book's own contact events are not counted, only the
 *  log's (use it when the book was loaded from the same log). */
#define FU_GUARD_LOG_CONTACTS_ONLY 0x1u

/** Options of fu_guard_new(). Fields are only ever appended. */
typedef struct fu_guard_options {
    unsigned int version;      /**< #FU_GUARD_OPTIONS_VERSION */
    unsigned int flags;        /**< FU_GUARD_* */
    fu_guard_unknown unknown_customer; /**< default: the policy decides */
    /** Redial after no_answer / busy / voicemail / attempted (or a
     *  call-back asked without a time) of the same touchpoint. 0: the
     *  policy's `redial.<outcome>.retry_after`, as the planner applies it
     *  (built-in: 2 business hours, busy 30 minutes); > 0: this many
     *  seconds of business time in the policy's default calendar for every
     *  outcome; < 0: no delay. */
    int64_t retry_after;
    /** Call attempts (phone, video; every outcome) per customer and local
     *  day. 0: the policy's `redial.attempts_per_day` (built-in 3; the
     *  planner's own count); > 0: this limit; < 0: no limit. */
    int max_attempts_per_day;
    /** A best-time model of the same book, updated by fu_guard_record()
     *  (borrowed; NULL: none). */
    fu_besttime *besttime;
} fu_guard_options;

#define FU_GUARD_OPTIONS_VERSION 1
#define FU_GUARD_OPTIONS_INIT {FU_GUARD_OPTIONS_VERSION, 0u, FU_GUARD_UNKNOWN_POLICY, 0, 0, NULL}

/** Fill `opts` with the defaults. */
FU_EXTERN void fu_guard_options_init(fu_guard_options *opts);

/**
 * Create a guard over a policy, a finalized book and a contact log (all
 * borrowed; they must outlive the guard). Reads every record of the log.
 * `log` may be NULL: recorded contacts are then kept in memory only.
 * @return #FU_OK; #FU_EINVAL; #FU_ESTATE (book not finalized); #FU_EDB;
 *         #FU_ETIMEZONE; #FU_ENOMEM.
 */
FU_EXTERN int fu_guard_new(fu_guard **out, const fu_policy *policy, const fu_book *book, fu_contact_log *log,
                           const fu_guard_options *opts);

/** Free a guard (NULL is a no-op). */
FU_EXTERN void fu_guard_free(fu_guard *guard);

/** Read the log's records appended since the guard last read it (by other
 *  processes). @return #FU_OK; #FU_EDB; #FU_ENOMEM. */
FU_EXTERN int fu_guard_refresh(fu_guard *guard);

/** A question to the guard. Initialise with fu_guard_request_init(). */
typedef struct fu_guard_request {
    unsigned int version;    /**< #FU_GUARD_REQUEST_VERSION */
    const char *customer_id; /**< required */
    fu_channel channel;      /**< required */
    int64_t at;              /**< the instant of the contact */
    fu_priority priority;    /**< default normal */
    const char *rule;        /**< the touchpoint's rule, NULL/"" when not known */
    const char *order_id;    /**< the order it is about, NULL/"" */
} fu_guard_request;

#define FU_GUARD_REQUEST_VERSION 1
#define FU_GUARD_REQUEST_INIT {FU_GUARD_REQUEST_VERSION, NULL, FU_CHANNEL_NONE, 0, FU_PRIORITY_NORMAL, NULL, NULL}

/** Fill `req` with the defaults. */
FU_EXTERN void fu_guard_request_init(fu_guard_request *req);

/** The guard's answer. */
typedef struct fu_guard_decision {
    int allowed;            /**< 1 yes, 0 no */
    /** NULL when allowed; else the rule that says no (static or borrowed
     *  from the policy), e.g. "caps.min_gap", "quiet_hours.allowed". */
    const char *rule;
    /** The first instant >= the request's at which the same request is
     *  allowed (the request's at when allowed); #FU_BESTTIME_NEVER when
     *  none within 400 days or never (consent, wrong number, refusal). */
    int64_t next_allowed;
    /** The rule in words, NUL-terminated ("" when allowed, unless
     *  `past_calendar_data` is set: then it says so). */
    char reason[192];
    /** NULL; or the name of the policy calendar (borrowed from the policy)
     *  whose official holidays end before the day the decision is about
     *  (`next_allowed`, or the request's `at` when there is none):
     *  `calendars.<name>.data_until`, as the planner and the ledger flag
     *  it. Past that day the guard knows the weekly hours only, not the
     *  holidays: the answer may allow a call on a holiday. */
    const char *past_calendar_data;
} fu_guard_decision;

/** May this customer be contacted on this channel at `at` (priority
 *  normal, no touchpoint)? Same as fu_guard_check_request(). */
FU_EXTERN int fu_guard_check(fu_guard *guard, const char *customer_id, fu_channel channel, int64_t at,
                             fu_guard_decision *out);

/**
 * The full question. Decision order (docs/guard.md): unknown customer,
 * consent, wrong number, refusal, suppressions, quiet hours and holidays,
 * do-not-disturb, call-back time, min gap, caps, retry delay, attempts per
 * day. `next_allowed` passes every one of them.
 * @return #FU_OK (the answer is in `out`); #FU_EINVAL (NULL, bad channel or
 *         priority, unknown request version); #FU_ERANGE (instant outside
 *         years 1..9999); #FU_ENOMEM.
 */
FU_EXTERN int fu_guard_check_request(fu_guard *guard, const fu_guard_request *req, fu_guard_decision *out);

/**
 * Record `n` attempts: appended to the log in one transaction (all or
 * none), then counted by every later check, and given to the best-time
 * model. Instants before earlier records are fine. Unknown customers follow
 * the guard's #fu_guard_unknown policy (denied ones are an error,
 * #FU_ENOTFOUND, nothing written).
 * @return #FU_OK; #FU_EINVAL, #FU_ERANGE (a bad record: nothing written);
 *         #FU_ENOTFOUND; #FU_EDB; #FU_ENOMEM (nothing written).
 */
FU_EXTERN int fu_guard_record(fu_guard *guard, const fu_contact_record *records, size_t n);

/**
 * Check the contact a record describes (its customer, channel, at,
 * priority, rule and order) and, only when it is allowed, record it — as one
 * step for every process sharing the log: under the log's write lock
 * (`BEGIN IMMEDIATE`, other writers wait up to the busy timeout) the guard
 * first reads what other processes appended (as fu_guard_refresh()), then
 * checks, then appends. Two dialers asking for the same customer at once are
 * never both told yes (fu_guard_check() then fu_guard_record() leaves room
 * for that). A dialer that does not know the outcome yet records `attempted`.
 * @param guard the guard
 * @param record the contact to check and, when allowed, record
 * @param out  the decision; `allowed` 1: recorded, 0: nothing written
 * @return #FU_OK (see `out->allowed`); the errors of fu_guard_check_request()
 *         and fu_guard_record(); #FU_EDB (also: the lock was not had within
 *         the busy timeout).
 */
FU_EXTERN int fu_guard_check_and_record(fu_guard *guard, const fu_contact_record *record, fu_guard_decision *out);

/** @} */

/* ===================================================================== */
/** @name Model files
 * A fitted model saved to a file and loaded elsewhere: a notebook fits, a
 * CRM or a dialer loads. Text, versioned, with a checksum
 * (docs/formats.md, "model files"); a file from a newer library, of
 * another kind, truncated or edited is refused with #FU_EPARSE naming the
 * file and line. Files are written to a temporary name and renamed, so a
 * crash never leaves half a file.
 * @{ */

/** The newest model file format version this library reads and writes:
 *  2 since 2026-12-07 (best-time files record each customer's id hash, and a
 *  load maps lines to customers by id; version 1 files, positions only, are
 *  still read by position). Customer-base files are still written as 1. */
#define FU_MODEL_FILE_VERSION 2

/**
 * Save a best-time model's evidence (every customer's decayed counts per
 * slot) and its fitted priors.
 * @return #FU_OK; #FU_EINVAL; #FU_EIO; #FU_ENOMEM.
 */
FU_EXTERN int fu_besttime_save(const fu_besttime *model, const char *path);

/**
 * Load saved evidence and priors into a model built (fu_besttime_new())
 * with the same settings: the numbers of slots and segments must match
 * (checked). Each saved customer's evidence goes to the model's customer
 * with the same id, in whatever order the model's book lists them; a model
 * customer the file does not have gets none (as a customer without
 * contacts); a saved customer the model's book lacks is refused
 * (#FU_EPARSE naming the line). A version 1 file (no ids) is loaded by
 * position and needs the same number of customers: it cannot be checked,
 * save it again. All or nothing.
 * @return #FU_OK; #FU_EPARSE (newer, corrupt, or another model's file);
 *         #FU_ENOTFOUND; #FU_EIO (also a directory); #FU_ELIMIT (larger than
 *         a file of the model's shape can be, docs/formats.md); #FU_ENOMEM.
 */
FU_EXTERN int fu_besttime_load(fu_besttime *model, const char *path);

/** Fitted customer-base models: BG/NBD, Pareto/NBD and Gamma-Gamma
 *  (followup/segment.h); the `has_` flags say which are present. */
typedef struct fu_model_params {
    int has_bgnbd, has_pareto, has_gammagamma;
    fu_segment_bgnbd bgnbd;
    fu_segment_pareto pareto;
    fu_segment_gammagamma gammagamma;
} fu_model_params;

/** Save fitted customer-base models. @return #FU_OK; #FU_EINVAL (NULL
 *  argument, or a model's parameters not all positive normal numbers: what
 *  fu_model_params_load() would refuse is not written); #FU_EIO; #FU_ENOMEM. */
FU_EXTERN int fu_model_params_save(const fu_model_params *models, const char *path);

/** Load fitted customer-base models (parameters must be positive normal
 *  numbers; each line at most once).
 *  @return #FU_OK; #FU_EPARSE; #FU_ENOTFOUND; #FU_EIO (also a directory);
 *          #FU_ELIMIT (a file over 4,096 bytes); #FU_ENOMEM. */
FU_EXTERN int fu_model_params_load(fu_model_params *out, const char *path);

/** @} */

#ifdef __cplusplus
}
#endif

#endif /* FOLLOWUP_GUARD_H */
