"""SLA clocks: one per target a ticket must meet (P-1, P-3, E-3).

A clock keeps what computed it (the Pemda's policy version and calendar) and
its due instant, so amending a regulation never rewrites history. The
periodic check finds clocks by ``next_check_at``, the next warning threshold
or the due instant, without recomputing anything for clocks far from either.
"""

from __future__ import annotations

from datetime import datetime

from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from spbe.clocks.choices import ClockEventKind, ClockKind, ClockState


class Clock(models.Model):
    pemda = models.ForeignKey("org.Pemda", on_delete=models.PROTECT, related_name="+", verbose_name=_("Pemda"))
    kind = models.CharField(_("jenis"), max_length=20, choices=ClockKind.choices)
    policy_version = models.ForeignKey(
        "policy.PolicyVersion", on_delete=models.PROTECT, related_name="+", verbose_name=_("versi paket")
    )
    calendar = models.CharField(_("kalender"), max_length=20)
    target = models.DurationField(_("target"))
    started_at = models.DateTimeField(_("mulai"))
    due_at = models.DateTimeField(_("tenggat"))
    state = models.CharField(_("status"), max_length=10, choices=ClockState.choices, default=ClockState.RUNNING)
    pauses = models.JSONField(_("jeda"), default=list, blank=True)  # [[start ISO, end ISO or null], …]
    stopped_at = models.DateTimeField(_("berhenti"), null=True, blank=True)
    breached_at = models.DateTimeField(_("terlampaui pada"), null=True, blank=True)
    warning_thresholds = models.JSONField(_("ambang peringatan (%)"), default=list)
    warnings_fired = models.JSONField(_("peringatan terkirim"), default=list, blank=True)
    next_check_at = models.DateTimeField(_("periksa berikutnya"), null=True, blank=True)
    owner_type = models.ForeignKey(ContentType, on_delete=models.CASCADE, null=True, blank=True, related_name="+")
    owner_id = models.PositiveBigIntegerField(null=True, blank=True)
    owner = GenericForeignKey("owner_type", "owner_id")
    created = models.DateTimeField(_("dibuat"), auto_now_add=True)
    last_updated = models.DateTimeField(_("terakhir diubah"), auto_now=True)

    class Meta:
        verbose_name = _("jam SLA")
        verbose_name_plural = _("jam SLA")
        ordering = ["due_at"]
        indexes = [
            # tasks.check_clocks: running clocks whose next check is due
            models.Index(fields=["next_check_at"], name="clock_due_check_idx", condition=Q(state="running")),
            # a ticket's clocks
            models.Index(fields=["owner_type", "owner_id"], name="clock_owner_idx"),
            # breached clocks by deadline: the dashboard's breaches of the last 30 days
            # (evaluation.dashboard) and an SLA document's latest breaches (evaluation.sla_documents);
            # a small index, breaches being the exception
            models.Index(fields=["due_at"], name="clock_breached_idx", condition=Q(state="breached")),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} — {self.get_state_display()}"

    def pause_intervals(self, until: datetime | None = None) -> list[tuple[datetime, datetime]]:
        """Pauses as datetime pairs; an open pause runs to ``until`` (or is left out)."""
        intervals = []
        for start, end in self.pauses:
            if end is None and until is None:
                continue
            intervals.append((datetime.fromisoformat(start), datetime.fromisoformat(end) if end else until))
        return intervals


class ClockEvent(models.Model):
    """What happened to a clock, once each (a breach is recorded once)."""

    clock = models.ForeignKey(Clock, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(_("peristiwa"), max_length=10, choices=ClockEventKind.choices)
    at = models.DateTimeField(_("waktu"))
    threshold = models.PositiveSmallIntegerField(_("ambang (%)"), null=True, blank=True)

    class Meta:
        verbose_name = _("peristiwa jam SLA")
        verbose_name_plural = _("peristiwa jam SLA")
        ordering = ["at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["clock", "threshold"], condition=Q(kind="warning"), name="clock_warning_once"
            ),
            models.UniqueConstraint(fields=["clock"], condition=Q(kind="breached"), name="clock_breach_once"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} @ {self.at:%Y-%m-%d %H:%M}"
