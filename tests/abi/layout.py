#!/usr/bin/env python3
"""The layout of libfollowup's public types, kept per SOVERSION (review s11 hR M1).

tests/abi/layout-<SOVERSION>.txt lists, from include/followup/*.h:
  enum NAME = VALUE           every enum constant (typedef'd and anonymous enums),
                              its value as the C compiler computes it
  callback NAME = TYPE        every function-pointer typedef (`fu_cancel_fn`),
                              parameter names dropped
  struct NAME size=S align=A  every public struct with a body (`typedef struct fu_x {`)
  field NAME.F offset=O size=S type=T   its fields in declaration order
The numbers come from a C program generated from the headers and compiled with
the project's include directory (--cc, the compiler CMake found). Sizes and
offsets are those of x86-64 LP64: on another target (or pointer size) they
are not compared, and the check says so; values, types and names are compared
everywhere.

The check (ctest abi.layout) fails while FU_SOVERSION stays the same when:
  - an enum constant changed its value or disappeared (new constants pass, named);
  - a callback typedef's parameter or return types changed, or it disappeared;
  - a struct disappeared, changed its size or alignment, or a field changed its
    offset, size or type (as the ABI sees it: `const`, `struct`, an enum type for
    `int` do not count), or disappeared, or a field was inserted;
  - fields were appended to a struct, unless the struct "grows" (docs/api.md,
    "Structs that grow"): an exported `fu_..._sized(..., fu_x *, size_t size)`
    takes it, so the exported function keeps the released size. Its fields
    keep their offsets and sizes, new ones come after the last listed one;
  - a struct or callback typedef of the headers is not listed (write the list).

  tests/abi/layout.py [--src DIR] [--headers DIR] [--cc CC]           check
  tests/abi/layout.py [--src DIR] [--cc CC] --write                   write the list
  tests/abi/layout.py --headers DIR --print                           the list of DIR
"""
import argparse
import os
import pathlib
import re
import shlex
import subprocess
import sys
import tempfile

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))
import prototypes as P  # noqa: E402

TARGET = "x86_64-lp64"


def header_text(header):
    text = P.strip_comments(header.read_text(encoding="utf-8"))
    return "\n".join(l for l in text.splitlines() if not l.lstrip().startswith("#"))


def closing_brace(text, start):
    """The index of the `}` matching the `{` at `start`."""
    depth = 0
    for i in range(start, len(text)):
        if text[i] == "{":
            depth += 1
        elif text[i] == "}":
            depth -= 1
            if depth == 0:
                return i
    raise SystemExit("layout.py: unbalanced braces")


def split_depth(text, sep):
    """Split at `sep` outside (), [] and {}."""
    parts, depth, cur = [], 0, []
    for ch in text:
        depth += ch in "([{"
        depth -= ch in ")]}"
        if ch == sep and depth == 0:
            parts.append("".join(cur))
            cur = []
        else:
            cur.append(ch)
    parts.append("".join(cur))
    return [p.strip() for p in parts if p.strip()]


def is_name(tok):
    return re.match(r"[A-Za-z_]\w*$", tok) is not None and tok not in P.C_WORDS


def fields_of(decl, where):
    """[(name, type)] of one member declaration: `const char *a, b[3]`,
    `void *(*malloc)(size_t size, void *ud)`."""
    if "{" in decl:
        raise SystemExit(f"layout.py: {where}: a nested struct or union body; teach tests/abi/layout.py "
                         f"to read it (offsetof of its members)")
    if re.search(r":\s*\d+\s*$", decl):
        raise SystemExit(f"layout.py: {where}: a bit-field ({decl}); offsetof cannot see it")
    m = re.search(r"\(\s*\*\s*([A-Za-z_]\w*)\s*\)\s*\(", decl)
    if m:
        return [(m.group(1), P.param_type(decl))]
    out, base = [], None
    for i, part in enumerate(split_depth(decl, ",")):
        toks = P.TOKEN.findall(part)
        idx = [k for k, t in enumerate(toks) if is_name(t)]
        if not idx:
            raise SystemExit(f"layout.py: {where}: cannot read the member `{decl}`")
        k = idx[-1]
        before, after = toks[:k], toks[k + 1:]
        if i == 0:
            n = len(before)
            while n and before[n - 1] == "*":
                n -= 1
            base, stars = before[:n], before[n:]
        else:
            stars = before
        out.append((toks[k], P.join(base + stars + after)))
    return out


def read_types(include_dir):
    """(structs {name: [(field, type)]}, enum constants [name], callbacks {name: type}),
    in header order."""
    structs, consts, callbacks = {}, [], {}
    for header in sorted(pathlib.Path(include_dir).glob("followup/*.h")):
        text = header_text(header)
        for m in re.finditer(r"\btypedef\s+struct\s+(\w+)\s*\{", text):
            end = closing_brace(text, m.end() - 1)
            tail = re.match(r"\s*(\w+)\s*;", text[end + 1:])
            if not tail:
                raise SystemExit(f"{header}: `typedef struct {m.group(1)} {{...}}` without a name")
            body = text[m.end():end]
            where = f"{header.name}: {tail.group(1)}"
            structs[tail.group(1)] = [f for d in split_depth(body, ";") for f in fields_of(d, where)]
        for m in re.finditer(r"\benum\s+(\w+\s*)?\{", text):
            end = closing_brace(text, m.end() - 1)
            for item in split_depth(text[m.end():end], ","):
                consts.append(re.match(r"\s*(\w+)", item).group(1))
        for m in re.finditer(r"\btypedef\s+([^;{}]*?\(\s*\*\s*(\w+)\s*\)\s*\([^;{}]*\))\s*;", text):
            callbacks[m.group(2)] = P.param_type(m.group(1))
    return structs, consts, callbacks


def c_program(include_dir, structs, consts):
    lines = ["#include <stdio.h>", "#include <stddef.h>"]
    lines += [f"#include <followup/{h.name}>" for h in sorted(pathlib.Path(include_dir).glob("followup/*.h"))]
    lines += ["#if defined(__x86_64__) && defined(__LP64__)", f'#define FU_ABI_TARGET "{TARGET}"',
              "#else", '#define FU_ABI_TARGET "other"', "#endif",
              "#define FIELD(T, f) printf(\"field %s.%s offset=%zu size=%zu\\n\", #T, #f, "
              "offsetof(T, f), sizeof(((T *)0)->f))",
              "int main(void) {",
              '    printf("target %s ptr=%zu\\n", FU_ABI_TARGET, sizeof(void *));']
    lines += [f'    printf("enum %s = %lld\\n", "{c}", (long long)({c}));' for c in consts]
    for s, fields in structs.items():
        lines.append(f'    printf("struct {s} size=%zu align=%zu\\n", sizeof({s}), _Alignof({s}));')
        lines += [f"    FIELD({s}, {f});" for f, _ in fields]
    lines += ["    return 0;", "}"]
    return "\n".join(lines) + "\n"


def measure(include_dir, cc):
    """The layout lines of the headers in include_dir, and the target."""
    structs, consts, callbacks = read_types(include_dir)
    with tempfile.TemporaryDirectory(prefix="fu-abi-layout-") as tmp:
        src, exe = os.path.join(tmp, "layout.c"), os.path.join(tmp, "layout")
        pathlib.Path(src).write_text(c_program(include_dir, structs, consts), encoding="utf-8")
        r = subprocess.run(shlex.split(cc) + ["-std=c11", "-I", str(include_dir), "-o", exe, src],
                           capture_output=True, text=True)
        if r.returncode != 0:
            raise SystemExit(f"layout.py: the layout program does not compile with {cc}:\n{r.stderr}")
        out = subprocess.run([exe], capture_output=True, text=True, check=True).stdout.splitlines()
    target = out[0].split()[1] + " " + out[0].split()[2]
    types = {f"{s}.{f}": t for s, fields in structs.items() for f, t in fields}
    lines = []
    for line in out[1:]:
        if line.startswith("field "):
            line += " type=" + types[line.split()[1]]
        lines.append(line)
    lines[len(consts):len(consts)] = [f"callback {n} = {t}" for n, t in callbacks.items()]
    return target, lines


def parse(lines):
    """{"enum": {name: value}, "callback": {name: type}, "struct": {name: (size, align,
    [(field, offset, size, type)])}}"""
    out = {"enum": {}, "callback": {}, "struct": {}}
    for line in lines:
        kind, rest = line.split(" ", 1)
        if kind in ("enum", "callback"):
            name, value = rest.split(" = ", 1)
            out[kind][name] = value
        elif kind == "struct":
            m = re.match(r"(\w+) size=(\d+) align=(\d+)$", rest)
            out["struct"][m.group(1)] = (int(m.group(2)), int(m.group(3)), [])
        elif kind == "field":
            m = re.match(r"(\w+)\.(\w+) offset=(\d+) size=(\d+) type=(.*)$", rest)
            out["struct"][m.group(1)][2].append((m.group(2), int(m.group(3)), int(m.group(4)), m.group(5)))
    return out


def growing_structs(include_dir):
    """The structs an exported `fu_..._sized(..., size_t size)` fills: they may grow."""
    out = set()
    for proto in P.prototypes(include_dir).values():
        if re.search(r"\bfu_\w+_sized\(", proto):
            out.update(re.findall(r"\b(fu_\w+)\s*\*", proto.split("(", 1)[1]))
    return out


def compare_struct(name, old, new, same_target, grows, key):
    """The complaints about struct `name` (old and new: (size, align, fields))."""
    errs = []
    new_fields = {f[0]: f for f in new[2]}
    for f, off, size, typ in old[2]:
        if f not in new_fields:
            errs.append(f"{name}.{f} is gone")
            continue
        _, off2, size2, typ2 = new_fields[f]
        if key(typ) != key(typ2):
            errs.append(f"{name}.{f} changed its type: was {typ}, now {typ2}")
        if same_target and (off, size) != (off2, size2):
            errs.append(f"{name}.{f} moved: was offset {off} size {size}, now offset {off2} size {size2}")
    old_names = [f[0] for f in old[2]]
    kept = [f[0] for f in new[2] if f[0] in old_names]
    if not errs and kept != old_names:
        errs.append(f"{name}: fields reordered")
    added = [f[0] for f in new[2] if f[0] not in old_names]
    inserted = [f for f in added if new[2].index(new_fields[f]) < len(old_names)]
    if inserted:
        errs.append(f"{name}: field(s) inserted before the last listed one: {', '.join(inserted)}")
    elif added and name not in grows:
        errs.append(f"{name}: field(s) appended ({', '.join(added)}), but {name} does not grow (no exported "
                    f"fu_..._sized function fills it: docs/api.md \"Structs that grow\")")
    if same_target and new[1] != old[1]:
        errs.append(f"{name}: alignment was {old[1]}, now {new[1]}")
    if same_target and new[0] != old[0] and not (name in grows and new[0] > old[0] and not inserted):
        errs.append(f"{name}: size was {old[0]}, now {new[0]}")
    return errs


def compare(listed, now, same_target, grows, fname, key):
    """(errors, notes, unlisted); key(type) is what the ABI sees of a type."""
    errs, notes = [], []
    for c, v in listed["enum"].items():
        if c not in now["enum"]:
            errs.append(f"enum constant {c} (= {v}) is gone")
        elif now["enum"][c] != v:
            errs.append(f"enum constant {c} was {v}, now {now['enum'][c]}")
    new = [c for c in now["enum"] if c not in listed["enum"]]
    if new:
        notes.append(f"{len(new)} new enum constant(s) not yet in {fname} (allowed): {', '.join(new)}")
    for n, t in listed["callback"].items():
        if n not in now["callback"]:
            errs.append(f"callback typedef {n} is gone (was {t})")
        elif key(t) != key(now["callback"][n]):
            errs.append(f"callback typedef {n} changed: was {t}, now {now['callback'][n]}")
    for s, old in listed["struct"].items():
        if s not in now["struct"]:
            errs.append(f"struct {s} is gone")
        else:
            errs += compare_struct(s, old, now["struct"][s], same_target, grows, key)
    unlisted = [f"callback {n}" for n in now["callback"] if n not in listed["callback"]]
    unlisted += [f"struct {s}" for s in now["struct"] if s not in listed["struct"]]
    return errs, notes, unlisted


def write(path, so, target, lines):
    head = [f"# The public types of libfollowup SOVERSION {so}: enum values, callback typedefs, struct",
            "# layouts (sizes and offsets of the target below); written by tests/abi/layout.py --write",
            "# (or prototypes.py --write), checked by ctest abi.layout.", f"target {target}"]
    path.write_text("\n".join(head + lines) + "\n", encoding="utf-8")


def check(src, headers, cc, listpath=None, out=sys.stdout, err=sys.stderr):
    so = P.soversion(src)
    path = pathlib.Path(listpath) if listpath else src / "tests" / "abi" / f"layout-{so}.txt"
    regen = "/usr/bin/python3 tests/abi/prototypes.py --write (writes tests/abi/followup-{0}.txt and layout-{0}.txt)" \
        .format(so)
    if not path.exists():
        print(f"abi.layout: FU_SOVERSION is {so} but there is no {path.name}: list the incompatible changes "
              f"in docs/api.md \"ABI history\", then {regen}", file=err)
        return 1
    text = [l for l in path.read_text(encoding="utf-8").splitlines() if l and not l.startswith("#")]
    listed_target, listed = text[0].split(" ", 1)[1], parse(text[1:])
    target, lines = measure(headers, cc)
    same = target == listed_target
    enums, alias = P.enum_names(headers), P.aliases(headers)
    errs, notes, unlisted = compare(listed, parse(lines), same, growing_structs(headers), path.name,
                                    lambda t: P.abi_key(t, enums, alias))
    for e in errs:
        print(f"abi.layout: {e}", file=err)
    if errs:
        print(f"abi.layout: a program built against the older header ({path.name}) would read these wrongly. "
              "Keep the old layout (append to a struct that grows, a new constant at a new value), or make "
              "the break on purpose: raise FU_SOVERSION and the version in CMakeLists.txt (and "
              "include/followup/common.h, the rockspec), list the change in docs/api.md \"ABI history\", "
              "then " + regen, file=err)
        return 1
    if unlisted:
        print(f"abi.layout: not in {path.name}: {', '.join(unlisted)}; the list must hold every public "
              f"type: {regen}", file=err)
        return 1
    for n in notes:
        print(f"abi.layout: {n}; add them with {regen}", file=out)
    if not same:
        print(f"abi.layout: sizes and offsets not compared: they are listed for {listed_target}, this "
              f"compiler targets {target}", file=out)
    print(f"abi.layout: the {len(listed['enum'])} enum constants, {len(listed['callback'])} callback typedefs "
          f"and {len(listed['struct'])} structs of SOVERSION {so} are unchanged", file=out)
    return 0


def main_write(src, cc, headers=None, listpath=None):
    target, lines = measure(headers or src / "include", cc)
    if target.split()[0] != TARGET:
        print(f"layout.py: this compiler targets {target}; the list holds the sizes of {TARGET}: write it "
              f"there (or with --cc \"gcc -m64\" on x86-64)", file=sys.stderr)
        return 1
    so = P.soversion(src)
    path = pathlib.Path(listpath) if listpath else src / "tests" / "abi" / f"layout-{so}.txt"
    write(path, so, target, lines)
    print(f"layout.py: {len(lines)} lines written to {path} ({target})")
    return 0


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--src", default=str(pathlib.Path(__file__).resolve().parents[2]))
    ap.add_argument("--headers", help="an include directory (default: SRC/include)")
    ap.add_argument("--list", help="check against this list instead of layout-<SOVERSION>.txt")
    ap.add_argument("--cc", default=os.environ.get("CC", "cc"))
    ap.add_argument("--write", action="store_true")
    ap.add_argument("--print", action="store_true")
    a = ap.parse_args()
    src = pathlib.Path(a.src)
    headers = pathlib.Path(a.headers) if a.headers else src / "include"
    if a.print:
        target, lines = measure(headers, a.cc)
        print("\n".join([f"target {target}"] + lines))
        return 0
    if a.write:
        return main_write(src, a.cc, headers, a.list)
    return check(src, headers, a.cc, a.list)


if __name__ == "__main__":
    sys.exit(main())
