"""A Pemda's calendar from its pack, the national holidays and its own
changes, worked by hand the way a Diskominfo clerk would check it (P-3,
E-3, C)."""

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core.management import call_command

from spbe.policy.ask import deadline_answer
from spbe.policy.calendars import holidays_for, working_calendar
from spbe.policy.models import HolidayAction, HolidayChange, SpecialPeriod
from spbe.sla.engine import deadline

WIB = ZoneInfo("Asia/Jakarta")
WIT = ZoneInfo("Asia/Jayapura")


def at(*args, tz=WIB):
    return datetime(*args, tzinfo=tz)


def test_cuti_bersama_count_as_holidays(world, packs):
    days = holidays_for(world.tegal)
    assert days[date(2026, 3, 20)] == "Cuti Bersama Hari Raya Idul Fitri"
    assert days[date(2026, 12, 24)] == "Cuti Bersama Hari Raya Natal"


def test_friday_afternoon_complaint(world, packs):
    """Fri 20 Nov 2026 15:50 WIB. Friday closes 16:30.
    P1 (15 min): 15:50 + 15 min = 16:05 the same day.
    P3 (1 h): 40 min left on Friday (15:50–16:30), 20 min on Monday from
    07:30 → Mon 23 Nov 07:50."""
    cal = working_calendar(world.tegal)
    start = at(2026, 11, 20, 15, 50)
    assert deadline(start, timedelta(minutes=15), cal) == at(2026, 11, 20, 16, 5)
    assert deadline(start, timedelta(hours=1), cal) == at(2026, 11, 23, 7, 50)


def test_complaint_in_the_idul_fitri_block(world, packs):
    """Fri 20 Mar 2026 is cuti bersama; the block runs to Tue 24 Mar (Nyepi
    cuti bersama 18–19 Mar before it). The clock starts Wed 25 Mar 07:30
    (Ramadan is over): a 3 h E-3 response is due 10:30."""
    answer = deadline_answer(world.tegal, at(2026, 3, 20, 10, 0), timedelta(hours=3), "working_hours")
    assert answer["effective_start"] == "2026-03-25T07:30:00+07:00"
    assert answer["deadline"] == "2026-03-25T10:30:00+07:00"
    assert answer["moved_to_next_opening"] is True
    names = [gap["name"] for gap in answer["skipped"] if gap["kind"] == "holiday"]
    assert "Hari Raya Idul Fitri" in names


def test_late_evening_complaint_in_jayapura(world, packs):
    """A Pemda in WIT: Wed 18 Nov 2026 23:50 WIT → the clock starts Thu
    07:30 WIT; 2 h are due 09:30 WIT (00:30 UTC)."""
    world.yogya.time_zone = "Asia/Jayapura"
    world.yogya.save()
    due = deadline(at(2026, 11, 18, 23, 50, tz=WIT), timedelta(hours=2), working_calendar(world.yogya))
    assert due == at(2026, 11, 19, 9, 30, tz=WIT)
    assert due.utcoffset() == timedelta(0)  # engine answers in UTC


def test_ramadan_hours(world, packs):
    """Tue 3 Mar 2026 is in Ramadan (08:00–12:00, 12:30–15:00). A 4 h target
    from 10:00: 2 h to 12:00, break, 2 h from 12:30 → 14:30. Without the
    Ramadan period it would be 15:00 (normal break 12:00–13:00)."""
    SpecialPeriod.objects.create(
        pemda=world.tegal, name="Ramadan 2026", date_from=date(2026, 2, 19), date_to=date(2026, 3, 20)
    )
    start = at(2026, 3, 3, 10, 0)
    assert deadline(start, timedelta(hours=4), working_calendar(world.tegal)) == at(2026, 3, 3, 14, 30)
    SpecialPeriod.objects.filter(pemda=world.tegal).delete()
    assert deadline(start, timedelta(hours=4), working_calendar(world.tegal)) == at(2026, 3, 3, 15, 0)


def test_a_regional_holiday_and_a_removed_one_change_the_clock(world, packs):
    """Mon 18 May 2026 08:00, 1 h → 09:00. Once Hari Jadi Kabupaten Tegal
    (18 May) is added, the clock starts Tue 19 May 07:30 → 08:30. Removing
    the Natal cuti bersama (24 Dec) makes that day a working day again."""
    start = at(2026, 5, 18, 8, 0)
    before = deadline(start, timedelta(hours=1), working_calendar(world.tegal))
    assert before == at(2026, 5, 18, 9, 0)
    HolidayChange.objects.create(
        pemda=world.tegal, date=date(2026, 5, 18), action=HolidayAction.ADD, name="Hari Jadi Kabupaten Tegal",
        reason="Perbup hari jadi", created_by=world.tegal_coordinator,
    )  # fmt: skip
    assert deadline(start, timedelta(hours=1), working_calendar(world.tegal)) == at(2026, 5, 19, 8, 30)
    HolidayChange.objects.create(
        pemda=world.tegal, date=date(2026, 12, 24), action=HolidayAction.REMOVE,
        reason="SKB revisi: cuti bersama Natal dibatalkan", created_by=world.tegal_coordinator,
    )  # fmt: skip
    assert date(2026, 12, 24) not in holidays_for(world.tegal)
    assert deadline(at(2026, 12, 24, 8, 0), timedelta(hours=1), working_calendar(world.tegal)) == at(2026, 12, 24, 9, 0)


def test_year_end_crossing(world, packs):
    """Thu 31 Dec 2026 15:30, 2 h: 30 min to 16:00; 1 Jan is a holiday,
    2–3 Jan weekend; 1.5 h from Mon 4 Jan 07:30 → 09:00."""
    due = deadline(at(2026, 12, 31, 15, 30), timedelta(hours=2), working_calendar(world.tegal))
    assert due == at(2027, 1, 4, 9, 0)


def test_24x7_runs_through_nights_and_holidays(world, packs):
    answer = deadline_answer(world.tegal, at(2026, 3, 20, 23, 0), timedelta(hours=2), "24x7")
    assert answer["deadline"] == "2026-03-21T01:00:00+07:00"


def test_command_explains_the_deadline(world, packs, capsys):
    call_command("sla", "deadline", "--pemda", "tegal", "--start", "2026-03-20 10:00", "--duration", "3h")
    out = capsys.readouterr().out
    assert "TENGGAT    : 2026-03-25T10:30:00+07:00" in out
    assert "hari libur — Hari Raya Idul Fitri" in out


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--pemda", "tidak-ada", "--start", "2026-01-05 08:00", "--duration", "1h"], "tidak ada"),
        (["--pemda", "tegal", "--start", "kemarin", "--duration", "1h"], "bukan tanggal-waktu"),
        (["--pemda", "tegal", "--start", "2026-01-05 08:00", "--duration", "sejam"], "not a duration"),
    ],
)
def test_command_rejects_bad_input_clearly(world, packs, args, message):
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match=message):
        call_command("sla", "deadline", *args)


class TestApi:
    def test_deadline_matches_the_command(self, world, packs, login):
        response = login(world.tegal_admin).get(
            "/api/v1/sla/deadline/", {"pemda": "tegal", "start": "2026-03-20T10:00", "duration": "3h"}
        )
        assert response.status_code == 200
        assert response.json()["deadline"] == "2026-03-25T10:30:00+07:00"

    def test_elapsed(self, world, packs, login):
        response = login(world.tegal_admin).get(
            "/api/v1/sla/elapsed/",
            {"pemda": "tegal", "start": "2026-11-20T15:50+07:00", "end": "2026-11-23T07:50+07:00"},
        )
        assert response.json()["elapsed_seconds"] == 3600

    def test_bad_duration_is_a_json_400_with_message(self, world, packs, login):
        response = login(world.tegal_admin).get(
            "/api/v1/sla/deadline/", {"pemda": "tegal", "start": "2026-03-20T10:00", "duration": "x"}
        )
        assert response.status_code == 400
        body = response.json()
        assert body["message"] == "Data tidak valid."
        assert "15m" in body["errors"]["duration"][0]

    def test_another_pemda_is_not_found(self, world, packs, login):
        response = login(world.owner_admin).get(
            "/api/v1/sla/deadline/", {"pemda": "tegal", "start": "2026-03-20T10:00", "duration": "3h"}
        )
        assert response.status_code == 404
