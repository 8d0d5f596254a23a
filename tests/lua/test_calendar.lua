-- fu_calendar from Lua.
local T = require "testlib"
local followup = require "followup"

local t = T.time

T.test("time text parses to integer seconds", function()
  T.eq(t("1970-01-01T00:00:00Z"), 0, "epoch")
  T.eq(math.type(t("2026-11-23T09:00:00+08:00")), "integer", "type")
  T.eq(t("2026-11-23T09:00:00+08:00"), 1795395600, "value")
  T.eq(followup.time_format(1795395600, 8 * 3600), "2026-11-23T09:00:00+08:00", "format")
end)

T.test("a time without offset raises a ParseError", function()
  local e = T.raises(followup.time_parse, "2026-11-23T09:00:00")
  T.eq(e.name, "ParseError", "name")
  T.truthy(e.column > 0, "column")
end)

T.test("unknown zone raises TimeZoneError", function()
  local e = T.raises(followup.Calendar, "Mars/Olympus_Mons")
  T.eq(e.name, "TimeZoneError", "name")
end)

T.test("DST in New York", function()
  local cal = followup.Calendar("America/New_York")
  T.eq(cal:utc_offset(t("2025-03-09T06:59:59Z")), -5 * 3600, "EST")
  T.eq(cal:utc_offset(t("2025-03-09T07:00:00Z")), -4 * 3600, "EDT")
  local gap = followup.Local(2025, 3, 9, 2, 30)
  T.eq(cal:from_local(gap), t("2025-03-09T03:30:00-04:00"), "gap moves forward")
end)

T.test("CN working days with make-up weekend", function()
  local cal = followup.Calendar("Asia/Shanghai")
  cal:set_hours_text("Mon-Fri 09:00-12:00;Mon-Fri 13:30-18:00")
  cal:add_holiday(followup.date_parse("2025-10-01"), followup.date_parse("2025-10-08"))
  cal:add_workday(followup.date_parse("2025-09-28"))
  T.truthy(cal:is_working_day(followup.date_parse("2025-09-28")), "make-up Sunday")
  T.truthy(not cal:is_working_day(followup.date_parse("2025-10-03")), "holiday")
  local due = cal:add_working_days(t("2025-09-26T16:00:00+08:00"), 3, followup.WORKDAY_END_OF_DAY)
  T.eq(due, t("2025-09-30T18:00:00+08:00"), "3 working days")
  T.eq(math.type(due), "integer", "integer result")
end)

T.test("windows", function()
  local w = followup.Windows("Mon-Fri 09:00-12:00;Sat 10:00-12:00")
  T.truthy(w:contains(9 * 60), "Monday 09:00")
  T.truthy(not w:contains(12 * 60), "Monday 12:00")
  T.eq(w:next_start(12 * 60), 1440 + 9 * 60, "next start")
  local e = T.raises(followup.Windows, "Mon-Fri 09:00-25:00")
  T.eq(e.name, "ParseError", "bad window")
end)

T.done()
