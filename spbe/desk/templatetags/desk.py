"""The queue's rows, rendered in Python (issue 5, Speed): the template
engine spent most of the queue's time on 25 rows of some forty nodes each.
Every value is escaped by ``format_html``."""

from __future__ import annotations

from functools import cache

from django import template
from django.urls import reverse
from django.utils import timezone
from django.utils.dates import MONTHS_3
from django.utils.html import format_html
from django.utils.safestring import mark_safe
from django.utils.timesince import timeuntil
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from spbe.desk.choices import TicketKind, TicketStatus

register = template.Library()

ROW = (
    '<tr><td><input class="form-check-input" type="checkbox" name="ticket" value="{}" aria-label="{}"></td>'
    '<td class="text-nowrap"><a href="{}">{}</a><div class="small text-secondary">{}</div></td>'
    '<td>{}<div class="small text-secondary">{}</div></td>'
    '<td class="small">{}<br><span class="text-secondary">{}</span></td>'
    '<td>{}</td><td class="small">{}</td><td class="small text-nowrap">{}</td>'
    '<td class="small text-nowrap">{}</td></tr>'
)


@cache
def _words(language: str) -> tuple[dict[str, str], dict[int, str]]:
    """The kind and status labels and dateformat's "M" month names in the
    active ``language``, translated once instead of on every row:
    get_FOO_display() hashes each lazy choice label, a gettext call each."""
    labels = {value: str(label) for value, label in (*TicketKind.choices, *TicketStatus.choices)}
    return labels, {number: str(name).title() for number, name in MONTHS_3.items()}


def _when(value) -> str:
    """dateformat's "d M Y H:i" without its per-call machinery (two dates a row)."""
    local = timezone.localtime(value)
    return f"{local:%d} {_words(get_language())[1][local.month]} {local:%Y %H:%M}"


def _priority(priority: int | None) -> str:
    if not priority:
        return "–"
    colour = "text-bg-danger" if priority <= 2 else "text-bg-warning" if priority <= 4 else "text-bg-secondary"
    return format_html('<span class="badge {}">P{}</span>', colour, priority)


def _due(next_due, now) -> str:
    if not next_due:
        return "–"
    if next_due < now:
        return format_html('<span class="badge text-bg-danger">{}</span>', _("terlampaui"))
    left = _("sisa %(left)s") % {"left": timeuntil(next_due, now)}
    return format_html('<span class="badge text-bg-light border" title="{}">{}</span>', _when(next_due), left)


def _row(ticket, now, labels: dict[str, str]) -> str:
    t = ticket
    return format_html(
        ROW, t.pk, _("Pilih %(number)s") % {"number": t.number}, reverse("desk:detail", args=[t.pk]), t.number,
        labels.get(t.kind, t.kind), t.subject, t.reporter_name, t.service.name, t.pd.abbreviation,
        _priority(t.priority), labels.get(t.status, t.status), _due(t.next_due, now), _when(t.reported_at),
    )  # fmt: skip


@register.simple_tag
def queue_rows(tickets, now) -> str:
    labels = _words(get_language())[0]
    return mark_safe("".join(_row(ticket, now, labels) for ticket in tickets))
