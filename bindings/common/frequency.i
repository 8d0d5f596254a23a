/* SWIG interface of fu_frequency (language-neutral; per-language pieces are
 * under #ifdef SWIGPYTHON / SWIGLUA).
 *
 *   FrequencyData(records, n_segments)   records: bytes of packed 24-byte
 *       attempts (little-endian "<IIIfHHHBB": customer, segment, k, gap_days,
 *       load_72h, load_7d, load_30d, positive, negative); Python builds them
 *       from a DataFrame with followup.frequency_records(df)
 *     count(), segment_count(), positives(), negatives(), held_out()
 *     set_segment_name(i, name), segment_name(i)
 *     split(seed, fraction)        hold out a share of the customers (seeded)
 *   frequency_read_bank(path) -> FrequencyData       (UCI bank-marketing layout)
 *   frequency_from_book(book, positive="answered", segments=None, n_segments=1)
 *       -> FrequencyData; segments: bytes of one uint32 per book customer
 *   FrequencyModel(data, max_k=0, level=0, flags=0)  fits on the data's
 *       attempts that are not held out
 *     hazard(segment, k, gap_days=nan) -> FrequencyEstimate (p, lo, hi)
 *     negative(segment, load_72h=0, load_7d=0, load_30d=0) -> FrequencyEstimate
 *     evaluate(data) -> FrequencyScores on the data's held-out attempts
 *       (attempts, positives, log_loss, brier, log_loss_constant,
 *        brier_constant, log_loss_per_k, brier_per_k)
 *     curves(format="csv") -> str
 *     recommend(value, costs="phone=0", channel="phone", complaint_cost=0,
 *               horizon_days=90, when=None, format="csv", values=None) -> str
 *       values: "vip=5000,key=800", a value per segment (others: value)
 *     is_monotone(), segment_count(), segment_name(i), max_k()
 *     Python: curves_frame(), recommendations_frame(...), policy_yaml(...),
 *     plot(path) (matplotlib; hazard curves with their intervals)
 *   constants FREQUENCY_NO_MONOTONE, FREQUENCY_FORCE_MONOTONE,
 *   FREQUENCY_GAP_NONE, FREQUENCY_GAP_UNKNOWN
 * Failures raise (followup.Error subclasses in Python, error tables in Lua).
 */

%{
#include <math.h>
#include <stdlib.h>
#include <string.h>

typedef struct fu_swig_freq_data {
    fu_frequency_attempt *a; /* fu_free, or free when `own` */
    int own;
    size_t n;
    size_t n_segments;
    uint8_t *test;           /* malloc, NULL when nothing is held out */
    char **names;            /* malloc, n_segments entries (NULL: default) */
} fu_swig_freq_data;

static void fu_swig_freq_data_free(fu_swig_freq_data *d) {
    if (!d) return;
    if (d->own) free(d->a);
    else fu_free(d->a);
    free(d->test);
    if (d->names)
        for (size_t i = 0; i < d->n_segments; i++) free(d->names[i]);
    free(d->names);
    free(d);
}

static fu_swig_freq_data *fu_swig_freq_wrap(fu_frequency_attempt *a, size_t n, size_t n_segments) {
    fu_swig_freq_data *d = (fu_swig_freq_data *)calloc(1, sizeof *d);
    if (d) d->names = (char **)calloc(n_segments ? n_segments : 1, sizeof(char *));
    if (!d || !d->names) {
        free(d);
        fu_free(a);
        fu_swig_nomem();
        return NULL;
    }
    d->a = a;
    d->n = n;
    d->n_segments = n_segments;
    return d;
}

static int fu_swig_freq_set_name(fu_swig_freq_data *d, size_t i, const char *name) {
    if (i >= d->n_segments) return fu_error_set(FU_EINVAL, "segment %zu out of range", i);
    if (!name) return fu_error_set(FU_EINVAL, "set_segment_name: the name is required (NULL given)"); /* s12 U4 */
    char *c = (char *)malloc(strlen(name) + 1);
    if (!c) return fu_swig_nomem();
    strcpy(c, name);
    free(d->names[i]);
    d->names[i] = c;
    return FU_OK;
}

static fu_swig_freq_data *fu_swig_frequency_read_bank(const char *path) {
    fu_frequency_attempt *a = NULL;
    size_t n = 0;
    if (fu_frequency_read_bank_csv(&a, &n, path)) return NULL;
    fu_swig_freq_data *d = fu_swig_freq_wrap(a, n, FU_FREQUENCY_BANK_SEGMENTS);
    for (uint32_t s = 0; d && s < FU_FREQUENCY_BANK_SEGMENTS; s++)
        if (fu_swig_freq_set_name(d, s, fu_frequency_bank_segment_name(s))) {
            fu_swig_freq_data_free(d);
            return NULL;
        }
    return d;
}

static int fu_swig_freq_positive(const char *p, fu_frequency_positive *out) {
    if (!p || strcmp(p, "answered") == 0) *out = FU_FREQUENCY_ANSWERED;
    else if (strcmp(p, "purchase") == 0) *out = FU_FREQUENCY_PURCHASE;
    else if (strcmp(p, "resolved") == 0) *out = FU_FREQUENCY_RESOLVED;
    else return fu_error_set(FU_EINVAL, "positive must be answered, purchase or resolved, not '%s'", p);
    return FU_OK;
}

static fu_swig_freq_data *fu_swig_frequency_from_book(const fu_book *book, const char *positive,
                                                      const char *segments, size_t nsegments, size_t n_segments) {
    const char *text = segments;
    size_t len = nsegments;
    fu_frequency_options o = FU_FREQUENCY_OPTIONS_INIT;
    if (fu_swig_freq_positive(positive, &o.positive)) return NULL;
    size_t nc = fu_book_customer_count(book);
    uint32_t *seg = NULL;
    if (text && len) {
        if (len != nc * sizeof(uint32_t)) {
            fu_error_set(FU_EINVAL, "segments: want %zu bytes (one uint32 per customer), got %zu",
                          nc * sizeof(uint32_t), len);
            return NULL;
        }
        seg = (uint32_t *)malloc(len);
        if (!seg) {
            fu_swig_nomem();
            return NULL;
        }
        memcpy(seg, text, len);
    } else {
        n_segments = 1;
    }
    fu_frequency_attempt *a = NULL;
    size_t n = 0;
    int rc = fu_frequency_attempts_from_book(&a, &n, book, seg, &o);
    free(seg);
    return rc ? NULL : fu_swig_freq_wrap(a, n, n_segments);
}

static int fu_swig_freq_costs(const char *spec, double *cost) {
    const char *p = spec;
    while (p && *p) {
        const char *end = strchr(p, ',');
        size_t len = end ? (size_t)(end - p) : strlen(p);
        const char *eq = (const char *)memchr(p, '=', len);
        fu_channel ch;
        char num[64];
        size_t nlen = eq ? len - (size_t)(eq + 1 - p) : 0;
        if (!eq || nlen == 0 || nlen >= sizeof num ||
            fu_channel_from_string(p, (size_t)(eq - p), &ch) != FU_OK || ch == FU_CHANNEL_NONE) {
            fu_error_clear();
            return fu_error_set(FU_EINVAL, "costs: want CHANNEL=AMOUNT[,...], e.g. \"phone=8,sms=0.1\"");
        }
        memcpy(num, eq + 1, nlen);
        num[nlen] = '\0';
        char *stop = NULL;
        double v = strtod(num, &stop);
        if (!stop || *stop || !(v >= 0) || !isfinite(v))
            return fu_error_set(FU_EINVAL, "costs: '%s' is not an amount >= 0", num);
        cost[ch] = v;
        p = end ? end + 1 : NULL;
    }
    return FU_OK;
}

/* "vip=5000,key=800": a value per segment by name; segments not named get
 * `value`. malloc'd array of the model's segment count, NULL on error. */
static double *fu_swig_freq_values(const fu_frequency *m, double value, const char *spec) {
    size_t ns = fu_frequency_segment_count(m);
    double *v = (double *)malloc((ns ? ns : 1) * sizeof *v);
    if (!v) {
        fu_swig_nomem();
        return NULL;
    }
    for (size_t i = 0; i < ns; i++) v[i] = value;
    for (const char *p = spec; p && *p;) {
        const char *end = strchr(p, ',');
        size_t len = end ? (size_t)(end - p) : strlen(p);
        const char *eq = (const char *)memchr(p, '=', len);
        size_t i = 0;
        while (eq && i < ns && !(strlen(fu_frequency_segment_name(m, i)) == (size_t)(eq - p) &&
                                 memcmp(fu_frequency_segment_name(m, i), p, (size_t)(eq - p)) == 0))
            i++;
        char num[64];
        size_t nlen = eq ? len - (size_t)(eq + 1 - p) : 0;
        char *stop = NULL;
        if (eq && nlen > 0 && nlen < sizeof num) {
            memcpy(num, eq + 1, nlen);
            num[nlen] = '\0';
        } else {
            num[0] = '\0';
        }
        double x = num[0] ? strtod(num, &stop) : NAN;
        if (!eq || i == ns || !stop || *stop || !(x > 0) || !isfinite(x)) {
            free(v);
            fu_error_set(FU_EINVAL, "values: want SEGMENT=VALUE[,...] with known segments and values > 0 (at '%.*s')",
                          (int)(len > 40 ? 40 : len), p);
            return NULL;
        }
        v[i] = x;
        p = end ? end + 1 : NULL;
    }
    return v;
}

static int fu_swig_freq_format(const char *f, fu_frequency_format *out) {
    if (!f || strcmp(f, "csv") == 0) *out = FU_FREQUENCY_CSV;
    else if (strcmp(f, "json") == 0) *out = FU_FREQUENCY_JSON;
    else if (strcmp(f, "table") == 0) *out = FU_FREQUENCY_TABLE;
    else if (strcmp(f, "yaml") == 0) *out = FU_FREQUENCY_YAML;
    else return fu_error_set(FU_EINVAL, "format must be csv, json, table or yaml, not '%s'", f);
    return FU_OK;
}
%}


%constant unsigned int FREQUENCY_NO_MONOTONE = FU_FREQUENCY_NO_MONOTONE;
%constant unsigned int FREQUENCY_FORCE_MONOTONE = FU_FREQUENCY_FORCE_MONOTONE;
%constant double FREQUENCY_GAP_NONE = FU_FREQUENCY_GAP_NONE;
%constant double FREQUENCY_GAP_UNKNOWN = FU_FREQUENCY_GAP_UNKNOWN;

%newobject fu_swig_frequency_read_bank;
%newobject fu_swig_frequency_from_book;
FU_RAISES(fu_swig_frequency_read_bank)
FU_RAISES(fu_swig_frequency_from_book)
%rename(frequency_read_bank) fu_swig_frequency_read_bank;
%rename(frequency_from_book) fu_swig_frequency_from_book;
%rename(FrequencyData) fu_swig_freq_data;
typedef struct fu_swig_freq_data {} fu_swig_freq_data;
fu_swig_freq_data *fu_swig_frequency_read_bank(const char *path);
/* segments: binary data as the (bytes, nbytes) typemaps take it; the Python
 * keyword is `segments` (`bytes=`, which shadowed the builtin, is still
 * taken with a DeprecationWarning until 0.3: _pythonic._RENAMED_KEYWORDS) */
%apply (const char *bytes, size_t nbytes) { (const char *segments, size_t nsegments) };
fu_swig_freq_data *fu_swig_frequency_from_book(const fu_book *book, const char *positive = NULL,
                                               const char *segments = NULL, size_t nsegments = 0,
                                               size_t n_segments = 1);

FU_RAISES(fu_swig_freq_data::fu_swig_freq_data)
FU_RAISES(fu_swig_freq_data::m_split)
FU_RAISES(fu_swig_freq_data::m_set_segment_name)
%rename(count) fu_swig_freq_data::m_count;
%rename(segment_count) fu_swig_freq_data::m_segment_count;
%rename(positives) fu_swig_freq_data::m_positives;
%rename(negatives) fu_swig_freq_data::m_negatives;
%rename(held_out) fu_swig_freq_data::m_held_out;
%rename(split) fu_swig_freq_data::m_split;
%rename(set_segment_name) fu_swig_freq_data::m_set_segment_name;
%rename(segment_name) fu_swig_freq_data::m_segment_name;
%extend fu_swig_freq_data {
    fu_swig_freq_data(const char *bytes, size_t nbytes, size_t n_segments = 1) {
        const char *text = bytes;
        size_t len = nbytes;
        if (len % sizeof(fu_frequency_attempt)) {
            fu_error_set(FU_EINVAL, "records: %zu bytes is not a whole number of %zu-byte attempts", len,
                          sizeof(fu_frequency_attempt));
            return NULL;
        }
        if (n_segments == 0) {
            fu_error_set(FU_EINVAL, "n_segments must be >= 1");
            return NULL;
        }
        size_t n = len / sizeof(fu_frequency_attempt);
        fu_frequency_attempt *a = (fu_frequency_attempt *)malloc(len ? len : 1);
        if (!a) {
            fu_swig_nomem();
            return NULL;
        }
        if (n) memcpy(a, text, len);
        fu_swig_freq_data *d = fu_swig_freq_wrap(NULL, n, n_segments);
        if (!d) {
            free(a);
            return NULL;
        }
        d->a = a;
        d->own = 1;
        return d;
    }
    ~fu_swig_freq_data() { fu_swig_freq_data_free($self); }
    size_t m_count() { return $self->n; }
    size_t m_segment_count() { return $self->n_segments; }
    size_t m_positives() {
        size_t c = 0;
        for (size_t i = 0; i < $self->n; i++) c += $self->a[i].positive != 0;
        return c;
    }
    size_t m_negatives() {
        size_t c = 0;
        for (size_t i = 0; i < $self->n; i++) c += $self->a[i].negative != 0;
        return c;
    }
    size_t m_held_out() {
        size_t c = 0;
        for (size_t i = 0; $self->test && i < $self->n; i++) c += $self->test[i] != 0;
        return c;
    }
    void m_split(unsigned long long seed, double fraction) {
        if (!$self->test) $self->test = (uint8_t *)calloc($self->n ? $self->n : 1, 1);
        if (!$self->test) {
            fu_swig_nomem();
            return;
        }
        fu_frequency_split($self->a, $self->n, (uint64_t)seed, fraction, $self->test);
    }
    void m_set_segment_name(size_t i, const char *name) { fu_swig_freq_set_name($self, i, name); }
    const char *m_segment_name(size_t i) {
        return i < $self->n_segments ? $self->names[i] : NULL;
    }
}

%rename(FrequencyModel) fu_frequency;
typedef struct fu_frequency {} fu_frequency;
%rename(FrequencyEstimate) fu_frequency_estimate;
typedef struct fu_frequency_estimate {
    double p;
    double lo;
    double hi;
} fu_frequency_estimate;
%rename(FrequencyScores) fu_frequency_scores;
typedef struct fu_frequency_scores {
    size_t attempts;
    size_t positives;
    double log_loss;
    double brier;
    double log_loss_constant;
    double brier_constant;
    double log_loss_per_k;
    double brier_per_k;
} fu_frequency_scores;
%newobject fu_frequency::m_hazard;
%newobject fu_frequency::m_negative;
%newobject fu_frequency::m_evaluate;
FU_RAISES(fu_frequency::fu_frequency)
FU_RAISES(fu_frequency::m_hazard)
FU_RAISES(fu_frequency::m_negative)
FU_RAISES(fu_frequency::m_evaluate)
FU_RAISES(fu_frequency::m_curves)
FU_RAISES(fu_frequency::m_recommend)
%newobject fu_frequency::m_curves;
%newobject fu_frequency::m_recommend;
%typemap(newfree) char *fu_frequency::m_curves "fu_free($1);";
%typemap(newfree) char *fu_frequency::m_recommend "fu_free($1);";
%rename(hazard) fu_frequency::m_hazard;
%rename(negative) fu_frequency::m_negative;
%rename(evaluate) fu_frequency::m_evaluate;
%rename(curves) fu_frequency::m_curves;
%rename(recommend) fu_frequency::m_recommend;
%rename(is_monotone) fu_frequency::m_is_monotone;
%rename(segment_count) fu_frequency::m_segment_count;
%rename(segment_name) fu_frequency::m_segment_name;
%rename(max_k) fu_frequency::m_max_k;
%extend fu_frequency {
    fu_frequency(const fu_swig_freq_data *data, unsigned int max_k = 0, double level = 0,
                 unsigned int flags = 0) {
        fu_frequency_options o = FU_FREQUENCY_OPTIONS_INIT;
        o.max_k = max_k;
        o.level = level;
        o.flags = flags;
        int named = 0;
        for (size_t i = 0; i < data->n_segments; i++) named |= data->names[i] != NULL;
        for (size_t i = 0; named && i < data->n_segments; i++)
            if (!data->names[i]) {
                fu_error_set(FU_EINVAL, "segment %zu has no name (set every name or none)", i);
                return NULL;
            }
        fu_frequency *m = NULL;
        fu_frequency_fit(&m, data->a, data->n, data->test,
                         named ? (const char *const *)data->names : NULL, data->n_segments, &o);
        return m;
    }
    ~fu_frequency() { fu_frequency_free($self); }
    fu_frequency_estimate *m_hazard(size_t segment, unsigned int k, double gap_days = NAN) {
        fu_frequency_estimate *e = (fu_frequency_estimate *)calloc(1, sizeof *e);
        if (!e) fu_swig_nomem();
        else if (fu_frequency_hazard($self, segment, k, gap_days, e)) {
            free(e);
            e = NULL;
        }
        return e;
    }
    fu_frequency_estimate *m_negative(size_t segment, unsigned int load_72h = 0, unsigned int load_7d = 0,
                                      unsigned int load_30d = 0) {
        fu_frequency_estimate *e = (fu_frequency_estimate *)calloc(1, sizeof *e);
        if (!e) fu_swig_nomem();
        else if (fu_frequency_negative($self, segment, load_72h, load_7d, load_30d, e)) {
            free(e);
            e = NULL;
        }
        return e;
    }
    fu_frequency_scores *m_evaluate(const fu_swig_freq_data *data) {
        fu_frequency_scores *s = (fu_frequency_scores *)calloc(1, sizeof *s);
        if (!s) fu_swig_nomem();
        else if (fu_frequency_evaluate($self, data->a, data->n, data->test, s)) {
            free(s);
            s = NULL;
        }
        return s;
    }
    char *m_curves(const char *format = NULL) {
        fu_frequency_format f;
        char *out = NULL;
        if (fu_swig_freq_format(format, &f)) return NULL;
        fu_frequency_write_curves($self, f, NULL, &out);
        return out;
    }
    char *m_recommend(double value, const char *costs = NULL, const char *channel = NULL,
                      double complaint_cost = 0, double horizon_days = 90, const char *when = NULL,
                      const char *format = NULL, const char *values = NULL) {
        fu_frequency_recommend_options o = FU_FREQUENCY_RECOMMEND_OPTIONS_INIT;
        double *sv = NULL;
        if (values && values[0]) {
            sv = fu_swig_freq_values($self, value, values);
            if (!sv) return NULL;
            o.segment_values = sv;
        }
        fu_frequency_format f;
        o.value = value;
        o.complaint_cost = complaint_cost;
        o.when_key = when;
        if (!(horizon_days > 0) || horizon_days > 36500) {
            fu_error_set(FU_EINVAL, "horizon_days must lie in (0, 36500]");
            return NULL;
        }
        o.horizon = (int64_t)(horizon_days * 86400);
        char *out = NULL;
        if (fu_swig_freq_format(format, &f) == FU_OK && fu_swig_freq_costs(costs, o.contact_cost) == FU_OK &&
            (!channel || fu_channel_from_string(channel, strlen(channel), &o.channel) == FU_OK)) {
            fu_frequency_recommendation *r = NULL;
            size_t n = 0;
            if (fu_frequency_recommend($self, &o, &r, &n) == FU_OK)
                fu_frequency_write_recommendations($self, r, n, &o, f, NULL, &out);
            fu_free(r);
        }
        free(sv);
        return out;
    }
    bool m_is_monotone() { return fu_frequency_is_monotone($self) != 0; }
    size_t m_segment_count() { return fu_frequency_segment_count($self); }
    const char *m_segment_name(size_t i) { return fu_frequency_segment_name($self, i); }
    unsigned int m_max_k() { return fu_frequency_max_k($self); }
}

#ifdef SWIGPYTHON
%pythoncode %{
FREQUENCY_RECORD_DTYPE = [("customer", "<u4"), ("segment", "<u4"), ("k", "<u4"), ("gap_days", "<f4"),
                          ("load_72h", "<u2"), ("load_7d", "<u2"), ("load_30d", "<u2"),
                          ("positive", "u1"), ("negative", "u1")]

# column: (required, lowest, highest, what a value must be)
_FREQUENCY_COLUMN_RULES = {
    "customer": (False, 0, 2**32 - 1, "an integer 0..4294967295 (a customer key)"),
    "segment": (False, 0, 2**32 - 1, "an integer 0..4294967295 (a segment index)"),
    "k": (True, 1, 2**32 - 1, "an integer >= 1 (the attempt number in the episode)"),
    "load_72h": (False, 0, 65535, "an integer 0..65535 (a count of contacts; 0: unknown)"),
    "load_7d": (False, 0, 65535, "an integer 0..65535 (a count of contacts; 0: unknown)"),
    "load_30d": (False, 0, 65535, "an integer 0..65535 (a count of contacts; 0: unknown)"),
    "positive": (True, 0, 1, "0 or 1 (or a bool): 1 when the attempt reached the positive outcome"),
    "negative": (False, 0, 1, "0 or 1 (or a bool): 1 when the attempt drew a negative outcome"),
}


def _frequency_bad(row, name, value, what):
    from followup._arrays import _invalid
    return _invalid(f"frequency_records(): row {row}: column {name}: {value!r} is not {what}")


def _frequency_column_values(name, col):
    """(values as float64 or int64, original values) of one column; missing
    values (None, NaN, pandas.NA) are NaN; a value that is not a number raises."""
    import numpy as np
    raw = col.to_numpy() if hasattr(col, "to_numpy") and str(getattr(col, "dtype", "")) != "category" else col
    a = np.asarray(raw)
    if a.ndim != 1:
        raise TypeError(f"frequency_records(): column {name} must be one-dimensional, not of shape {a.shape}")
    if a.dtype.kind == "b":
        return a.astype(np.int64), a
    if a.dtype.kind in "iuf":
        return a, a
    items = a.tolist()
    out = np.empty(len(items), dtype=np.float64)
    for i, v in enumerate(items):
        if v is None or type(v).__name__ in ("NAType", "NaTType"):
            out[i] = np.nan
        elif isinstance(v, bool) or (isinstance(v, (int, float, np.number)) and not isinstance(v, complex)):
            if isinstance(v, int) and not isinstance(v, bool) and abs(v) >= 2**53:
                out[i] = np.inf if v > 0 else -np.inf  # out of every range; the message shows v
            else:
                out[i] = float(v)
        else:
            raise _frequency_bad(i, name, v, "a number")
    return out, a


def _frequency_integers(name, col):
    """The column as int64 after checking every value against its rule."""
    import numpy as np
    _, lo, hi, what = _FREQUENCY_COLUMN_RULES[name]
    v, orig = _frequency_column_values(name, col)
    if v.dtype.kind in "iu":
        bad = (v < lo) | (v > hi)
    else:
        bad = ~np.isfinite(v) | (np.floor(v) != v) | (v < lo) | (v > hi)
    if bad.any():
        row = int(np.flatnonzero(bad)[0])
        value = orig[row].item() if hasattr(orig[row], "item") else orig[row]
        if v.dtype.kind == "f" and np.isnan(v[row]):
            raise _frequency_bad(row, name, value, what + "; a missing value (NaN, None) is not allowed")
        raise _frequency_bad(row, name, value, what)
    return v.astype(np.int64)


def _frequency_gaps(col):
    """gap_days as float32: NaN / None -> FREQUENCY_GAP_UNKNOWN; finite >= 0,
    or exactly FREQUENCY_GAP_NONE / FREQUENCY_GAP_UNKNOWN."""
    import numpy as np
    v, orig = _frequency_column_values("gap_days", col)
    v = v.astype(np.float64)
    missing = np.isnan(v)
    ok = missing | (np.isfinite(v) & (v >= 0)) | (v == FREQUENCY_GAP_NONE) | (v == FREQUENCY_GAP_UNKNOWN)
    ok &= ~(np.isfinite(v) & (v > 3.4e38))
    if not ok.all():
        row = int(np.flatnonzero(~ok)[0])
        value = orig[row].item() if hasattr(orig[row], "item") else orig[row]
        raise _frequency_bad(row, "gap_days", value,
                             "a number of days >= 0, FREQUENCY_GAP_NONE (-1: no earlier contact), "
                             "FREQUENCY_GAP_UNKNOWN (-2) or NaN (unknown)")
    return np.where(missing, FREQUENCY_GAP_UNKNOWN, v)


def _frequency_check_names(df):
    import difflib
    known = [name for name, _ in FREQUENCY_RECORD_DTYPE]
    names = list(df.columns) if hasattr(df, "columns") else list(df.keys())
    for c in names:
        if c in known:
            continue
        key = str(c).strip().lower()
        near = key if key in known else next(iter(difflib.get_close_matches(key, known, n=1, cutoff=0.8)), None)
        if near is not None and near not in names:
            from followup._arrays import _invalid
            raise _invalid(f"frequency_records(): column {c!r} is not a column of the layout but looks like "
                           f"{near!r}: rename it to {near!r} (or drop it) rather than have its values left out")
    for name, (required, *_rest) in _FREQUENCY_COLUMN_RULES.items():
        if required and name not in names:
            from followup._arrays import _invalid
            raise _invalid(f"frequency_records(): the data have no {name} column (required: customer, k, "
                           f"positive; they have {', '.join(map(str, names)) or 'none'})")


def frequency_records(df):
    """Pack a DataFrame (or a dict of arrays) into the bytes FrequencyData
    takes: one 24-byte attempt per row. Columns: k (the attempt number,
    an integer >= 1) and positive (0/1 or bool) are required; customer and
    segment (integers 0..4294967295, default 0), gap_days (days since the
    previous contact, >= 0; NaN or None: unknown; FREQUENCY_GAP_NONE: no
    earlier contact), load_72h, load_7d, load_30d (integers 0..65535, default
    0: unknown) and negative (0/1 or bool, default 0) are optional.

    Every value is checked, column by column (no per-row Python loop for
    numeric columns): a value out of range, fractional, missing (except in
    gap_days) or not a number raises InvalidArgumentError naming the row
    (its position), the column, the value and what is expected, so outcomes
    coded +1/-1 or a negative k are refused rather than wrapped. A column
    whose name looks like a missing one (``postive``, ``Gap Days``) is
    refused rather than left out; other columns are ignored."""
    import numpy as np
    _frequency_check_names(df)
    n = len(df["k"])
    for name, _ in FREQUENCY_RECORD_DTYPE:
        if name in df and len(df[name]) != n:
            from followup._arrays import _invalid
            raise _invalid(f"frequency_records(): column {name} has {len(df[name])} values, column k {n}")
    rec = np.zeros(n, dtype=FREQUENCY_RECORD_DTYPE)
    rec["gap_days"] = FREQUENCY_GAP_UNKNOWN
    for name, _ in FREQUENCY_RECORD_DTYPE:
        if name in df:
            rec[name] = _frequency_gaps(df[name]) if name == "gap_days" else _frequency_integers(name, df[name])
    return rec.tobytes()


def _frequency_frame(text):
    import io
    import pandas as pd
    return pd.read_csv(io.StringIO(text), keep_default_na=False, na_values=[""])


def _curves_frame(self):
    """The fitted curves as a pandas DataFrame: curve (hazard, gap_odds,
    negative_72h, negative_7d, negative_30d, negative_level), segment ("*" is
    the population), bin, attempts, events, raw, estimate, lo, hi, strength."""
    return _frequency_frame(self.curves("csv"))


def _values_spec(values):
    if values is None or isinstance(values, str):
        return values
    return ",".join("%s=%r" % (k, float(v)) for k, v in dict(values).items())


def _recommendations_frame(self, value, costs="phone=0", channel="phone", complaint_cost=0.0,
                           horizon_days=90.0, values=None):
    """One row per segment: cap (with cap_low, cap_high over the intervals),
    spacing_days, expected_net, the hazards and margins at the cap and the
    next attempt, break_even, the segment's evidence and the value used.
    `values`: a dict (or "a=1,b=2") of values per segment name, e.g. the
    segments' mean CLV; segments not named get `value`."""
    return _frequency_frame(self.recommend(value, costs, channel, complaint_cost, horizon_days, None, "csv",
                                           _values_spec(values)))


def _policy_yaml(self, value, costs="phone=0", channel="phone", complaint_cost=0.0, horizon_days=90.0,
                 when=None, values=None):
    """The recommendations as a policy fragment (caps.limits) with reasons,
    to load over a policy (policy_load_string / Policy.merge...).

    when: None (the default) writes one rule for everyone (from the first
    segment), which loads on any policy; a key ("tier", "lifecycle",
    "rfm_group", "industry") writes one rule per segment with the segment
    names as that key's values, and the names must be values the policy
    knows (name the segments with FrequencyData.set_segment_name, e.g. the
    tiers): a fragment the built-in policy cannot load is refused here with
    the loader's reason rather than returned."""
    text = self.recommend(value, costs, channel, complaint_cost, horizon_days, when, "yaml", _values_spec(values))
    if when is not None:
        from followup._core import PolicyError
        try:
            policy_load_string(text)
        except PolicyError as e:
            from followup._arrays import _invalid
            names = ", ".join(repr(self.segment_name(i)) for i in range(self.segment_count()))
            raise _invalid(f"FrequencyModel.policy_yaml(when={when!r}): the fragment would not load: the segment "
                           f"names ({names}) must be values of {when!r} the policy knows ({e.message}); name the "
                           "segments after them (FrequencyData.set_segment_name) or pass when=None for one rule "
                           "for everyone") from None
    return text


def _plot(self, path=None, ax=None):
    """Plot each segment's hazard curve over k with its interval (and the
    population curve); save to `path` when given. Returns the figure."""
    import matplotlib
    if ax is None:
        matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    df = self.curves_frame()
    hz = df[df["curve"] == "hazard"]
    fig = ax.figure if ax is not None else plt.figure(figsize=(7, 4.5))
    ax = ax if ax is not None else fig.add_subplot(1, 1, 1)
    for seg, g in hz.groupby("segment", sort=False):
        x = range(1, len(g) + 1)
        style = {"color": "black", "linestyle": "--"} if seg == "*" else {}
        line, = ax.plot(x, g["estimate"], marker="o", label="population" if seg == "*" else seg, **style)
        ax.fill_between(x, g["lo"], g["hi"], alpha=0.15, color=line.get_color())
    labels = list(hz[hz["segment"] == "*"]["bin"])
    ax.set_xticks(range(1, len(labels) + 1))
    ax.set_xticklabels(labels)
    ax.set_xlabel("attempt k (last bin: k and later)")
    ax.set_ylabel("P(positive at attempt k | not yet)")
    ax.set_title("Per-attempt hazard with its intervals")
    ax.legend(fontsize="small")
    fig.tight_layout()
    if path is not None:
        fig.savefig(path, dpi=100)
    return fig


FrequencyModel.curves_frame = _curves_frame
FrequencyModel.recommendations_frame = _recommendations_frame
FrequencyModel.policy_yaml = _policy_yaml
FrequencyModel.plot = _plot
%}
#endif
