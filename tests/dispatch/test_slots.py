"""Appointment windows from an engineer's working pattern."""
from datetime import date

from dispatch.slots import WorkPattern, windows_on

WEEKDAYS = WorkPattern(shift_start=9 * 60, shift_end=18 * 60, work_days="12345")


def test_a_working_day_is_cut_into_whole_windows_inside_the_shift():
    windows = windows_on(date(2026, 11, 23), WEEKDAYS, 120)  # a Monday
    assert [w.start.hour for w in windows] == [9, 11, 13, 15]
    assert windows[-1].end.hour == 17  # 17:00-19:00 would overrun the 18:00 shift end


def test_a_day_off_has_no_windows():
    assert windows_on(date(2026, 11, 29), WEEKDAYS, 120) == []  # a Sunday
