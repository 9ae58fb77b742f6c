"""Template filters shared by every app."""

from datetime import timedelta

from django import template
from django.utils.translation import gettext as _

register = template.Library()


@register.filter
def duration(value: timedelta | None) -> str:
    """timedelta -> "36 jam", "1 jam 30 menit", "15 menit" (hours, not days:
    the regulations state every target in hours)."""
    if value is None:
        return "–"
    minutes = int(value.total_seconds()) // 60
    hours, minutes = divmod(minutes, 60)
    parts = []
    if hours:
        parts.append(_("%(n)d jam") % {"n": hours})
    if minutes or not hours:
        parts.append(_("%(n)d menit") % {"n": minutes})
    return " ".join(parts)
