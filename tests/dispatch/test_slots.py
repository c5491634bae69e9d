"""Appointment windows from an engineer's working pattern."""
from datetime import date, datetime

from dispatch.slots import WorkPattern, next_window, windows_on

WEEKDAYS = WorkPattern(shift_start=9 * 60, shift_end=18 * 60, work_days="12345")


def test_a_working_day_is_cut_into_whole_windows_inside_the_shift():
    windows = windows_on(date(2026, 11, 23), WEEKDAYS, 120)  # a Monday
    assert [w.start.hour for w in windows] == [9, 11, 13, 15]
    assert windows[-1].end.hour == 17  # 17:00-19:00 would overrun the 18:00 shift end


def test_a_day_off_has_no_windows():
    assert windows_on(date(2026, 11, 29), WEEKDAYS, 120) == []  # a Sunday


def test_the_next_window_respects_the_lead_time_and_skips_days_off():
    friday_evening = datetime(2026, 11, 27, 16, 30)
    window = next_window(WEEKDAYS, friday_evening, 120, lead_min=120)
    assert window.start == datetime(2026, 11, 30, 9, 0)  # Monday morning
    tuesday_morning = datetime(2026, 11, 24, 8, 0)
    assert next_window(WEEKDAYS, tuesday_morning, 120, 120).start == datetime(2026, 11, 24, 11, 0)


def test_someone_who_never_works_has_no_next_window():
    assert next_window(WorkPattern(540, 1080, ""), datetime(2026, 11, 24, 8), 120, 120) is None
