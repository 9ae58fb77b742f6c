"""Ask the SLA engine: when does a target fall due for a Pemda, and why.

manage.py sla deadline --pemda kabupaten-tegal --start "2026-03-20 10:00" --duration 3h
manage.py sla elapsed --pemda kota-yogyakarta --start 2026-03-17T08:00 --end 2026-03-25T09:00
"""

import json
from datetime import datetime

from django.core.management.base import BaseCommand, CommandError

from spbe.org.models import Pemda
from spbe.policy.ask import deadline_answer, elapsed_answer
from spbe.policy.calendars import TWENTY_FOUR_SEVEN, WORKING_HOURS, NoPolicy
from spbe.policy.pack import parse_duration
from spbe.sla.engine import CalendarError


def _instant(text: str) -> datetime:
    try:
        return datetime.fromisoformat(text)
    except ValueError:
        raise CommandError(
            f"{text!r} bukan tanggal-waktu; contoh: 2026-03-20 15:50 atau 2026-03-20T15:50+07:00"
        ) from None


class Command(BaseCommand):
    help = "Menghitung tenggat (deadline) atau waktu kerja terpakai (elapsed) pada kalender Pemda."

    def add_arguments(self, parser) -> None:
        parser.add_argument("question", choices=["deadline", "elapsed"])
        parser.add_argument("--pemda", required=True, help="kode URL Pemda, mis. kabupaten-tegal")
        parser.add_argument("--start", required=True, help="mulai; tanpa zona = zona waktu Pemda")
        parser.add_argument("--duration", help="untuk deadline: 15m, 1h30m, 48h")
        parser.add_argument("--end", help="untuk elapsed")
        parser.add_argument("--calendar", default=WORKING_HOURS, choices=[WORKING_HOURS, TWENTY_FOUR_SEVEN])
        parser.add_argument("--json", dest="as_json", action="store_true", help="keluaran JSON")

    def handle(self, *args, question, pemda, start, duration, end, calendar, as_json: bool, **options) -> None:
        found = Pemda.objects.select_related("policy_version").filter(slug=pemda).first()
        if found is None:
            raise CommandError(
                f"Pemda {pemda!r} tidak ada. Ada: {', '.join(Pemda.objects.values_list('slug', flat=True))}"
            )
        try:
            if question == "deadline":
                if not duration:
                    raise CommandError("--duration wajib untuk deadline")
                answer = deadline_answer(found, _instant(start), parse_duration(duration), calendar)
            else:
                if not end:
                    raise CommandError("--end wajib untuk elapsed")
                answer = elapsed_answer(found, _instant(start), _instant(end), calendar)
        except NoPolicy:
            raise CommandError(f"{found.name} belum memiliki paket kebijakan.") from None
        except (CalendarError, ValueError) as error:
            raise CommandError(str(error)) from None
        if as_json:
            self.stdout.write(json.dumps(answer, ensure_ascii=False, indent=2))
        elif question == "deadline":
            self._print_deadline(answer)
        else:
            self.stdout.write(
                f"Waktu kerja terpakai: {answer['elapsed_seconds'] / 3600:.2f} jam ({answer['elapsed_seconds']} detik)"
            )

    def _print_deadline(self, a: dict) -> None:
        self.stdout.write(f"Pemda      : {a['pemda']} ({a['time_zone']}), {a['policy_version']}")
        self.stdout.write(f"Kalender   : {a['calendar']}")
        self.stdout.write(f"Mulai      : {a['start']}")
        if a["moved_to_next_opening"]:
            self.stdout.write(f"Jam mulai  : {a['effective_start']} (di luar jam kerja: mulai jam kerja berikutnya)")
        self.stdout.write(f"Durasi     : {a['duration_seconds'] / 3600:g} jam")
        self.stdout.write(f"TENGGAT    : {a['deadline']}")
        if a["special_periods"]:
            self.stdout.write(f"Jam khusus : {', '.join(a['special_periods'])}")
        if a["skipped"]:
            self.stdout.write("Dilewati   :")
            for gap in a["skipped"]:
                name = f" — {gap['name']}" if gap["name"] else ""
                self.stdout.write(f"  {gap['start']} s.d. {gap['end']}: {gap['label']}{name}")
