"""The authorization matrix (issue 14, part 3): every URL pattern of the
project, pages and API alike, is requested by every persona with real
records of two Pemda and three PDs, and

* nothing answers 5xx;
* a persona outside the owner PD is refused its records (302 to the log-in,
  403, 404 — 405 for a GET on a POST-only route) and never receives a body
  holding a marker string of records it must not see (pages, JSON, XLSX,
  DOCX, ZIP and PDF exports, attachments);
* the personas a route is for get it (200, or a redirect, a 400 for an
  empty form, a 405 for a GET on a POST-only route).

The URL list comes from the resolver, so a new URL fails
``test_every_url_pattern_is_declared`` until it is added to ``TABLE`` below
with its arguments and its policy; the OpenAPI schema is checked against
the same walk. The policies follow docs/access.md."""

from __future__ import annotations

import copy
import logging
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from html.parser import HTMLParser

import pytest
from django.contrib import admin
from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.test import Client, override_settings
from django.urls import URLPattern, URLResolver, get_resolver, resolve, reverse

from spbe.conftest import build_world, load_packs, pass_second_factor
from spbe.front.tests import authz
from spbe.front.tests.authz import (
    ALL,
    INSIDE,
    OUTSIDE,
    OWNER,
    PERSONAS,
    SIGNED_IN,
    STAFF,
    DataSet,
    body_text,
)

# --- The walk ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Pattern:
    name: str | None  # "namespace:name", None for an unnamed pattern
    route: str  # the full pattern, as the resolver spells it
    keys: frozenset[str]  # the arguments it captures

    @property
    def key(self) -> str:
        """How the table names it: its URL name, or its route when unnamed."""
        return self.name or self.route


def walk(resolver: URLResolver | None = None, prefix: str = "", namespace: str = "") -> list[Pattern]:
    """Every URL pattern of the project, recursively through includes."""
    found = []
    for entry in (resolver or get_resolver()).url_patterns:
        route = prefix + str(entry.pattern).removeprefix("^")  # as ResolverMatch.route joins them
        if isinstance(entry, URLResolver):
            inner = namespace
            if entry.namespace:
                inner = f"{namespace}:{entry.namespace}" if namespace else entry.namespace
            found.extend(walk(entry, route, inner))
        elif isinstance(entry, URLPattern):
            name = f"{namespace}:{entry.name}" if namespace and entry.name else entry.name
            keys = frozenset(re.findall(r"<(?:\w+:)?(\w+)>", route)) | frozenset(entry.pattern.regex.groupindex)
            found.append(Pattern(name, route, keys))
    return found


# --- The declarations ---------------------------------------------------------------------------

REFUSED = frozenset({401, 403, 404, 405})
POST_DONE = frozenset({200, 201, 202, 204, 302, 303, 400, 409})
LOGIN_PATHS = ("/akun/masuk/", "/admin-django/login/")


@dataclass(frozen=True)
class Route:
    """How to request one URL pattern and what each persona must get.

    ``ok``: personas for whom it works (a GET answers one of ``success``; a
    POST is not refused); ``deny``: personas refused (and never given a
    body); anyone else may get either, but never a 5xx or a hidden marker."""

    ok: frozenset[str]
    deny: frozenset[str]
    kwargs: Callable[[DataSet], dict | list[dict]] | None = None
    post_only: bool = False  # GET answers 405 to whoever passes the log-in check; the POST is what counts
    form: bool = False  # also POST an empty body as every persona it is not for
    queries: tuple[str | Callable[[DataSet], str], ...] = ("",)
    success: frozenset[int] = frozenset({200})
    to_login: bool = False  # its success is a redirect to the log-in page (signing out)
    body: Callable[[DataSet], dict] | None = None  # what the POST sends (an empty body otherwise)
    refusals: frozenset[int] = frozenset()  # statuses that also count as a refusal here
    mirror: bool = False  # also ask for the other Pemda's record as Yogya's staff (``check_mirror``)
    note: str = ""

    def cases(self, data: DataSet) -> list[dict]:
        if self.kwargs is None:
            return [{}]
        made = self.kwargs(data)
        return made if isinstance(made, list) else [made]


def rule(ok, deny=None, **options) -> Route:
    ok = frozenset(ok)
    return Route(ok=ok, deny=frozenset(ALL - ok if deny is None else deny), **options)


def pd_record(kwargs, ok=INSIDE, **options) -> Route:
    """A record of the owner PD: its staff, Yogya's coordinator and the
    system administrator; every outsider is refused."""
    return rule(ok, OUTSIDE, kwargs=kwargs, mirror=True, **options)


def staff_page(ok=STAFF, **options) -> Route:
    """A page for anyone holding a role (lists filter by scope: markers
    tell whether they do)."""
    return rule(ok, {"anonymous", "citizen"}, **options)


PUBLIC = rule(ALL, set())
SIGNED = rule(SIGNED_IN, {"anonymous"})
MANAGERS = frozenset({"coordinator", "tegal_coordinator", "sysadmin"})  # can_manage_org: their own Pemda
YOGYA_STAFF = STAFF - {"tegal_coordinator"}
YOGYA_MANAGERS = frozenset({"coordinator", "sysadmin"})
XLSX = ("", "?export=xlsx")
DOCUMENTS = ("pdf", "docx")
INFRA = "drafted and walked by infrastructure roles and the coordinator (docs/access.md)"
PUBLIC_PEMDA = rule(ALL, set(), kwargs=lambda d: {"slug": d.world.yogya.slug})
#: knowledge authors of the owner PD's articles (Administrator Layanan, not the Pimpinan PD) and general managers
AUTHORS = frozenset({"owner_admin", "coordinator", "sysadmin"})
KNOWLEDGE_AUTHORS = "Administrator Layanan/Infrastruktur and PJ roles of a PD, the coordinator; not a Pimpinan PD"
PEMDA_MAILBOX = "a Pemda-wide mailbox: the coordinator's and the system administrator's, not the PDs' staff"
#: who manages the owner PD's chat channel: its Pimpinan PD (and PJ Penyedia), the coordinator
CHAT_MANAGERS = frozenset({"owner_head", "coordinator", "sysadmin"})
CHAT_MANAGING = "Pimpinan PD and PJ Penyedia Layanan of the PD, the coordinator; not the Administrator Layanan"
#: who imports SP4N-LAPOR! reports into the owner PD's services
IMPORTERS = frozenset({"owner_admin", "coordinator", "sysadmin"})
LAPOR_IMPORTERS = "the PD's Administrator Layanan, the coordinator, the system administrator"
PLANNING = {
    "needs": "kebutuhan-layanan",
    "infra_policy": "kebijakan-infrastruktur",
    "operating_target": "target-pengoperasian",
    "management_target": "target-pengelolaan-aplikasi",
    "needs_analysis": "analisis-kebutuhan-aplikasi",
}


def o(d: DataSet):
    return d.owner


def type_id(record) -> int:
    return ContentType.objects.get_for_model(record).pk


def pk(attr: str, key: str = "pk"):
    return lambda d: {key: getattr(o(d), attr).pk}


def pd_only(kwargs, ok, **options) -> Route:
    """A record of the owner PD that only some of those who see it may
    use: outsiders are refused (404), and so are the PD's other insiders
    (403), e.g. a Pimpinan PD on an importer's or reviewer's step."""
    return rule(ok, ALL - frozenset(ok), kwargs=kwargs, mirror=True, **options)


def documents(attr: str):
    return lambda d: [{"pk": getattr(o(d), attr).pk, "fmt": fmt} for fmt in DOCUMENTS]


TABLE: dict[str, Route | tuple[Route, ...]] = {
    # --- the shell
    "front:dashboard": SIGNED,
    "front:stage": staff_page(
        kwargs=lambda d: [{"slug": slug} for slug in ("perencanaan", "operasional", "evaluasi", "pengaturan")],
    ),
    "healthz": rule(ALL, set()),
    "metrics": rule(ALL, set(), note="open unless SPBE_METRICS_TOKEN is set; nginx keeps it off the internet"),
    "set_language": rule(ALL, set(), form=True, success=frozenset({302}), note="a language cookie for anyone"),
    # --- accounts
    "login": rule(ALL, set(), form=True, success=frozenset({200, 302})),
    "logout": rule(ALL, set(), post_only=True, to_login=True),
    "password_change": rule(SIGNED_IN, {"anonymous"}, form=True),
    "password_change_done": SIGNED,
    "password_reset": rule(ALL, set(), form=True),
    "password_reset_done": PUBLIC,
    "password_reset_confirm": rule(ALL, set(), kwargs=lambda d: {"uidb64": "MQ", "token": "bukan-token"}),
    "password_reset_complete": PUBLIC,
    # --- two-factor sign-in and single sign-on (issue 14)
    "second_factor_verify": rule(
        SIGNED_IN,
        {"anonymous"},
        form=True,
        success=frozenset({302}),
        note="nothing to verify in a finished session: on to the page asked for",
    ),
    "second_factor_enrol": rule(SIGNED_IN, {"anonymous"}, form=True, success=frozenset({200, 302})),
    "account_security": SIGNED,
    "recovery_codes_renew": rule(SIGNED_IN, {"anonymous"}, post_only=True),
    "second_factor_off": rule(SIGNED_IN, {"anonymous"}, post_only=True),
    "sso_start": rule(
        set(),
        set(),
        kwargs=lambda d: {"slug": d.world.yogya.slug},
        note="404 while the Pemda has no SSO; the provider itself is tested in the SSO tests",
    ),
    "sso_callback": rule(ALL, set(), success=frozenset({302}), to_login=True, note="no state: back to the log-in"),
    # --- organisation (S-1)
    "org:pemda_list": rule(MANAGERS, queries=XLSX),
    "org:pemda_create": rule({"sysadmin"}, form=True),
    "org:pemda_edit": rule(YOGYA_MANAGERS, kwargs=lambda d: {"pk": d.world.yogya.pk}, form=True),
    "org:pd_list": staff_page(queries=XLSX),
    "org:pd_create": rule(MANAGERS, form=True),
    "org:pd_detail": pd_record(lambda d: {"pk": d.world.dukcapil.pk}),
    "org:pd_edit": rule(YOGYA_MANAGERS, kwargs=lambda d: {"pk": d.world.dukcapil.pk}, form=True),
    "org:person_list": rule(MANAGERS, queries=XLSX),
    "org:person_create": rule(MANAGERS, form=True),
    "org:person_detail": rule(YOGYA_MANAGERS, kwargs=lambda d: {"pk": d.world.owner_admin.pk}),
    "org:person_edit": rule(YOGYA_MANAGERS, kwargs=lambda d: {"pk": d.world.owner_admin.pk}, form=True),
    "org:role_assign": rule(YOGYA_MANAGERS, kwargs=lambda d: {"pk": d.world.owner_admin.pk}, post_only=True),
    "org:person_second_factor_reset": rule(
        YOGYA_MANAGERS, post_only=True, kwargs=lambda d: {"pk": d.world.owner_admin.pk}
    ),
    "org:role_revoke": rule(
        YOGYA_MANAGERS,
        post_only=True,
        kwargs=lambda d: {"pk": d.world.owner_admin.pk, "assignment_pk": o(d).assignment.pk},
    ),
    "audit:list": rule(MANAGERS, queries=XLSX),
    # --- policy packs and calendars (P-1 … P-3, C)
    "policy:mine": staff_page(success=frozenset({302}), note="to the pack of the person's Pemda"),
    "policy:my_calendar": staff_page(success=frozenset({302})),
    "policy:pack": rule(YOGYA_STAFF, kwargs=lambda d: {"pemda_pk": d.world.yogya.pk}),
    "policy:amend": rule(YOGYA_MANAGERS, kwargs=lambda d: {"pemda_pk": d.world.yogya.pk}, post_only=True),
    "policy:confirm": rule(YOGYA_MANAGERS, kwargs=lambda d: {"pemda_pk": d.world.yogya.pk}, post_only=True),
    "policy:version": rule(
        YOGYA_STAFF, kwargs=lambda d: {"pemda_pk": d.world.yogya.pk, "version_pk": d.world.yogya.policy_version_id}
    ),
    "policy:calendar": rule(YOGYA_STAFF, kwargs=lambda d: {"pemda_pk": d.world.yogya.pk, "year": 2026}),
    "policy:holiday_add": rule(YOGYA_MANAGERS, kwargs=lambda d: {"pemda_pk": d.world.yogya.pk}, post_only=True),
    "policy:holiday_delete": rule(
        YOGYA_MANAGERS, post_only=True, kwargs=lambda d: {"pemda_pk": d.world.yogya.pk, "change_pk": o(d).holiday.pk}
    ),
    "policy:period_add": rule(YOGYA_MANAGERS, kwargs=lambda d: {"pemda_pk": d.world.yogya.pk}, post_only=True),
    "policy:period_delete": rule(
        YOGYA_MANAGERS,
        post_only=True,
        kwargs=lambda d: {"pemda_pk": d.world.yogya.pk, "period_pk": o(d).special_period.pk},
    ),
    # --- catalog and planning (P-4 … P-11)
    "catalog:service_list": staff_page(queries=(*XLSX, "?export=pdf")),
    "catalog:service_create": staff_page(form=True),
    "catalog:service_detail": pd_record(pk("draft_service")),
    "catalog:service_edit": pd_record(pk("draft_service"), form=True),
    "catalog:service_retire": pd_record(
        pk("service"), set(), post_only=True, note="the PJ Penyedia Layanan's decision: no persona holds it"
    ),
    "catalog:planning_list": staff_page(kwargs=lambda d: [{"kind": kind} for kind in PLANNING.values()], queries=XLSX),
    "catalog:planning_create": staff_page(kwargs=lambda d: [{"kind": kind} for kind in PLANNING.values()], form=True),
    "catalog:planning_detail": pd_record(
        lambda d: [{"kind": kind, "pk": getattr(o(d), attr).pk} for attr, kind in PLANNING.items()]
    ),
    "catalog:planning_edit": pd_record(
        lambda d: [{"kind": kind, "pk": getattr(o(d), attr).pk} for attr, kind in PLANNING.items()], form=True
    ),
    "catalog:confirm_technology": pd_record(
        pk("needs"), set(), post_only=True, note="an Administrator Infrastruktur's step: no persona holds it"
    ),
    "catalog_io:template": staff_page(),
    "catalog_io:import": staff_page(form=True),
    "public:catalog": rule(ALL, set(), kwargs=lambda d: {"slug": d.world.yogya.slug}),
    # --- CMDB (O-7)
    "cmdb:application_list": staff_page(queries=XLSX),
    "cmdb:application_create": staff_page(form=True),
    "cmdb:application_detail": pd_record(pk("application")),
    "cmdb:application_edit": pd_record(pk("application"), form=True),
    "cmdb:application_component_add": pd_record(pk("application"), post_only=True),
    "cmdb:application_component_remove": pd_record(
        lambda d: {"pk": o(d).application.pk, "component_pk": o(d).component.pk}, post_only=True
    ),
    "cmdb:application_service_add": pd_record(pk("application"), post_only=True),
    "cmdb:application_service_remove": pd_record(
        lambda d: {"pk": o(d).application.pk, "service_pk": o(d).service.pk}, post_only=True
    ),
    "cmdb:component_list": staff_page(queries=XLSX),
    "cmdb:component_create": staff_page(form=True),
    "cmdb:component_detail": pd_record(pk("component")),
    "cmdb:component_edit": pd_record(pk("component"), form=True),
    "cmdb:component_impact": pd_record(pk("component")),
    "cmdb:component_dependency_add": pd_record(pk("database"), post_only=True),
    "cmdb:component_dependency_remove": pd_record(
        lambda d: {"pk": o(d).database.pk, "depends_on_pk": o(d).component.pk}, post_only=True
    ),
    # --- service desk (O-1 … O-3, E-3) and the portal
    "desk:queue": staff_page(),
    "desk:create": staff_page(form=True),
    "desk:save_view": staff_page(post_only=True),
    "desk:delete_view": rule(
        {"owner_admin"},
        ALL - {"owner_admin"},
        kwargs=pk("saved_view"),
        post_only=True,
        note="a saved view belongs to the person who saved it",
    ),
    "desk:bulk_assign": staff_page(post_only=True),
    "desk:review": staff_page(),
    "desk:sla_list": staff_page(),
    "desk:sla_create": staff_page(form=True),
    "desk:sla_edit": pd_record(pk("sla"), form=True),
    "desk:problem_open": pd_record(
        None, post_only=True, body=lambda d: {"kind": "service", "object_id": o(d).service.pk}, success=frozenset({302})
    ),
    "desk:problem": pd_record(pk("problem")),
    "desk:detail": pd_record(pk("ticket")),
    "desk:attachment": pd_record(lambda d: {"pk": o(d).ticket.pk, "attachment_pk": o(d).ticket_attachment.pk}),
    "desk:act": pd_record(lambda d: {"pk": o(d).ticket.pk, "verb": "tanggapi"}, post_only=True),
    "portal:verify": rule(
        ALL,
        set(),
        kwargs=lambda d: {"token": o(d).pending_report.token},
        success=frozenset({302}),
        note="the e-mailed link is the key",
    ),
    "portal:mine": SIGNED,
    "portal:ticket": (
        rule(
            {"citizen"},
            ALL - {"citizen"},
            kwargs=lambda d: {"number": d.citizen_ticket.number},
            note="only the reporter, or whoever holds the signed link",
        ),
        rule(set(), ALL, kwargs=lambda d: {"number": o(d).ticket.number}, note="a phoned-in complaint: the link only"),
    ),
    "portal:act": (
        rule(
            {"citizen"},
            ALL - {"citizen"},
            post_only=True,
            kwargs=lambda d: {"number": d.citizen_ticket.number, "verb": "balas"},
        ),
        rule(set(), ALL, post_only=True, kwargs=lambda d: {"number": o(d).ticket.number, "verb": "balas"}),
    ),
    "portal:home": rule(ALL, set(), kwargs=lambda d: {"slug": d.world.yogya.slug}),
    "portal:report": rule(ALL, set(), kwargs=lambda d: {"slug": d.world.yogya.slug, "pk": o(d).service.pk}, form=True),
    # --- approvals
    "approvals:inbox": staff_page(),
    "approvals:attach": pd_record(
        lambda d: {"type_id": type_id(o(d).infra_policy), "pk": o(d).infra_policy.pk}, post_only=True
    ),
    "approvals:decide": pd_record(
        lambda d: {"type_id": type_id(o(d).submitted_target), "pk": o(d).submitted_target.pk, "verb": "setujui"},
        post_only=True,
    ),
    "approvals:download": pd_record(lambda d: {"attachment_pk": o(d).attachment.pk}),
    # --- monitoring (O-4) and the status page
    "monitoring:checks": staff_page(),
    "monitoring:check_create": staff_page(STAFF - {"owner_head"}, form=True, note="not for a Pimpinan PD"),
    "monitoring:check_detail": pd_record(pk("check")),
    "monitoring:check_edit": pd_record(pk("check"), INSIDE - {"owner_head"}, form=True),
    "monitoring:ping": rule(ALL, set(), kwargs=lambda d: {"token": d.ping_token}, note="the token is the key"),
    "monitoring:maintenance": staff_page(),
    "monitoring:maintenance_create": staff_page(STAFF - {"owner_head"}, form=True),
    "monitoring_reports:availability": staff_page(queries=XLSX),
    "monitoring_reports:service": pd_record(pk("service"), success=frozenset({302}), note="to its last month"),
    "monitoring_reports:form": pd_record(
        lambda d: {"pk": o(d).service.pk, "year": o(d).month.year, "month": o(d).month.month},
        queries=(*XLSX, "?export=pdf"),
    ),
    "monitoring_intake:sources": rule(MANAGERS),
    "monitoring_intake:source_create": rule(MANAGERS, form=True),
    "monitoring_intake:source_detail": rule(YOGYA_MANAGERS, kwargs=pk("alert_source")),
    "monitoring_intake:source_delete": rule(YOGYA_MANAGERS, kwargs=pk("alert_source"), form=True),
    "monitoring_intake:targets": staff_page(),
    "monitoring_intake:target_create": staff_page(MANAGERS, form=True, note="infrastructure staff, coordinators"),
    "monitoring_intake:component": pd_record(pk("component")),
    "monitoring_intake:target_edit": pd_record(pk("component"), YOGYA_MANAGERS, form=True),
    "status:page": rule(ALL, set(), kwargs=lambda d: {"slug": d.world.yogya.slug}),
    # --- continuity (O-5)
    "continuity:overview": staff_page(),
    "continuity:plan_list": staff_page(queries=XLSX),
    "continuity:plan_create": staff_page(MANAGERS, form=True, note="DRPs are drafted by infrastructure roles"),
    "continuity:plan_detail": pd_record(pk("drp")),
    "continuity:plan_edit": pd_record(pk("draft_drp"), YOGYA_MANAGERS, form=True),
    "continuity:plan_revise": pd_record(pk("drp"), YOGYA_MANAGERS, post_only=True, note=INFRA),
    "continuity:plan_document": pd_record(documents("drp")),
    "continuity:recovery_list": staff_page(queries=XLSX),
    "continuity:activation_create": staff_page(MANAGERS, form=True),
    "continuity:drill_create": staff_page(MANAGERS, form=True),
    "continuity:recovery_detail": pd_record(pk("recovery")),
    "continuity:recovery_clock": pd_record(pk("recovery")),
    "continuity:recovery_step": pd_record(
        lambda d: {"pk": o(d).recovery.pk, "number": 2}, YOGYA_MANAGERS, post_only=True, note=INFRA
    ),
    "continuity:drill_cancel": pd_record(pk("drill"), post_only=True),
    "continuity:evidence": pd_record(lambda d: {"pk": o(d).recovery.pk, "evidence_pk": o(d).evidence.pk}),
    # --- change (P-9, O-6, O-7)
    "change:calendar": staff_page(),
    "change:plan_list": staff_page(queries=XLSX),
    "change:plan_create": staff_page(form=True),
    "change:plan_detail": pd_record(pk("change_plan")),
    "change:plan_edit": pd_record(pk("change_plan"), form=True),
    "change:plan_document": pd_record(documents("change_plan")),
    "change:release_list": staff_page(queries=XLSX),
    "change:release_create": staff_page(MANAGERS, form=True, note="releases are drafted by infrastructure roles"),
    "change:release_detail": pd_record(pk("release")),
    "change:release_edit": pd_record(pk("release"), YOGYA_MANAGERS, form=True),
    "change:release_document": pd_record(documents("release")),
    "change:release_step": pd_record(lambda d: {"pk": o(d).release.pk, "verb": "uji"}, post_only=True),
    "change:project_list": staff_page(queries=XLSX),
    "change:project_create": staff_page(form=True),
    "change:project_detail": pd_record(pk("project")),
    "change:project_edit": pd_record(pk("project"), form=True),
    "change:project_document": pd_record(documents("project")),
    "change:project_phase": pd_record(
        lambda d: {"pk": o(d).project.pk, "phase": o(d).phase.pk, "verb": "mulai"}, post_only=True
    ),
    # --- evaluation (E-1 … E-4)
    "evaluation:report_list": staff_page(queries=XLSX),
    "evaluation:dashboard": staff_page(),
    "evaluation:report_create": staff_page(form=True),
    "evaluation:report_detail": pd_record(pk("report")),
    "evaluation:report_edit": pd_record(pk("report"), form=True),
    "evaluation:analysis_save": pd_record(lambda d: {"pk": o(d).report.pk, "chapter": "requests"}, post_only=True),
    "evaluation:action_create": pd_record(pk("report"), form=True),
    "evaluation:report_decide": pd_record(lambda d: {"pk": o(d).report.pk, "verb": "ajukan"}, post_only=True),
    "evaluation:report_document": pd_record(documents("report")),
    "evaluation:action_list": staff_page(queries=XLSX),
    "evaluation:action_detail": pd_record(pk("action")),
    "evaluation:action_status": pd_record(pk("action"), post_only=True),
    "evaluation:action_evidence": pd_record(pk("action")),
    "evaluation:maturity": staff_page(),
    "evaluation:evidence_pack": staff_page(),
    # --- knowledge base (issue 15, O-3): spbe/knowledge/rules.py
    "knowledge:list": staff_page(queries=XLSX),
    "knowledge:create": staff_page(STAFF - {"owner_head"}, form=True, note=KNOWLEDGE_AUTHORS),
    "knowledge:categories": staff_page(STAFF - {"owner_head"}, form=True, note=KNOWLEDGE_AUTHORS),
    "knowledge:detail": (
        pd_record(lambda d: [{"pk": o(d).draft_article.pk}, {"pk": o(d).review_article.pk}]),
        rule(
            YOGYA_STAFF,
            OUTSIDE - {"other_pd_admin"},
            kwargs=pk("internal_article"),
            mirror=True,
            note="a published article is read by every staff member of its Pemda",
        ),
    ),
    "knowledge:edit": pd_only(
        lambda d: [{"pk": o(d).draft_article.pk}, {"pk": o(d).review_article.pk}],
        AUTHORS,
        form=True,
        note=KNOWLEDGE_AUTHORS,
    ),
    "knowledge:submit": pd_only(pk("draft_article"), AUTHORS, post_only=True, note=KNOWLEDGE_AUTHORS),
    "knowledge:publish": (
        pd_only(
            pk("review_article"),
            {"owner_admin", "sysadmin"},
            post_only=True,
            note="the PD's Administrator Layanan reviews, never the author or submitter",
        ),
        rule(
            {"owner_admin", "sysadmin"},
            {"anonymous", "citizen", "tegal_coordinator", "owner_head", "coordinator"},
            kwargs=pk("public_article"),
            post_only=True,
            note="already published: back with a message",
        ),
    ),
    "knowledge:return": pd_only(
        pk("review_article"),
        AUTHORS,
        post_only=True,
        body=lambda d: {"reason": "Lengkapi langkahnya."},
        note="author or reviewer, with a reason (none: a 400 page of the article, to whoever sees it)",
    ),
    "knowledge:archive": pd_only(pk("review_article"), AUTHORS, post_only=True, note="author or reviewer"),
    "knowledge:from_problem": pd_only(pk("problem", "problem_pk"), AUTHORS, post_only=True, note=KNOWLEDGE_AUTHORS),
    "knowledge_public:list": PUBLIC_PEMDA,
    "knowledge_public:service": rule(
        ALL, set(), kwargs=lambda d: {"slug": d.world.yogya.slug, "service_pk": o(d).service.pk}
    ),
    "knowledge_public:article": (
        rule(ALL, set(), kwargs=lambda d: {"slug": d.world.yogya.slug, "pk": o(d).public_article.pk}),
        rule(
            set(),
            ALL,
            kwargs=lambda d: [
                {"slug": d.world.yogya.slug, "pk": getattr(o(d), attr).pk}
                for attr in ("internal_article", "draft_article", "review_article")
            ],
            note="only published public articles are public, to staff too",
        ),
    ),
    "knowledge_public:suggest": rule(
        ALL,
        set(),
        kwargs=lambda d: {"slug": d.world.yogya.slug, "service_pk": o(d).service.pk},
        queries=("", "?subject=Panduan&description=publik"),
    ),
    "knowledge_public:feedback": (
        rule(
            ALL,
            set(),
            post_only=True,
            kwargs=lambda d: {"slug": d.world.yogya.slug, "pk": o(d).public_article.pk},
            note="an empty vote is a 400",
        ),
        rule(set(), ALL, post_only=True, kwargs=lambda d: {"slug": d.world.yogya.slug, "pk": o(d).internal_article.pk}),
    ),
    # --- e-mail channel (issue 15, O-1): spbe/mail/rules.py
    "mail:mailbox_list": staff_page(queries=XLSX),
    "mail:triage": staff_page(queries=XLSX),
    "mail:mailbox_create": staff_page(form=True, note="every staff persona manages some PD's or Pemda's mailbox"),
    "mail:mailbox_detail": (
        pd_record(pk("mailbox"), queries=XLSX),
        rule(YOGYA_MANAGERS, OUTSIDE | OWNER, kwargs=pk("pemda_mailbox"), mirror=True, note=PEMDA_MAILBOX),
    ),
    "mail:mailbox_edit": (
        pd_record(pk("mailbox"), form=True),
        rule(YOGYA_MANAGERS, OUTSIDE | OWNER, kwargs=pk("pemda_mailbox"), mirror=True, form=True, note=PEMDA_MAILBOX),
    ),
    "mail:mailbox_test": pd_record(pk("mailbox"), post_only=True, note="no password set: fails at once"),
    "mail:mailbox_poll": pd_record(pk("mailbox"), post_only=True, note="no password set: fails at once"),
    "mail:inbound_detail": (
        pd_record(pk("inbound_mail")),
        rule(YOGYA_MANAGERS, OUTSIDE | OWNER, kwargs=pk("pemda_mail"), mirror=True, note=PEMDA_MAILBOX),
    ),
    "mail:inbound_open": pd_record(pk("inbound_mail"), post_only=True, note="an empty triage form is a 400"),
    "mail:inbound_dismiss": pd_record(pk("inbound_mail"), post_only=True, note="no reason: a 400"),
    "mail:attachment": pd_record(lambda d: {"pk": o(d).inbound_mail.pk, "attachment_pk": o(d).inbound_attachment.pk}),
    # --- chat channel (issue 15, O-1): spbe/chat/rules.py
    "chat:channel_list": staff_page(queries=XLSX),
    "chat:channel_create": rule(CHAT_MANAGERS | {"tegal_coordinator"}, form=True, note=CHAT_MANAGING),
    "chat:channel_detail": pd_record(pk("channel"), queries=XLSX),
    "chat:channel_edit": pd_only(pk("channel"), CHAT_MANAGERS, form=True, note=CHAT_MANAGING),
    "chat:channel_check": pd_only(pk("channel"), CHAT_MANAGERS, post_only=True, note="no token set: fails at once"),
    "chat:message_resend": pd_record(
        lambda d: {"pk": o(d).channel.pk, "message_pk": o(d).failed_message.pk}, post_only=True
    ),
    "chat_webhook:telegram": rule(
        set(),
        ALL,
        post_only=True,
        kwargs=lambda d: [{"code": o(d).channel.code}, {"code": "tidak-ada"}],
        note="the provider's secret header, not a session: 403 without it, 404 for an unknown channel",
    ),
    "chat_webhook:whatsapp": rule(
        set(),
        ALL,
        form=True,
        refusals=frozenset({400}),
        kwargs=lambda d: [{"code": d.other_pd.channel.code}, {"code": "tidak-ada"}],
        note="the verify token (GET) and X-Hub-Signature-256 (POST), not a session",
    ),
    # --- SP4N-LAPOR! (issue 15, Pedoman C): spbe/lapor/rules.py
    "lapor:overview": staff_page(queries=("", "?export=xlsx", "?export=csv")),
    "lapor:import_start": staff_page(STAFF - {"owner_head"}, form=True, note=LAPOR_IMPORTERS),
    "lapor:import_history": staff_page(),
    "lapor:import_detail": pd_record(lambda d: [{"pk": o(d).lapor_import.pk}, {"pk": o(d).lapor_done.pk}]),
    "lapor:import_confirm": pd_only(pk("lapor_import"), IMPORTERS, post_only=True, note=LAPOR_IMPORTERS),
    "lapor:import_cancel": pd_only(pk("lapor_import"), IMPORTERS, post_only=True, note=LAPOR_IMPORTERS),
    "lapor:import_file": pd_only(pk("lapor_import"), IMPORTERS, note="reporters' contacts: importers only"),
    "lapor:template": staff_page(kwargs=lambda d: [{"fmt": "xlsx"}, {"fmt": "csv"}]),
    # --- API v1
    "api:me": SIGNED,
    "api:pd-list": SIGNED,
    "api:pd-detail": pd_record(lambda d: {"pk": d.world.dukcapil.pk}),
    "api:sla-deadline": rule(YOGYA_STAFF, queries=("?pemda=yogya&start=2026-12-01T09:00&duration=4h",)),
    "api:sla-elapsed": rule(YOGYA_STAFF, queries=("?pemda=yogya&start=2026-12-01T09:00&end=2026-12-02T09:00",)),
    "api:ticket-list": staff_page(),
    "api:ticket-detail": pd_record(pk("ticket")),
    "api:ticket-clocks": pd_record(pk("ticket")),
    "api:ticket-timeline": pd_record(pk("ticket")),
    "api:ticket-transitions": pd_record(pk("ticket"), post_only=True),
    "api:drp-list": staff_page(),
    "api:drp-detail": pd_record(pk("drp")),
    "api:drp-approve": pd_record(pk("drp"), post_only=True),
    "api:drp-reject": pd_record(pk("drp"), post_only=True),
    "api:drp-revise": pd_record(pk("drp"), YOGYA_MANAGERS, post_only=True, note=INFRA),
    "api:drp-submit": pd_record(pk("drp"), post_only=True),
    "api:recovery-list": staff_page(),
    "api:recovery-detail": pd_record(pk("recovery")),
    "api:recovery-cancel": pd_record(pk("drill"), YOGYA_MANAGERS, post_only=True, note=INFRA),
    "api:recovery-steps": pd_record(pk("recovery"), YOGYA_MANAGERS, post_only=True, note=INFRA),
    "api:change-plan-list": staff_page(),
    "api:change-plan-detail": pd_record(pk("change_plan")),
    "api:change-plan-approve": pd_record(pk("change_plan"), post_only=True),
    "api:change-plan-reject": pd_record(pk("change_plan"), post_only=True),
    "api:change-plan-submit": pd_record(pk("change_plan"), post_only=True),
    "api:change-release-list": staff_page(),
    "api:change-release-detail": pd_record(pk("release")),
    "api:change-release-approve": pd_record(pk("release"), post_only=True),
    "api:change-release-feedback": pd_record(pk("release"), post_only=True),
    "api:change-release-problems": pd_record(pk("release"), post_only=True),
    "api:change-release-reject": pd_record(pk("release"), post_only=True),
    "api:change-release-rollback": pd_record(pk("release"), post_only=True),
    "api:change-release-submit": pd_record(pk("release"), YOGYA_MANAGERS, post_only=True, note=INFRA),
    "api:change-release-tests": pd_record(pk("release"), post_only=True),
    "api:change-release-verify": pd_record(pk("release"), post_only=True),
    "api:change-project-list": staff_page(),
    "api:change-project-detail": pd_record(pk("project")),
    "api:change-project-approve": pd_record(pk("project"), post_only=True),
    "api:change-project-reject": pd_record(pk("project"), post_only=True),
    "api:change-project-submit": pd_record(pk("project"), post_only=True),
    "api:change-project-phase-start": pd_record(lambda d: {"pk": o(d).project.pk, "phase": 1}, post_only=True),
    "api:change-project-phase-gate": pd_record(lambda d: {"pk": o(d).project.pk, "phase": 1}, post_only=True),
    "api:change-project-phase-complete": pd_record(lambda d: {"pk": o(d).project.pk, "phase": 1}, post_only=True),
    "api:evaluation-report-list": staff_page(),
    "api:evaluation-report-detail": pd_record(pk("report")),
    "api:evaluation-report-analysis": pd_record(pk("report"), post_only=True),
    "api:evaluation-report-approve": pd_record(pk("report"), post_only=True),
    "api:evaluation-report-reject": pd_record(pk("report"), post_only=True),
    "api:evaluation-report-submit": pd_record(pk("report"), post_only=True),
    "api:evaluation-action-list": staff_page(),
    "api:evaluation-action-detail": pd_record(pk("action")),
    "api:evaluation-action-complete": pd_record(pk("action"), post_only=True),
    "api:evaluation-action-set-status": pd_record(pk("action"), post_only=True),
    "api:evaluation-maturity": (
        pd_record(None, queries=(lambda d: f"?pd={d.world.dukcapil.pk}",)),
        rule(MANAGERS - {"sysadmin"}, {"anonymous", "citizen"} | OWNER, note="the Pemda's level: its coordinator"),
    ),
    "api:monitoring-alertmanager": rule(set(), ALL, post_only=True, note="a source's bearer token, not a session"),
    "api:monitoring-webhook": rule(set(), ALL, post_only=True, note="a source's bearer token, not a session"),
    # issue 15
    "api:knowledge-article-list": rule(ALL, set(), note="AllowAny: the public read published public articles only"),
    "api:knowledge-article-detail": (
        rule(ALL, set(), kwargs=pk("public_article"), note="a published public article: anyone, any Pemda"),
        pd_record(pk("draft_article")),
        rule(YOGYA_STAFF, OUTSIDE - {"other_pd_admin"}, kwargs=pk("internal_article"), mirror=True),
    ),
    "api:knowledge-article-feedback": (
        rule(
            ALL,
            set(),
            kwargs=pk("public_article"),
            post_only=True,
            note="AllowAny; an empty vote is a 400",
        ),
        rule(YOGYA_STAFF, OUTSIDE - {"other_pd_admin"}, kwargs=pk("internal_article"), post_only=True, mirror=True),
    ),
    "api:mailbox-list": staff_page(),
    "api:mailbox-detail": (
        pd_record(pk("mailbox")),
        rule(YOGYA_MANAGERS, OUTSIDE | OWNER, kwargs=pk("pemda_mailbox"), mirror=True, note=PEMDA_MAILBOX),
    ),
    "api:inbound-mail-list": staff_page(),
    "api:inbound-mail-detail": (
        pd_record(pk("inbound_mail")),
        rule(YOGYA_MANAGERS, OUTSIDE | OWNER, kwargs=pk("pemda_mail"), mirror=True, note=PEMDA_MAILBOX),
    ),
    "api:inbound-mail-open-ticket": pd_record(pk("inbound_mail"), post_only=True),
    "api:inbound-mail-dismiss": pd_record(pk("inbound_mail"), post_only=True),
    "api:chat-channel-list": staff_page(),
    "api:chat-channel-detail": pd_record(pk("channel")),
    "api:chat-message-list": staff_page(),
    "api:chat-message-detail": pd_record(lambda d: [{"pk": o(d).chat_message.pk}, {"pk": o(d).failed_message.pk}]),
    "api:lapor-ticket-list": staff_page(),
    "api:lapor-import": rule(
        STAFF - {"owner_head"},
        {"anonymous", "citizen", "owner_head"},
        post_only=True,
        body=lambda d: {
            "file": authz.lapor_file("lapor.csv", "LPRUJI0009", "Uji impor"),
            "service": o(d).service.pk,
            "dry_run": "true",
        },
        note=LAPOR_IMPORTERS + "; a dry run on the owner's service (another PD's admin: a 400 on the service)",
    ),
    "api:lapor-export": staff_page(queries=("", "?file_format=csv")),
    "api:schema": rule(ALL, set(), note="the API's description is public, its data is not"),
    "api:docs": rule(ALL, set()),
    # --- uploaded files outside the application's checks
    "pemda_logo": (
        rule(ALL, set(), kwargs=lambda d: {"path": d.world.yogya.logo.name.removeprefix("pemda-logo/")}),
        rule(
            set(),
            ALL,
            kwargs=lambda d: [
                {"path": f"../{o(d).ticket_attachment.file.name}"},
                {"path": f"../{o(d).attachment.file.name}"},
                {"path": f"../{o(d).evidence.file.name}"},
                {"path": f"../{o(d).action.evidence_file.name}"},
            ],
            refusals=frozenset({400}),
            note="only the logos are public media; attachments go through the views that check who asks",
        ),
    ),
}


# --- The Django admin: Django's own staff flag, which no persona holds ------------------------------


def _first_pk(model_label: str):
    def find(d: DataSet) -> str:
        from django.apps import apps

        model = apps.get_model(model_label)
        row = model.objects.order_by("pk").first()
        return str(row.pk) if row is not None else "1"

    return find


#: every ModelAdmin the project registers -> which object its pages name
ADMIN_OBJECTS: dict[str, Callable[[DataSet], str]] = {
    "audit.AuditEvent": _first_pk("audit.AuditEvent"),
    "auth.Group": _first_pk("auth.Group"),
    "axes.AccessAttempt": _first_pk("axes.AccessAttempt"),
    "axes.AccessFailureLog": _first_pk("axes.AccessFailureLog"),
    "axes.AccessLog": _first_pk("axes.AccessLog"),
    "clocks.Clock": _first_pk("clocks.Clock"),
    "cmdb.Application": lambda d: str(o(d).application.pk),
    "cmdb.Component": lambda d: str(o(d).component.pk),
    "notify.OutboxMessage": _first_pk("notify.OutboxMessage"),
    "org.Pemda": lambda d: str(d.world.yogya.pk),
    "org.PerangkatDaerah": lambda d: str(d.world.dukcapil.pk),
    "org.User": lambda d: str(d.world.owner_admin.pk),
    "otp_static.StaticDevice": _first_pk("otp_static.StaticDevice"),
    "otp_totp.TOTPDevice": _first_pk("otp_totp.TOTPDevice"),
}
ADMIN_ONLY = rule(set(), ALL, note="Django's admin: is_staff only, which no persona has")


def admin_table() -> dict[str, Route]:
    """The admin's pages: every one refused to every persona but its log-in
    page; a registered model missing from ADMIN_OBJECTS stays undeclared."""
    table: dict[str, Route] = {
        "admin:index": ADMIN_ONLY,
        "admin:login": rule(ALL, set(), success=frozenset({200, 302}), to_login=True),
        "admin:logout": rule(ALL, set(), success=frozenset({302}), to_login=True),
        "admin:password_change": ADMIN_ONLY,
        "admin:password_change_done": ADMIN_ONLY,
        "admin:autocomplete": ADMIN_ONLY,
        "admin:jsi18n": ADMIN_ONLY,
        "admin:view_on_site": rule(
            set(), ALL, kwargs=lambda d: {"content_type_id": str(type_id(o(d).drp)), "object_id": str(o(d).drp.pk)}
        ),
        "admin:app_list": rule(set(), ALL, kwargs=lambda d: {"app_label": "org"}),
    }
    extra = {  # pages a ModelAdmin adds to the usual five
        "org.User": {"admin:auth_user_password_change": lambda d: {"id": str(d.world.owner_admin.pk)}},
        "otp_totp.TOTPDevice": {
            "admin:otp_totp_totpdevice_config": lambda d: {"pk": 1},
            "admin:otp_totp_totpdevice_qrcode": lambda d: {"pk": 1},
        },
    }
    table["admin-django/(?P<url>.*)$"] = rule(set(), ALL, kwargs=lambda d: {"url": "tidak-ada/"})
    for model in admin.site._registry:
        label = model._meta.label
        for name, kwargs in extra.get(label, {}).items():
            table[name] = rule(set(), ALL, kwargs=kwargs)
        if label not in ADMIN_OBJECTS:
            continue
        object_id = ADMIN_OBJECTS[label]
        prefix = f"admin:{model._meta.app_label}_{model._meta.model_name}"
        with_id = rule(set(), ALL, kwargs=lambda d, object_id=object_id: {"object_id": object_id(d)})
        table[f"{prefix}_changelist"] = ADMIN_ONLY
        table[f"{prefix}_add"] = ADMIN_ONLY
        for page in ("history", "delete", "change"):
            table[f"{prefix}_{page}"] = with_id
        table[f"admin-django/{model._meta.app_label}/{model._meta.model_name}/<path:object_id>/"] = with_id
    return table


def declarations() -> dict[str, Route | tuple[Route, ...]]:
    return {**TABLE, **admin_table()}


# --- Requests ---------------------------------------------------------------------------------------


def url_of(pattern: Pattern, kwargs: dict) -> str:
    kwargs = dict(kwargs)
    if "format" in pattern.keys:
        kwargs["format"] = "json"
    if pattern.name is None:
        path = re.sub(r"<(?:\w+:)?(\w+)>", lambda m: str(kwargs[m.group(1)]), pattern.route)
        path = re.sub(r"\(\?P<(\w+)>[^)]*\)", lambda m: str(kwargs[m.group(1)]), path).replace("$", "")
        assert resolve("/" + path).route == pattern.route, f"/{path} resolves to another pattern than {pattern.route}"
        return "/" + path
    url = reverse(pattern.name, kwargs=kwargs or None)
    assert resolve(url).route == pattern.route, f"{url} resolves to another pattern than {pattern.route}"
    return url


@dataclass
class Tally:
    """What the matrix checked, for docs/security.md."""

    patterns: set = field(default_factory=set)
    pairs: set = field(default_factory=set)  # (pattern, persona)
    requests: int = 0
    nav_links: int = 0


TALLY = Tally()


@pytest.fixture(scope="module")
def data(django_db_setup, django_db_blocker, tmp_path_factory):
    """One data set for the whole module, built inside a transaction that
    is rolled back at the end (each test runs in a savepoint of it)."""
    media_root = tmp_path_factory.mktemp("authz-media")
    # the chat providers' API on a closed local port: a connection check or a resend never leaves the machine
    media = override_settings(
        MEDIA_ROOT=media_root,
        CHAT_TELEGRAM_API_URL="http://127.0.0.1:9",
        CHAT_WHATSAPP_API_URL="http://127.0.0.1:9/v21.0",
    )
    # The logos' route took its folder when the URLs were loaded: point it at this media too.
    logos = [entry for entry in get_resolver().url_patterns if getattr(entry, "name", "") == "pemda_logo"]
    logos_root = [entry.default_args["document_root"] for entry in logos]
    media.enable()
    for entry in logos:
        entry.default_args["document_root"] = media_root / "pemda-logo"
    atomic = transaction.atomic()
    try:
        with django_db_blocker.unblock():
            atomic.__enter__()
            world = build_world()
            load_packs(world)
            world.yogya.refresh_from_db()
            world.tegal.refresh_from_db()
            built = authz.build(world)
            sign_in(built)
        logging.disable(logging.WARNING)  # a line per refused request slows the walk down
        yield built
    finally:
        logging.disable(logging.NOTSET)
        with django_db_blocker.unblock():
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)
        for entry, root in zip(logos, logos_root, strict=True):
            entry.default_args["document_root"] = root
        media.disable()


def sign_in(data: DataSet) -> None:
    """One session per persona for the module (a log-in writes the audit
    trail: doing it per test costs more than the requests)."""
    for persona, attr in PERSONAS.items():
        client = Client()
        if attr is not None:
            user = getattr(data.world, attr)
            client.force_login(user, backend="spbe.org.backends.AccountBackend")
            pass_second_factor(client, user)
        data.extra[f"cookies:{persona}"] = client.cookies


def clients(data: DataSet) -> dict[str, Client]:
    made = {}
    for persona in PERSONAS:
        client = Client(raise_request_exception=False)
        client.cookies = copy.deepcopy(data.extra[f"cookies:{persona}"])
        made[persona] = client
    return made


def ask(client: Client, method: str, url: str, payload: dict | None = None):
    """One request whose writes are rolled back, so every persona meets the
    same records (an owner's POST may submit or delete one)."""
    with transaction.atomic():
        response = client.post(url, payload or {}) if method == "post" else client.get(url)
        body = body_text(response)
        transaction.set_rollback(True)
    return response, body


def refused(response, also: frozenset[int] = frozenset()) -> bool:
    if response.status_code in REFUSED | also:
        return True
    return response.status_code == 302 and response["Location"].split("?")[0].endswith(LOGIN_PATHS)


def judge(route: Route, persona: str, method: str, response, body: str, markers) -> list[str]:
    status = response.status_code
    problems = []
    if status >= 500:
        problems.append(f"answered {status}")
    leaked = [marker for marker in markers if marker in body]
    if leaked:
        problems.append(f"body holds {', '.join(sorted(leaked)[:4])}")
    if persona in route.deny and not refused(response, route.refusals):
        problems.append(f"not refused: {status}")
    if persona in route.ok:
        if method == "get" and route.post_only:
            if status != 405:
                problems.append(f"GET on a POST-only route answered {status}, not 405")
        elif method == "get" and (status not in route.success or (refused(response) and not route.to_login)):
            problems.append(f"answered {status}, not {sorted(route.success)}")
        elif method == "post" and (status not in POST_DONE or (refused(response) and not route.to_login)):
            problems.append(f"POST answered {status}")
    return problems


def check_pattern(pattern: Pattern, route: Route, data: DataSet) -> list[str]:
    failures = []
    people = clients(data)
    for kwargs in route.cases(data):
        base = url_of(pattern, kwargs)
        for query in route.queries:
            url = base + (query(data) if callable(query) else query)
            for persona, client in people.items():
                markers = data.markers.for_persona(persona)
                # A form is also POSTed (empty) by whoever it is not for: the write must be refused too.
                methods = ["get"] + (["post"] if route.post_only or (route.form and persona not in route.ok) else [])
                for method in methods:
                    response, body = ask(client, method, url, route.body(data) if route.body else None)
                    TALLY.requests += 1
                    for problem in judge(route, persona, method, response, body, markers):
                        failures.append(f"{method.upper()} {url} as {persona}: {problem}")
                TALLY.pairs.add((pattern.route, persona))
    if route.mirror:
        failures += check_mirror(pattern, route, data, people)
    TALLY.patterns.add(pattern.route)
    return failures


#: Yogya's staff with the widest sight, asked for the same page of Tegal's record
MIRROR_PERSONAS = ("owner_admin", "coordinator")


def check_mirror(pattern: Pattern, route: Route, data: DataSet, people: dict[str, Client]) -> list[str]:
    """The same route on the other Pemda's record (Dukcapil Tegal): refused
    to Yogya's PD staff and to Yogya's coordinator alike."""
    failures = []
    mirror = data.mirror
    for kwargs in route.cases(mirror):
        base = url_of(pattern, kwargs)
        for query in route.queries:
            url = base + (query(mirror) if callable(query) else query)
            for persona in MIRROR_PERSONAS:
                method = "post" if route.post_only else "get"
                response, body = ask(people[persona], method, url, route.body(mirror) if route.body else None)
                TALLY.requests += 1
                refusal = Route(ok=frozenset(), deny=frozenset({persona}), refusals=route.refusals)
                problems = judge(refusal, persona, method, response, body, data.markers.for_persona(persona))
                failures += [f"{method.upper()} {url} (Tegal's) as {persona}: {problem}" for problem in problems]
    return failures


# --- Tests ------------------------------------------------------------------------------------------

PATTERNS = walk()


def routes_of(pattern: Pattern) -> tuple[Route, ...]:
    declared = declarations()[pattern.key]
    return declared if isinstance(declared, tuple) else (declared,)


def test_every_url_pattern_is_declared():
    """Issue 14: a new URL fails here until its policy is written down."""
    table = declarations()
    missing = sorted({p.key for p in PATTERNS if p.key not in table})
    assert not missing, (
        "URL patterns without a declaration in spbe/front/tests/test_authz_matrix.py TABLE "
        f"(add each with its kwargs and who may open it): {missing}"
    )
    stale = sorted(set(table) - {p.key for p in PATTERNS})
    assert not stale, f"TABLE declares URL names that no longer exist: {stale}"


def test_every_api_path_of_the_schema_is_walked():
    """Issue 14: the OpenAPI schema and the walk agree, so the fuzzer and
    the matrix see the same API."""
    from drf_spectacular.generators import SchemaGenerator

    schema = SchemaGenerator().get_schema(request=None, public=True)
    walked = {p.route for p in PATTERNS}
    declared = declarations()
    api_routes = set()
    for path in schema["paths"]:
        match = resolve(re.sub(r"\{[^}]+\}", "1", path))
        assert match.route in walked, f"{path} of the schema is not in the walk"
        assert (match.view_name in declared) or (match.route in declared), f"{path} is not declared"
        api_routes.add(match.route)
    unlisted = sorted(
        p.key for p in PATTERNS
        if p.route.startswith("api/v1/") and "format" not in p.keys and p.route not in api_routes
        and p.key not in ("api:schema", "api:docs")
    )  # fmt: skip
    assert not unlisted, f"API routes missing from the OpenAPI schema: {unlisted}"


@pytest.mark.parametrize("pattern", PATTERNS, ids=lambda p: p.key if p.name is None else f"{p.name}|{p.route}")
def test_matrix(pattern: Pattern, data, db):
    """Every persona on one URL pattern (issue 14)."""
    if pattern.key not in declarations():
        pytest.fail(f"{pattern.key} is not declared (test_every_url_pattern_is_declared says where)")
    failures = []
    for route in routes_of(pattern):
        failures += check_pattern(pattern, route, data)
    assert not failures, "\n".join(failures)


# --- The navigation shows only what the person may open ---------------------------------------------


class _Links(HTMLParser):
    """The links of the main navigation and of a stage page's list."""

    def __init__(self):
        super().__init__()
        self.depth = 0  # inside <nav>
        self.links: list[str] = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "nav":
            self.depth += 1
        elif (
            tag == "a"
            and attrs.get("href", "#") != "#"
            and (self.depth or "list-group-item" in (attrs.get("class") or ""))
        ):
            self.links.append(attrs["href"])

    def handle_endtag(self, tag):
        if tag == "nav":
            self.depth -= 1


def links_on(client: Client, page: str) -> list[str]:
    response = client.get(page)
    assert response.status_code == 200, page
    parser = _Links()
    parser.feed(response.content.decode())
    return parser.links


def nav_links(client: Client) -> set[str]:
    """The menu of the home page, and the list of every stage page the menu shows."""
    links = set(links_on(client, reverse("front:dashboard")))
    stages = [link for link in links if resolve(link).url_name == "stage"]
    for stage in stages:
        links.update(links_on(client, stage))
    return links


NAV_PERSONAS = sorted(SIGNED_IN | {"vendor", "tegal_admin"})


@pytest.mark.parametrize("persona", NAV_PERSONAS)
def test_the_navigation_shows_only_what_the_person_may_open(persona, data, db):
    """Issue 14: every link of the menu and of the stage pages answers 200
    for the person it is shown to (no Alertmanager entry for PD staff)."""
    if persona in PERSONAS:
        client = clients(data)[persona]
    else:
        user = getattr(data.world, persona)
        client = Client()
        client.force_login(user, backend="spbe.org.backends.AccountBackend")
        pass_second_factor(client, user)
    links = nav_links(client)
    assert reverse("front:dashboard") in links
    broken = []
    for link in sorted(links):
        response = client.get(link, follow=True)
        final = response.redirect_chain[-1][0] if response.redirect_chain else link
        if response.status_code != 200 or final.split("?")[0].endswith(LOGIN_PATHS):
            broken.append(f"{link} -> {response.status_code} {final}")
    assert not broken, f"{persona} is shown links it cannot open: {broken}"
    sources = reverse("monitoring_intake:sources")
    if persona in {"coordinator", "tegal_coordinator", "sysadmin", "vendor"}:
        assert sources in links, "the alert sources are listed for those who manage them"
    else:
        assert sources not in links
    TALLY.nav_links += len(links)


def test_matrix_figures():
    """The size of the matrix, quoted in docs/security.md: run with -s."""
    patterns = len(PATTERNS)
    print(
        f"\nauthorization matrix: {patterns} URL patterns x {len(PERSONAS)} personas = "
        f"{patterns * len(PERSONAS)} pattern-persona checks; this run: {len(TALLY.patterns)} patterns, "
        f"{len(TALLY.pairs)} pairs, {TALLY.requests} requests, {TALLY.nav_links} navigation links followed"
    )
    assert patterns > 0
