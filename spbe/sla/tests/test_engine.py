"""Hand-worked SLA clock cases a clerk can check on paper (Pedoman P-1, P-3, E-3, C).

Default Pemda calendar (calendars.pemda_calendar, Perpres 21/2023):
  Mon-Thu 07:30-12:00 + 13:00-16:00   (7.5 h)
  Fri     07:30-11:30 + 13:00-16:30   (7.5 h)
  Ramadan Mon-Thu 08:00-12:00 + 12:30-15:00, Fri 08:00-11:30 + 12:30-15:30
  closed: libur nasional and cuti bersama 2025-2027 (``holidays`` package).
P-3 response targets: P1 15 min, P2 30 min, P3 1 h, P4 1.5 h, P5 2 h, P6 2.5 h.
"""

import pickle
from datetime import UTC, date, datetime, time, timedelta

import pytest

from ..engine import (
    Calendar,
    CalendarError,
    NaiveDatetimeError,
    SpecialPeriod,
    deadline,
    elapsed,
    is_open,
    next_opening,
)
from .support import ALWAYS, BERLIN, JAKARTA, JAYAPURA, WIB, WIT, at

P1, P2, P3, P4 = (timedelta(minutes=m) for m in (15, 30, 60, 90))


def due_wib(start: datetime, duration: timedelta, **kwargs) -> datetime:
    return deadline(start, duration, JAKARTA, **kwargs).astimezone(WIB)


class TestResponseTargetsOnWorkingHours:
    """P-3 targets on working hours, E-3 "outside working hours: next working day"."""

    def test_friday_1550_p1_is_due_1605_the_same_friday(self):
        # Fri 9 Jan 2026 closes 16:30; 15:50 + 15 min = 16:05, still open.
        assert due_wib(at(WIB, 2026, 1, 9, 15, 50), P1) == at(WIB, 2026, 1, 9, 16, 5)

    def test_friday_1550_p3_runs_over_the_weekend_to_monday_0750(self):
        # 15:50-16:30 Friday = 40 min; 60 - 40 = 20 min left;
        # Sat/Sun closed; Mon 12 Jan 07:30 + 20 min = 07:50.
        assert due_wib(at(WIB, 2026, 1, 9, 15, 50), P3) == at(WIB, 2026, 1, 12, 7, 50)

    def test_result_is_utc(self):
        due = deadline(at(WIB, 2026, 1, 9, 15, 50), P1, JAKARTA)
        assert due.tzinfo == UTC
        assert due == datetime(2026, 1, 9, 9, 5, tzinfo=UTC)  # 16:05 WIB = 09:05 UTC

    def test_lunch_break_is_skipped(self):
        # Mon 12 Jan 11:45 + P2 30 min: 11:45-12:00 = 15 min, break, 13:00 + 15 = 13:15.
        assert due_wib(at(WIB, 2026, 1, 12, 11, 45), P2) == at(WIB, 2026, 1, 12, 13, 15)

    def test_complaint_in_cuti_bersama_idul_fitri_waits_for_the_first_working_day(self):
        # Fri 20 Mar 2026 is cuti bersama; the block runs Wed 18 (cuti bersama
        # Nyepi) .. Tue 24 Mar (cuti bersama Idul Fitri).  First working day:
        # Wed 25 Mar, 07:30 (Ramadan 2026 ended on 20 Mar: normal hours).
        start = at(WIB, 2026, 3, 20, 9, 0)
        assert next_opening(start, JAKARTA).astimezone(WIB) == at(WIB, 2026, 3, 25, 7, 30)
        # P3: 07:30 + 1 h = 08:30 on Wed 25 Mar.
        assert due_wib(start, P3) == at(WIB, 2026, 3, 25, 8, 30)

    def test_twelve_hour_user_service_target_after_lebaran_ends_at_a_break(self):
        # P-1 Kritis (Administrasi Pemerintahan) < 12 h, filed in the Lebaran block.
        # Wed 25 Mar: 4.5 h + 3 h = 7.5 h; 12 - 7.5 = 4.5 h left;
        # Thu 26 Mar 07:30 + 4.5 h = 12:00 exactly: stays at the closing time.
        due = due_wib(at(WIB, 2026, 3, 21, 10, 0), timedelta(hours=12))
        assert due == at(WIB, 2026, 3, 26, 12, 0)

    def test_complaint_at_2350_wit_is_due_after_opening_in_jayapura(self):
        # Tue 9 Jun 2026 23:50 WIT: closed; Wed 10 Jun opens 07:30 WIT;
        # P2: 07:30 + 30 min = 08:00 WIT = 23:00 UTC on 9 Jun (WIT is UTC+9).
        start = at(WIT, 2026, 6, 9, 23, 50)
        assert deadline(start, P2, JAYAPURA) == datetime(2026, 6, 9, 23, 0, tzinfo=UTC)
        # The same instant on a WIB calendar opens two hours later in UTC terms.
        assert deadline(start, P2, JAKARTA) == datetime(2026, 6, 10, 1, 0, tzinfo=UTC)

    def test_ramadan_hours_close_at_1500_on_thursday(self):
        # Thu 5 Mar 2026 is in Ramadan 2026: closes 15:00.  14:30 + P3:
        # 14:30-15:00 = 30 min; Fri 6 Mar opens 08:00 + 30 min = 08:30.
        assert due_wib(at(WIB, 2026, 3, 5, 14, 30), P3) == at(WIB, 2026, 3, 6, 8, 30)
        # Outside Ramadan the same Thursday slot is simply 15:30.
        assert due_wib(at(WIB, 2026, 4, 9, 14, 30), P3) == at(WIB, 2026, 4, 9, 15, 30)

    def test_year_end_crosses_new_year_holiday(self):
        # Wed 31 Dec 2025 15:00 + P4 (1.5 h): 15:00-16:00 = 1 h; Thu 1 Jan 2026
        # is Tahun Baru Masehi; Fri 2 Jan 07:30 + 30 min = 08:00.
        start = at(WIB, 2025, 12, 31, 15, 0)
        due = due_wib(start, P4)
        assert due == at(WIB, 2026, 1, 2, 8, 0)
        assert elapsed(start, due, JAKARTA) == P4

    def test_twenty_four_seven_is_calendar_time(self):
        # P-3 on calendar time: Fri 15:50 + 1 h = 16:50, holidays or not.
        assert deadline(at(WIB, 2026, 3, 20, 15, 50), P3, ALWAYS) == at(WIB, 2026, 3, 20, 16, 50)
        assert elapsed(at(WIB, 2025, 12, 31, 0, 0), at(WIB, 2027, 1, 1, 0, 0), ALWAYS) == timedelta(days=366)
        assert ALWAYS.is_24x7 and not JAKARTA.is_24x7


class TestBoundaryRule:
    """Documented in engine.py: closing time stays, start at closing moves on (E-3)."""

    def test_deadline_landing_exactly_at_closing_time_stays_there(self):
        # Mon 12 Jan 15:00 + 1 h = 16:00 = closing time, not Tue 07:30.
        assert due_wib(at(WIB, 2026, 1, 12, 15, 0), P3) == at(WIB, 2026, 1, 12, 16, 0)

    def test_start_exactly_at_closing_time_begins_at_next_opening(self):
        assert due_wib(at(WIB, 2026, 1, 12, 16, 0), P1) == at(WIB, 2026, 1, 13, 7, 45)

    def test_next_opening_from_exactly_closing_time_is_the_next_morning(self):
        assert next_opening(at(WIB, 2026, 1, 12, 16, 0), JAKARTA) == at(WIB, 2026, 1, 13, 7, 30)
        assert next_opening(at(WIB, 2026, 1, 12, 12, 0), JAKARTA) == at(WIB, 2026, 1, 12, 13, 0)

    def test_zero_target_is_due_at_effective_start(self):
        assert due_wib(at(WIB, 2026, 1, 12, 9, 0), timedelta(0)) == at(WIB, 2026, 1, 12, 9, 0)
        assert due_wib(at(WIB, 2026, 1, 10, 9, 0), timedelta(0)) == at(WIB, 2026, 1, 12, 7, 30)

    def test_is_open_is_half_open_interval(self):
        assert is_open(at(WIB, 2026, 1, 12, 7, 30), JAKARTA)
        assert not is_open(at(WIB, 2026, 1, 12, 12, 0), JAKARTA)
        assert is_open(at(WIB, 2026, 1, 12, 11, 59, 59), JAKARTA)

    def test_fractions_of_a_second_are_dropped(self):
        start = at(WIB, 2026, 1, 12, 9, 0).replace(microsecond=999_999)
        assert due_wib(start, timedelta(minutes=1, microseconds=5)) == at(WIB, 2026, 1, 12, 9, 1)

    def test_fractions_are_floored_before_1970_too(self):
        # -0.5 s floors to -1 s (23:59:59), so one second later is 00:00:00.
        start = datetime(1969, 12, 31, 23, 59, 59, 500_000, tzinfo=UTC)
        assert deadline(start, timedelta(seconds=1), ALWAYS) == datetime(1970, 1, 1, tzinfo=UTC)
        assert elapsed(start, datetime(1970, 1, 1, tzinfo=UTC), ALWAYS) == timedelta(seconds=1)


class TestPauses:
    """P-1: the clock stops while waiting for the reporter."""

    def test_pause_moves_the_deadline_by_the_business_time_inside_it(self):
        # Mon 12 Jan 08:00 + P3, paused 08:30-10:00: 30 min ran, 30 left from 10:00.
        pause = (at(WIB, 2026, 1, 12, 8, 30), at(WIB, 2026, 1, 12, 10, 0))
        assert due_wib(at(WIB, 2026, 1, 12, 8, 0), P3, pauses=[pause]) == at(WIB, 2026, 1, 12, 10, 30)

    def test_pause_over_a_night_only_costs_its_working_part(self):
        # Mon 15:30 + P3, paused Mon 15:45 .. Tue 08:00: 15 min ran Monday, the
        # pause swallows Tue 07:30-08:00; 45 min from 08:00 = 08:45.
        pause = (at(WIB, 2026, 1, 12, 15, 45), at(WIB, 2026, 1, 13, 8, 0))
        assert due_wib(at(WIB, 2026, 1, 12, 15, 30), P3, pauses=[pause]) == at(WIB, 2026, 1, 13, 8, 45)

    def test_pause_starting_exactly_at_the_deadline_does_not_move_it(self):
        # Mon 08:00 + P3 = 09:00; a pause from 09:00 comes too late to matter.
        pause = (at(WIB, 2026, 1, 12, 9, 0), at(WIB, 2026, 1, 12, 10, 0))
        assert due_wib(at(WIB, 2026, 1, 12, 8, 0), P3, pauses=[pause]) == at(WIB, 2026, 1, 12, 9, 0)

    def test_overlapping_pauses_are_subtracted_once(self):
        # 08:00-11:00 = 3 h; pauses 08:30-09:30 and 09:00-10:00 cover 08:30-10:00.
        pauses = [
            (at(WIB, 2026, 1, 12, 8, 30), at(WIB, 2026, 1, 12, 9, 30)),
            (at(WIB, 2026, 1, 12, 9, 0), at(WIB, 2026, 1, 12, 10, 0)),
        ]
        start, end = at(WIB, 2026, 1, 12, 8, 0), at(WIB, 2026, 1, 12, 11, 0)
        assert elapsed(start, end, JAKARTA, pauses) == timedelta(hours=1, minutes=30)

    def test_pause_ending_before_it_starts_is_rejected(self):
        pause = (at(WIB, 2026, 1, 12, 10, 0), at(WIB, 2026, 1, 12, 9, 0))
        with pytest.raises(ValueError, match="ends before it starts"):
            deadline(at(WIB, 2026, 1, 12, 8, 0), P3, JAKARTA, [pause])


class TestElapsed:
    """P-1 user-service time and E-2 recaps measure business time between instants."""

    def test_elapsed_over_a_working_week_is_37_5_hours(self):
        # Mon 19 Jan 00:00 .. Mon 26 Jan 00:00 WIB: a plain Perpres 21/2023 week.
        assert elapsed(at(WIB, 2026, 1, 19), at(WIB, 2026, 1, 26), JAKARTA) == timedelta(hours=37.5)
        # The week before loses Fri 16 Jan, Isra Mikraj: 4 x 7.5 h = 30 h.
        assert elapsed(at(WIB, 2026, 1, 12), at(WIB, 2026, 1, 19), JAKARTA) == timedelta(hours=30)

    def test_elapsed_is_signed(self):
        a, b = at(WIB, 2026, 1, 12, 8), at(WIB, 2026, 1, 12, 9)
        assert elapsed(b, a, JAKARTA) == -timedelta(hours=1)

    def test_elapsed_spanning_many_years_compiles_lazily(self):
        a, b = datetime(2020, 1, 1, tzinfo=UTC), datetime(2040, 1, 1, tzinfo=UTC)
        assert elapsed(a, b, ALWAYS) == b - a


class TestErrors:
    """Working hours are a Pemda's settings (pedoman.md "D"): bad ones fail loudly."""

    def test_naive_datetimes_are_refused(self):
        with pytest.raises(NaiveDatetimeError, match="has no time zone"):
            deadline(datetime(2026, 1, 12, 8, 0), P1, JAKARTA)
        with pytest.raises(NaiveDatetimeError):
            elapsed(at(WIB, 2026, 1, 12), datetime(2026, 1, 13), JAKARTA)
        with pytest.raises(NaiveDatetimeError, match="pause start"):
            deadline(at(WIB, 2026, 1, 12), P1, JAKARTA, [(datetime(2026, 1, 12), at(WIB, 2026, 1, 13))])
        assert issubclass(NaiveDatetimeError, ValueError)

    def test_negative_duration_is_refused(self):
        with pytest.raises(ValueError, match="negative"):
            deadline(at(WIB, 2026, 1, 12), -P1, JAKARTA)

    def test_empty_calendar_raises_instead_of_looping(self):
        empty = Calendar("Asia/Jakarta", {})
        with pytest.raises(CalendarError, match="no working hours at all"):
            deadline(at(WIB, 2026, 1, 12), P1, empty)
        with pytest.raises(CalendarError, match="no working hours at all"):
            elapsed(at(WIB, 2026, 1, 12), at(WIB, 2026, 1, 13), empty)

    def test_calendar_open_only_long_ago_raises_past_the_horizon(self):
        once = SpecialPeriod(date(2000, 1, 3), date(2000, 1, 3), {0: [(time(8), time(9))]}, "once")
        cal = Calendar("Asia/Jakarta", {}, [once])
        with pytest.raises(CalendarError, match="within 10 years"):
            deadline(at(WIB, 2026, 1, 12), P1, cal)

    def test_holidays_everywhere_raise_past_the_horizon(self):
        first = date(2026, 1, 1)
        closed = {first + timedelta(days=k) for k in range(12 * 366)}
        cal = Calendar("Asia/Jakarta", {0: [(time(8), time(16))]}, closed_dates=closed)
        with pytest.raises(CalendarError, match="within 10 years"):
            deadline(at(WIB, 2026, 1, 5), P1, cal)

    def test_overlapping_intervals_are_rejected_with_a_message(self):
        with pytest.raises(CalendarError, match=r"Monday: intervals 08:00-12:00 and 11:00-13:00 overlap"):
            Calendar("Asia/Jakarta", {0: [(time(8), time(12)), (time(11), time(13))]})

    def test_interval_ending_before_it_starts_is_rejected(self):
        with pytest.raises(CalendarError, match=r"Friday: interval 16:00-08:00 ends before it starts"):
            Calendar("Asia/Jakarta", {4: [(time(16), time(8))]})
        with pytest.raises(CalendarError, match=r"Monday: interval 08:00-08:00 ends before it starts or is empty"):
            Calendar("Asia/Jakarta", {0: [(time(8), time(8))]})

    @pytest.mark.parametrize("weekday", [7, -1, "Mon", True])
    def test_unknown_weekday_is_rejected(self, weekday):
        with pytest.raises(CalendarError, match="unknown weekday"):
            Calendar("Asia/Jakarta", {weekday: [(time(8), time(16))]})

    def test_unknown_time_zone_is_rejected(self):
        with pytest.raises(CalendarError, match="unknown time zone 'Asia/Bandung'"):
            Calendar("Asia/Bandung", {})

    def test_overlapping_special_periods_are_rejected(self):
        week = {0: [(time(8), time(15))]}
        a = SpecialPeriod(date(2026, 2, 19), date(2026, 3, 20), week, "Ramadan 2026")
        b = SpecialPeriod(date(2026, 3, 1), date(2026, 3, 31), week, "other")
        with pytest.raises(CalendarError, match="overlap"):
            Calendar("Asia/Jakarta", week, [a, b])

    def test_special_period_ending_before_it_starts_is_rejected(self):
        with pytest.raises(CalendarError, match="ends before it starts"):
            SpecialPeriod(date(2026, 3, 20), date(2026, 2, 19), {}, "Ramadan")

    def test_datetime_as_closed_date_is_rejected(self):
        with pytest.raises(CalendarError, match=r"not a datetime\.date"):
            Calendar("Asia/Jakarta", {}, closed_dates=[datetime(2026, 1, 1, tzinfo=UTC)])


class TestCalendarObject:
    """A calendar is a policy-pack value (Pedoman C): immutable, cacheable, explicit."""

    def test_calendar_is_hashable_comparable_and_picklable(self):
        copy = pickle.loads(pickle.dumps(JAKARTA))
        assert copy == JAKARTA and hash(copy) == hash(JAKARTA)
        assert copy.closed_date_names[date(2026, 3, 21)] == JAKARTA.closed_date_names[date(2026, 3, 21)]
        assert deadline(at(WIB, 2026, 1, 9, 15, 50), P3, copy) == deadline(at(WIB, 2026, 1, 9, 15, 50), P3, JAKARTA)

    def test_mapping_of_closed_dates_gives_names(self):
        cal = Calendar("Asia/Jakarta", {0: [(time(8), time(16))]}, closed_dates={date(2026, 10, 7): "HUT Kota"})
        assert cal.closed_dates == frozenset({date(2026, 10, 7)})
        assert cal.closed_date_names[date(2026, 10, 7)] == "HUT Kota"

    def test_adjacent_intervals_count_as_one(self):
        cal = Calendar("Asia/Jakarta", {0: [(time(8), time(12)), (time(12), time(16))]})
        assert due_on(cal, at(WIB, 2026, 1, 12, 11, 0), timedelta(hours=2)) == at(WIB, 2026, 1, 12, 13, 0)

    def test_midnight_end_means_end_of_day(self):
        cal = Calendar("Asia/Jakarta", {0: [(time(20), time(0))], 1: [(time(0), time(4))]})
        # Mon 23:00 + 3 h: 1 h to midnight, Tue 00:00 + 2 h = 02:00.
        assert due_on(cal, at(WIB, 2026, 1, 12, 23, 0), timedelta(hours=3)) == at(WIB, 2026, 1, 13, 2, 0)


class TestDaylightSaving:
    """Pedoman C: WIB/WITA/WIT have no DST, but the engine must not assume it."""

    def test_sunday_of_spring_forward_has_23_hours(self):
        sunday = at(BERLIN_TZ, 2026, 3, 29)
        assert elapsed(sunday, sunday + timedelta(days=1), BERLIN) == timedelta(hours=23)

    def test_sunday_of_fall_back_has_25_hours(self):
        sunday = at(BERLIN_TZ, 2026, 10, 25)
        assert elapsed(sunday, sunday + timedelta(days=1), BERLIN) == timedelta(hours=25)

    def test_working_hours_stay_on_the_wall_clock_across_dst(self):
        # 08:00 local opens at 07:00 UTC in winter (CET) and 06:00 UTC in summer (CEST).
        assert next_opening(at(BERLIN_TZ, 2026, 3, 30, 7, 0), BERLIN) == datetime(2026, 3, 30, 6, 0, tzinfo=UTC)
        assert next_opening(at(BERLIN_TZ, 2026, 3, 23, 7, 0), BERLIN) == datetime(2026, 3, 23, 7, 0, tzinfo=UTC)

    def test_boundary_in_a_dst_gap_moves_to_the_end_of_the_gap(self):
        # 29 Mar 2026 02:00 -> 03:00 in Berlin; an interval 02:30-04:00 opens at 03:00.
        cal = Calendar("Europe/Berlin", {6: [(time(2, 30), time(4))]})
        day = at(BERLIN_TZ, 2026, 3, 29)
        assert elapsed(day, day + timedelta(days=1), cal) == timedelta(hours=1)


BERLIN_TZ = BERLIN._zone


def due_on(cal: Calendar, start: datetime, duration: timedelta) -> datetime:
    return deadline(start, duration, cal).astimezone(start.tzinfo)
