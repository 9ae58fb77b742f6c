"""Policy packs: a Pemda's regulation as data (P-1, P-2, P-3, E-3, E-4, C).

A pack is a TOML file in ``policy_packs/`` (or an amended copy stored in the
database). ``validate`` checks it against the schema below and returns a
:class:`Pack`; every problem is reported with the file, the key path and the
reason, all at once, so an administrator fixes a file in one pass.

Pure Python: no Django import, so packs can be checked from the command line
and in tests without a database.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field
from datetime import date, time, timedelta
from pathlib import Path
from typing import Any

from spbe.sla.engine import CalendarError, weekly_hours

SCHEMA_VERSION = 1
GROUPS = ("layanan_publik", "administrasi_pemerintahan")
CLASSIFICATIONS = ("kritis", "esensial", "normal")
IMPACTS = ("mayor", "minor")
PRIORITIES = (1, 2, 3, 4, 5, 6)
CLOCK_KINDS = ("response", "user_service", "sla_response", "sla_resolution")
CLOCK_CALENDARS = ("support_hours", "working_hours", "24x7")
WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
ESCALATION_ROLES = ("admin_layanan", "admin_infra", "pj_penyedia", "pj_infra", "pimpinan_pd")
SOURCES = ("regulation", "default", "amended", "confirmed")
# E-2, E-4: the evaluation's thresholds (spbe.evaluation.rules.EvaluationRules, docs/evaluation.md)
EVALUATION_KEYS = (
    "target_met_percent", "planning_coverage_percent", "monitoring_coverage_percent", "min_process_records",
    "evaluation_max_age_months", "followup_min_done", "followup_max_overdue",
)  # fmt: skip
_DURATION = re.compile(r"^(?:(\d+)d)?(?:(\d+)h)?(?:(\d+)m)?$")
_HOURS = re.compile(r"^(\d{2}):(\d{2})-(\d{2}):(\d{2})$")


@dataclass(frozen=True)
class Problem:
    file: str
    path: str
    message: str

    def __str__(self) -> str:
        return f"{self.file}: {self.path}: {self.message}"


class PackError(ValueError):
    """A pack that does not satisfy the schema; ``problems`` lists every one."""

    def __init__(self, problems: list[Problem]):
        self.problems = problems
        super().__init__("\n".join(str(p) for p in problems))


def parse_duration(text: str) -> timedelta:
    """ "15m", "1h30m", "12h", "2d" -> timedelta. Raises ValueError."""
    match = _DURATION.match(text.strip()) if isinstance(text, str) else None
    if not match or not any(match.groups()):
        raise ValueError(f"{text!r} is not a duration like '15m', '1h30m' or '48h'")
    days, hours, minutes = (int(g or 0) for g in match.groups())
    return timedelta(days=days, hours=hours, minutes=minutes)


def format_duration(value: timedelta) -> str:
    """The inverse of parse_duration, for writing amended packs."""
    minutes = int(value.total_seconds()) // 60
    hours, minutes = divmod(minutes, 60)
    return (f"{hours}h" if hours else "") + (f"{minutes}m" if minutes else "") or "0m"


def parse_hours(text: str) -> tuple[time, time]:
    """ "07:30-12:00" -> (time(7,30), time(12,0)); "24:00" as an end is midnight."""
    match = _HOURS.match(text) if isinstance(text, str) else None
    if not match:
        raise ValueError(f"{text!r} is not an interval like '07:30-12:00'")
    h1, m1, h2, m2 = (int(g) for g in match.groups())
    if h1 > 23 or h2 > 24 or m1 > 59 or m2 > 59 or (h2 == 24 and m2):
        raise ValueError(f"{text!r} has an impossible time")
    return time(h1, m1), time(0) if h2 == 24 else time(h2, m2)


@dataclass(frozen=True)
class Target:
    """One user-service target cell (P-1), with where it comes from."""

    value: timedelta
    source: str = "regulation"
    needs_confirmation: bool = False
    note: str = ""


@dataclass(frozen=True)
class Pack:
    """A validated pack. ``data`` is the original mapping (kept verbatim in
    the database); the other fields are parsed for use."""

    data: dict[str, Any]
    slug: str
    pemda: str
    legal_reference: str
    enacted_on: date
    priority_matrix: dict[tuple[str, str, str], int]
    response_targets: dict[int, timedelta]
    user_service_mode: str
    user_service_targets: dict[tuple[str, str], Target]
    sla_response: timedelta
    sla_on_site_response: timedelta
    sla_resolution: dict[int, timedelta]
    escalation: list[dict[str, Any]]
    maturity: list[dict[str, Any]]
    working_hours: tuple
    ramadan_hours: tuple
    time_zone: str
    holiday_categories: tuple[str, ...]
    clock_calendars: dict[str, str]
    paused_while_waiting: frozenset[str]
    warning_thresholds: tuple[int, ...]
    open_values: dict[str, Any] = field(default_factory=dict)
    evaluation: dict[str, int] = field(default_factory=dict)

    def priority(self, impact: str, group: str, classification: str) -> int:
        """P-2: impact × group × classification -> 1 (highest) .. 6."""
        return self.priority_matrix[(impact, group, classification)]

    def response_target(self, priority: int) -> timedelta:
        """P-3: response target of a priority."""
        return self.response_targets[priority]

    def user_service_target(self, group: str, classification: str) -> Target | None:
        """P-1: the pack's target, or None when set per service (Yogyakarta)."""
        return self.user_service_targets.get((group, classification))

    def source_of(self, section: str) -> str:
        return self.data.get(section, {}).get("source", "")


class _Checker:
    """Collects problems while walking the mapping."""

    def __init__(self, file: str):
        self.file = file
        self.problems: list[Problem] = []

    def fail(self, path: str, message: str) -> None:
        self.problems.append(Problem(self.file, path, message))

    def table(self, data: Any, path: str) -> dict:
        if not isinstance(data, dict):
            self.fail(path, "missing section" if data is None else "must be a table")
            return {}
        return data

    def get(self, data: dict, key: str, path: str, kind: type | tuple[type, ...], default: Any = None) -> Any:
        value = data.get(key)
        full = f"{path}.{key}" if path else key
        if value is None:
            if default is not None:
                return default
            self.fail(full, "missing value")
            return None
        if not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
            self.fail(full, f"must be {_kind_name(kind)}, got {type(value).__name__}")
            return None
        return value

    def duration(self, value: Any, path: str) -> timedelta | None:
        try:
            return parse_duration(value)
        except ValueError as error:
            self.fail(path, str(error))
            return None

    def source(self, section: dict, path: str) -> None:
        source = section.get("source")
        if source not in SOURCES:
            self.fail(f"{path}.source", f"must be one of {', '.join(SOURCES)}")

    def week(self, section: dict, path: str) -> tuple:
        raw: dict[int, list] = {}
        for index, day in enumerate(WEEKDAYS):
            intervals = section.get(day)
            if intervals is None:
                self.fail(f"{path}.{day}", "missing value (use [] for a closed day)")
                continue
            if not isinstance(intervals, list):
                self.fail(f"{path}.{day}", "must be a list of 'HH:MM-HH:MM'")
                continue
            parsed = []
            for position, text in enumerate(intervals):
                try:
                    parsed.append(parse_hours(text))
                except ValueError as error:
                    self.fail(f"{path}.{day}[{position}]", str(error))
            raw[index] = parsed
        for day in section:
            if day not in WEEKDAYS and day not in ("source", "note", "time_zone"):
                self.fail(f"{path}.{day}", f"unknown key; weekdays are {', '.join(WEEKDAYS)}")
        try:
            return weekly_hours(raw, path)
        except CalendarError as error:
            self.fail(path, str(error).removeprefix(f"{path}, ").removeprefix(f"{path}: "))
            return ()


def _kind_name(kind: type | tuple[type, ...]) -> str:
    names = {str: "text", int: "a whole number", dict: "a table", list: "a list", bool: "true or false", date: "a date"}
    kinds = kind if isinstance(kind, tuple) else (kind,)
    return " or ".join(names.get(k, k.__name__) for k in kinds)


def _priority_matrix(c: _Checker, data: dict) -> dict[tuple[str, str, str], int]:
    section = c.table(data.get("priority_matrix"), "priority_matrix")
    c.source(section, "priority_matrix")
    matrix = {}
    for impact in IMPACTS:
        rows = c.table(section.get(impact), f"priority_matrix.{impact}")
        for group in GROUPS:
            cells = c.table(rows.get(group), f"priority_matrix.{impact}.{group}")
            for classification in CLASSIFICATIONS:
                path = f"priority_matrix.{impact}.{group}.{classification}"
                value = cells.get(classification)
                if value is None:
                    if cells:
                        c.fail(path, "missing cell")
                elif value not in PRIORITIES or isinstance(value, bool):
                    c.fail(path, f"unknown priority {value!r}; use 1 to 6")
                else:
                    matrix[(impact, group, classification)] = value
            for extra in set(cells) - set(CLASSIFICATIONS):
                c.fail(f"priority_matrix.{impact}.{group}.{extra}", "unknown classification")
    return matrix


def _response_targets(c: _Checker, data: dict) -> dict[int, timedelta]:
    section = c.table(data.get("response_targets"), "response_targets")
    c.source(section, "response_targets")
    targets = {}
    for priority in PRIORITIES:
        path = f"response_targets.P{priority}"
        if f"P{priority}" not in section:
            if section:
                c.fail(path, "missing target")
            continue
        value = c.duration(section[f"P{priority}"], path)
        if value is not None:
            targets[priority] = value
    for key in section:
        if key not in ("source", "ref", "note") and key not in {f"P{p}" for p in PRIORITIES}:
            c.fail(f"response_targets.{key}", "unknown priority; use P1 to P6")
    return targets


def _user_service_targets(c: _Checker, data: dict) -> tuple[str, dict[tuple[str, str], Target]]:
    section = c.table(data.get("user_service_targets"), "user_service_targets")
    c.source(section, "user_service_targets")
    mode = section.get("mode")
    if mode not in ("table", "per_service"):
        c.fail("user_service_targets.mode", "must be 'table' or 'per_service'")
        return "per_service", {}
    targets: dict[tuple[str, str], Target] = {}
    if mode == "per_service":
        if "cells" in section:
            c.fail("user_service_targets.cells", "not allowed when mode is 'per_service'")
        return mode, targets
    cells = c.table(section.get("cells"), "user_service_targets.cells")
    for group in GROUPS:
        row = c.table(cells.get(group), f"user_service_targets.cells.{group}")
        for classification in CLASSIFICATIONS:
            path = f"user_service_targets.cells.{group}.{classification}"
            cell = row.get(classification)
            if cell is None:
                c.fail(path, "missing cell (give a documented default with needs_confirmation = true)")
                continue
            if isinstance(cell, str):
                value = c.duration(cell, path)
                if value is not None:
                    targets[(group, classification)] = Target(value)
                continue
            cell = c.table(cell, path)
            value = c.duration(cell.get("value"), f"{path}.value")
            source = cell.get("source", "regulation")
            if source not in SOURCES:
                c.fail(f"{path}.source", f"must be one of {', '.join(SOURCES)}")
            if source == "default" and not cell.get("note"):
                c.fail(f"{path}.note", "a documented default needs a note saying why")
            if value is not None:
                targets[(group, classification)] = Target(
                    value, source, bool(cell.get("needs_confirmation", False)), cell.get("note", "")
                )
    return mode, targets


def _sla_document(c: _Checker, data: dict) -> tuple[timedelta, timedelta, dict[int, timedelta], list[dict]]:
    section = c.table(data.get("sla_document"), "sla_document")
    c.source(section, "sla_document")
    response = c.duration(section.get("response_target"), "sla_document.response_target")
    on_site = c.duration(section.get("on_site_response_urgency_1"), "sla_document.on_site_response_urgency_1")
    if section.get("outside_working_hours") != "next_working_day":
        c.fail("sla_document.outside_working_hours", "must be 'next_working_day' (E-3)")
    resolution: dict[int, timedelta] = {}
    urgencies = section.get("urgency") or []
    for index, item in enumerate(urgencies):
        path = f"sla_document.urgency[{index}]"
        item = c.table(item, path)
        level = c.get(item, "level", path, int)
        c.get(item, "description", path, str)
        value = c.duration(item.get("resolution"), f"{path}.resolution")
        if level is not None and value is not None:
            resolution[level] = value
    if sorted(resolution) != [1, 2, 3] and section:
        c.fail("sla_document.urgency", "needs urgency levels 1, 2 and 3 exactly once each")
    escalation = []
    for index, item in enumerate(section.get("escalation") or []):
        path = f"sla_document.escalation[{index}]"
        item = c.table(item, path)
        level = c.get(item, "level", path, int)
        for key in ("handler", "assisted_by"):
            role = item.get(key)
            if (role is not None or key == "handler") and role not in ESCALATION_ROLES:
                c.fail(f"{path}.{key}", f"unknown role {role!r}; use one of {', '.join(ESCALATION_ROLES)}")
        if level is not None:
            escalation.append(item)
    if [e["level"] for e in escalation] != [1, 2, 3] and section:
        c.fail("sla_document.escalation", "needs escalation levels 1, 2 and 3 in order")
    return response or timedelta(0), on_site or timedelta(0), resolution, escalation


def _maturity(c: _Checker, data: dict) -> list[dict]:
    section = c.table(data.get("maturity"), "maturity")
    c.source(section, "maturity")
    levels = section.get("levels") or []
    for index, item in enumerate(levels):
        path = f"maturity.levels[{index}]"
        item = c.table(item, path)
        c.get(item, "criteria", path, str)
    if [item.get("level") for item in levels if isinstance(item, dict)] != [1, 2, 3, 4, 5] and section:
        c.fail("maturity.levels", "needs levels 1 to 5 in order (E-4)")
    return levels


def _evaluation(c: _Checker, data: dict) -> dict[str, int]:
    """E-2, E-4: the evaluation's thresholds, whole numbers from 0; optional
    (docs/evaluation.md gives the defaults)."""
    section = c.table(data.get("evaluation"), "evaluation") if "evaluation" in data else {}
    values = {}
    for key, value in section.items():
        if key in ("source", "note"):
            continue
        if key not in EVALUATION_KEYS:
            c.fail(f"evaluation.{key}", f"unknown key; use one of {', '.join(EVALUATION_KEYS)}")
            continue
        if not isinstance(value, int) or isinstance(value, bool) or value < 0:
            c.fail(f"evaluation.{key}", "must be a whole number, 0 or more")
            continue
        if key.endswith("_percent") and value > 100:
            c.fail(f"evaluation.{key}", "a percentage is at most 100")
            continue
        values[key] = value
    return values


def _clocks(c: _Checker, data: dict) -> tuple[dict[str, str], frozenset[str], tuple[int, ...]]:
    section = c.table(data.get("clocks"), "clocks")
    c.source(section, "clocks")
    calendars = {}
    for kind in CLOCK_KINDS:
        value = section.get(kind)
        if value not in CLOCK_CALENDARS:
            c.fail(f"clocks.{kind}", f"must be one of {', '.join(CLOCK_CALENDARS)}")
        else:
            calendars[kind] = value
    paused = section.get("paused_while_waiting", [])
    if not isinstance(paused, list) or any(kind not in CLOCK_KINDS for kind in paused):
        c.fail("clocks.paused_while_waiting", f"must be a list of {', '.join(CLOCK_KINDS)}")
        paused = []
    thresholds = section.get("warning_thresholds", [])
    if (
        not isinstance(thresholds, list)
        or any(not isinstance(t, int) or isinstance(t, bool) or not 0 < t < 100 for t in thresholds)
        or thresholds != sorted(set(thresholds))
    ):
        c.fail("clocks.warning_thresholds", "must be increasing whole percentages between 1 and 99")
        thresholds = []
    return calendars, frozenset(paused), tuple(thresholds)


def _date(c: _Checker, value: Any, path: str) -> date | None:
    """A TOML date, or its ISO text as stored in the database."""
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(value)
    except (TypeError, ValueError):
        c.fail(path, "must be a date (YYYY-MM-DD)")
        return None


def as_json(data: Any) -> Any:
    """The pack mapping with dates as ISO text, for the database."""
    if isinstance(data, dict):
        return {key: as_json(value) for key, value in data.items()}
    if isinstance(data, list):
        return [as_json(value) for value in data]
    if isinstance(data, date):
        return data.isoformat()
    return data


def validate(data: dict[str, Any], file: str = "<pack>") -> Pack:
    """Check a pack mapping; return the parsed :class:`Pack` or raise
    :class:`PackError` listing every problem."""
    c = _Checker(file)
    if data.get("schema") != SCHEMA_VERSION:
        c.fail("schema", f"must be {SCHEMA_VERSION}")
    head = c.table(data.get("pack"), "pack")
    slug = c.get(head, "slug", "pack", str) or ""
    if slug and not re.fullmatch(r"[a-z0-9][a-z0-9-]{2,80}", slug):
        c.fail("pack.slug", "use lower-case letters, digits and '-'")
    pemda = c.get(head, "pemda", "pack", str) or ""
    legal_reference = c.get(head, "legal_reference", "pack", str) or ""
    enacted_on = _date(c, head.get("enacted_on"), "pack.enacted_on")
    impact = c.table(data.get("impact"), "impact")
    for key in IMPACTS:
        c.get(impact, key, "impact", str)
    matrix = _priority_matrix(c, data)
    responses = _response_targets(c, data)
    mode, user_targets = _user_service_targets(c, data)
    sla_response, sla_on_site, sla_resolution, escalation = _sla_document(c, data)
    maturity = _maturity(c, data)
    working = c.table(data.get("working_hours"), "working_hours")
    c.source(working, "working_hours")
    time_zone = c.get(working, "time_zone", "working_hours", str) or "Asia/Jakarta"
    if time_zone not in ("Asia/Jakarta", "Asia/Makassar", "Asia/Jayapura"):
        c.fail("working_hours.time_zone", "must be Asia/Jakarta (WIB), Asia/Makassar (WITA) or Asia/Jayapura (WIT)")
    week = c.week(working, "working_hours") if working else ()
    ramadan_section = c.table(data.get("ramadan_hours"), "ramadan_hours")
    ramadan = c.week(ramadan_section, "ramadan_hours") if ramadan_section else ()
    holidays = c.table(data.get("holidays"), "holidays")
    categories = holidays.get("categories", [])
    if not isinstance(categories, list) or not set(categories) <= {"public", "government"} or not categories:
        c.fail("holidays.categories", "must list 'public' and/or 'government'")
        categories = []
    calendars, paused, thresholds = _clocks(c, data)
    open_values = c.table(data.get("open_values"), "open_values")
    evaluation = _evaluation(c, data)
    if c.problems:
        raise PackError(c.problems)
    return Pack(
        data=data, slug=slug, pemda=pemda, legal_reference=legal_reference, enacted_on=enacted_on,
        priority_matrix=matrix, response_targets=responses, user_service_mode=mode,
        user_service_targets=user_targets, sla_response=sla_response, sla_on_site_response=sla_on_site,
        sla_resolution=sla_resolution, escalation=escalation, maturity=maturity, working_hours=week,
        ramadan_hours=ramadan, time_zone=time_zone, holiday_categories=tuple(categories),
        clock_calendars=calendars, paused_while_waiting=paused, warning_thresholds=thresholds,
        open_values=dict(open_values), evaluation=evaluation,
    )  # fmt: skip


def load_file(path: Path) -> Pack:
    """Read and validate a TOML pack file."""
    try:
        with path.open("rb") as handle:
            data = tomllib.load(handle)
    except tomllib.TOMLDecodeError as error:
        raise PackError([Problem(path.name, "(file)", f"not valid TOML: {error}")]) from None
    except OSError as error:
        raise PackError([Problem(path.name, "(file)", f"cannot be read: {error.strerror}")]) from None
    return validate(data, path.name)


PACK_DIR = Path(__file__).resolve().parents[2] / "policy_packs"


def bundled_packs() -> list[Path]:
    return sorted(PACK_DIR.glob("*.toml"))
