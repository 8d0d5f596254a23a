#!/usr/bin/env python3
"""The exported prototypes of libfollowup, kept per SOVERSION (review s11 M3).

tests/abi/followup-<SOVERSION>.txt lists every FU_EXTERN function of
include/followup/*.h, one a line, normalized: comments and parameter names
dropped, spaces collapsed, sorted by name. The check (ctest abi.prototypes)
fails when a function of that list changed its prototype or disappeared while
FU_SOVERSION in CMakeLists.txt stayed the same: a program built against the
older header would call it wrongly (0.1.0's fu_redactor_apply, review s11 M3).
A function of the headers missing from the list fails the check too (write the
list again with --write), so the list is complete at every commit and a function
added after a release is guarded from then on. Struct layouts, enum values and
callback typedefs: tests/abi/layout.py (ctest abi.layout); --write writes both
lists.

  tests/abi/prototypes.py [--src DIR]            check (exit 1 on a break)
  tests/abi/prototypes.py [--src DIR] [--cc CC] --write
                          write followup-<SOVERSION>.txt and layout-<SOVERSION>.txt
  tests/abi/prototypes.py --headers DIR --print  the list of the headers in DIR
  tests/abi/prototypes.py --list FILE            check against an older list

An incompatible change is made on purpose by raising FU_SOVERSION (and the
version) in CMakeLists.txt, listing the change in docs/api.md "ABI history",
and writing the list of the new SOVERSION (--write).
"""
import argparse
import os
import pathlib
import re
import sys

C_WORDS = {"void", "char", "short", "int", "long", "float", "double", "signed", "unsigned",
           "const", "volatile", "restrict", "struct", "enum", "union", "_Bool"}
TOKEN = re.compile(r"[A-Za-z_]\w*|\.\.\.|\[[^\]]*\]|\S")


def strip_comments(text):
    text = re.sub(r"/\*.*?\*/", " ", text, flags=re.S)
    return re.sub(r"//[^\n]*", " ", text)


def split_top(text, sep=","):
    """Split at `sep` outside parentheses."""
    parts, depth, cur = [], 0, []
    for ch in text:
        if ch == "(":
            depth += 1
        elif ch == ")":
            depth -= 1
        if ch == sep and depth == 0:
            parts.append("".join(cur))
            cur = []
        else:
            cur.append(ch)
    parts.append("".join(cur))
    return parts


def param_type(param):
    """A parameter without its name: `const char *text` -> `const char *`."""
    param = param.strip()
    m = re.match(r"^(.*?)\(\s*\*\s*[A-Za-z_]\w*\s*\)\s*\((.*)\)\s*$", param, flags=re.S)
    if m:  # a function pointer: drop its name and its parameters' names
        inner = ",".join(param_type(p) for p in split_top(m.group(2)))
        return f"{join(TOKEN.findall(m.group(1)))} (*)({inner})"
    toks = TOKEN.findall(param)
    names = [i for i, t in enumerate(toks) if re.match(r"[A-Za-z_]\w*$", t) and t not in C_WORDS]
    if len(toks) >= 2 and names and names[-1] > 0:
        last = names[-1]
        # the name is the last identifier, after a type (an identifier, a keyword or a `*`)
        if all(not re.match(r"[A-Za-z_]", t) for t in toks[last + 1:]) and \
                any(re.match(r"[A-Za-z_]\w*$|\*$", t) for t in toks[:last]):
            typed_before = [t for t in toks[:last] if t not in ("const", "volatile", "restrict")]
            if typed_before:
                del toks[last]
    return join(toks)


def join(toks):
    out = ""
    for t in toks:
        if out and not (t in ("*", ",", ")") or t.startswith("[") or out.endswith(("*", "("))):
            out += " "
        out += t
    return out


def enum_names(include_dir):
    """The typedef names of the enums (int-sized: one may stand for another, or int)."""
    names = set()
    for header in sorted(pathlib.Path(include_dir).glob("followup/*.h")):
        text = strip_comments(header.read_text(encoding="utf-8"))
        names.update(re.findall(r"typedef\s+enum\s+\w*\s*\{[^}]*\}\s*(\w+)\s*;", text))
    return names


def aliases(include_dir):
    """{alias: type} of the plain typedefs `typedef fu_x fu_y;` (the same type)."""
    out = {}
    for header in sorted(pathlib.Path(include_dir).glob("followup/*.h")):
        text = strip_comments(header.read_text(encoding="utf-8"))
        out.update({b: a for a, b in re.findall(r"typedef\s+(fu_\w+)\s+(fu_\w+)\s*;", text)})
    return out


def abi_key(proto, enums, alias=None):
    """What the ABI sees of a prototype: qualifiers, `struct` and enum names
    (int-sized) do not change how a call is made; types, their order and
    their number do."""
    toks = [t for t in TOKEN.findall(proto) if t not in ("const", "volatile", "restrict", "struct", "enum")]
    toks = [(alias or {}).get(t, t) for t in toks]
    return " ".join("int" if t in enums else t for t in toks)


def prototypes(include_dir):
    """{name: normalized prototype} of every FU_EXTERN function."""
    found = {}
    for header in sorted(pathlib.Path(include_dir).glob("followup/*.h")):
        text = strip_comments(header.read_text(encoding="utf-8"))
        text = "\n".join(l for l in text.splitlines() if not l.lstrip().startswith("#"))
        for m in re.finditer(r"\bFU_EXTERN\b(.*?);", text, flags=re.S):
            decl = re.sub(r"\bFU_PRINTF_FORMAT\s*\([^)]*\)", "", m.group(1))
            decl = " ".join(decl.split())
            head = re.match(r"^(.*?)\(?\s*(fu_\w+)\s*\)?\s*\((.*)\)\s*$", decl)
            if not head:
                raise SystemExit(f"{header}: cannot read the declaration: FU_EXTERN {decl};")
            ret, name, params = head.groups()
            args = ", ".join(param_type(p) for p in split_top(params))
            found[name] = f"{join(TOKEN.findall(ret))} {name}({args})"
    return found


def soversion(src):
    m = re.search(r"^set\(FU_SOVERSION (\d+)\)", (src / "CMakeLists.txt").read_text(), flags=re.M)
    if not m:
        raise SystemExit("prototypes.py: no set(FU_SOVERSION N) in CMakeLists.txt")
    return int(m.group(1))


def read_list(path):
    out = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        if line and not line.startswith("#"):
            out[re.search(r"(fu_\w+)\(", line).group(1)] = line
    return out


def write_list(path, protos, so):
    lines = [f"# The exported prototypes of libfollowup SOVERSION {so}, normalized (parameter names",
             "# dropped); written by tests/abi/prototypes.py --write, checked by ctest abi.prototypes."]
    lines += [protos[n] for n in sorted(protos)]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--src", default=str(pathlib.Path(__file__).resolve().parents[2]))
    ap.add_argument("--headers", help="an include directory (default: SRC/include)")
    ap.add_argument("--list", help="check against this list instead of followup-<SOVERSION>.txt")
    ap.add_argument("--write", action="store_true")
    ap.add_argument("--print", action="store_true")
    ap.add_argument("--cc", default=os.environ.get("CC", "cc"), help="the C compiler for layout.py (--write)")
    a = ap.parse_args()
    src = pathlib.Path(a.src)
    protos = prototypes(a.headers or src / "include")
    if a.print:
        for n in sorted(protos):
            print(protos[n])
        return 0
    so = soversion(src)
    path = pathlib.Path(a.list) if a.list else src / "tests" / "abi" / f"followup-{so}.txt"
    regen = (f"/usr/bin/python3 tests/abi/prototypes.py --write (writes tests/abi/followup-{so}.txt "
             f"and layout-{so}.txt)")
    if a.write:
        write_list(path, protos, so)
        print(f"prototypes.py: {len(protos)} prototypes written to {path}")
        if not a.list and not a.headers:
            import layout
            return layout.main_write(src, a.cc)
        return 0
    if not path.exists():
        print(f"abi.prototypes: FU_SOVERSION is {so} but there is no {path.name}: list the incompatible "
              f"changes in docs/api.md \"ABI history\", then {regen}", file=sys.stderr)
        return 1
    listed = read_list(path)
    gone = [n for n in sorted(listed) if n not in protos]
    enums, alias = enum_names(a.headers or src / "include"), aliases(a.headers or src / "include")
    changed = [n for n in sorted(listed)
               if n in protos and abi_key(protos[n], enums, alias) != abi_key(listed[n], enums, alias)]
    retyped = [n for n in sorted(listed) if n in protos and n not in changed and protos[n] != listed[n]]
    new = [n for n in sorted(protos) if n not in listed]
    for n in gone:
        print(f"abi.prototypes: {n} is in {path.name} but gone from the headers:\n  was {listed[n]}",
              file=sys.stderr)
    for n in changed:
        print(f"abi.prototypes: {n} changed since {path.name}:\n  was {listed[n]}\n  now {protos[n]}",
              file=sys.stderr)
    if gone or changed:
        print("abi.prototypes: a program built against the older header would call these wrongly. Keep the "
              "old prototype (a new function for the new one), or make the break on purpose: raise "
              "FU_SOVERSION and the version in CMakeLists.txt (and include/followup/common.h, the "
              "rockspec), list the change in docs/api.md \"ABI history\", then " + regen, file=sys.stderr)
        return 1
    if retyped:
        print(f"abi.prototypes: {len(retyped)} prototype(s) changed in a way the ABI does not see (const, "
              f"struct, an enum for an int-sized type): {', '.join(retyped)}; update the list with {regen}")
    if new:
        print(f"abi.prototypes: {len(new)} function(s) of the headers not in {path.name}: "
              f"{', '.join(new)}; the list must hold every exported function: {regen}", file=sys.stderr)
        return 1
    print(f"abi.prototypes: the {len(listed)} prototypes of SOVERSION {so} are unchanged")
    return 0


if __name__ == "__main__":
    sys.exit(main())
