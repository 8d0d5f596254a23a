"""Personal data in the segment-duplicate errors (session 13, hM): a customer
id given two segment labels is quoted masked, as every other error quotes a
cell (docs/redaction.md, "Each site decides from the column's kind"), by
Kpi.set_segments (lists, a DataFrame), Kpi.read_segments_csv and the CLI's
kpi --segments: a phone, ID or card number never appears as given."""
import pathlib

import pytest
from fu_helpers import CLI, run_cli

import followup

# (as given, as quoted)
IDS = [("13812345678", "138****5678"),
       ("110105199001011232", "110***********1232"),
       ("6222021234567894", "6222********7894"),
       ("+86 138-1234-5678", "+86 138-****-5678"),
       ("CUST2024000019999", "CUST2024000019999")]  # an ordinary id stays readable


def kpi():
    return followup.Kpi(followup.policy_default(), by="segment")


@pytest.mark.parametrize("given,quoted", IDS)
def test_set_segments_masks_the_customer_id(given, quoted):
    k = kpi()
    with pytest.raises(followup.InvalidArgumentError) as e:
        k.set_segments([given, "C2", given], labels=["gold", "silver", "电话13912345678"])
    msg = str(e.value)
    assert (f"entry 2: customer '{quoted}' is in segment 'gold' (entry 0) and '电话139****5678' here "
            "(one label per customer)") in msg, msg
    assert given not in msg or given == quoted
    assert "13912345678" not in msg
    pd = pytest.importorskip("pandas")
    with pytest.raises(followup.InvalidArgumentError) as e:
        k.set_segments(pd.DataFrame({"customer_id": [given, given], "segment": ["x", "y"]}))
    assert f"customer '{quoted}' is in segment 'x'" in str(e.value), str(e.value)


@pytest.mark.parametrize("given,quoted", IDS)
def test_read_segments_csv_masks_the_customer_id(tmp_path, given, quoted):
    f = tmp_path / "seg.csv"
    f.write_text(f'customer_id,segment\n"{given}",gold\nC2,silver\n"{given}",bronze\n', encoding="utf-8")
    with pytest.raises(followup.ParseError) as e:
        kpi().read_segments_csv(str(f))
    msg = str(e.value)
    assert f"customer '{quoted}' is in segment 'gold' on line 2 and 'bronze' here" in msg, msg
    assert given not in msg or given == quoted


@pytest.mark.skipif(not CLI, reason="followup tool not built")
@pytest.mark.parametrize("given,quoted", IDS[:3])
def test_cli_kpi_segments_masks_the_customer_id(srcdir, tmp_path, given, quoted):
    d = pathlib.Path(srcdir) / "examples/sample/data"
    seg = tmp_path / "s.csv"
    seg.write_text(f"customer_id,segment\n{given},a\n{given},b\n", encoding="utf-8")
    r = run_cli("kpi", "--customers", str(d / "customers.csv"), "--events", str(d / "events.csv"),
                "--by", "segment", "--segments", str(seg), "--format", "csv")
    assert r.returncode == 3, r.stderr
    col = len(given) + 2
    assert r.stderr == (f"followup: --segments: {seg}:3:{col}: segment: customer '{quoted}' is in segment 'a' on "
                        "line 2 and 'b' here (one label per customer)\n"), r.stderr
    assert given not in r.stderr
