"""What every government document of an approvable record shares (DRP,
transition plan, release plan, project): the PD's letterhead, who approved
it (or who is to), and the DOCX/PDF answer."""

from __future__ import annotations

from django.http import Http404, HttpResponse

from spbe.approvals.actions import history
from spbe.approvals.models import Approvable, ApprovalStatus, Decision, DecisionKind
from spbe.front import documents as doc
from spbe.org.models import RoleAssignment


def letterhead_for(pd) -> doc.Letterhead:
    pemda = pd.pemda
    return doc.Letterhead(
        pemda_name=pemda.name, pd_name=pd.name, address=" · ".join(filter(None, [pd.email, pd.phone])),
        logo_path=pemda.logo.path if pemda.logo else None,
    )  # fmt: skip


def approval_of(record: Approvable) -> Decision | None:
    """The decision that approved this revision, if it is approved."""
    if record.status != ApprovalStatus.APPROVED:
        return None
    return history(record).filter(kind=DecisionKind.APPROVED, revision=record.revision).last()


def approver_of(record: Approvable, approval: Decision | None = None):
    """Who approved this revision, or the holder of the approving role who is to."""
    approval = approval or approval_of(record)
    if approval is not None:
        return approval.actor
    holders = RoleAssignment.objects.filter(role=record.approver_role, pd__in=record.approval_pds())
    assignment = holders.select_related("user").order_by("pk").first()
    return assignment.user if assignment else None


def respond(build, stem: str, fmt: str) -> HttpResponse:
    """``build()`` rendered as ``stem.docx`` or ``stem.pdf``; any other format is not found."""
    if fmt == "docx":
        return doc.docx_response(build(), stem)
    if fmt == "pdf":
        return doc.pdf_response(build(), stem)
    raise Http404
