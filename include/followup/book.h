/**
 * @file followup/book.h
 * @brief The customer book: customers, their events, and the CSV interchange formats.
 *
 * A #fu_book holds the customers and the event history that segmentation,
 * the planner, the best-time model and the KPIs read. It is filled from CSV
 * files (the formats of docs/formats.md), from text, or record by record and
 * in bulk through the API, and written back as CSV.
 *
 * **Records.** Two plain structs cross the API:
 * - #fu_customer, used both to add a customer and to read one back. Text
 *   fields are `const char *`; in records read back they are borrowed from
 *   the book and live as long as it does. Equal texts read back share one
 *   pointer (strings are interned), so a caller may cache anything derived
 *   from a text (parsed windows, a calendar per zone) by pointer.
 * - #fu_event, an event read back (56 bytes, decoded from the book's
 *   compact store): strings are ids that fu_book_string() turns into text,
 *   enums are bytes. Events are added with #fu_event_in, which names the
 *   customer by id and carries plain strings.
 *
 * **Absent values.** Numbers are NaN when absent (`isnan()`), times are
 * #FU_BOOK_NO_TIME, enums are their `_NONE` value (0), tri-states
 * #FU_TRI_UNKNOWN, strings NULL (string ids 0).
 *
 * **Order.** Customers are numbered 0..n-1 in the order they were added.
 * Events are kept per customer in time order once the book is *finalized*:
 * equal timestamps keep the order in which the events were added. Reading an
 * events CSV finalizes the book; after adding events through the API call
 * fu_book_finalize() before reading them per customer.
 *
 * **Bad input** (all documented in docs/formats.md):
 * - events out of time order are sorted;
 * - an event for a customer not in the book is an error (#FU_ENOTFOUND)
 *   unless #FU_BOOK_CREATE_CUSTOMERS is set: then the customer is created
 *   with no time zone (`tz` NULL) and counted in fu_book_stats;
 * - an unknown event kind is an error (#FU_EPARSE) unless
 *   #FU_BOOK_SKIP_UNKNOWN_KINDS is set: then the event is skipped and counted;
 * - exact duplicates (every field equal, including the timestamp) are
 *   dropped and counted, unless #FU_BOOK_KEEP_DUPLICATES is set: while
 *   events stream in (a CSV file, bulk or single adds), each time the event
 *   array fills up, and the rest by fu_book_finalize(); memory follows the
 *   unique events (at most about four times them before finalize), the
 *   first copy is kept and the order of the others does not change;
 * - timestamps without a UTC offset are an error (#FU_EPARSE);
 * - a customer id given twice is an error (#FU_EEXISTS).
 *
 * **Appending.** A finalized book grows with fu_book_append_events(), also
 * while planners borrow it (the one change a borrowed book accepts);
 * fu_book_generation() tells borrowers when event arrays and offsets must be
 * read again. The book is the one store of customers and events: the
 * planner's fu_planner_feed() appends to it.
 *
 * **Errors.** Every failing call leaves the book as it was before the call
 * (a failed CSV read or bulk add adds nothing). Errors in CSV input name the
 * source, the 1-based line and byte column, and the column name (the `path`
 * of fu_error_last()). Errors of bulk calls name the index of the record.
 *
 * **Memory.** Events are stored in 12 bytes each (the low 32 bits of the
 * time, the order id, the index of the event's other fields, which are
 * interned: equal fields and time above 2^32 s share one 40-byte entry, so a
 * book whose events repeat kinds, prices and channels pays about 12 bytes an
 * event, one whose every event has its own note or amount up to about 64),
 * plus, until fu_book_finalize(), the customer of each run of consecutive
 * events of one customer (8 bytes a run); 56 bytes per customer (a 48-byte
 * record: texts as string ids, tri-states in a byte, and the offset of its
 * events) plus the distinct strings; a CSV file is read in chunks, never
 * whole. Reading back decodes: fu_book_customer_events() and
 * fu_book_events() decode the whole book once into a cache of 56 bytes an
 * event, kept until the next change, and fu_book_customer() the customers
 * into a cache of 88 bytes a customer, kept until a customer is added (the
 * library's own readers — planner, KPIs, segments — decode into buffers of
 * their own instead and never make either).
 *
 * **Threads.** A book is used by one thread at a time; once filled and
 * finalized, any number of threads may call the `const` accessors at once.
 *
 * **Conventions of every call below** (each function's comment names its
 * case in a "Owns:" / "Borrows:" / "Threads:" line, as cmark does):
 * - *Owned* results: what a call hands out through an `[out]` pointer (a
 *   book, a #fu_windows, a CSV text) belongs to the caller, who frees it with
 *   the function named (fu_book_free(), fu_windows_free(), fu_free()).
 * - *Borrowed* results: pointers the book returns are never freed by the
 *   caller and stay valid until the event named:
 *   - texts (the `const char *` fields of a #fu_customer read back, and
 *     fu_book_string()) live until fu_book_free(): interned strings never
 *     move;
 *   - a #fu_customer record (fu_book_customer()) lives until the next
 *     customer is added (fu_book_add_customer(s), a customers CSV read, or
 *     an event that creates its customer): the record array may move;
 *   - event arrays and offsets (fu_book_events(), fu_book_customer_events(),
 *     fu_book_event_offsets()) live until the next call that changes the
 *     book (any add, read, append or fu_book_finalize());
 *     fu_book_generation() changes with each of them.
 * - *Inputs* are copied: nothing the caller passes in is kept after the call.
 * - *Threads*: "changes" = one thread at a time and no other call on the
 *   same book meanwhile; fails with #FU_ESTATE while a planner borrows the
 *   book (except fu_book_append_events()). "reads" = any number of
 *   threads at once on a book that nothing changes meanwhile. "any" = no shared state (static data only).
 * - *Units*: every instant (`at`, `first_purchase_at`) is `int64_t` seconds
 *   since 1970-01-01T00:00:00Z ("UTC seconds", leap seconds not counted);
 *   money (`annual_spend`, `unit_price`, `amount`) is in the policy's
 *   currency; `score` is in the scale of its #fu_survey; record and field
 *   limits are in bytes; `len` arguments are byte counts (UTF-8, no NUL
 *   needed).
 */
#ifndef FOLLOWUP_BOOK_H
#define FOLLOWUP_BOOK_H

#include "followup/common.h"
#include "followup/calendar.h"

#ifdef __cplusplus
extern "C" {
#endif

/** The value of a time field that is absent. */
#define FU_BOOK_NO_TIME INT64_MIN

/* ===================================================================== */
/** @name Enumerations and their names
 *
 * Every enumeration has a `_name()` function giving its CSV spelling (static
 * storage; NULL for a value out of range, "" for the `_NONE` value) and a
 * `_from_string()` function that reads it back: ASCII case is ignored,
 * surrounding spaces are not allowed, the empty text is the `_NONE` value
 * (where there is one). `_from_string()` returns #FU_OK, #FU_EPARSE naming
 * the text and the accepted values, or #FU_EINVAL for NULL pointers.
 * Values are only ever appended.
 * Owns: nothing (the names are static). Threads: any.
 * @{ */

/** Yes / no / not known (consents, the SMB flag). */
typedef enum fu_tristate {
    FU_TRI_UNKNOWN = 0, /**< "" or "unknown" */
    FU_TRI_YES = 1,     /**< "yes" (also read: "y", "true", "1") */
    FU_TRI_NO = 2       /**< "no" (also read: "n", "false", "0") */
} fu_tristate;

/** What happened. */
typedef enum fu_event_kind {
    FU_EVENT_PURCHASE = 0,     /**< "purchase": a sale (amount, unit_price, product_class) */
    FU_EVENT_DELIVERY = 1,     /**< "delivery" */
    FU_EVENT_INSTALLATION = 2, /**< "installation" */
    FU_EVENT_REPAIR = 3,       /**< "repair": a repair was carried out */
    FU_EVENT_FAULT = 4,        /**< "fault": a fault was reported (severity) */
    FU_EVENT_COMPLAINT = 5,    /**< "complaint" */
    FU_EVENT_INQUIRY = 6,      /**< "inquiry": a question / consultation */
    FU_EVENT_FEEDBACK = 7,     /**< "feedback": a suggestion or remark */
    FU_EVENT_CONTACT = 8,      /**< "contact": a follow-up attempt (channel, agent, outcome) */
    FU_EVENT_SURVEY = 9,       /**< "survey": a survey answer (survey, score) */
    FU_EVENT_ENROLLMENT = 10,  /**< "enrollment" */
    FU_EVENT_COURSE_START = 11, /**< "course_start" */
    FU_EVENT_COURSE_END = 12,  /**< "course_end" */
    FU_EVENT_WARRANTY_END = 13, /**< "warranty_end" */
    FU_EVENT_RESOLVED = 14     /**< "resolved": an issue (fault, complaint, inquiry,
                                    feedback) was closed; order_id links it when given */
} fu_event_kind;
/** Number of event kinds. */
#define FU_EVENT_KIND_COUNT 15

/** How urgent an issue is. */
typedef enum fu_severity {
    FU_SEVERITY_NONE = 0,
    FU_SEVERITY_URGENT = 1, /**< "urgent": blocks normal use */
    FU_SEVERITY_NORMAL = 2, /**< "normal" */
    FU_SEVERITY_LOW = 3     /**< "low" */
} fu_severity;

/** A contact channel. */
typedef enum fu_channel {
    FU_CHANNEL_NONE = 0,
    FU_CHANNEL_PHONE = 1, /**< "phone" */
    FU_CHANNEL_SMS = 2,   /**< "sms" */
    FU_CHANNEL_EMAIL = 3, /**< "email" */
    FU_CHANNEL_CHAT = 4,  /**< "chat" (WeChat and the like) */
    FU_CHANNEL_VIDEO = 5, /**< "video" */
    FU_CHANNEL_VISIT = 6  /**< "visit": on site */
} fu_channel;
/** Number of channel values including #FU_CHANNEL_NONE. */
#define FU_CHANNEL_COUNT 7

/** The outcome of a contact attempt. */
typedef enum fu_outcome {
    FU_OUTCOME_NONE = 0,
    FU_OUTCOME_ANSWERED = 1,  /**< "answered" */
    FU_OUTCOME_NO_ANSWER = 2, /**< "no_answer" */
    FU_OUTCOME_REFUSED = 3,   /**< "refused" */
    FU_OUTCOME_VOICEMAIL = 4, /**< "voicemail" */
    FU_OUTCOME_BUSY = 5,      /**< "busy" */
    FU_OUTCOME_WRONG_NUMBER = 6, /**< "wrong_number" */
    FU_OUTCOME_CALLBACK_REQUESTED = 7 /**< "callback_requested": reached, asked to be called
                                           back; `note` may hold the time (ISO 8601 with offset) */
} fu_outcome;
/** Number of outcome values including #FU_OUTCOME_NONE. */
#define FU_OUTCOME_COUNT 8

/** The scale of a survey score. */
typedef enum fu_survey {
    FU_SURVEY_NONE = 0,
    FU_SURVEY_CSAT = 1, /**< "csat": satisfaction, integer 1..5 */
    FU_SURVEY_NPS = 2,  /**< "nps": likelihood to recommend, integer 0..10 */
    FU_SURVEY_CES = 3   /**< "ces": customer effort, integer 1..7 */
} fu_survey;

FU_EXTERN const char *fu_tristate_name(fu_tristate value);
FU_EXTERN int fu_tristate_from_string(const char *text, size_t len, fu_tristate *out);
FU_EXTERN const char *fu_event_kind_name(fu_event_kind kind);
/** The empty text is an error here: every event has a kind. */
FU_EXTERN int fu_event_kind_from_string(const char *text, size_t len, fu_event_kind *out);
FU_EXTERN const char *fu_severity_name(fu_severity value);
FU_EXTERN int fu_severity_from_string(const char *text, size_t len, fu_severity *out);
FU_EXTERN const char *fu_channel_name(fu_channel value);
FU_EXTERN int fu_channel_from_string(const char *text, size_t len, fu_channel *out);
FU_EXTERN const char *fu_outcome_name(fu_outcome value);
FU_EXTERN int fu_outcome_from_string(const char *text, size_t len, fu_outcome *out);
FU_EXTERN const char *fu_survey_name(fu_survey value);
FU_EXTERN int fu_survey_from_string(const char *text, size_t len, fu_survey *out);

/** @} */

/* ===================================================================== */
/** @name Records
 *  @{ */

/**
 * A customer. Used to add one (fu_book_add_customer(), strings are copied)
 * and to read one back (fu_book_customer(), strings are borrowed from the
 * book). Initialise with fu_customer_init() so absent fields are marked.
 */
typedef struct fu_customer {
    const char *id;             /**< required, non-empty, unique in the book */
    const char *tz;             /**< IANA time zone, required; NULL only in customers
                                     created by #FU_BOOK_CREATE_CUSTOMERS */
    double annual_spend;        /**< >= 0, in the policy's currency; NaN when absent */
    int64_t first_purchase_at;  /**< UTC seconds; #FU_BOOK_NO_TIME when absent */
    const char *industry;       /**< NULL when absent */
    fu_tristate is_smb;         /**< small or medium business */
    fu_tristate consent_phone;  /**< consent to be called */
    fu_tristate consent_sms;    /**< consent to text messages */
    fu_tristate consent_email;  /**< consent to e-mail */
    const char *preferred_windows; /**< weekly windows text (see fu_windows_parse()),
                                        local to `tz`; NULL when absent */
    const char *dnd_windows;    /**< do-not-disturb windows text; NULL when absent */
    const char *owner;          /**< the customer's named owner (an agent id of
                                     fu_planner_set_agents()); NULL when absent */
} fu_customer;

/** Set every field of `c` to absent / unknown (id and tz NULL). Threads: any. */
FU_EXTERN void fu_customer_init(fu_customer *c);

/**
 * The priority a contact was made at, as #fu_event_in and the events CSV's
 * `priority` column hold it: a #fu_priority shifted by one, so that 0 means
 * "not given". This is its own type, not #fu_priority: `FU_PRIORITY_HIGH`
 * (1) stored here would mean urgent. GCC (`-Wextra`, gcc >= 10) and clang
 * warn on assigning a #fu_priority to it (`-Wenum-conversion`); convert with
 * #FU_EVENT_PRIORITY_OF. Names are those of fu_priority_name() of the value
 * minus one (followup/planner.h). The type is an `int` (the field was a
 * plain `int` in 0.1.0; same size, same values). Threads: any.
 */
typedef enum fu_event_priority {
    FU_EVENT_PRIORITY_SIGNED_ = -1, /**< not a priority: keeps the type a signed int */
    FU_EVENT_PRIORITY_NONE = 0,   /**< not given (a contact read as normal) */
    FU_EVENT_PRIORITY_URGENT = 1, /**< "urgent", #FU_PRIORITY_URGENT + 1 */
    FU_EVENT_PRIORITY_HIGH = 2,   /**< "high", #FU_PRIORITY_HIGH + 1 */
    FU_EVENT_PRIORITY_NORMAL = 3, /**< "normal", #FU_PRIORITY_NORMAL + 1 */
    FU_EVENT_PRIORITY_LOW = 4     /**< "low", #FU_PRIORITY_LOW + 1 */
} fu_event_priority;

/** The #fu_event_priority of a #fu_priority `p` (`p + 1`), e.g.
 *  `e.priority = FU_EVENT_PRIORITY_OF(FU_PRIORITY_HIGH);`. */
#define FU_EVENT_PRIORITY_OF(p) ((fu_event_priority)((int)(p) + 1))

#if defined(__cplusplus) && __cplusplus >= 201103L
static_assert(sizeof(fu_event_priority) == sizeof(int), "fu_event_priority is int-sized (ABI of fu_event_in)");
#elif !defined(__cplusplus) && defined(__STDC_VERSION__) && __STDC_VERSION__ >= 201112L
_Static_assert(sizeof(fu_event_priority) == sizeof(int), "fu_event_priority is int-sized (ABI of fu_event_in)");
#endif

/** An event to add: names its customer by id. Initialise with fu_event_in_init(). */
typedef struct fu_event_in {
    const char *customer_id;   /**< required: a customer of the book */
    int64_t at;                /**< UTC seconds, required (not #FU_BOOK_NO_TIME) */
    fu_event_kind kind;        /**< required */
    const char *order_id;      /**< NULL or "" when absent */
    const char *product_class; /**< NULL or "" when absent */
    double unit_price;         /**< >= 0; NaN when absent */
    double amount;             /**< any finite value (refunds are negative); NaN when absent */
    fu_severity severity;
    fu_channel channel;
    const char *agent_id;      /**< NULL or "" when absent */
    fu_outcome outcome;
    double score;              /**< NaN when absent; in the range of `survey` when given;
                                    a survey event with a score needs a survey type */
    fu_survey survey;
    const char *note;          /**< free text; NULL or "" when absent */
    fu_event_priority priority; /**< the contact's priority, #FU_EVENT_PRIORITY_NONE
                                    when not given: a #fu_priority + 1, so set it with
                                    #FU_EVENT_PRIORITY_HIGH or
                                    `FU_EVENT_PRIORITY_OF(FU_PRIORITY_HIGH)`, never
                                    `FU_PRIORITY_HIGH` (that is urgent). The KPI
                                    engine's over-contact and cap rules read it on
                                    contact events. */
} fu_event_in;

/** Set every field of `ev` to absent (kind #FU_EVENT_PURCHASE, at #FU_BOOK_NO_TIME).
 *  Threads: any. */
FU_EXTERN void fu_event_in_init(fu_event_in *ev);

/**
 * An event read back (56 bytes; the book stores it in 12, see "Memory"
 * above). String fields are ids for fu_book_string(), 0 when absent; enum
 * fields hold the enum's value in a byte; reserved_ is zero.
 */
typedef struct fu_event {
    int64_t at;             /**< UTC seconds */
    double unit_price;      /**< NaN when absent */
    double amount;          /**< NaN when absent */
    uint32_t customer;      /**< index of the customer in the book */
    uint32_t order_id;      /**< string id, 0 when absent */
    uint32_t product_class; /**< string id, 0 when absent */
    uint32_t agent_id;      /**< string id, 0 when absent */
    uint32_t note;          /**< string id, 0 when absent */
    float score;            /**< NaN when absent */
    uint8_t kind;           /**< #fu_event_kind */
    uint8_t severity;       /**< #fu_severity */
    uint8_t channel;        /**< #fu_channel */
    uint8_t outcome;        /**< #fu_outcome */
    uint8_t survey;         /**< #fu_survey */
    uint8_t priority;       /**< #fu_event_priority: #fu_priority + 1; 0 when not given */
    uint8_t reserved_[2];   /**< zero */
} fu_event;

/** @} */

/* ===================================================================== */
/** @name The book
 *  @{ */

/** An opaque customer book. Threads: one thread at a time while it changes; a
 *  finalized book that nothing changes may be read by any number of threads, and
 *  planners may borrow it from several threads at once (the borrow count is atomic).
 *  While a planner borrows it, every change fails with #FU_ESTATE. */
typedef struct fu_book fu_book;

/** Events for customers not in the book create them (with no time zone). */
#define FU_BOOK_CREATE_CUSTOMERS 0x1u
/** Events with an unknown kind are skipped (and counted) instead of failing. */
#define FU_BOOK_SKIP_UNKNOWN_KINDS 0x2u
/** Exact duplicate events are kept instead of dropped. */
#define FU_BOOK_KEEP_DUPLICATES 0x4u
/** The CSV writers write notes, agent ids and owners as stored. Without this
 *  flag they mask each note, and each `agent_id` and `owner` that holds an
 *  `@` or 6 or more digits, with a default #fu_redactor (phone numbers, ID
 *  numbers, bank cards, e-mail addresses; followup/redact.h): free text
 *  leaves the library masked unless the host explicitly opts out here
 *  (docs/formats.md). */
#define FU_BOOK_WRITE_RAW_NOTES 0x8u
/** The CSV writers write text cells as stored. Without this flag a text cell
 *  that starts with `=`, `+`, `-`, `@`, tab or CR (and is not a plain number)
 *  is written quoted with a `'` in front, so that a spreadsheet never runs it
 *  as a formula (docs/formats.md, "CSV output and spreadsheets"); the
 *  library's CSV readers remove that `'` again. */
#define FU_BOOK_WRITE_RAW_CELLS 0x10u

/** Options of fu_book_new(). Fields are only ever appended. */
typedef struct fu_book_options {
    unsigned int version;    /**< #FU_BOOK_OPTIONS_VERSION */
    unsigned int flags;      /**< FU_BOOK_* flags */
    size_t max_record_bytes; /**< longest CSV record (line) accepted; 0: 1 MiB */
    size_t max_field_bytes;  /**< longest CSV field accepted; 0: 256 KiB */
} fu_book_options;

#define FU_BOOK_OPTIONS_VERSION 1
#define FU_BOOK_OPTIONS_INIT {FU_BOOK_OPTIONS_VERSION, 0u, 0u, 0u}

/** Fill `opts` with the defaults (same as #FU_BOOK_OPTIONS_INIT); NULL is a
 *  no-op. Threads: any. */
FU_EXTERN void fu_book_options_init(fu_book_options *opts);

/** Counters of what the book did with its input. */
typedef struct fu_book_stats {
    size_t customers;             /**< customers in the book */
    size_t events;                /**< events in the book */
    size_t duplicates_dropped;    /**< exact duplicate events dropped so far */
    size_t unknown_kinds_skipped; /**< events skipped for an unknown kind */
    size_t customers_created;     /**< customers created by events */
} fu_book_stats;

/**
 * Create an empty book.
 *
 * @param[out] out     the new book, owned by the caller (fu_book_free())
 * @param options      NULL for the defaults; read during the call only
 * Threads: any (a new book shares nothing).
 * @return #FU_OK; #FU_EINVAL for NULL `out`, an unknown options version or
 *         unknown flags; #FU_ENOMEM.
 */
FU_EXTERN int fu_book_new(fu_book **out, const fu_book_options *options);

/** Free a book and everything borrowed from it (every record, event array
 *  and text the book handed out becomes invalid). NULL is a no-op. Free the
 *  planners and KPI engines that borrow it first; if one still does (a
 *  binding's garbage collector may free in any order), the book is freed
 *  when the last of them is freed, and must not be used meanwhile. This
 *  safety net does not cover plans: a #fu_plan holds no reference to the
 *  book, but its touchpoints' `customer_id` and `order_id` point into the
 *  book's texts, so free every plan before the book goes (at fu_book_free(),
 *  or at the fu_planner_free() of its last borrower): a plan read after that
 *  reads freed memory (followup/planner.h, "Ownership"). Must not be called
 *  while another thread uses the book. Threads: changes. */
FU_EXTERN void fu_book_free(fu_book *book);

/**
 * Add one customer (its strings are copied; `in` is not kept). Records
 * borrowed from fu_book_customer() may move. Threads: changes.
 *
 * @param book the book
 * @param in the customer (its strings are copied)
 * @param index_out receives the customer's index (may be NULL)
 * @return #FU_OK; #FU_EINVAL for a missing id or tz, an id holding an
 *         invisible character (U+FEFF, zero-width, bidi marks: as the
 *         customers CSV, docs/formats.md) or an out-of-range field (the
 *         value quoted exactly); #FU_EEXISTS for an id already in the book; #FU_ETIMEZONE
 *         for an unknown zone; #FU_EPARSE for bad windows text; #FU_ENOMEM.
 */
FU_EXTERN int fu_book_add_customer(fu_book *book, const fu_customer *in, size_t *index_out);

/**
 * Add `n` customers. All or nothing: on failure none is added and the
 * message starts with "customer INDEX: ". Strings copied; records borrowed
 * from fu_book_customer() may move. Threads: changes.
 */
FU_EXTERN int fu_book_add_customers(fu_book *book, const fu_customer *in, size_t n);

/**
 * Add one event (strings copied). The book is no longer finalized: event
 * arrays and offsets borrowed before are invalid. Threads: changes.
 *
 * @return #FU_OK; #FU_ENOTFOUND for an unknown customer (unless
 *         #FU_BOOK_CREATE_CUSTOMERS; the message says when the id holds an
 *         invisible character); #FU_EINVAL for a missing time, an
 *         out-of-range enum or, creating the customer, an id holding an
 *         invisible character; #FU_ERANGE for a number out of its range
 *         (negative unit price, survey score outside its scale: the value
 *         quoted exactly, 10.000000000000002 not 10);
 *         #FU_ELIMIT beyond 2^32 - 1 events or customers; #FU_ENOMEM.
 */
FU_EXTERN int fu_book_add_event(fu_book *book, const fu_event_in *in);

/** Add `n` events. All or nothing; the message starts with "event INDEX: ".
 *  Strings copied; borrowed event arrays invalid afterwards. Threads: changes. */
FU_EXTERN int fu_book_add_events(fu_book *book, const fu_event_in *in, size_t n);

/**
 * Sort each customer's events by time (ties keep the order of addition),
 * drop any exact duplicate left (unless #FU_BOOK_KEEP_DUPLICATES; adding
 * already drops them) and build the
 * per-customer index. Cheap when nothing changed since the last call.
 * Event arrays and offsets borrowed before the call are invalid after it.
 * Threads: changes (even when nothing changed since the last call).
 * @return #FU_OK; #FU_ENOMEM (the book is then unchanged, not finalized).
 */
FU_EXTERN int fu_book_finalize(fu_book *book);

/** 1 when the book is finalized (no event or customer added since), else 0.
 *  Threads: reads. */
FU_EXTERN int fu_book_is_finalized(const fu_book *book);

/**
 * Append `n` events to a book that is in use: the one change a book accepts
 * while planners borrow it (every other change fails with #FU_ESTATE). The
 * validation, the flags and the error messages ("event INDEX: ...") are those
 * of fu_book_add_events(). All or nothing: on any error nothing is appended,
 * the book is as it was (still finalized) and nothing leaks.
 *
 * The book ends finalized (an unfinalized book is finalized first), and the
 * appended events sit exactly where they would be had they been added before
 * fu_book_finalize(): in each customer's time order after the events of equal
 * time already there, in the order given, and exact duplicates (of an event
 * already in the book or an earlier one of the call) are dropped and counted
 * unless #FU_BOOK_KEEP_DUPLICATES. A book built in one go and a book built,
 * finalized and then appended to hold the same events in the same order.
 * While a planner borrows the book, an event for a customer not in the book
 * fails (#FU_ENOTFOUND, or #FU_ESTATE with #FU_BOOK_CREATE_CUSTOMERS: a
 * borrowed book takes no new customer).
 *
 * What stays valid across an append: customer records (fu_book_customer(),
 * unless the events create customers), every text (fu_book_customer() fields,
 * fu_book_string(); string ids never change) and every customer index. What
 * does not: event pointers and counts from fu_book_events() and
 * fu_book_customer_events(), and the contents of fu_book_event_offsets():
 * a borrower that keeps any of them compares fu_book_generation() and reads
 * them again when it changed.
 *
 * How (and what it costs): appended events do not shift the book's array.
 * Each customer that gets events has its events, merged with the new ones,
 * copied to an overflow area where fu_book_customer_events() finds them at
 * once (O(1)). The calls that read the whole array — fu_book_events(),
 * fu_book_event_offsets(), the events writers, fu_book_finalize() and every
 * other change — first *settle* the book: one pass moves every customer's
 * events back into one array in customer order (O(events + customers), in
 * place, no allocation; the appends reserved the room). An append costs
 * O(k log k) for its k events plus the events of the customers it touches;
 * the overflow is also settled once it holds 1/16 of the book, so a stream of
 * single-event appends (fu_planner_feed()) costs, amortised, about 17 event
 * moves per event of the customer touched, whatever the book's size; O(r^2) for r appended events of one customer with one timestamp (the
 * duplicate check). The settle changes the book: after an append, the first
 * fu_book_events(), fu_book_event_offsets() or events writer call must not
 * run concurrently with other calls on the book (call fu_book_finalize()
 * right after appending to settle at a time of your choosing).
 *
 * Threads: changes (no other call on the book meanwhile, borrowers included).
 * @return #FU_OK; the errors of fu_book_add_events(); #FU_ENOMEM.
 */
FU_EXTERN int fu_book_append_events(fu_book *book, const fu_event_in *in, size_t n);

/**
 * A number that changes whenever the book's customers or events change or
 * move: every add, read, append and every fu_book_finalize() that does work.
 * A borrower that keeps event pointers or offsets reads them again when the
 * generation differs from the one it saw. 0 for NULL. Threads: reads.
 */
FU_EXTERN uint64_t fu_book_generation(const fu_book *book);

/**
 * Read customers from CSV (docs/formats.md, "customers"): a header row, then
 * one customer per row. All or nothing.
 * @return #FU_OK; #FU_EIO; #FU_EPARSE for malformed CSV, a missing required
 *         column or a bad value; #FU_ERANGE, #FU_ETIMEZONE, #FU_EEXISTS,
 *         #FU_ELIMIT as for the values; #FU_ENOMEM. Errors name file, line,
 *         column and column name.
 * Borrowed records may move. Threads: changes.
 */
FU_EXTERN int fu_book_read_customers_csv(fu_book *book, const char *path);

/** Like fu_book_read_customers_csv() from `len` bytes of text (not kept
 *  after the call); `source_name` names it in errors (NULL: "<string>").
 *  Threads: changes. */
FU_EXTERN int fu_book_read_customers_csv_from_string(fu_book *book, const char *text, size_t len,
                                                     const char *source_name);

/** Read events from CSV (docs/formats.md, "events"), then finalize the book.
 *  All or nothing. Errors as for fu_book_read_customers_csv(), plus
 *  #FU_ENOTFOUND for an unknown customer. Borrowed event arrays are invalid
 *  afterwards. A regular file of 1 MiB or more is parsed in blocks on a
 *  second thread while the calling thread adds them (same book, same first
 *  error as one thread; every allocation stays on the calling thread, so the
 *  allocator need not be thread-safe). Threads: changes. */
FU_EXTERN int fu_book_read_events_csv(fu_book *book, const char *path);

/** Like fu_book_read_events_csv() from `len` bytes of text (not kept).
 *  Threads: changes. */
FU_EXTERN int fu_book_read_events_csv_from_string(fu_book *book, const char *text, size_t len,
                                                  const char *source_name);

/** Number of customers (0 for NULL). Threads: reads. */
FU_EXTERN size_t fu_book_customer_count(const fu_book *book);

/** Customer `index`, borrowed from the book: the record is valid until the
 *  next customer is added (see the conventions above; its texts until the
 *  book is freed); NULL when out of range, or (error set, #FU_ENOMEM) when
 *  the decoded copy of the customers, made by the first call after a
 *  customer was added (88 bytes a customer, see "Memory"), cannot be
 *  allocated. Threads: reads. */
FU_EXTERN const fu_customer *fu_book_customer(const fu_book *book, size_t index);

/**
 * Find a customer by id (`len` bytes, no NUL needed). Threads: reads.
 * @param book the book
 * @param id the id (UTF-8)
 * @param len the length of `id` in bytes
 * @param[out] out its index
 * @return #FU_OK; #FU_ENOTFOUND; #FU_EINVAL.
 */
FU_EXTERN int fu_book_find_customer(const fu_book *book, const char *id, size_t len, size_t *out);

/** Which of a customer's windows texts fu_book_customer_windows() parses. */
typedef enum fu_customer_windows_kind {
    FU_CUSTOMER_WINDOWS_PREFERRED = 0, /**< `preferred_windows` */
    FU_CUSTOMER_WINDOWS_DND = 1        /**< `dnd_windows` (do not disturb) */
} fu_customer_windows_kind;

/**
 * Parse one of a customer's windows texts.
 *
 * @param book the book
 * @param index index of the customer in the book
 * @param which  #FU_CUSTOMER_WINDOWS_PREFERRED or #FU_CUSTOMER_WINDOWS_DND
 * @param[out] out new windows owned by the caller (fu_windows_free()), or
 *                 NULL when the customer has no such windows; they do not
 *                 borrow from the book (may outlive it)
 * Threads: reads.
 * @return #FU_OK; #FU_EINVAL; #FU_ENOMEM.
 */
FU_EXTERN int fu_book_customer_windows(const fu_book *book, size_t index, fu_customer_windows_kind which,
                                       fu_windows **out);

/** Number of events (0 for NULL). Threads: reads. */
FU_EXTERN size_t fu_book_event_count(const fu_book *book);

/**
 * All events, borrowed (valid until the next change to the book). Once the
 * book is finalized they are grouped by customer index and sorted by time.
 * The first call after a change decodes every event into the book's cache
 * (O(events), 56 bytes an event, under a lock: concurrent readers wait for
 * it, then share it); NULL with *count 0 for an empty book and when that
 * allocation fails (#FU_ENOMEM in fu_error_last()).
 * @param book the book (finalized)
 * @param count receives the number of events (may be NULL)
 * Threads: reads, except the first call after fu_book_append_events(), which
 * settles the appended events (see there).
 */
FU_EXTERN const fu_event *fu_book_events(const fu_book *book, size_t *count);

/**
 * The events of customer `index` in time order, borrowed (valid until the
 * next change to the book); *events is NULL when the customer has none. They
 * point into the decoded cache of fu_book_events() (made by the first call
 * after a change: O(events) once, 56 bytes an event). Threads: reads.
 * @return #FU_OK; #FU_ESTATE if the book is not finalized; #FU_EINVAL for an
 *         index out of range or NULL pointers; #FU_ENOMEM.
 */
FU_EXTERN int fu_book_customer_events(const fu_book *book, size_t index, const fu_event **events,
                                      size_t *count);

/**
 * The times (UTC seconds) of events [first, first + count) in the order of
 * fu_book_events(), copied to `out`, read from the stored rows without
 * decoding the events: no cache is made (fu_book_events() costs 56 bytes an
 * event; this costs nothing beyond `out`). Threads: reads, except the first
 * call after fu_book_append_events() (as for fu_book_events()).
 * @return #FU_OK; #FU_EINVAL for NULL pointers (with count > 0) or a range
 *         past fu_book_event_count().
 */
FU_EXTERN int fu_book_event_times(const fu_book *book, size_t first, size_t count, int64_t *out);

/**
 * Per-customer offsets into fu_book_events(): customer `i`'s events are
 * `[offsets[i], offsets[i + 1])`; customer_count + 1 entries, borrowed.
 * NULL when the book is not finalized. Valid until the next change to the
 * book. Threads: reads, except the first call after fu_book_append_events()
 * (as for fu_book_events()).
 */
FU_EXTERN const size_t *fu_book_event_offsets(const fu_book *book);

/** The text of a string id from a #fu_event, borrowed until the book is
 *  freed; NULL for 0 or an unknown id. Threads: reads. */
FU_EXTERN const char *fu_book_string(const fu_book *book, uint32_t id);

/** Fill `out` with the book's counters (all zero for a NULL book).
 *  Threads: reads. */
FU_EXTERN void fu_book_get_stats(const fu_book *book, fu_book_stats *out);

/**
 * Write the customers as CSV (docs/formats.md): every column, in the order
 * of the format, times in UTC with `Z`. The `owner` column is masked as the
 * events' notes are (`王 139****5678`) unless #FU_BOOK_WRITE_RAW_NOTES. Text
 * cells that a spreadsheet would run as a formula are neutralised unless
 * #FU_BOOK_WRITE_RAW_CELLS. The file
 * is written beside `path` and renamed over it once complete and synced: on
 * any failure an existing file at `path` is left as it was.
 * Threads: reads (concurrent writers must use different paths).
 * @return #FU_OK; #FU_EIO; #FU_ENOMEM; #FU_EINVAL.
 */
FU_EXTERN int fu_book_write_customers_csv(const fu_book *book, const char *path);

/** The customers CSV as text, NUL-terminated, owned by the caller
 *  (fu_free()); `len` (may be NULL) receives its length in bytes. On failure
 *  `*out` is NULL. Threads: reads. */
FU_EXTERN int fu_book_write_customers_csv_to_string(const fu_book *book, size_t *len, char **out);

/** Write the events as CSV in stored order (time order per customer once
 *  finalized), every column, times in UTC with `Z`. The `note` and
 *  `agent_id` columns are masked with a default #fu_redactor (`138****5678`,
 *  `z***@example.com`) unless the book was made with
 *  #FU_BOOK_WRITE_RAW_NOTES; the text kept in the book is not changed. Cells neutralised and the file replaced as
 *  for fu_book_write_customers_csv().
 *  @return #FU_OK; #FU_EIO; #FU_ELIMIT when a note cannot be masked within
 *          the redactor's limits (nothing unmasked is written for it);
 *          #FU_ENOMEM; #FU_EINVAL.
 *  Threads: reads (concurrent writers must use different paths). */
FU_EXTERN int fu_book_write_events_csv(const fu_book *book, const char *path);

/** The events CSV as text, NUL-terminated, owned by the caller (fu_free());
 *  `len` (may be NULL) receives its length in bytes; notes masked as for
 *  fu_book_write_events_csv(). On failure `*out` is NULL. Threads: reads. */
FU_EXTERN int fu_book_write_events_csv_to_string(const fu_book *book, size_t *len, char **out);

/** @} */

#ifdef __cplusplus
}
#endif

#endif /* FOLLOWUP_BOOK_H */
