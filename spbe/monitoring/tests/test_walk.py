"""Issue 6, "Done when": the demo target (a real process, as `make run`
starts it) goes down — the service turns red on the public status page
within its interval, exactly one complaint opens with the right priority —
comes back — the recovery is on the complaint's timeline — and the monthly
Formulir Pemantauan dan Pemeliharaan shows the outage in its availability.
The checks run through the Celery tasks that beat calls (eagerly here)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from spbe.celery import app as celery_app
from spbe.desk.choices import ReportingMethod, TimelineKind
from spbe.desk.models import Ticket
from spbe.desk.tests.test_actions import kritis_public  # noqa: F401  (fixture)
from spbe.monitoring import demo_target, runner, tasks
from spbe.monitoring.models import Check, Outage
from spbe.monitoring.tests.servers import free_port


@pytest.fixture
def target_process(settings, tmp_path):
    settings.VAR_DIR = tmp_path
    settings.MONITORING_DEMO_TARGET_PORT = free_port()
    demo_target.start()
    yield settings.MONITORING_DEMO_TARGET_PORT
    demo_target.stop()


@pytest.fixture
def eager_celery():
    celery_app.conf.task_always_eager = True
    yield
    celery_app.conf.task_always_eager = False


def status_of(client, service_name: str) -> str:
    page = client.get(reverse("status:page", args=["kabupaten-tegal"])).content.decode()
    row = page[page.index(service_name) :]
    return next(label for label in ("Tidak tersedia", "Beroperasi normal", "Terganggu sebagian") if label in row[:1500])


def test_demo_target_down_and_up_again(world, kritis_public, target_process, eager_celery, client, login,  # noqa: F811
                                       time_machine):  # fmt: skip
    world.tegal.slug = "kabupaten-tegal"
    world.tegal.save(update_fields=["slug"])
    check = Check.objects.create(
        pemda=world.tegal, pd=world.tegal_dukcapil, service=kritis_public, name="Beranda Adminduk", kind="http",
        target=f"http://127.0.0.1:{target_process}/adminduk/", keyword="berjalan", interval_seconds=30,
        timeout_seconds=5, retries=2,
    )  # fmt: skip
    time_machine.move_to(timezone.now(), tick=True)

    def one_interval():
        time_machine.shift(timedelta(seconds=check.interval_seconds))
        tasks.dispatch_checks()

    tasks.dispatch_checks()  # schedules the new check within its interval
    one_interval()
    assert status_of(client, "Adminduk Daring") == "Beroperasi normal"

    demo_target.stop()
    one_interval()  # first failure: not yet an outage (retries = 2) ...
    assert not Outage.objects.exists()
    time_machine.shift(timedelta(seconds=runner.RETRY_SECONDS))  # ... confirmed at the retry, within the interval
    tasks.dispatch_checks()
    assert status_of(client, "Adminduk Daring") == "Tidak tersedia"
    ticket = Ticket.objects.get()
    assert (ticket.reporting_method, ticket.impact, ticket.priority) == (ReportingMethod.MONITORING, "mayor", 1)
    one_interval()
    assert Ticket.objects.count() == 1

    time_machine.shift(timedelta(minutes=10))
    demo_target.start()
    one_interval()
    assert status_of(client, "Adminduk Daring") == "Beroperasi normal"
    recovery = ticket.timeline.get(kind=TimelineKind.MONITORING)
    assert recovery.message.startswith("Layanan pulih")

    outage = Outage.objects.get()
    now = timezone.localtime()
    page = (
        login(world.tegal_admin)
        .get(reverse("monitoring_reports:form", args=[kritis_public.pk, now.year, now.month]))
        .content.decode()
    )
    minutes = int((outage.ended_at - outage.started_at).total_seconds() // 60)
    assert ticket.number in page and f"{minutes} menit" in page
    assert "100,000" not in page and "100.000" not in page  # the outage cost availability
