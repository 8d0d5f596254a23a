"""The per-note fast paths (bindings/python/followup.i, "_fast_method"):
Redactor.apply, Extractor.run and Extraction.promise_count / risk_count run
their common call straight in C and hand every other call to the wrapper.
They must give what the SWIG wrapper gives (its raw method is kept as
__wrapped__), count the same, raise the same errors, and keep the handle lock."""
import datetime
import inspect
import random
import threading

import pytest

import followup
from fu_helpers import cn2025

NOW = followup.time_parse("2025-09-26T16:00:00+08:00")


def raw(cls, name):
    """The SWIG proxy method under the fast one (the path every call took before)."""
    return vars(cls)[name].__wrapped__


def test_the_hot_methods_are_fast_methods_with_the_wrapper_signature():
    for cls, name, sig in ((followup.Redactor, "apply", "(self, text: 'str') -> 'str'"),
                           (followup.Extractor, "run",
                            "(self, calendar: 'Calendar', text: 'str', at: 'datetime | str | int') -> 'Extraction'"),
                           (followup.Extraction, "promise_count", "(self) -> 'int'"),
                           (followup.Extraction, "risk_count", "(self) -> 'int'")):
        fn = vars(cls)[name]
        assert type(fn).__name__ == "fast_method", (cls, name)
        assert str(inspect.signature(fn)) == sig
        assert fn.__doc__.startswith(name + "(") and fn.__name__.endswith(name)
    red = followup.Redactor()
    assert str(inspect.signature(red.apply)) == "(text: 'str') -> 'str'"  # bound: self dropped


def mixed_texts(seed, count):
    """ASCII, Latin-1, Chinese, full-width digits, astral characters, e-mails
    (the mask makes them longer), cards, IDs: every kind of str CPython has."""
    rnd = random.Random(seed)
    parts = ["call ", "13812345678", " 或 ", "客户", "手机", "１３８１２３４５６７８", "café ", "𝔘", "zhang.san@example.com",
             " 6222 0212 3456 7894 ", "110105199001011232", "010-62345678", " ", "，", "ok", "\u00a0", "\u200b", "é1"]
    out = []
    for _ in range(count):
        out.append("".join(rnd.choice(parts) for _ in range(rnd.randint(0, 12))))
    return out


def test_apply_gives_the_wrappers_strings_and_counts():
    texts = mixed_texts(19, 3000) + ["", "x" * 5000 + " 13812345678", "客" * 2000 + "13812345678"]
    fast, slow = followup.Redactor(), followup.Redactor()
    wrapped = raw(followup.Redactor, "apply")
    for t in texts:
        got, want = fast.apply(t), wrapped(slow, t)
        assert got == want and type(got) is str, t
        # the same characters stored the same way (a str of the wrong kind would compare unequal)
        assert got.encode("utf-8") == want.encode("utf-8")
    assert fast.total() == slow.total() > 0
    for k in range(followup.REDACT_EXTRA + 1):
        assert fast.count(k) == slow.count(k)
    assert followup.Redactor().apply_many(texts) == [fast.apply(t) for t in texts]


def test_apply_hands_back_an_unchanged_text_itself():
    red = followup.Redactor()
    s = "回访正常,无新需求。" + "x" * random.randint(1, 64)  # a new str object, no digits to mask
    assert red.apply(s) is s
    assert red.apply("call 13812345678 now") == "call 138****5678 now"


def test_apply_other_calls_go_to_the_wrapper_with_its_errors():
    red = followup.Redactor()
    assert red.apply(b"call 13812345678") == "call 138****5678"  # bytes: the wrapper
    assert followup.Redactor.apply(red, "13812345678") == "138****5678"  # unbound
    long = "13812345678 " * 1000  # over the fast path's 4096 bytes
    assert red.apply(long) == "138****5678 " * 1000

    class Note(str):
        pass
    assert red.apply(Note("13812345678")) == "138****5678"
    with pytest.raises(followup.InvalidArgumentError, match=r"Redactor.apply\(\): argument 1 \(text\) contains a NUL"):
        red.apply("phone 13800000000\0secret")
    with pytest.raises(UnicodeEncodeError, match=r"Redactor.apply\(\): argument 1 \(text\) is not encodable"):
        red.apply("ok \ud800 13812345678")
    with pytest.raises(TypeError):
        red.apply(None)
    with pytest.raises(TypeError):
        red.apply()
    with pytest.raises(TypeError):
        red.apply("a", "b")


def test_apply_while_another_thread_holds_the_redactor():
    """A busy handle sends the fast call to the wrapper, which waits for it
    without the GIL: every call counted, no call lost."""
    red = followup.Redactor()
    big = "13812345678 " * 20000  # the wrapper path: runs with the GIL released
    small = "call 13812345678"
    errors = []

    def work(text, times):
        try:
            for _ in range(times):
                red.apply(text)
        except BaseException as e:  # pragma: no cover - reported below
            errors.append(e)

    threads = [threading.Thread(target=work, args=(big, 20))] + \
        [threading.Thread(target=work, args=(small, 3000)) for _ in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert red.total() == 20 * 20000 + 3 * 3000


def summary(x):
    # byte offsets: the raw wrapper's Extraction does not keep the note its str indices need
    return ([(x.promise_start_byte(i), x.promise_end_byte(i), x.promise_text(i), x.promise_rule(i),
              x.promise_deadline(i), x.promise_risky(i)) for i in range(x.promise_count())],
            [(x.risk_start_byte(i), x.risk_text(i), x.risk_rule(i), x.risk_reason(i)) for i in range(x.risk_count())])


def test_run_gives_the_wrappers_extraction():
    cal, ex = cn2025(), followup.Extractor(4 * 3600)
    wrapped = raw(followup.Extractor, "run")
    notes = ["承诺3个工作日内解决，2小时内到场", "we will call back within 2 business days",
             "保证今天修好 13812345678", "回访正常,无新需求。", "", "promised a fix within 24 hours, 100% sure"]
    for n in notes:
        x = ex.run(cal, n, NOW)
        assert type(x) is followup.Extraction
        assert summary(x) == summary(wrapped(ex, cal, n, NOW))
        assert x.promise_count() == raw(followup.Extraction, "promise_count")(x)
        assert x.risk_count() == raw(followup.Extraction, "risk_count")(x)
    # other argument types take the wrapper: a datetime, a str time
    dt = datetime.datetime(2025, 9, 26, 8, 0, tzinfo=datetime.timezone.utc)
    assert summary(ex.run(cal, notes[0], dt)) == summary(ex.run(cal, notes[0], NOW))
    assert summary(ex.run(cal, notes[0], "2025-09-26T16:00:00+08:00")) == summary(ex.run(cal, notes[0], NOW))
    with pytest.raises(TypeError, match=r"argument 1 \(calendar\)"):
        ex.run(None, notes[0], NOW)
    with pytest.raises(followup.InvalidArgumentError, match="NUL"):
        ex.run(cal, "a\0b", NOW)
    with pytest.raises(OverflowError):
        ex.run(cal, notes[0], 1 << 70)


def test_apply_with_replacements_of_the_same_length_in_other_characters():
    """An extra pattern whose replacement has as many bytes as the match but
    other characters (ASCII -> Chinese, Chinese -> ASCII): the result is
    decoded, not patched character by character."""
    yaml = ("redaction:\n"
            "  extra:\n"
            "    tag: {regex: 'VIP', replacement: '贵'}\n"
            "    name: {regex: '张三', replacement: 'XXXXXX'}\n")
    red = followup.redactor_from_policy(followup.policy_load_string(yaml))
    slow = followup.redactor_from_policy(followup.policy_load_string(yaml))
    wrapped = raw(followup.Redactor, "apply")
    for t in ("VIP 13812345678", "客户VIP张三 13812345678", "张三", "abcVIPdef", "é VIP", "𝔘VIP张三"):
        got = red.apply(t)
        assert got == wrapped(slow, t), t
    assert red.apply("VIP") == "贵" and red.apply("张三") == "XXXXXX"


def test_apply_whose_result_outgrows_the_stack_buffer_takes_the_wrapper():
    """The fast path masks into a buffer of twice the fast path's 4096 bytes
    (fu_redactor_apply_into); a replacement that makes the result longer
    (here 4000 x 40 bytes) is refused there with nothing counted and the
    wrapper masks it: the same text, each match counted once."""
    yaml = ("redaction:\n"
            "  extra:\n"
            "    star: {regex: 'Q', replacement: '" + "R" * 40 + "'}\n")
    red = followup.redactor_from_policy(followup.policy_load_string(yaml))
    slow = followup.redactor_from_policy(followup.policy_load_string(yaml))
    wrapped = raw(followup.Redactor, "apply")
    for t in ("Q" * 4000, "Q" * 100, "Q", "", "q 13812345678 Q"):
        assert red.apply(t) == wrapped(slow, t)
    assert red.total() == slow.total() >= 4000 + 100 + 1 + 2
    assert red.apply("Q" * 4000) == "R" * 40 * 4000


def test_apply_of_notes_with_few_digits_is_the_wrappers():
    """Texts with fewer than 5 ASCII digits skip the built-in pattern (each
    kind needs 7 or more); the fast and the slow path agree on the shortest
    numbers of every kind and on texts with 0-6 digits, also full-width ones
    and ones with a NUL or astral characters around them."""
    fast, slow = followup.Redactor(), followup.Redactor()
    wrapped = raw(followup.Redactor, "apply")
    rnd = random.Random(5)
    texts = ["护照EA1234567", "E12345678", "+1 (415) 555-0134", "１３８１２３４５６７８", "(0755) 1234567", "NPS 9",
             "3个工作日内", "2025-12-03", "12 34 56 78", "𝔘1𝔘2𝔘3𝔘4𝔘5", "a@b.co"]
    for _ in range(3000):
        digits = "".join(rnd.choice("0123456789１２") for _ in range(rnd.randint(0, 12)))
        texts.append(rnd.choice(["", "客户", "é", "𝔘", "x ", "EA", "E", "+"]) + digits + rnd.choice(["", "号", " ok", "é"]))
    for t in texts:
        assert fast.apply(t) == wrapped(slow, t), t
    assert fast.total() == slow.total() > 100


def in_threads(n, check, rounds=5):
    """Run check() `rounds` times in each of n threads at once: the failures
    (a False result or an exception), none when all went right."""
    errors = []

    def work():
        try:
            for _ in range(rounds):
                if not check():
                    errors.append("wrong result")
        except BaseException as e:  # pragma: no cover - reported by the caller
            errors.append(e)
    threads = [threading.Thread(target=work) for _ in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return errors


def test_threads_sharing_a_redactor_on_the_fast_path_count_every_note():
    """Four threads masking through one redactor (fast path, the stack
    buffer of each call is its own): every result right, every match counted."""
    red = followup.Redactor()
    notes = mixed_texts(23, 400)
    ref = followup.Redactor()
    want = [ref.apply(t) for t in notes]
    assert in_threads(4, lambda: [red.apply(t) for t in notes] == want) == []
    assert red.total() == 20 * ref.total()


def test_wrong_types_raise_type_errors_naming_the_argument():
    """The fast paths decline what is not a str (or an int time); the wrapper
    raises a TypeError that names the method, the argument and both types
    (it said only "expected str or bytes")."""
    red, ex, cal = followup.Redactor(), followup.Extractor(0), cn2025()
    for bad, name in ((123, "int"), (None, "NoneType"), (["x"], "list"), (1.5, "float")):
        with pytest.raises(TypeError, match=r"^Redactor\.apply\(\): argument 1 \(text\) must be str or bytes, not "
                                            + name + "$"):
            red.apply(bad)
    with pytest.raises(TypeError, match=r"^Extractor\.run\(\): argument 2 \(text\) must be str or bytes, not int$"):
        ex.run(cal, 5, NOW)
    with pytest.raises(TypeError, match=r"argument 1 \(calendar\) must be followup\.Calendar, not str"):
        ex.run("UTC", "明天", NOW)
    assert red.total() == 0


def test_extractions_made_on_the_fast_path_are_freed():
    """Each Extraction the fast path makes is freed when its proxy goes (the
    destructor installed with it); 100,000 of them leave the process size
    where it was."""
    from conftest import rss_kib
    import gc
    ex, cal = followup.Extractor(4 * 3600), cn2025()
    note = "承诺3个工作日内解决，明天下午前回电，保证今天修好 " + "x" * 200
    run = ex.run
    for _ in range(2000):
        run(cal, note, NOW)
    gc.collect()
    before = rss_kib()
    for _ in range(100000):
        x = run(cal, note, NOW)
        assert x.promise_count() == 2
    del x
    gc.collect()
    assert rss_kib() - before < 8192  # about 100 MB when leaked


def test_threads_sharing_an_extractor_get_the_wrappers_extractions():
    """Four threads on one extractor and calendar (fast path and, when the
    handle is busy, the wrapper): every extraction as the wrapper makes it."""
    cal, ex = cn2025(), followup.Extractor(4 * 3600)
    wrapped = raw(followup.Extractor, "run")
    notes = ["承诺3个工作日内解决，2小时内到场", "we will call back within 2 business days", "保证今天修好 13812345678",
             "回访正常,无新需求。", "", "promised a fix within 24 hours, 100% sure", "𝔘 明天下午前 é"] * 30
    want = [summary(wrapped(ex, cal, n, NOW)) for n in notes]
    assert in_threads(4, lambda: [summary(ex.run(cal, n, NOW)) for n in notes] == want) == []
