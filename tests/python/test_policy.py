"""fu_policy from Python: built-in policy, site policies, errors with positions."""
import pytest

import followup
from followup import core


def test_builtin_policy_numbers():
    p = core.policy_default()
    assert p.name() == "builtin"
    assert p.source() == "<builtin>"
    assert p.get_number("kpis.coverage.target") == pytest.approx(0.90)
    assert p.get_number("kpis.csat.by_tier.vip") == pytest.approx(4.8)
    assert p.get_string("calendars.cn.tz") == "Asia/Shanghai"
    assert p.get_bool("redaction.enabled") == 1
    d = p.get_duration("cadences.delivery.steps.first_contact.within")
    assert (d.value, d.unit) == (48 * 3600, core.DURATION_SECONDS)
    assert p.get_length("calendars.cn.workdays") == 19
    assert p.get_key("segments.value_tiers", 0) == "vip"
    assert "capacity: 150-200 calls per agent per day" in p.summary()


def test_policy_calendar_is_an_independent_copy():
    p = core.policy_default()
    cn = p.calendar("cn")
    del p
    assert cn.tzid() == "Asia/Shanghai"
    assert cn.is_working_day(followup.core.date_parse("2025-09-28")) in (True, 1)
    assert cn.is_working_day(followup.core.date_parse("2025-10-03")) in (False, 0)


def test_site_policy_from_string_overrides_one_value():
    p = core.policy_load_string("caps:\n  limits:\n    new_customer: {max: 1}\n", "site.yaml")
    assert p.get_number("caps.limits.new_customer.max") == 1
    assert p.get_string("caps.limits.new_customer.per") == "72h"


def test_bad_policy_raises_with_position():
    with pytest.raises(followup.PolicyError) as info:
        core.policy_load_string("caps:\n  limits:\n    new_customer: {maxx: 1}\n", "bad.yaml")
    e = info.value
    assert (e.source, e.line, e.column) == ("bad.yaml", 3, 20)
    assert e.path == "caps.limits.new_customer.maxx"
    assert "did you mean 'max'" in e.message


def test_unknown_time_zone_and_missing_file():
    with pytest.raises(followup.TimeZoneError):
        core.policy_load_string("calendars:\n  cn: {tz: Mars/Olympus}\n")
    with pytest.raises(followup.InputOutputError):
        core.policy_load_file("/nonexistent/policy.yaml")


def test_getter_errors():
    p = core.policy_default()
    with pytest.raises(followup.NotFoundError):
        p.get_number("kpis.nope.target")
    with pytest.raises(followup.PolicyError):
        p.get_number("calendars.cn.tz")


def test_durations():
    d = core.duration_parse("7 working days")
    assert (d.value, d.unit) == (7, core.DURATION_WORKING_DAYS)
    assert core.duration_format(d) == "7 working days"
    with pytest.raises(followup.ParseError) as info:
        core.duration_parse("48x")
    assert info.value.column == 3


def test_example_site_policy_loads(srcdir):
    p = core.policy_load_file(str(srcdir / "examples" / "policies" / "site.yaml"))
    assert p.name() == "acme-appliances"
    assert p.calendar("acme").tzid() == "Asia/Shanghai"
