/* The policy loader's own API, shared by lib/policy*.c and by nothing else.
 *
 * lib/policy.c      durations, loading, key-path getters, the
 *                   table of sections (build order and summary order)
 * lib/policy_yaml.c the YAML tree (libyaml events -> ynode) and the deep merge
 * lib/policy_read.c validation: key paths, errors with file:line:column,
 *                   typed readers (rd_*), key tables, conditions (`when:`)
 * lib/policy_<key>.c one top-level section each: its builder (YAML -> the
 *                   typed fu__policy of policy_internal.h) and its part of
 *                   fu_policy_summary()
 *
 * Modules that read a loaded policy include policy_internal.h (or one of the
 * per-section headers it is made of), never this file. */
#ifndef FU_POLICY_CORE_H
#define FU_POLICY_CORE_H

#include "policy_internal.h"
#include "arena_internal.h"

#include <math.h>
#include <stddef.h>

/* ----------------------------------------------------------------- arena */

/* The policy's arena (arena_internal.h): the tree, strings and typed arrays. */
typedef fu__arena arena;

/* ------------------------------------------------------------- YAML tree */

enum { YN_SCALAR = 0, YN_MAP = 1, YN_SEQ = 2 };

typedef struct ynode ynode;
typedef struct yent {
    ynode *key; /* always a scalar */
    ynode *val;
} yent;

struct ynode {
    unsigned char kind;
    unsigned char plain;   /* scalar written without quotes or block style */
    unsigned char is_null; /* plain ~, null, or empty */
    unsigned char single_line;
    unsigned char done;    /* collection complete (alias targets) */
    unsigned long line, col;
    const char *src;
    const char *text; /* scalar, NUL-terminated */
    size_t len;
    size_t n;        /* entries / items */
    yent *ents;      /* YN_MAP */
    ynode **items;   /* YN_SEQ */
    size_t weight;   /* nodes in this subtree, aliases counted expanded */
};

/* Objects outside the arena that the policy owns. */
typedef struct owned {
    struct owned *next;
    int kind; /* 0 calendar, 1 windows, 2 pcre2 code */
    void *ptr;
} owned;

struct fu_policy {
    arena a;
    owned *owned;
    const ynode *root;
    const char *source;
    fu__policy t;
};

typedef struct limits {
    size_t max_bytes;
    unsigned int max_depth;
    size_t max_nodes;
} limits;

typedef struct vctx {
    fu_policy *p;
    arena *a;
    char path[256];
    size_t plen;
    pcre2_general_context *gctx;
    pcre2_compile_context *cctx;
} vctx;

enum {
    DUR_NEG = 1u << 0,  /* negative allowed */
    DUR_ZERO = 1u << 1, /* zero allowed */
    DUR_WALL = 1u << 2, /* units allowed: */
    DUR_BUSINESS = 1u << 3,
    DUR_WORKDAYS = 1u << 4,
    DUR_MONTHS = 1u << 5,
    DUR_ANY = DUR_WALL | DUR_BUSINESS | DUR_WORKDAYS | DUR_MONTHS
};

/* Candidate names for references (tiers, classes, RFM groups). */
typedef struct namelist {
    const char *v[FU__POL_MAX_TIERS];
    size_t n;
} namelist;

typedef struct bctx {
    vctx *c;
    namelist tiers, classes, rfm;
} bctx;

enum { PAT_DEADLINE, PAT_REASON, PAT_REPLACEMENT };

/* ------------------------------------------------------------ key tables
 *
 * A mapping whose keys are a fixed list is read by table: one row per key
 * (name, type, offset of the field in the section's struct, required,
 * range or units, default, validator). fu__pol_read_keys() sets the
 * defaults, checks that every key of the mapping is known, reads the rows
 * in table order (each row's validator right after its key) and runs the
 * table's validator last. Errors come in that order, as they did when each
 * section read its keys by hand. */
typedef enum fu__pol_ktype {
    FU__K_NUM,   /* double, [lo, hi] */
    FU__K_SHARE, /* double, 0.75 or 75%, [lo, hi] */
    FU__K_INT,   /* int, [lo, hi] */
    FU__K_BOOL,  /* int 0/1 */
    FU__K_STR,   /* const char * */
    FU__K_DUR,   /* fu_duration, `units`: DUR_* */
    FU__K_ENUM,  /* int index into `names` (NULL-terminated), `what` names one */
    FU__K_MASK,  /* uint32_t bits over `names`: one name or a list */
    FU__K_WHEN,  /* fu__pol_when: a condition */
    FU__K_MAP,   /* a nested mapping read by `sub` into the same struct */
    FU__K_LIST,  /* named entries (`list`): array at `offset`, its count at `count_offset` */
    FU__K_FN     /* read by `read` (lists, references, patterns): the value, with the key on the path */
} fu__pol_ktype;

typedef struct fu__pol_key fu__pol_key;

typedef struct fu__pol_keys {
    const fu__pol_key *v;
    size_t n;
    const char *const *allowed; /* known keys in the order error messages list them; NULL: the rows' */
    int (*check)(bctx *b, const ynode *map, void *base); /* after all rows; NULL: none */
} fu__pol_keys;

struct fu__pol_key {
    const char *name;
    fu__pol_ktype type;
    size_t offset;      /* of the field in the struct `base` points to */
    int required;
    double lo, hi;      /* NUM, SHARE, INT */
    unsigned units;     /* DUR */
    const char *what;   /* ENUM, MASK: "priority", "handling", ... */
    const char *const *names; /* ENUM, MASK */
    int has_def;        /* 1: `def` is set before reading; 0: the field is left as it is */
    double def;         /* NUM, SHARE, FN on a double: the value; INT, BOOL, ENUM: (int)def */
    const fu__pol_keys *sub; /* MAP */
    int (*read)(bctx *b, const fu__pol_key *k, const ynode *val, void *base); /* FN, when the key is there */
    int (*check)(bctx *b, const ynode *map, void *base); /* after this row; NULL: none */
    const struct fu__pol_entries *list; /* LIST */
    size_t count_offset;                /* LIST */
};

/* Rows, for tables that read like the YAML they describe. Fields a macro
 * leaves out are zero (no default: `has_def` 0). */
#define FU__KEY_(key_, type_, S, f, req) .name = key_, .type = type_, .offset = offsetof(S, f), .required = req
#define FU__KEY_NUM(S, f, key, req, lo_, hi_) {FU__KEY_(key, FU__K_NUM, S, f, req), .lo = lo_, .hi = hi_}
#define FU__KEY_SHARE(S, f, key, req, lo_, hi_) {FU__KEY_(key, FU__K_SHARE, S, f, req), .lo = lo_, .hi = hi_}
#define FU__KEY_INT(S, f, key, req, lo_, hi_) {FU__KEY_(key, FU__K_INT, S, f, req), .lo = lo_, .hi = hi_}
#define FU__KEY_BOOL(S, f, key, req) {FU__KEY_(key, FU__K_BOOL, S, f, req)}
#define FU__KEY_BOOL_DEF(S, f, key, req, def_) {FU__KEY_(key, FU__K_BOOL, S, f, req), .has_def = 1, .def = def_}
#define FU__KEY_STR(S, f, key, req) {FU__KEY_(key, FU__K_STR, S, f, req)}
#define FU__KEY_DUR(S, f, key, req, units_) {FU__KEY_(key, FU__K_DUR, S, f, req), .units = units_}
#define FU__KEY_ENUM(S, f, key, req, what_, names_) {FU__KEY_(key, FU__K_ENUM, S, f, req), .what = what_, .names = names_}
#define FU__KEY_MASK(S, f, key, what_, names_) {FU__KEY_(key, FU__K_MASK, S, f, 0), .what = what_, .names = names_}
#define FU__KEY_WHEN(S, f, key) {FU__KEY_(key, FU__K_WHEN, S, f, 0)}
#define FU__KEY_MAP(key, req, sub_) {.name = key, .type = FU__K_MAP, .required = req, .sub = sub_}
#define FU__KEY_FN(key, req, fn) {.name = key, .type = FU__K_FN, .required = req, .read = fn}
/* A mapping of named entries into the array `f` and its count `nf`. */
#define FU__KEY_LIST(S, f, nf, key, req, list_) \
    {FU__KEY_(key, FU__K_LIST, S, f, req), .count_offset = offsetof(S, nf), .list = list_}
#define FU__KEYS(rows, allowed, check) {rows, sizeof rows / sizeof rows[0], allowed, check}

/* Reads the mapping `map` by table into `base`. */
int fu__pol_read_keys(bctx *b, const ynode *map, const fu__pol_keys *t, void *base);
/* Reads the value of `key` in `map` (a mapping, required or not) by table,
 * with `key` on the path. Absent and not required: only the defaults. */
int fu__pol_read_map(bctx *b, const ynode *map, const char *key, int required, const fu__pol_keys *t, void *base);

/* A mapping of named entries (`name: {...}`) read into a new array in the
 * arena. Each element starts with `const char *name, *rule` (the key, and
 * "<rule_prefix>.<name>"); the rest is read by `keys` and then by `fn` (each
 * may be NULL), with the entry's name on the path. On an error the array is
 * left half read (it lives in the arena) and *out, *count are not set. */
typedef int (*fu__pol_entry_fn)(bctx *b, const char *name, const ynode *val, void *elem);
typedef struct fu__pol_entries {
    size_t size;             /* of one element */
    const char *rule_prefix; /* "caps", "segments.composite" */
    const fu__pol_keys *keys;
    fu__pol_entry_fn fn;
} fu__pol_entries;
int fu__pol_read_entries(bctx *b, const ynode *map, const fu__pol_entries *d, void **out, size_t *count);
/* The same for the value of `key` in `map`, with `key` on the path; absent
 * and not required: *out and *count are left as they are. */
int fu__pol_read_named(bctx *b, const ynode *map, const char *key, int required, const fu__pol_entries *d,
                       void **out, size_t *count);
/* The value of `key` in `map` with `key` pushed on the path (*old: for
 * fu__pol_path_pop()); *out NULL and nothing pushed when it is absent. */
int fu__pol_enter(vctx *c, const ynode *map, const char *key, int required, const ynode **out, size_t *old);
/* Key i of `map` names a value tier (segments.value_tiers), or an error. */
int fu__pol_tier_key(bctx *b, const ynode *map, size_t i);
/* A name or list of names into *s, and a zeroed array of as many `size`-byte
 * elements (NULL on an error, in *rc). */
void *fu__pol_strs_array(vctx *c, const ynode *n, fu__pol_strs *s, size_t size, int *rc);
/* A mapping with at least one entry (else the error `too_few`, unless NULL)
 * and at most `max` (0: any; else "more than <max> <what>"). */
int fu__pol_want_count(vctx *c, const ynode *m, const char *too_few, size_t max, const char *what);
/* The first of `n` elements of `size` bytes, each starting with its name, called `name`; NULL if none. */
const void *fu__pol_find(const void *v, size_t n, size_t size, const char *name);

/* A section of the policy: a top-level key, its builder (called in table
 * order after the calendars) and its part of the summary (NULL: none). */
typedef struct fu__pol_section {
    const char *key;
    int (*build)(bctx *b, const ynode *root);
    void (*summary)(fu__buf *out, const fu__policy *t);
} fu__pol_section;

/* ------------------------------------------------------------ functions */

/* policy.c */
int fu__pol_word_eq(const char *w, size_t n, const char *lit);
/* 1 for true/yes/on, 0 for false/no/off (any case), -1 for anything else. */
int fu__pol_bool_word(const char *w, size_t n);
int fu__pol_dur_parse(const char *s, size_t len, fu_duration *out, size_t *errcol, char *msg, size_t msgsz);

/* policy_besttime.c */
int fu__pol_build_besttime(bctx *b, const ynode *root);

/* policy_cadences.c */
int fu__pol_build_cadences(bctx *b, const ynode *root);

/* policy_calendars.c */
int fu__pol_parse_hhmm(const char *s, size_t len, int *out);
void fu__pol_fmt_hhmm(int m, char *buf);
int fu__pol_build_calendars(bctx *b, const ynode *root);
const fu__pol_calendar *fu__pol_find_calendar(const fu__policy *t, const char *name);
/* A calendar named by the scalar `n` (an error names the calendars there are). */
int fu__pol_calendar_ref(vctx *c, const ynode *n, const fu__pol_calendar **out);

/* policy_capacity.c */
int fu__pol_build_capacity(bctx *b, const ynode *root);

/* policy_caps.c */
int fu__pol_build_caps(bctx *b, const ynode *root);
int fu__pol_build_quiet_hours(bctx *b, const ynode *root);

/* policy_commitments.c */
/* How named patterns of each kind (PAT_*) are read: rule names and keys. */
extern const fu__pol_entries fu__pol_pattern_entries[];
int fu__pol_build_commitments(bctx *b, const ynode *root);

/* policy_kpis.c */
int fu__pol_build_kpis(bctx *b, const ynode *root);
int fu__pol_build_scorecard(bctx *b, const ynode *root);

/* policy_read.c */
size_t fu__pol_path_push(vctx *c, const char *key);
size_t fu__pol_path_push_idx(vctx *c, size_t i);
void fu__pol_path_pop(vctx *c, size_t old);
const char *fu__pol_node_desc(const ynode *n, char *buf, size_t size);
int fu__pol_unknown_name(vctx *c, const ynode *at, const char *what, const char *word, const char *const *cands, size_t n);
int fu__pol_want_map(vctx *c, const ynode *n);
int fu__pol_want_seq(vctx *c, const ynode *n);
int fu__pol_check_keys(vctx *c, const ynode *map, const char *const *allowed);
int fu__pol_field(vctx *c, const ynode *map, const char *key, int required, const ynode **out);
int fu__pol_want_scalar(vctx *c, const ynode *n, const char *what);
int fu__pol_parse_number(const char *s, size_t len, double *out, int *pct);
int fu__pol_str_of(vctx *c, const ynode *n, const char **out);
int fu__pol_share_of(vctx *c, const ynode *n, double lo, double hi, double *out);
int fu__pol_rd_num(vctx *c, const ynode *map, const char *key, int req, double lo, double hi, double *out);
int fu__pol_rd_share(vctx *c, const ynode *map, const char *key, int req, double lo, double hi, double *out);
int fu__pol_rd_int(vctx *c, const ynode *map, const char *key, int req, long lo, long hi, int *out);
int fu__pol_rd_str(vctx *c, const ynode *map, const char *key, int req, const char **out);
int fu__pol_rd_bool(vctx *c, const ynode *map, const char *key, int req, int *out);
int fu__pol_rd_dur(vctx *c, const ynode *map, const char *key, int req, unsigned flags, fu_duration *out);
int fu__pol_rd_enum(vctx *c, const ynode *map, const char *key, int req, const char *what, const char *const *names, int *out);
char *fu__pol_rule_name(vctx *c, const char *a, const char *b, const char *d);
int fu__pol_register_owned(vctx *c, int kind, owned **out);
int fu__pol_rd_mask(vctx *c, const ynode *map, const char *key, const char *what, const char *const *cands, size_t nc, uint32_t *out);
int fu__pol_strs_of(vctx *c, const ynode *n, fu__pol_strs *out);
int fu__pol_rd_when(bctx *b, const ynode *map, const char *key, fu__pol_when *out);
extern const char *const fu__pol_lifecycle_names[];
extern const char *const fu__pol_promise_state_names[];
extern const char *const fu__pol_channel_names[];
extern const char *const fu__pol_priority_names[];
extern const char *const fu__pol_action_names[];
extern const char *const fu__pol_weekday_keys[];

/* policy_redaction.c */
int fu__pol_build_redaction(bctx *b, const ynode *root);

/* policy_redial.c */
int fu__pol_build_redial(bctx *b, const ynode *root);
int fu__pol_build_guard(bctx *b, const ynode *root);
int fu__pol_build_agents(bctx *b, const ynode *root);
int fu__pol_build_channels(bctx *b, const ynode *root);

/* policy_segments.c */
int fu__pol_build_segments(bctx *b, const ynode *root);

/* policy_sla.c */
int fu__pol_build_sla(bctx *b, const ynode *root);

/* policy_suppressions.c */
int fu__pol_build_suppressions(bctx *b, const ynode *root);

/* policy_yaml.c */
int fu__pol_parse_tree(arena *a, const char *src, const char *text, size_t len, const limits *lim, ynode **out);
const ynode *fu__pol_map_get(const ynode *map, const char *key);
const ynode *fu__pol_map_get_n(const ynode *map, const char *key, size_t kl);
int fu__pol_merge_nodes(arena *a, const ynode *base, const ynode *over, const ynode **out);

int fu__pol_verr(vctx *c, const ynode *n, int code, const char *fmt, ...) FU_PRINTF(4, 5);
/* A policy error at the value of `key` in `map`, with `key` on the path. */
int fu__pol_key_err(vctx *c, const ynode *map, const char *key, const char *fmt, ...) FU_PRINTF(4, 5);

/* policy_read.c: writers of the summary */
void fu__pol_put_dur(fu__buf *b, const fu_duration *d);
void fu__pol_put_mask(fu__buf *b, uint32_t mask, const char *const *names, size_t n);
void fu__pol_put_when(fu__buf *b, const fu__policy *t, const fu__pol_when *w);

/* each section's part of fu_policy_summary() */
void fu__pol_summary_calendars(fu__buf *b, const fu__policy *t);
void fu__pol_summary_segments(fu__buf *b, const fu__policy *t);
void fu__pol_summary_cadences(fu__buf *b, const fu__policy *t);
void fu__pol_summary_caps(fu__buf *b, const fu__policy *t);
void fu__pol_summary_quiet_hours(fu__buf *b, const fu__policy *t);
void fu__pol_summary_suppressions(fu__buf *b, const fu__policy *t);
void fu__pol_summary_capacity(fu__buf *b, const fu__policy *t);
void fu__pol_summary_sla(fu__buf *b, const fu__policy *t);
void fu__pol_summary_commitments(fu__buf *b, const fu__policy *t);
void fu__pol_summary_kpis(fu__buf *b, const fu__policy *t);
void fu__pol_summary_scorecard(fu__buf *b, const fu__policy *t);
void fu__pol_summary_redaction(fu__buf *b, const fu__policy *t);
void fu__pol_summary_besttime(fu__buf *b, const fu__policy *t);

#endif /* FU_POLICY_CORE_H */
