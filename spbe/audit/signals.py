"""Sign-in events go to the audit trail too (who signed in, from where)."""

from django.contrib.auth.signals import user_logged_in, user_logged_out
from django.dispatch import receiver

from spbe.audit.models import AuditAction
from spbe.audit.record import record


def _ip(request) -> str | None:
    return request.META.get("REMOTE_ADDR") if request is not None else None


@receiver(user_logged_in)
def _on_login(sender, request, user, **kwargs) -> None:
    record(actor=user, action=AuditAction.LOGIN, target=user, pemda=user.pemda, ip_address=_ip(request))


@receiver(user_logged_out)
def _on_logout(sender, request, user, **kwargs) -> None:
    if user is not None:
        record(actor=user, action=AuditAction.LOGOUT, target=user, pemda=user.pemda, ip_address=_ip(request))
