"""One approval mechanism for every planning record (P-4…P-11) and the
attachments they carry.

A record that needs approval inherits :class:`Approvable` and says who
approves it (``approver_role``, ``approval_pds()``). Its history of
submissions and decisions is :class:`Decision` rows with a snapshot of what
was decided on; an approved record is read-only until someone starts a new
revision.
"""

from __future__ import annotations

from typing import ClassVar

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from spbe.approvals.validators import validate_attachment
from spbe.org.choices import STRUCTURAL_ROLES, Role


class ApprovalStatus(models.TextChoices):
    DRAFT = "draft", _("Draf")
    SUBMITTED = "submitted", _("Menunggu persetujuan")
    APPROVED = "approved", _("Disetujui")
    REJECTED = "rejected", _("Ditolak")


class DecisionKind(models.TextChoices):
    SUBMITTED = "submitted", _("Diajukan")
    APPROVED = "approved", _("Disetujui")
    REJECTED = "rejected", _("Ditolak")
    REVISED = "revised", _("Revisi dimulai")


class Approvable(models.Model):
    """Fields and rules shared by every record that needs approval."""

    status = models.CharField(
        _("status persetujuan"), max_length=12, choices=ApprovalStatus.choices, default=ApprovalStatus.DRAFT
    )
    revision = models.PositiveIntegerField(_("revisi"), default=1)
    drafted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("disusun oleh"),
    )
    created = models.DateTimeField(_("dibuat"), auto_now_add=True)
    last_updated = models.DateTimeField(_("terakhir diubah"), auto_now=True)

    #: the Role value whose holder approves (S-1, P-6…P-11)
    approver_role: ClassVar[str] = ""
    #: where that role must be held: "owner" (the record's PD), "owner_or_coordinator"
    #: (the record's PD or the Pemda's Diskominfo), "coordinator" (Diskominfo only)
    approver_scope: ClassVar[str] = "owner"
    #: the path from the record to the PD that owns it, e.g. "pd" or "application__pd"
    pd_path: ClassVar[str] = "pd"
    #: the Pedoman ID of the record, shown in the inbox
    pedoman_id: ClassVar[str] = ""
    #: the URL slug of the record's kind on the planning pages
    planning_slug: ClassVar[str] = ""
    #: roles that draft the record, held in one of ``drafting_pds()``
    drafter_roles: ClassVar[frozenset[str]] = STRUCTURAL_ROLES
    #: False: a revision is a new record (the record's own ``revise``), so
    #: the approved one stays whole, child rows included (O-5 DRP)
    revised_in_place: ClassVar[bool] = True
    #: True: decided only on the record's own page and API, which also write
    #: its timeline (an evaluation report); the generic routes answer 404
    decided_on_own_page: ClassVar[bool] = False

    class Meta:
        abstract = True

    def get_absolute_url(self) -> str:
        return reverse("catalog:planning_detail", args=[self.planning_slug, self.pk])

    @property
    def is_editable(self) -> bool:
        return self.status in (ApprovalStatus.DRAFT, ApprovalStatus.REJECTED)

    def owner_pd(self):
        """The PD the record belongs to (for scoping who sees it)."""
        obj = self
        for part in self.pd_path.split("__"):
            obj = getattr(obj, part)
        return obj

    def drafting_pds(self) -> list:
        """The PDs in which holding one of ``drafter_roles`` lets someone draft."""
        return [self.owner_pd()]

    def approval_pds(self) -> list:
        """The PDs in which holding ``approver_role`` lets someone approve."""
        owner = self.owner_pd()
        coordinator = owner.pemda.spbe_coordinator
        scope = {"owner": [owner], "coordinator": [coordinator], "owner_or_coordinator": [owner, coordinator]}
        return [pd for pd in scope[self.approver_scope] if pd is not None]

    def get_approver_role_label(self) -> str:
        return str(Role(self.approver_role).label)

    def submission_errors(self) -> list[str]:
        """Rules that must hold before the record can be submitted."""
        return []

    def approval_errors(self) -> list[str]:
        """Rules that must still hold when the decision is taken (a release
        whose window has passed meanwhile is not approved)."""
        return []

    def revision_errors(self) -> list[str]:
        """Why an approved record may not be reopened (e.g. a release names it)."""
        return []

    def on_approved(self) -> None:
        """Hook: what approval sets in motion (e.g. a service becomes active)."""


class Decision(models.Model):
    """A submission or decision on one revision of a record."""

    content_type = models.ForeignKey(ContentType, on_delete=models.CASCADE, related_name="+")
    object_id = models.PositiveBigIntegerField()
    record = GenericForeignKey("content_type", "object_id")
    revision = models.PositiveIntegerField(_("revisi"))
    kind = models.CharField(_("keputusan"), max_length=12, choices=DecisionKind.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("oleh")
    )
    role = models.CharField(_("sebagai"), max_length=30, blank=True)
    comment = models.TextField(_("catatan"), blank=True)
    snapshot = models.JSONField(_("isi yang diputuskan"), default=dict)
    at = models.DateTimeField(_("waktu"), auto_now_add=True)

    class Meta:
        verbose_name = _("keputusan")
        verbose_name_plural = _("riwayat persetujuan")
        ordering = ["at", "id"]
        indexes = [
            # a record's history on its page
            models.Index(fields=["content_type", "object_id"], name="approval_record_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} r{self.revision} {self.at:%Y-%m-%d %H:%M}"


class Attachment(models.Model):
    """A document attached to a planning record: PDF, DOCX, XLSX or image,
    checked by content and size, not only by name."""

    content_type = models.ForeignKey(ContentType, on_delete=models.CASCADE, related_name="+")
    object_id = models.PositiveBigIntegerField()
    record = GenericForeignKey("content_type", "object_id")
    file = models.FileField(_("berkas"), upload_to="lampiran/%Y/%m/", validators=[validate_attachment])
    title = models.CharField(_("judul"), max_length=200)
    size = models.PositiveIntegerField(_("ukuran (byte)"))
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+", verbose_name=_("oleh")
    )
    uploaded_at = models.DateTimeField(_("diunggah"), auto_now_add=True)

    class Meta:
        verbose_name = _("lampiran")
        verbose_name_plural = _("lampiran")
        ordering = ["uploaded_at"]
        indexes = [models.Index(fields=["content_type", "object_id"], name="attachment_record_idx")]

    def __str__(self) -> str:
        return self.title
