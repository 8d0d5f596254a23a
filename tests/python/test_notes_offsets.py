"""Extraction offsets are str indices in Python (review s12 U5): for Chinese,
mixed and ASCII notes note[x.promise_start(i):x.promise_end(i)] is the
promise's text, through the fast path (a plain str and epoch seconds) and
the wrapper (an ISO time); the UTF-8 byte offsets stay as
promise_start_byte(i) ... And the reprs of Extraction, Notes and OnTime."""
import pytest

import followup

AT = "2025-09-26T16:00:00+08:00"
NOTES = [
    "客户张先生投诉物流延误，我们承诺3个工作日内解决。",
    "客户说 the parcel is late；我们承诺３个工作日内回电，并在2个工作日内补发。",
    "Customer called: we promised to call back within 2 working days.",
    "顾客不满意，威胁要投诉到消费者协会。我们会在3个工作日内处理 😀 好的",
]


@pytest.fixture(scope="module")
def run():
    pol = followup.policy_default()
    cal = pol.calendar_in_zone("Asia/Shanghai")
    ex = followup.extractor_from_policy(pol)
    return lambda note, at=AT, **kw: ex.run(cal, note, at, **kw), cal, ex


def spans(x, note, what):
    n = getattr(x, what + "_count")()
    return [(note[getattr(x, what + "_start")(i):getattr(x, what + "_end")(i)], getattr(x, what + "_text")(i))
            for i in range(n)]


@pytest.mark.parametrize("note", NOTES)
def test_slices_of_the_str_are_the_texts(run, note):
    fn, cal, ex = run
    for x in (fn(note), fn(note, followup.time_parse(AT)), ex.run(cal, note, followup.time_parse(AT))):
        for what in ("promise", "risk"):
            for got, text in spans(x, note, what):
                assert got == text
        for i in range(x.promise_count()):  # the byte offsets index the UTF-8
            b = note.encode()
            assert b[x.promise_start_byte(i):x.promise_end_byte(i)].decode() == x.promise_text(i)


def test_the_reviewers_note(run):
    fn, cal, ex = run
    note = NOTES[0]
    x = fn(note)
    assert x.promise_count() == 1
    assert (x.promise_text(0), x.promise_start(0), x.promise_end(0)) == ("3个工作日内", 16, 22)
    assert (x.promise_start_byte(0), x.promise_end_byte(0)) == (48, 64)
    assert note[16:22] == "3个工作日内"
    assert x.promise_count() >= 1 and all(a == b for a, b in spans(x, note, "promise"))
    assert any(NOTES[1][s:e] == "３个工作日内" for s, e in
               ((fn(NOTES[1]).promise_start(i), fn(NOTES[1]).promise_end(i)) for i in range(2)))


def test_reprs(run):
    fn, _, _ = run
    x = fn(NOTES[0])
    assert repr(x) == "<followup.Extraction promises=['3个工作日内'] risks=[]>"
    notes = followup.notes_read_csv_text("customer_id,at,note\nC1,2026-01-01T00:00:00+08:00,hi\n")
    assert repr(notes) == "<followup.Notes 1 note>"
    led = followup.Ledger()
    r = led.on_time(0, 10, 10)
    assert repr(r) == "<followup.OnTime due=0 on_time=0 rate=nan>"  # nothing due: no rate
