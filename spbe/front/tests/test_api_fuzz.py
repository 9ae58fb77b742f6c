"""API fuzzing (issue 14, part 4): Schemathesis generates requests from the
OpenAPI schema the application serves at /api/v1/schema/ and sends them to
the application in process (WSGI), as the owner PD's Administrator Layanan,
as the Koordinator SPBE and anonymously (who reads nothing but the public
knowledge base, issue 15). Every answer must be no 5xx and exactly what
the schema says: a documented status code, its content type and a body
that matches its schema.

The run is bounded and repeatable: the schema's examples, MAX_EXAMPLES
generated cases per operation (valid and invalid) for every persona, and
for the owner PD's admin, who reaches deepest, Schemathesis' coverage cases
too (every boundary, missing field and wrong type the schema allows, JSON
bodies). Hypothesis is derandomized (a seed fixed per test, no example
database) and the clock is frozen. Path ids are drawn from the real records
built here (the owner PD's, another PD's and the other Pemda's, the
channels of issue 15 included) as well as generated, so the detail routes
are reached, not only their 404."""

from __future__ import annotations

import copy
from collections import Counter
from contextlib import contextmanager
from datetime import timedelta
from decimal import Decimal
from unittest import SkipTest

import pytest
import schemathesis
from django.conf import settings as django_settings
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from django.middleware.csrf import _get_new_csrf_string
from django.test import Client
from hypothesis import HealthCheck, Phase, settings
from hypothesis import core as hypothesis_core
from hypothesis import strategies as st
from hypothesis.vendor import pretty
from schemathesis.checks import not_a_server_error
from schemathesis.config import SchemathesisConfig
from schemathesis.core.result import Err
from schemathesis.pytest.lazy import get_all_tests
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from spbe.catalog.models import Service
from spbe.change import actions as change
from spbe.change import actions_projects as projects
from spbe.change.actions import ChangeScope
from spbe.change.models_projects import Phase as ProjectPhase
from spbe.change.tests.test_plans import RISKS, plan_of
from spbe.change.tests.test_projects import plan as project_phases
from spbe.change.tests.test_projects import project_of
from spbe.change.tests.test_releases import DRAFTED, release_of
from spbe.chat import actions as chat
from spbe.chat.models import ChatChannel, ChatConversation, ChatMessage
from spbe.cmdb.models import Application
from spbe.continuity import actions as continuity
from spbe.continuity.tests.factories import approved_plan, draft_plan, kritis_service, pj_penyedia
from spbe.continuity.tests.recovering import heartbeat_check
from spbe.desk.choices import TicketKind
from spbe.evaluation.tests.factories import follow_up, report_of, ticket
from spbe.knowledge.choices import ArticleStatus, Visibility
from spbe.knowledge.tests.factories import article
from spbe.lapor import actions as lapor
from spbe.mail.models import InboundMail, Mailbox
from spbe.monitoring import intake
from spbe.org.models import PerangkatDaerah
from spbe.wsgi import application

# Importing Schemathesis swaps Hypothesis' example printer for a silent
# one, which keeps its coverage phase fast; the other property tests of the
# session (spbe/sla) would then report a failing example as "x=,". The
# printer is Hypothesis' own again, except while fuzzing (and pyproject.toml
# keeps Schemathesis' pytest plugin, which would import it, from loading).
QUIET_PRINTER = hypothesis_core.RepresentationPrinter
hypothesis_core.RepresentationPrinter = pretty.RepresentationPrinter

MAX_EXAMPLES = 10  # generated cases per operation, valid and invalid together
PERSONAS = ["owner_admin", "coordinator", "anonymous"]
# What anyone may read without signing in (issue 15): the knowledge base's
# published public articles and their "was this helpful?".
PUBLIC = ("/api/v1/pengetahuan/",)
# Schemathesis phases run for each persona, on which request bodies. The
# coverage phase has no bound but the schema (some 5,000 cases on JSON
# bodies alone), so it runs once, for the persona that reaches deepest.
FUZZING = (("examples", "fuzzing"), "all")
PASSES = {
    "owner_admin": [(("coverage",), "json"), FUZZING],
    "coordinator": [FUZZING],
    "anonymous": [FUZZING],
}
SETTINGS = settings(
    max_examples=MAX_EXAMPLES,
    derandomize=True,
    database=None,
    deadline=None,
    phases=[Phase.explicit, Phase.generate, Phase.shrink],
    suppress_health_check=list(HealthCheck),
)
# What the schema promises: no server error, a documented status, its content type, its body, its headers.
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
    response_headers_conformance,
]


def service_of(pd, admin) -> Service:
    """An active public service of another PD, for its tickets."""
    return Service.objects.create(
        pd=pd, code=f"{pd.abbreviation.upper()}-{pd.pk}", name=f"Layanan {pd.name}", description="-",
        group="layanan_publik", classification="normal", access="Loket", lifecycle="active", status="approved",
        availability_target=Decimal("99"), help_contact="0274-000000", drafted_by=admin, service_admin=admin,
    )  # fmt: skip


def channel_records(world, service, complaint, other_services) -> dict:
    """Records of the channels of issue 15, the owner PD's and the others':
    articles in each state and visibility, mailboxes with mails waiting for
    triage and handled ones, chat channels with messages both ways, and a
    ticket from SP4N-LAPOR! with its two deadlines. Nothing here reaches a
    network: no mailbox is polled and no chat message sent through the API."""
    dinkes, tegal = other_services
    articles = [
        article(world, service),
        article(world, service, title="Cara cetak ulang KTP-el", visibility=Visibility.INTERNAL),
        article(world, service, title="Draf panduan antrean", status=ArticleStatus.DRAFT),
        article(world, None, title="Panduan umum Pemda", pd=None),
        article(world, dinkes, title="Jadwal puskesmas"),
        article(world, tegal, title="Artikel Tegal"),
    ]
    mailboxes, mails = [], []
    for pemda, pd, code, default in ((world.yogya, world.dukcapil, "fuzz-duk", None),
                                     (world.yogya, world.dinkes, "fuzz-dinkes", dinkes),
                                     (world.tegal, world.tegal_dukcapil, "fuzz-tegal", tegal)):  # fmt: skip
        box = Mailbox.objects.create(pemda=pemda, pd=pd, name=f"Layanan {pd.name}", code=code,
                                     address=f"{code}@pemda.test", host="127.0.0.1", port=9, security="none",
                                     username=f"{code}@pemda.test", default_service=default)  # fmt: skip
        mailboxes.append(box.pk)
        for n, status in enumerate(["triage", "triage", "opened", "ignored"]):
            mails.append(InboundMail.objects.create(
                mailbox=box, message_id=f"<{code}.{n}@warga.test>", sender="budi@warga.test", sender_name="Budi",
                recipient=box.address, subject="KTP belum jadi", body="Sudah 3 minggu.", received_at=DRAFTED,
                status=status, reason="auto_reply" if status == "ignored" else "",
                ticket=complaint if status == "opened" and box.pd == world.dukcapil else None,
            ).pk)  # fmt: skip
    channels, messages = [], []
    for actor, pemda, pd, provider, code, default in (
        (world.coordinator, world.yogya, world.dukcapil, "telegram", "fuzz-bot", service),
        (world.coordinator, world.yogya, None, "whatsapp", "fuzz-wa", dinkes),
        (world.tegal_coordinator, world.tegal, None, "telegram", "fuzz-tegal-bot", tegal),
    ):
        channel = chat.save_channel(actor, ChatChannel(
            pemda=pemda, pd=pd, provider=provider, name=f"Kanal {code}", code=code, default_service=default,
            default_kind="complaint", default_impact="minor",
            phone_number_id="106540352242922" if provider == "whatsapp" else "",
        ))  # fmt: skip
        channels.append(channel.pk)
        conversation = ChatConversation.objects.create(channel=channel, external_id="5551234", display_name="Budi")
        linked = complaint if channel.pd == world.dukcapil else None
        messages += [
            ChatMessage.objects.create(channel=channel, conversation=conversation, direction="in", text="KTP rusak",
                                       ticket=linked, status="received", at=DRAFTED).pk,
            ChatMessage.objects.create(channel=channel, conversation=conversation, direction="out", text="Diterima",
                                       ticket=linked, status="failed", attempts=3, last_error="HTTP 502",
                                       key=f"{code}-opened", at=DRAFTED).pk,
        ]  # fmt: skip
    lapor.open_from_row(world.owner_admin, {
        "tracking_id": "LPR2611001", "reported_at": (DRAFTED - timedelta(days=1)).isoformat(),
        "title": "Antrean daring galat", "body": "Aplikasi antrean menampilkan galat 500.",
        "report_type": "pengaduan", "reporter_name": "Budi Santoso", "email": "budi@contoh.id",
    }, service)  # fmt: skip
    return {
        "/api/v1/pengetahuan/artikel/": [a.pk for a in articles],
        "/api/v1/kotak-surel/": mailboxes,
        "/api/v1/surel-masuk/": mails,
        "/api/v1/chat/kanal/": channels,
        "/api/v1/chat/pesan/": messages,
    }


@pytest.fixture
def records(world, packs, time_machine) -> dict:
    """Real records of every API, so that generated paths can name them: the
    owner PD's (Disdukcapil Yogya), another PD's and the other Pemda's."""
    time_machine.move_to(DRAFTED, tick=False)
    service = kritis_service(world)
    app = Application.objects.get(name="SIAK DUK-01")
    pj = pj_penyedia(world)
    in_force = approved_plan(world, service, pj, backup_check=heartbeat_check(service))
    draft = draft_plan(world, service, title="DRP draf")
    activation = continuity.open_activation(world.vendor, in_force, "Ruang server terendam")
    drill = continuity.plan_drill(world.vendor, in_force, title="Uji coba semester", scenario="Server mati",
                                  participants="Tim Kominfo", scheduled_for=DRAFTED + timedelta(days=3))  # fmt: skip
    complaint = ticket(service, world.owner_admin, reported=DRAFTED - timedelta(days=2))
    request = ticket(service, world.owner_admin, TicketKind.REQUEST, reported=DRAFTED - timedelta(days=1))
    dinkes_service = service_of(world.dinkes, world.other_pd_admin)
    tegal_service = service_of(world.tegal_dukcapil, world.tegal_admin)
    dinkes_ticket = ticket(dinkes_service, world.other_pd_admin, reported=DRAFTED)
    tegal_ticket = ticket(tegal_service, world.tegal_admin, reported=DRAFTED)
    change_plan = change.save_plan(world.owner_admin, plan_of(world), ChangeScope([service]), RISKS)
    release = change.save_release(world.vendor, release_of(world, app), [service])
    project = projects.save_project(world.owner_admin, project_of(app), project_phases())
    report = report_of(world)
    action = follow_up(report)
    _source, token = intake.create_source(world.coordinator, pemda=world.yogya, name="Prometheus Kominfo",
                                          kind="alertmanager", default_service=service)  # fmt: skip
    ids = {
        "/api/v1/pd/": list(PerangkatDaerah.objects.values_list("pk", flat=True)),
        "/api/v1/drp/": [in_force.pk, draft.pk],
        "/api/v1/pemulihan/": [activation.pk, drill.pk],
        "/api/v1/tickets/": [complaint.pk, request.pk, dinkes_ticket.pk, tegal_ticket.pk],
        "/api/v1/perubahan/": [change_plan.pk],
        "/api/v1/perubahan/rilis/": [release.pk],
        "/api/v1/perubahan/proyek/": [project.pk],
        "/api/v1/evaluasi/laporan/": [report.pk],
        "/api/v1/evaluasi/tindak-lanjut/": [action.pk],
        **channel_records(world, service, complaint, (dinkes_service, tegal_service)),
    }
    return {"ids": ids, "alert_token": token}


def real_ids(records: dict):
    """A hook: path ids are generated or, as often, one of the real records
    of the route (the longest matching prefix)."""

    def flatmap_path_parameters(context, path_parameters: dict):
        if not path_parameters or "id" not in path_parameters:
            return st.just(path_parameters)
        path = context.operation.path
        prefix = max((p for p in records["ids"] if path.startswith(p)), key=len, default=None)
        if prefix is None:
            return st.just(path_parameters)
        real = st.sampled_from(records["ids"][prefix]).map(lambda pk: {**path_parameters, "id": pk})
        if "phase" in path_parameters:
            phase = st.sampled_from(ProjectPhase.values)
            real = st.tuples(real, phase).map(lambda both: {**both[0], "phase": both[1]})
        return st.one_of(st.just(path_parameters), real)

    return flatmap_path_parameters


@contextmanager
def connection_kept():
    """The WSGI handler closes the database connection after each request;
    inside the test's transaction it must stay open, as Django's test client
    keeps it (``ClientHandler``, which connects the signal again after each
    of its own requests)."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


@contextmanager
def quiet_printer():
    """Schemathesis' silent example printer, for the fuzzing only."""
    hypothesis_core.RepresentationPrinter = QUIET_PRINTER
    try:
        yield
    finally:
        hypothesis_core.RepresentationPrinter = pretty.RepresentationPrinter


def session_of(world, persona: str, records: dict, login) -> dict:
    """What every request of the persona carries: the session cookie and,
    for DRF's SessionAuthentication on unsafe methods, the CSRF cookie and
    its X-CSRFToken header; an alert source's token for the intake."""
    if persona == "anonymous":
        return {"cookies": {}, "headers": {}, "intake": {}}
    client = login(getattr(world, persona))
    csrf = _get_new_csrf_string()
    cookies = {
        django_settings.SESSION_COOKIE_NAME: client.cookies[django_settings.SESSION_COOKIE_NAME].value,
        django_settings.CSRF_COOKIE_NAME: csrf,
    }
    return {"cookies": cookies, "headers": {"X-CSRFToken": csrf},
            "intake": {"Authorization": f"Bearer {records['alert_token']}"}}  # fmt: skip


def served_schema() -> dict:
    """The schema as clients get it."""
    response = Client().get("/api/v1/schema/", {"format": "json"})
    assert response.status_code == 200
    return response.json()


def json_bodies(raw: dict) -> dict:
    """The schema with only the JSON form of request bodies that have one
    (the API also parses forms and multipart, which the fuzzing phase sends)."""
    raw = copy.deepcopy(raw)
    for methods in raw["paths"].values():
        for operation in methods.values():
            content = operation.get("requestBody", {}).get("content", {}) if isinstance(operation, dict) else {}
            if "application/json" in content:
                for media_type in [name for name in content if name != "application/json"]:
                    del content[media_type]
    return raw


def fuzzer(raw: dict, records: dict, phases: tuple[str, ...]):
    schema = schemathesis.openapi.from_dict(copy.deepcopy(raw), config=SchemathesisConfig())
    schema.app = application
    schema.config.phases.update(phases=list(phases))
    schema.hook(real_ids(records))
    return schema


def failure_text(error: BaseException) -> str:
    """Schemathesis' report of a failing case (check, response, curl) with
    Hypothesis' notes (the falsifying example)."""
    errors = error.exceptions if isinstance(error, BaseExceptionGroup) else [error]
    parts = []
    for item in errors:
        parts.append(f"{type(item).__name__}: {item}")
        parts.extend(getattr(item, "__notes__", []))
    return "\n".join(parts)


@pytest.mark.parametrize("persona", PERSONAS)
def test_every_operation_answers_as_its_schema_says(world, records, login, persona, capsys):
    """No 5xx, and status, content type, headers and body as documented, for
    every operation of /api/v1/, as the owner PD's admin, the Koordinator
    SPBE and anonymously (issue 14)."""
    raw = served_schema()
    bodies = {"all": raw, "json": json_bodies(raw)}
    session = session_of(world, persona, records, login)
    sent: Counter[str] = Counter()
    answers: Counter[str] = Counter()
    signed_in_only: Counter[str] = Counter()  # 2xx answers outside the public knowledge base

    def call(case):
        sent[case.meta.phase.name.value if case.meta else "other"] += 1
        headers = dict(session["headers"])
        if case.operation.path.startswith("/api/v1/pemantauan/"):
            headers.update(session["intake"])
        response = case.call(headers=headers, cookies=session["cookies"])
        answers[f"{response.status_code // 100}xx"] += 1
        if response.status_code // 100 == 2 and not case.operation.path.startswith(PUBLIC):
            signed_in_only[case.operation.label] += 1
        case.validate_response(response, checks=CHECKS, headers=headers)

    failures: dict[str, str] = {}
    operations: set[str] = set()
    with connection_kept(), quiet_printer():
        for phases, body in PASSES[persona]:
            schema = fuzzer(bodies[body], records, phases)
            for result in get_all_tests(schema=schema, test_func=call, settings=SETTINGS, given_kwargs=None):
                if isinstance(result, Err):
                    failures[str(result.err())] = "the schema cannot be tested"
                    continue
                operation, test = result.ok()
                operations.add(operation.label)
                try:
                    test()
                except SkipTest:  # no case of these phases for this operation
                    pass
                except (Exception, BaseExceptionGroup) as error:  # a FailureGroup is a BaseExceptionGroup
                    failures[f"{operation.label} ({', '.join(phases)})"] = failure_text(error)
    with capsys.disabled():  # the figure docs/security.md quotes, shown in every run
        phases = ", ".join(f"{name} {count}" for name, count in sorted(sent.items()))
        statuses = ", ".join(f"{name} {count}" for name, count in sorted(answers.items()))
        print(f"\nAPI fuzz as {persona}: {len(operations)} operations, {sent.total()} cases ({phases}; "
              f"answers {statuses}), {len(failures)} failing")  # fmt: skip
    documented = {f"{method.upper()} {path}" for path, methods in raw["paths"].items() for method in methods}
    assert operations == documented  # every operation was fuzzed
    if persona == "anonymous":
        # nothing without signing in (the intake without its token included) but the public knowledge base
        assert not signed_in_only
    else:
        assert signed_in_only  # signed in for real: the fuzzer gets past the permission checks
    assert not failures, "\n\n".join(f"=== {label}\n{text}" for label, text in failures.items())


def test_what_the_fuzzer_found_stays_fixed(world, records, login):
    """Answers the fuzzer first got wrong (issue 14): a ticket id that is no
    number, a filter of the wrong type, and a filter sent to a transition
    were 500s; a ticket's clocks and timeline are whole lists."""
    client = login(world.owner_admin)
    complaint = records["ids"]["/api/v1/tickets/"][0]
    respond = {"action": "respond", "message": "Sedang kami periksa."}
    missing = client.post("/api/v1/tickets/null,null/transitions/", respond, content_type="application/json")
    assert missing.status_code == 404 and missing.json()["code"] == "not_found"
    refused = client.get("/api/v1/tickets/", {"priority": "satu"})
    assert refused.status_code == 400 and "priority" in refused.json()["errors"]
    url = f"/api/v1/tickets/{complaint}/transitions/?status=closed"
    assert client.post(url, respond, content_type="application/json").json()["status"] == "in_progress"
    assert isinstance(client.get(f"/api/v1/tickets/{complaint}/timeline/").json(), list)
