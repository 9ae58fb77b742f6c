"""The approval steps as every API that carries an approvable record takes
them (DRPs, transition plans, releases, projects): the same refusals, as
JSON, whatever the record."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils.translation import gettext as _
from rest_framework.exceptions import PermissionDenied, ValidationError

from spbe.approvals import actions
from spbe.approvals.models import Approvable, ApprovalStatus


def as_api_error(error: DjangoValidationError) -> ValidationError:
    """An action's refusal, by field; ``__all__`` and field-less messages as ``non_field_errors``."""
    if not hasattr(error, "error_dict"):
        return ValidationError({"non_field_errors": error.messages})
    return ValidationError({"non_field_errors" if name == "__all__" else name: messages
                            for name, messages in error.message_dict.items()})  # fmt: skip


def submit_record(user, record: Approvable, *, already: str, denied: str, submit=actions.submit) -> None:
    """Submit a draft; ``already`` says it is not one, ``denied`` that the user may not.
    ``submit`` is the record's own action when it writes a timeline too."""
    if not record.is_editable:
        raise ValidationError({"non_field_errors": [already]})
    try:
        submit(user, record)
    except DjangoPermissionDenied:
        raise PermissionDenied(denied) from None
    except DjangoValidationError as error:
        raise as_api_error(error) from None


def decide_on(user, record: Approvable, decide, comment: str, *, not_waiting: str) -> None:
    """Approve or reject (``decide`` is ``actions.approve`` or ``actions.reject``)."""
    if record.status != ApprovalStatus.SUBMITTED:
        raise ValidationError({"non_field_errors": [not_waiting]})
    try:
        decide(user, record, comment)
    except DjangoPermissionDenied:
        raise PermissionDenied(_("Anda tidak berhak mengambil keputusan ini atas dokumen ini.")) from None
    except DjangoValidationError as error:
        if decide is actions.reject:  # the reason is missing
            raise ValidationError({"comment": error.messages}) from None
        raise as_api_error(error) from None  # a rule that must still hold when approving (a release's window)
