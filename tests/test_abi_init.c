/* Structs that grow (docs/api.md, "Structs that grow"; review r3 L8, review
 * s10 H1 and M1): an exported init or get keeps forever what it did at the
 * last release (24841ea): fu_besttime_options_init() fills version 4,
 * fu_simulation_details_init() version 1, fu_plan_get_stats() the counters
 * up to calendar_expired (the two added since are not written); the sized
 * calls write the fields of the newest version that fits the size given,
 * never a byte past them. Each test puts the struct in a buffer of guard
 * bytes. */
#include "fu_test.h"

#include "followup/besttime.h"
#include "followup/planner.h"
#include "followup/simulate.h"

#include <criterion/criterion.h>
#include <stddef.h>
#include <string.h>

#define GUARD 0xA5

/* The struct sizes of the old headers, from the fields each version ended
 * with (on LP64: besttime options 120, 128, 128, 136 bytes). */
static size_t round8(size_t n) { return (n + 7) / 8 * 8; }
#define END_OF(type, f) (offsetof(type, f) + sizeof(((type *)0)->f))
static size_t bt_size(unsigned v) {
    return v == 1   ? round8(END_OF(fu_besttime_options, share_hour))
           : v == 2 ? round8(END_OF(fu_besttime_options, b2b))
           : v == 3 ? round8(END_OF(fu_besttime_options, propensity))
                    : sizeof(fu_besttime_options);
}

/* Every byte of buf[from..to) still the guard. */
static void untouched(const unsigned char *buf, size_t from, size_t to, const char *what) {
    for (size_t i = from; i < to; i++)
        cr_assert_eq(buf[i], GUARD, "%s: byte %zu written (struct of %zu bytes)", what, i, from);
}

/* The exported fu_besttime_options_init, as a program built against the
 * last release's header calls it (the parentheses skip the header's macro):
 * version 4 with every default, as at 24841ea, never a byte past version
 * 4's struct (136 bytes on LP64), however the struct grows. For a while
 * this session it filled version 1 only: such a program's b2b, propensity
 * and types, set after the call, were silently ignored (review s10 M1). */
Test(abi_init, besttime_options_init_keeps_to_the_released_version_4) {
    unsigned char buf[sizeof(fu_besttime_options) + 32];
    size_t v4 = round8(END_OF(fu_besttime_options, types));
    memset(buf, GUARD, sizeof buf);
    (fu_besttime_options_init)((fu_besttime_options *)(void *)buf);
    untouched(buf, v4, sizeof buf, "fu_besttime_options_init");
    fu_besttime_options o, want = FU_BESTTIME_OPTIONS_INIT;
    memcpy(&o, buf, sizeof o);
    cr_assert_eq(o.version, 4);
    cr_assert(o.flags == want.flags && o.slot_seconds == want.slot_seconds && o.prior_strength == want.prior_strength &&
              o.prior_method == want.prior_method && o.as_of == want.as_of && o.b2b_calendar == NULL &&
              o.share_day == want.share_day && o.share_hour == want.share_hour && o.b2b == want.b2b &&
              o.propensity == want.propensity && o.types == want.types && o.min_customers == want.min_customers);
    o.types = 4; /* what such a program does next: read, as version 4 is given */
    /* a model takes it */
    fu_policy *p = NULL;
    fu_book *b = NULL;
    cr_assert_eq(fu_policy_default(&p), FU_OK);
    cr_assert_eq(fu_book_new(&b, NULL), FU_OK);
    const char *cust = "customer_id,tz\nA,Asia/Shanghai\n";
    cr_assert_eq(fu_book_read_customers_csv_from_string(b, cust, strlen(cust), "c"), FU_OK);
    cr_assert_eq(fu_book_finalize(b), FU_OK);
    fu_besttime *m = NULL;
    cr_assert_eq(fu_besttime_new(&m, p, b, NULL, 0, &o), FU_OK, "%s", fu_error_last()->message);
    fu_besttime_free(m);
    fu_book_free(b);
    fu_policy_free(p);
}

/* The sized init: for the struct size of each version it writes that
 * version's fields and nothing after them; sizes in between take the
 * newest version that fits; too small or NULL writes nothing. */
Test(abi_init, besttime_options_init_sized_fills_the_version_that_fits) {
    unsigned char buf[sizeof(fu_besttime_options) + 32];
    for (unsigned v = 1; v <= FU_BESTTIME_OPTIONS_VERSION; v++) {
        for (size_t extra = 0; extra < 8; extra++) {
            size_t size = bt_size(v) + extra;
            if (v < FU_BESTTIME_OPTIONS_VERSION && size >= bt_size(v + 1)) break;
            memset(buf, GUARD, sizeof buf);
            fu_besttime_options_init_sized((fu_besttime_options *)(void *)buf, size);
            untouched(buf, bt_size(v), sizeof buf, "sized");
            unsigned got;
            memcpy(&got, buf, sizeof got);
            /* versions 2 and 3 have the same size on LP64: the newer wins */
            cr_assert(got == v || (v == 2 && bt_size(3) == bt_size(2) && got == 3), "size %zu: version %u", size, got);
        }
    }
    memset(buf, GUARD, sizeof buf);
    fu_besttime_options_init_sized((fu_besttime_options *)(void *)buf, bt_size(1) - 1);
    untouched(buf, 0, sizeof buf, "too small");
    fu_besttime_options_init_sized(NULL, sizeof(fu_besttime_options));
    fu_besttime_options_init(NULL);
    (fu_besttime_options_init)(NULL);
}

/* Source built against this header: fu_besttime_options_init() is the
 * sized call with the whole struct, the same as the INIT macro. */
Test(abi_init, besttime_options_init_in_source_fills_the_whole_struct) {
    fu_besttime_options o, want = FU_BESTTIME_OPTIONS_INIT;
    memset(&o, GUARD, sizeof o);
    fu_besttime_options_init(&o);
    cr_assert_eq(o.version, FU_BESTTIME_OPTIONS_VERSION);
    cr_assert(o.b2b == want.b2b && o.propensity == want.propensity && o.types == want.types &&
              o.share_hour == want.share_hour && o.min_customers == want.min_customers);
}

/* fu_simulation_details: _init and its clearer name _init_v1 keep to
 * version 1 (48 bytes on LP64), _init_v2 and the sized call with the whole
 * struct fill everything, the sized call with version 1's size version 1. */
Test(abi_init, simulation_details_inits_keep_to_their_versions) {
    size_t v1 = round8(END_OF(fu_simulation_details, capacity_held_missed));
    unsigned char buf[sizeof(fu_simulation_details) + 32];
    void (*const v1_inits[])(fu_simulation_details *) = {fu_simulation_details_init, fu_simulation_details_init_v1};
    for (size_t k = 0; k < 2; k++) {
        memset(buf, GUARD, sizeof buf);
        v1_inits[k]((fu_simulation_details *)(void *)buf);
        untouched(buf, v1, sizeof buf, k ? "init_v1" : "init");
        /* as fu_simulation_details_init() at 24841ea: version 1, every count 0 */
        fu_simulation_details d1;
        memcpy(&d1, buf, v1);
        cr_assert(d1.version == 1 && d1.agents == 0 && d1.calls_per_agent == 0 && d1.cap_held == 0 &&
                  d1.cap_held_missed == 0 && d1.capacity_held == 0 && d1.capacity_held_missed == 0);
    }
    memset(buf, GUARD, sizeof buf);
    fu_simulation_details_init_sized((fu_simulation_details *)(void *)buf, v1);
    untouched(buf, v1, sizeof buf, "sized v1");
    fu_simulation_details d, want = FU_SIMULATION_DETAILS_INIT;
    memset(buf, GUARD, sizeof buf);
    fu_simulation_details_init_sized((fu_simulation_details *)(void *)buf, sizeof d);
    untouched(buf, sizeof d, sizeof buf, "sized");
    memcpy(&d, buf, sizeof d);
    cr_assert(d.version == FU_SIMULATION_DETAILS_VERSION && d.n_tiers == 0 && d.cap_held == 0);
    cr_assert_eq(memcmp(&d.timeliness_tier, &want.timeliness_tier, sizeof d.timeliness_tier), 0);
    memset(&d, GUARD, sizeof d);
    fu_simulation_details_init_v2(&d);
    cr_assert(d.version == 2 && d.n_tiers == 0 && d.tier_name[7][31] == 0);
    fu_simulation_details_init_sized(NULL, sizeof d);
    fu_simulation_details_init_v1(NULL);
}

/* fu_plan_stats has no version field (review s10 H1). The exported
 * fu_plan_get_stats, as a program built against the last release's header
 * calls it, writes the 14 counters up to calendar_expired (112 bytes on
 * LP64), the struct that program has: this session it wrote unplaceable
 * and unplaceable_customers too, 16 bytes past it. The header's macro (the
 * CLI, the bindings) gets every counter; the sized call the whole counters
 * that fit. On a plan with unplaceable contacts (two companies in New York,
 * one agent in Shanghai: tests/test_planner_review_r3.c). */
Test(abi_init, plan_get_stats_keeps_to_the_released_struct) {
    static const char C[] = "customer_id,tz,industry\nN1,America/New_York,education\nN2,America/New_York,retail\n";
    static const char E[] = "customer_id,at,kind,order_id\nN1,2026-03-02T10:00:00-05:00,delivery,O1\n"
                            "N2,2026-03-02T10:00:00-05:00,delivery,O2\n";
    static const char A[] = "agent_id,tz,shift,calls_per_day\nA1,Asia/Shanghai,Mon-Fri 09:00-18:00,40\n";
    const size_t released = END_OF(fu_plan_stats, calendar_expired);
    cr_assert_eq(released, 14 * sizeof(size_t));
    fu_test_planner f;
    cr_assert_eq(fu_test_planner_open(&f, C, E, A), FU_OK, "%s", fu_error_last()->message);
    fu_test_planner_plan_at(&f, "2026-03-02T10:00:00-05:00", 3 * 86400);
    fu_plan_stats all;
    fu_plan_get_stats(f.plan, &all);
    cr_assert_eq(all.unplaceable, 2);
    cr_assert_eq(all.unplaceable_customers, 2);
    cr_assert_eq(all.suppressed, 2);
    unsigned char buf[sizeof(fu_plan_stats) + 32];
    memset(buf, GUARD, sizeof buf);
    (fu_plan_get_stats)(f.plan, (fu_plan_stats *)(void *)buf);
    untouched(buf, released, sizeof buf, "fu_plan_get_stats");
    cr_assert_eq(memcmp(buf, &all, released), 0);
    memset(buf, GUARD, sizeof buf);
    (fu_plan_get_stats)(NULL, (fu_plan_stats *)(void *)buf);
    untouched(buf, released, sizeof buf, "fu_plan_get_stats(NULL)");
    for (size_t i = 0; i < released; i++) cr_assert_eq(buf[i], 0, "byte %zu", i);
    for (size_t size = 0; size <= sizeof(fu_plan_stats) + 16; size++) {
        size_t n = (size < sizeof all ? size : sizeof all) / sizeof(size_t) * sizeof(size_t);
        memset(buf, GUARD, sizeof buf);
        fu_plan_get_stats_sized(f.plan, (fu_plan_stats *)(void *)buf, size);
        untouched(buf, n, sizeof buf, "fu_plan_get_stats_sized");
        cr_assert_eq(memcmp(buf, &all, n), 0, "size %zu", size);
    }
    fu_plan_get_stats_sized(f.plan, NULL, sizeof all);
    (fu_plan_get_stats)(f.plan, NULL);
    fu_test_planner_free(&f);
}

/* fu_event_in of 0.1.0, its priority a plain int (review s11 M2 typed the
 * field as fu_event_priority): the layout, the init and the stored values are
 * the same, so a program built against that header still adds its events. */
typedef struct event_in_0_1 {
    const char *customer_id;
    int64_t at;
    fu_event_kind kind;
    const char *order_id;
    const char *product_class;
    double unit_price;
    double amount;
    fu_severity severity;
    fu_channel channel;
    const char *agent_id;
    fu_outcome outcome;
    double score;
    fu_survey survey;
    const char *note;
    int priority;
} event_in_0_1;

Test(abi_init, event_in_keeps_the_layout_of_its_int_priority) {
    cr_assert_eq(sizeof(fu_event_in), sizeof(event_in_0_1));
    cr_assert_eq(offsetof(fu_event_in, priority), offsetof(event_in_0_1, priority));
    cr_assert_eq(sizeof(fu_event_priority), sizeof(int));
    cr_assert_eq(FU_EVENT_PRIORITY_OF(FU_PRIORITY_URGENT), FU_EVENT_PRIORITY_URGENT);
    cr_assert_eq(FU_EVENT_PRIORITY_OF(FU_PRIORITY_LOW), FU_EVENT_PRIORITY_LOW);
    cr_assert_eq((int)FU_EVENT_PRIORITY_HIGH, FU_PRIORITY_HIGH + 1);
    unsigned char buf[sizeof(fu_event_in) + 16];
    memset(buf, GUARD, sizeof buf);
    (fu_event_in_init)((fu_event_in *)(void *)buf);
    untouched(buf, sizeof(event_in_0_1), sizeof buf, "fu_event_in_init");
    event_in_0_1 old;
    memcpy(&old, buf, sizeof old);
    cr_assert_eq(old.priority, 0);
}
