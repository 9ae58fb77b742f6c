"""State changes of the organisation. Views call these, never ``.save()``;
each one validates, saves and writes the audit trail in one transaction."""

from __future__ import annotations

from axes.utils import reset as axes_reset
from django.core.exceptions import PermissionDenied
from django.db import transaction

from spbe.audit.models import AuditAction
from spbe.audit.record import diff, record, snapshot
from spbe.org import access, twofactor
from spbe.org.choices import Role
from spbe.org.models import Pemda, PerangkatDaerah, RoleAssignment, User

PEMDA_FIELDS = [
    "name", "kind", "slug", "time_zone", "logo", "policy_version",
    "require_second_factor", "sso_issuer", "sso_client_id", "sso_match",
]  # fmt: skip
PD_FIELDS = ["name", "abbreviation", "kind", "is_spbe_coordinator", "email", "phone", "is_active"]
PERSON_FIELDS = ["full_name", "email", "phone", "nip", "pemda", "organisation", "is_active"]


def _require_manager(actor: User, pemda) -> None:
    if not access.can_manage_org(actor, pemda):
        raise PermissionDenied("not a manager of this Pemda")


@transaction.atomic
def save_pemda(actor: User, pemda: Pemda, before: dict | None = None) -> Pemda:
    """Create (Administrator Sistem only) or update a Pemda's profile."""
    if before is None and not access.scope_for(actor).is_system_admin:
        raise PermissionDenied("only a system administrator may add a Pemda")
    if before is not None:
        _require_manager(actor, pemda)
    pemda.full_clean()
    pemda.save()
    record(
        actor=actor,
        action=AuditAction.UPDATE if before is not None else AuditAction.CREATE,
        target=pemda,
        pemda=pemda,
        changes=diff(before or {}, snapshot(pemda, PEMDA_FIELDS)),
    )
    return pemda


@transaction.atomic
def save_pd(actor: User, pd: PerangkatDaerah, before: dict | None = None) -> PerangkatDaerah:
    """Create or update a PD; ``before`` is the snapshot taken before the form
    changed the instance (None for a new PD)."""
    _require_manager(actor, pd.pemda)
    pd.full_clean()
    pd.save()
    after = snapshot(pd, PD_FIELDS)
    record(
        actor=actor,
        action=AuditAction.UPDATE if before is not None else AuditAction.CREATE,
        target=pd,
        pemda=pd.pemda,
        changes=diff(before or {}, after),
    )
    return pd


@transaction.atomic
def save_person(actor: User, person: User, before: dict | None = None, password: str | None = None) -> User:
    """Create or update a person. A new person without a password gets an
    unusable one and sets it through the password-reset e-mail."""
    if person.pemda is not None:
        _require_manager(actor, person.pemda)
    elif not access.scope_for(actor).is_system_admin:
        raise PermissionDenied("only a system administrator may manage people without a Pemda")
    if before is None:
        if password:
            person.set_password(password)
        else:
            person.set_unusable_password()
    person.full_clean()
    person.save()
    record(
        actor=actor,
        action=AuditAction.UPDATE if before is not None else AuditAction.CREATE,
        target=person,
        pemda=person.pemda,
        changes=diff(before or {}, snapshot(person, PERSON_FIELDS)),
    )
    return person


@transaction.atomic
def assign_role(actor: User, person: User, role: Role, pd: PerangkatDaerah | None, note: str = "") -> RoleAssignment:
    if role == Role.ADMIN_SISTEM:
        if not access.can_assign_system_admin(actor):
            raise PermissionDenied("only a system administrator may appoint another")
    elif pd is None or not access.assignable_pds(actor).filter(pk=pd.pk).exists():
        raise PermissionDenied("not a manager of this PD")
    assignment = RoleAssignment(user=person, role=role, pd=pd, note=note, assigned_by=actor)
    assignment.full_clean()
    assignment.save()
    access.forget_scope(person)
    record(
        actor=actor,
        action=AuditAction.ROLE_ASSIGN,
        target=person,
        pemda=pd.pemda if pd else None,
        changes=diff({}, {"peran": str(assignment), "keterangan": note}),
    )
    return assignment


@transaction.atomic
def revoke_role(actor: User, assignment: RoleAssignment) -> None:
    if assignment.role == Role.ADMIN_SISTEM:
        if not access.can_assign_system_admin(actor):
            raise PermissionDenied("only a system administrator may revoke this role")
    elif not access.assignable_pds(actor).filter(pk=assignment.pd_id).exists():
        raise PermissionDenied("not a manager of this PD")
    label = str(assignment)
    person = assignment.user
    pemda = assignment.pd.pemda if assignment.pd_id else None
    assignment.delete()
    access.forget_scope(person)
    record(actor=actor, action=AuditAction.ROLE_REVOKE, target=person, pemda=pemda, changes={"peran": [label, None]})


# --- Two-factor sign-in (issue 14) ---------------------------------------------------

SECOND_FACTOR = "verifikasi dua langkah"


def _record_second_factor(actor: User, person: User, changes: dict) -> None:
    record(actor=actor, action=AuditAction.UPDATE, target=person, pemda=person.pemda, changes=changes)


@transaction.atomic
def turn_on_second_factor(person: User, device, code: str) -> list[str] | None:
    """Confirm the app the person scanned with its first code; returns the new
    recovery codes, or None when the code is wrong (nothing changes then)."""
    if device.confirmed or device.user_id != person.pk or not device.verify_token(twofactor.normalise(code)):
        return None
    type(device).objects.filter(user=person).exclude(pk=device.pk).delete()  # a new phone replaces the old
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    codes = twofactor.issue_recovery_codes(person)
    _record_second_factor(person, person, {SECOND_FACTOR: [None, "aktif"]})
    return codes


@transaction.atomic
def renew_recovery_codes(person: User) -> list[str]:
    codes = twofactor.issue_recovery_codes(person)
    _record_second_factor(person, person, {"kode pemulihan": ["lama", "baru"]})
    return codes


@transaction.atomic
def turn_off_second_factor(person: User) -> None:
    """Only someone the policy does not oblige may go back to a password alone."""
    if twofactor.is_required(person):
        raise PermissionDenied("second factor required for this person")
    if twofactor.remove_devices(person):
        _record_second_factor(person, person, {SECOND_FACTOR: ["aktif", "dimatikan"]})


@transaction.atomic
def reset_second_factor(actor: User, person: User) -> None:
    """A person who lost their phone and their codes: an administrator of
    their Pemda removes the devices and lifts a lock-out; at the next sign-in
    the person enrols again (if the policy obliges). Never one's own."""
    if person.pk == actor.pk:
        raise PermissionDenied("no one resets their own second factor")
    if person.pemda is not None:
        _require_manager(actor, person.pemda)
    elif not access.scope_for(actor).is_system_admin:
        raise PermissionDenied("only a system administrator may reset this person")
    twofactor.remove_devices(person)
    axes_reset(username=person.email)
    _record_second_factor(actor, person, {SECOND_FACTOR: ["aktif", "diatur ulang oleh administrator"]})
