"""Start, stop or ask about the local demo target (spbe/monitoring/demo_target.py)."""

from django.conf import settings
from django.core.management.base import BaseCommand

from spbe.monitoring import demo_target


class Command(BaseCommand):
    help = "Menyalakan atau mematikan sasaran demo pemantauan (127.0.0.1, port MONITORING_DEMO_TARGET_PORT)."

    def add_arguments(self, parser):
        parser.add_argument("action", choices=["start", "stop", "status"])

    def handle(self, *args, action: str, **options) -> None:
        port = settings.MONITORING_DEMO_TARGET_PORT
        if action == "start":
            pid = demo_target.start()
            self.stdout.write(f"Sasaran demo berjalan di http://127.0.0.1:{port}/ (pid {pid}).")
        elif action == "stop":
            stopped = demo_target.stop()
            self.stdout.write("Sasaran demo dimatikan." if stopped else "Sasaran demo memang tidak berjalan.")
        else:
            pid = demo_target.running_pid()
            self.stdout.write(f"Berjalan (pid {pid})." if pid else "Tidak berjalan.")
