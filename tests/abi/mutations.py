#!/usr/bin/env python3
"""The ABI guard can fail (ctest abi.guard_mutations, review s11 hR M1).

Copies include/ to a temporary directory, makes one change at a time to the
copy and runs the two checks (prototypes.py and layout.py, against the lists
of the source tree's SOVERSION) on it: every breaking change must fail with
its message, every allowed change must pass. A mutation whose text is no
longer found once in its header fails this test: update the mutation.

  tests/abi/mutations.py [--src DIR] [--cc CC]
"""
import argparse
import contextlib
import io
import os
import pathlib
import shutil
import sys
import tempfile

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))
import layout  # noqa: E402
import prototypes  # noqa: E402

TP_END = "    const char *agent;\n} fu_touchpoint;"
STATS_END = "    size_t unplaceable_customers; /**< the customers of the `unplaceable` contacts */\n} fu_plan_stats;"

# (what, header, old text, new text, None when allowed or the message the check must print)
MUTATIONS = [
    ("two enum values swapped", "book.h",
     "    FU_CHANNEL_PHONE = 1, /**< \"phone\" */\n    FU_CHANNEL_SMS = 2,",
     "    FU_CHANNEL_PHONE = 2, /**< \"phone\" */\n    FU_CHANNEL_SMS = 1,",
     "enum constant FU_CHANNEL_PHONE was 1, now 2"),
    ("an enum constant removed", "book.h", "    FU_CHANNEL_SMS = 2,   /**< \"sms\" */\n", "",
     "enum constant FU_CHANNEL_SMS (= 2) is gone"),
    ("an enum constant added", "book.h", "    FU_CHANNEL_VISIT = 6  /**< \"visit\": on site */",
     "    FU_CHANNEL_VISIT = 6, FU_CHANNEL_FAX = 7", None),
    ("a field inserted into fu_touchpoint", "planner.h",
     "    size_t customer;      /**< index of the customer in the book */",
     "    size_t customer;\n    int inserted_field;", "fu_touchpoint.customer_id moved: was offset 8"),
    ("a field appended to fu_touchpoint (not a struct that grows)", "planner.h", TP_END,
     "    const char *agent;\n    int appended;\n} fu_touchpoint;", "fu_touchpoint: field(s) appended (appended)"),
    ("a field of fu_touchpoint retyped, same size", "planner.h", "    int64_t due_from;     /**< window start, UTC s */",
     "    double due_from;", "fu_touchpoint.due_from changed its type: was int64_t, now double"),
    ("a field of fu_touchpoint removed", "planner.h", "    const char *order_id; /**< the triggering event's order id; \"\" when none */",
     "", "fu_touchpoint.order_id is gone"),
    ("a field appended to fu_plan_stats (a struct that grows)", "planner.h", STATS_END,
     STATS_END.replace("\n}", "\n    size_t appended;\n}"), None),
    ("a function-pointer field changed", "common.h", "    void (*free)(void *ptr, void *ud);",
     "    void (*free)(void *ptr);", "fu_allocator.free changed its type"),
    ("a callback typedef changed", "common.h", "typedef int (*fu_cancel_fn)(void *ud);",
     "typedef int (*fu_cancel_fn)(void *ud, int level);", "callback typedef fu_cancel_fn changed"),
    ("a function not in the list", "common.h", "FU_EXTERN char *fu_strdup(const char *s);",
     "FU_EXTERN char *fu_strdup(const char *s);\nFU_EXTERN int fu_abi_unlisted(void);",
     "function(s) of the headers not in followup-"),
    ("a struct not in the list", "common.h", "FU_EXTERN char *fu_strdup(const char *s);",
     "FU_EXTERN char *fu_strdup(const char *s);\ntypedef struct fu_abi_new { int a; } fu_abi_new;",
     "not in layout-"),
    ("a prototype changed", "common.h", "FU_EXTERN char *fu_strdup(const char *s);",
     "FU_EXTERN char *fu_strdup(const char *s, size_t n);", "fu_strdup changed since"),
]


def run_checks(src, headers, cc):
    """(exit status, what the two checks printed)"""
    buf = io.StringIO()
    with contextlib.redirect_stdout(buf), contextlib.redirect_stderr(buf):
        saved = sys.argv
        try:
            sys.argv = ["prototypes.py", "--src", str(src), "--headers", str(headers)]
            rc = prototypes.main()
        finally:
            sys.argv = saved
        rc2 = layout.check(src, headers, cc, out=buf, err=buf)
    return max(rc, rc2), buf.getvalue()


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--src", default=str(pathlib.Path(__file__).resolve().parents[2]))
    ap.add_argument("--cc", default=os.environ.get("CC", "cc"))
    a = ap.parse_args()
    src = pathlib.Path(a.src)
    bad = 0
    with tempfile.TemporaryDirectory(prefix="fu-abi-mut-") as tmp:
        inc = pathlib.Path(tmp) / "include"
        for what, header, old, new, expect in [("the headers unchanged", None, None, None, None)] + MUTATIONS:
            shutil.rmtree(inc, ignore_errors=True)
            shutil.copytree(src / "include", inc)
            if header:
                path = inc / "followup" / header
                text = path.read_text(encoding="utf-8")
                if text.count(old) != 1:
                    print(f"FAIL {what}: its text is found {text.count(old)} times in {header}, not once; "
                          f"update tests/abi/mutations.py")
                    bad += 1
                    continue
                path.write_text(text.replace(old, new), encoding="utf-8")
            rc, out = run_checks(src, inc, a.cc)
            ok = rc == 0 if expect is None else (rc != 0 and expect in out)
            print(f"{'ok  ' if ok else 'FAIL'} {what}: exit {rc}, "
                  f"{'expected to pass' if expect is None else 'expected to fail with ' + repr(expect)}")
            if not ok:
                print("     " + out.replace("\n", "\n     "))
                bad += 1
    print(f"abi.guard_mutations: {len(MUTATIONS) + 1 - bad} of {len(MUTATIONS) + 1} as expected")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
