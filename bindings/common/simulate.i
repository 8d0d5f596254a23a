/* SWIG interface of fu_simulation (followup/simulate.h; language-neutral,
 * Python extras under #ifdef SWIGPYTHON).
 *
 *   simulation_csv(policy, book, run, from_, to, agents=3, calls_per_agent=0,
 *                  seed=2026, truth=None) -> str
 *       run: "baseline", "policy" (first allowed hour) or "besttime"; truth:
 *       path of a ground-truth CSV (truth.csv of generate.py --realistic).
 *       CSV: measure,value,ci_low,ci_high,n,successes; after the measures
 *       response_timeliness_<tier> per value tier (fu_simulation_details
 *       version 2, by name), then the
 *       counts of fu_simulation_details (calls_per_agent: the calls a day the
 *       run used; cap_held, cap_held_missed, capacity_held,
 *       capacity_held_missed), with empty interval, n and successes
 *   sensitivity_csv(policy, book, agents, calls, from_, to, run="besttime",
 *                   seed=2026, truth=None) -> str
 *       agents, calls: lists as text ("1,2,3"); one row per pair:
 *       agents,calls_per_agent,coverage,coverage_low,coverage_high,
 *       timeliness,timeliness_low,timeliness_high,urgent_timeliness,
 *       cap_violations,calls_per_agent_day,answer_rate,contacts,cap_held,
 *       cap_held_missed,capacity_held,capacity_held_missed
 *   Python: simulation_frame(...), sensitivity_frame(...) -> DataFrame,
 *           plot_sensitivity(df, path) (matplotlib)
 * Failures raise (followup.Error subclasses in Python, error tables in Lua).
 */

%{
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct fu_swig_simtext {
    char *s;
    size_t len, cap;
} fu_swig_simtext;

static int fu_swig_simtext_add(fu_swig_simtext *t, const char *fmt, ...) {
    char line[512];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(line, sizeof line, fmt, ap);
    va_end(ap);
    if (n < 0 || (size_t)n >= sizeof line) return fu_error_set(FU_EINVAL, "line too long");
    if (t->len + (size_t)n + 1 > t->cap) {
        size_t cap = (t->cap ? t->cap * 2 : 1024) + (size_t)n;
        char *s = (char *)realloc(t->s, cap);
        if (!s) return fu_swig_nomem();
        t->s = s;
        t->cap = cap;
    }
    memcpy(t->s + t->len, line, (size_t)n + 1);
    t->len += (size_t)n;
    return FU_OK;
}

static int fu_swig_sim_run(const fu_policy *policy, const fu_book *book, const char *run, long long from,
                           long long to, unsigned int agents, unsigned int calls, unsigned long long seed,
                           const char *truth, fu_simulation_report *r, fu_simulation_details *d) {
    fu_simulation_options o;
    double *ap = NULL, *wf = NULL;
    fu_simulation_options_init(&o);
    if (!policy || !book || !run) return fu_error_set(FU_EINVAL, "NULL policy, book or run");
    if (strcmp(run, "baseline") == 0) o.mode = FU_SIMULATION_BASELINE;
    else if (strcmp(run, "besttime") == 0) o.flags = FU_SIMULATION_BESTTIME;
    else if (strcmp(run, "oracle") == 0) o.flags = FU_SIMULATION_BESTTIME | FU_SIMULATION_ORACLE;
    else if (strcmp(run, "policy") != 0)
        return fu_error_set(FU_EINVAL,
                            "run '%s': expected baseline, policy, besttime or oracle (another policy: pass it as "
                            "the policy, with run besttime)", run);
    o.from = from;
    o.to = to;
    o.agents = agents;
    o.calls_per_agent = calls;
    o.seed = seed;
    int rc = truth && truth[0] ? fu_simulation_read_truth(book, truth, &ap, &wf) : FU_OK;
    o.answer_prob = ap;
    o.weekend_factor = wf;
    fu_simulation_details_init_v2(d);
    if (rc == FU_OK) rc = fu_simulation_run_details(policy, book, &o, r, d);
    fu_free(ap);
    fu_free(wf);
    return rc;
}

static char *fu_swig_simulation_csv(const fu_policy *policy, const fu_book *book, const char *run, int64_t from,
                                    int64_t to, unsigned int agents, unsigned int calls_per_agent,
                                    unsigned long long seed, const char *truth) {
    fu_simulation_report r;
    fu_simulation_details d;
    fu_swig_simtext t = {NULL, 0, 0};
    if (fu_swig_sim_run(policy, book, run, from, to, agents, calls_per_agent, seed, truth, &r, &d)) return NULL;
    int rc = fu_swig_simtext_add(&t, "measure,value,ci_low,ci_high,n,successes\n");
    for (int m = 0; m < FU_SIM_MEASURE_COUNT && rc == FU_OK; m++) {
        const fu_simulation_value *v = &r.measures[m];
        rc = fu_swig_simtext_add(&t, "%s,%.10g,%.10g,%.10g,%.10g,%.10g\n", fu_simulation_measure_name(m), v->value,
                              v->ci_low, v->ci_high, v->n, v->successes);
    }
    for (size_t k = 0; k < d.n_tiers && rc == FU_OK; k++) { /* response timeliness by value tier (review s9 D4) */
        const fu_simulation_value *v = &d.timeliness_tier[k];
        rc = fu_swig_simtext_add(&t, "response_timeliness_%s,%.10g,%.10g,%.10g,%.10g,%.10g\n", d.tier_name[k],
                                 v->value, v->ci_low, v->ci_high, v->n, v->successes);
    }
    if (rc == FU_OK)
        rc = fu_swig_simtext_add(&t, "calls_per_agent,%u,,,,\ncap_held,%zu,,,,\ncap_held_missed,%zu,,,,\n"
                                 "capacity_held,%zu,,,,\ncapacity_held_missed,%zu,,,,\n", d.calls_per_agent,
                                 d.cap_held, d.cap_held_missed, d.capacity_held, d.capacity_held_missed);
    if (rc) {
        free(t.s);
        return NULL;
    }
    return t.s;
}

static int fu_swig_uint_list(const char *text, unsigned int *v, int max) {
    int n = 0;
    const char *p = text ? text : "";
    while (*p) {
        char *end;
        unsigned long x = strtoul(p, &end, 10);
        if (end == p || x == 0 || x > 100000ul || (*end && *end != ',') || n == max) return -1;
        v[n++] = (unsigned int)x;
        p = *end ? end + 1 : end;
    }
    return n;
}

static char *fu_swig_sensitivity_csv(const fu_policy *policy, const fu_book *book, const char *agents,
                                     const char *calls, int64_t from, int64_t to, const char *run,
                                     unsigned long long seed, const char *truth) {
    unsigned int ag[64], ca[64];
    int na = fu_swig_uint_list(agents, ag, 64), nc = fu_swig_uint_list(calls, ca, 64);
    if (na <= 0 || nc <= 0) {
        fu_error_set(FU_EINVAL, "agents and calls: lists of 1 to 64 positive integers like \"1,2,3\"");
        return NULL;
    }
    fu_swig_simtext t = {NULL, 0, 0};
    int rc = fu_swig_simtext_add(&t, "agents,calls_per_agent,coverage,coverage_low,coverage_high,timeliness,"
                                  "timeliness_low,timeliness_high,urgent_timeliness,cap_violations,"
                                  "calls_per_agent_day,answer_rate,contacts,cap_held,cap_held_missed,"
                                  "capacity_held,capacity_held_missed\n");
    for (int i = 0; i < na && rc == FU_OK; i++)
        for (int j = 0; j < nc && rc == FU_OK; j++) {
            fu_simulation_report r;
            fu_simulation_details d;
            rc = fu_swig_sim_run(policy, book, run, from, to, ag[i], ca[j], seed, truth, &r, &d);
            const fu_simulation_value *m = r.measures;
            if (rc == FU_OK)
                rc = fu_swig_simtext_add(&t, "%u,%u,%.10g,%.10g,%.10g,%.10g,%.10g,%.10g,%.10g,%.10g,%.10g,%.10g,"
                                      "%.10g,%zu,%zu,%zu,%zu\n", ag[i],
                                      d.calls_per_agent, m[FU_SIM_COVERAGE].value, m[FU_SIM_COVERAGE].ci_low,
                                      m[FU_SIM_COVERAGE].ci_high, m[FU_SIM_TIMELINESS].value,
                                      m[FU_SIM_TIMELINESS].ci_low, m[FU_SIM_TIMELINESS].ci_high,
                                      m[FU_SIM_TIMELINESS_URGENT].value, m[FU_SIM_CAP_VIOLATIONS].value,
                                      m[FU_SIM_CALLS_PER_AGENT_DAY].value, m[FU_SIM_ANSWER_RATE].value,
                                      m[FU_SIM_CONTACTS].value, d.cap_held, d.cap_held_missed, d.capacity_held,
                                      d.capacity_held_missed);
        }
    if (rc) {
        free(t.s);
        return NULL;
    }
    return t.s;
}
%}

%newobject fu_swig_simulation_csv;
%newobject fu_swig_sensitivity_csv;
%typemap(newfree) char *fu_swig_simulation_csv "free($1);";
%typemap(newfree) char *fu_swig_sensitivity_csv "free($1);";
FU_RAISES(fu_swig_simulation_csv)
FU_RAISES(fu_swig_sensitivity_csv)
%rename(simulation_csv) fu_swig_simulation_csv;
%rename(sensitivity_csv) fu_swig_sensitivity_csv;
%feature("kwargs") fu_swig_simulation_csv;
%feature("kwargs") fu_swig_sensitivity_csv;
char *fu_swig_simulation_csv(const fu_policy *policy, const fu_book *book, const char *run, int64_t from_,
                             int64_t to, unsigned int agents = 3, unsigned int calls_per_agent = 0,
                             unsigned long long seed = 2026, const char *truth = NULL);
char *fu_swig_sensitivity_csv(const fu_policy *policy, const fu_book *book, const char *agents, const char *calls,
                              int64_t from_, int64_t to, const char *run = "besttime",
                              unsigned long long seed = 2026, const char *truth = NULL);

#ifdef SWIGPYTHON
%pythoncode %{
def _csv_frame(text):
    import io
    import pandas as pd
    return pd.read_csv(io.StringIO(text))


def _sim_time(fname, name, value):
    """A time argument as every other call takes it (aware datetime, pandas
    Timestamp, ISO 8601 text with an offset, numpy datetime64, epoch seconds)."""
    from followup._pythonic import to_seconds
    if value is None:
        raise TypeError(f"{fname}(): {name}: a time is required, not None")
    try:
        t = to_seconds(value)
    except (TypeError, ValueError) as e:
        raise type(e)(f"{fname}(): {name}: {e}") from None
    if not isinstance(t, int):
        raise TypeError(f"{fname}(): {name} must be a time (an aware datetime, a pandas Timestamp, ISO 8601 text "
                        f"with an offset, a numpy datetime64 or epoch seconds), not {type(value).__name__}")
    return t


def _sim_counts(name, values):
    """agents / calls of sensitivity_frame as the "1,2,3" text the C call
    reads: a sequence of ints (a str is refused: "12" is not agents 1 and 2)."""
    import numbers
    if isinstance(values, (str, bytes)) or not hasattr(values, "__iter__"):
        raise TypeError(f"sensitivity_frame(): {name} must be a sequence of ints such as [1, 2, 3], not "
                        f"{type(values).__name__} {values!r} (the text form \"1,2,3\" is sensitivity_csv's)")
    out = []
    for i, v in enumerate(values):
        if isinstance(v, bool) or not isinstance(v, numbers.Integral):
            raise TypeError(f"sensitivity_frame(): {name}[{i}] must be an int, not {type(v).__name__} {v!r}")
        if not 1 <= int(v) <= 100000:
            from followup._arrays import _invalid
            raise _invalid(f"sensitivity_frame(): {name}[{i}] = {int(v)}: must lie in 1..100000")
        out.append(str(int(v)))
    return ",".join(out)


def simulation_frame(policy, book, run, from_, to, agents=3, calls_per_agent=0, seed=2026, truth=None):
    """One simulation (followup/simulate.h) as a DataFrame: measure, value,
    ci_low, ci_high, n, successes. run: "baseline", "policy", "besttime" or
    "oracle" (evaluation only: needs truth); the CLI's policy-file arm is this
    call with that policy and run "besttime". from_, to: times as every call
    takes them (aware datetime, Timestamp, ISO 8601 text, datetime64, epoch)."""
    f, t = _sim_time("simulation_frame", "from_", from_), _sim_time("simulation_frame", "to", to)
    return _csv_frame(simulation_csv(policy, book, run, f, t, agents, calls_per_agent, seed, truth))


def sensitivity_frame(policy, book, agents, calls, from_, to, run="besttime", seed=2026, truth=None):
    """Coverage and timeliness (with intervals) against team size: one row per
    (agents, calls_per_agent) pair, with the contacts made and the due
    touchpoints the caps and the team's capacity held (cap_held,
    cap_held_missed, capacity_held, capacity_held_missed; docs/simulate.md).
    agents, calls: sequences of positive ints ([1, 2, 3]; a str is refused).
    from_, to: times as every call takes them."""
    a, c = _sim_counts("agents", agents), _sim_counts("calls", calls)
    f, t = _sim_time("sensitivity_frame", "from_", from_), _sim_time("sensitivity_frame", "to", to)
    return _csv_frame(sensitivity_csv(policy, book, a, c, f, t, run, seed, truth))


def plot_sensitivity(df, path):
    """Coverage and timeliness against agents, one line per calls-per-agent
    value, with the intervals as bands; saved as PNG at path."""
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    fig, axes = plt.subplots(1, 2, figsize=(10, 4))
    for ax, what in zip(axes, ["coverage", "timeliness"]):
        for calls, g in df.groupby("calls_per_agent"):
            ax.plot(g["agents"], g[what], marker="o", label="%d calls/agent/day" % calls)
            ax.fill_between(g["agents"], g[what + "_low"], g[what + "_high"], alpha=0.2)
        ax.set_xlabel("agents")
        ax.set_ylabel(what)
        ax.set_ylim(0, 1)
        ax.legend()
    fig.tight_layout()
    fig.savefig(path, format="png")
    plt.close(fig)
%}
#endif
