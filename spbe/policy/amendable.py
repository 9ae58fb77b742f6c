"""Which values of a pack an administrator may amend in the UI, and how the
typed text becomes a value (P-1, P-2, P-3, E-3, C)."""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext_lazy as _

from spbe.policy.pack import (
    CLASSIFICATIONS,
    CLOCK_CALENDARS,
    CLOCK_KINDS,
    GROUPS,
    IMPACTS,
    PRIORITIES,
    WEEKDAYS,
    parse_duration,
    parse_hours,
)

GROUP_LABELS = {"layanan_publik": "Layanan Publik", "administrasi_pemerintahan": "Layanan Administrasi Pemerintahan"}
WEEKDAY_LABELS = dict(zip(WEEKDAYS, ["Senin", "Selasa", "Rabu", "Kamis", "Jumat", "Sabtu", "Minggu"], strict=True))


@dataclass(frozen=True)
class Amendable:
    path: str  # key path in the pack mapping; list items by index ("urgency.0.resolution")
    label: str
    kind: str  # duration | priority | hours | calendar | thresholds | int | text


def amendable_fields(data: dict) -> list[Amendable]:
    """Every amendable value of a pack, with an Indonesian label, in the
    order the Pedoman presents them."""
    fields: list[Amendable] = []
    for impact in IMPACTS:
        for group in GROUPS:
            for cls in CLASSIFICATIONS:
                label = f"P-2 Prioritas: {impact.capitalize()} × {GROUP_LABELS[group]} × {cls.capitalize()}"
                fields.append(Amendable(f"priority_matrix.{impact}.{group}.{cls}", label, "priority"))
    fields += [
        Amendable(f"response_targets.P{p}", f"P-3 Target waktu tanggap Prioritas {p}", "duration") for p in PRIORITIES
    ]
    cells = data.get("user_service_targets", {}).get("cells", {})
    for group in GROUPS:
        for cls in CLASSIFICATIONS:
            cell = cells.get(group, {}).get(cls)
            if cell is None:
                continue
            suffix = ".value" if isinstance(cell, dict) else ""
            label = f"P-1 Target pelayanan pengguna: {GROUP_LABELS[group]} × {cls.capitalize()}"
            fields.append(Amendable(f"user_service_targets.cells.{group}.{cls}{suffix}", label, "duration"))
    fields.append(Amendable("sla_document.response_target", "E-3 Kecepatan respon dalam jam kerja", "duration"))
    fields.append(Amendable("sla_document.on_site_response_urgency_1", "E-3 Respon pendampingan di lokasi", "duration"))
    for index, item in enumerate(data.get("sla_document", {}).get("urgency", [])):
        label = f"E-3 Waktu penyelesaian urgensi {item.get('level')}"
        fields.append(Amendable(f"sla_document.urgency.{index}.resolution", label, "duration"))
    for section, title in (("working_hours", "Jam kerja"), ("ramadan_hours", "Jam kerja Ramadan")):
        for day in WEEKDAYS:
            fields.append(Amendable(f"{section}.{day}", f"{title}: {WEEKDAY_LABELS[day]}", "hours"))
    for kind in CLOCK_KINDS:
        fields.append(Amendable(f"clocks.{kind}", f"Kalender jam untuk {kind}", "calendar"))
    fields.append(Amendable("clocks.warning_thresholds", "Ambang peringatan (%)", "thresholds"))
    for key, value in data.get("open_values", {}).items():
        if key in ("source", "note"):
            continue
        kind = "int" if isinstance(value, int) else "text"
        fields.append(Amendable(f"open_values.{key}", f"Nilai terbuka: {key}", kind))
    for key in data.get("evaluation", {}):
        if key not in ("source", "note"):
            fields.append(Amendable(f"evaluation.{key}", f"E-4 Aturan evaluasi: {key}", "int"))
    return fields


def parse_value(kind: str, text: str) -> Any:
    """Typed text -> the pack's representation. Raises ValueError with an
    Indonesian message for the form."""
    text = (text or "").strip()
    try:
        if kind == "duration":
            parse_duration(text)
            return text
        if kind == "priority":
            value = int(text)
            if value not in PRIORITIES:
                raise ValueError
            return value
        if kind == "hours":
            intervals = [part.strip() for part in text.split(",") if part.strip()]
            _check_hours([parse_hours(interval) for interval in intervals])
            return intervals
        if kind == "calendar":
            if text not in CLOCK_CALENDARS:
                raise ValueError
            return text
        if kind == "thresholds":
            return [int(part) for part in text.split(",") if part.strip()]
        if kind == "int":
            return int(text)
        return text
    except HoursError as error:
        raise ValueError(str(error.args[0])) from None
    except ValueError:
        raise ValueError(str(HINTS[kind])) from None


class HoursError(ValueError):
    """Hours that parse but make no sense as a working day."""


def _check_hours(intervals: list) -> None:
    """End after start and no overlap, said in Indonesian for the form (the
    pack validator says the same, in English, for pack files)."""
    minutes = [(s.hour * 60 + s.minute, (e.hour * 60 + e.minute) or 1440) for s, e in intervals]
    for start, end in minutes:
        if end <= start:
            raise HoursError(_("Jam selesai harus setelah jam mulai."))
    ordered = sorted(minutes)
    for (_s1, end), (start, _e2) in itertools.pairwise(ordered):
        if start < end:
            raise HoursError(_("Rentang jam bertumpang tindih."))


HINTS = {
    "duration": _("Tulis durasi seperti 15m, 1h30m, atau 48h."),
    "priority": _("Tulis angka prioritas 1 sampai 6."),
    "hours": _("Tulis jam seperti 07:30-12:00, 13:00-16:00 (kosongkan untuk hari libur)."),
    "calendar": _("Pilih salah satu: support_hours, working_hours, 24x7."),
    "thresholds": _("Tulis persentase naik, dipisah koma, mis. 75, 90."),
    "int": _("Tulis bilangan bulat."),
    "text": _("Isian tidak valid."),
}


def display(value: Any) -> str:
    if isinstance(value, list):
        return ", ".join(str(v) for v in value) or "—"
    if isinstance(value, dict):
        return str(value.get("value", value))
    return str(value)
