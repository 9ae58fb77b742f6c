"""Creating pack versions: from a file, or by amending one value (P-1, P-3,
E-3). Both validate the whole pack first and write nothing when it fails."""

from __future__ import annotations

import copy
import hashlib
import json
from pathlib import Path
from typing import Any

from django.db import transaction

from spbe.audit.models import AuditAction
from spbe.audit.record import record
from spbe.policy.models import PolicyVersion
from spbe.policy.pack import PackError, Problem, as_json, load_file, validate


def content_hash(data: dict[str, Any]) -> str:
    return hashlib.sha256(json.dumps(data, sort_keys=True, ensure_ascii=False).encode()).hexdigest()


def latest(slug: str) -> PolicyVersion | None:
    return PolicyVersion.objects.filter(slug=slug).order_by("-number").first()


@transaction.atomic
def load_pack_file(path: Path, actor=None) -> tuple[PolicyVersion, bool]:
    """Load a pack file as a new version. Idempotent: a file identical to the
    newest version of its pack creates nothing. Returns (version, created)."""
    pack = load_file(path)
    data = as_json(pack.data)
    digest = content_hash(data)
    newest = latest(pack.slug)
    if newest is not None and newest.content_hash == digest:
        return newest, False
    version = PolicyVersion.objects.create(
        slug=pack.slug,
        number=(newest.number + 1) if newest else 1,
        data=data,
        legal_reference=pack.legal_reference,
        source_file=path.name,
        content_hash=digest,
        previous=newest,
        created_by=actor,
        reason="" if newest is None else f"Dimuat ulang dari berkas {path.name}",
    )
    return version, True


# --- Amendments -------------------------------------------------------------------


def _step(node: Any, part: str, path: str) -> tuple[Any, Any]:
    """The child of a table by key or of a list by index ("urgency.0")."""
    if isinstance(node, dict) and part in node:
        return node, part
    if isinstance(node, list) and part.isdigit() and int(part) < len(node):
        return node, int(part)
    raise KeyError(path)


def get_path(data: dict, path: str) -> Any:
    node: Any = data
    for part in path.split("."):
        parent, key = _step(node, part, path)
        node = parent[key]
    return node


def _set_path(data: dict, path: str, value: Any) -> None:
    *parents, last = path.split(".")
    node: Any = data
    for part in parents:
        parent, key = _step(node, part, path)
        node = parent[key]
    parent, key = _step(node, last, path)
    parent[key] = value


@transaction.atomic
def amend(
    version: PolicyVersion, path: str, value: Any, *, reason: str, legal_basis: str, actor, pemda=None
) -> PolicyVersion:
    """A new version of ``version``'s pack with one value changed, validated
    as a whole. The changed section is marked ``amended`` (a confirmed
    default is marked ``confirmed``). Raises PackError, KeyError."""
    if not reason.strip():
        raise PackError([Problem(version.slug, path, "an amendment needs a reason")])
    data = copy.deepcopy(version.data)
    old = get_path(data, path)
    _set_path(data, path, value)
    section = path.split(".")[0]
    if isinstance(data.get(section), dict) and "source" in data[section]:
        data[section]["source"] = "amended"
    validate(data, f"{version.slug} v{version.number + 1}")
    newest = latest(version.slug)
    amended = PolicyVersion.objects.create(
        slug=version.slug,
        number=newest.number + 1,
        data=data,
        legal_reference=version.legal_reference,
        reason=reason.strip(),
        legal_basis=legal_basis.strip(),
        content_hash=content_hash(data),
        previous=version,
        created_by=actor,
    )
    record(actor=actor, action=AuditAction.UPDATE, target=amended, pemda=pemda, changes={path: [old, value]})
    return amended


def confirm_default(version: PolicyVersion, path: str, *, reason: str, legal_basis: str, actor, pemda=None):
    """Confirm a documented default cell (e.g. Tegal's Layanan Publik ×
    Normal user-service target) so services of that kind can be saved."""
    cell = copy.deepcopy(get_path(version.data, path))
    if not isinstance(cell, dict) or not cell.get("needs_confirmation"):
        raise PackError([Problem(version.slug, path, "this value does not need confirmation")])
    cell.update(needs_confirmation=False, source="confirmed")
    return amend(version, path, cell, reason=reason, legal_basis=legal_basis, actor=actor, pemda=pemda)


def diff(old: dict, new: dict, prefix: str = "") -> list[tuple[str, Any, Any]]:
    """Every leaf that differs between two pack mappings, by key path."""
    changes: list[tuple[str, Any, Any]] = []
    for key in sorted(set(old) | set(new), key=str):
        path = f"{prefix}.{key}" if prefix else str(key)
        a, b = old.get(key), new.get(key)
        if isinstance(a, dict) and isinstance(b, dict):
            changes.extend(diff(a, b, path))
        elif a != b:
            changes.append((path, a, b))
    return changes
