"""What a record's pickers of configuration items may offer (issue 14):
the items of the record's own PD(s) and of their Pemda's Diskominfo (the
shared data centre), plus what the record names already. Another PD's
CMDB names are never shown (docs/decisions.md, CMDB visibility)."""

from __future__ import annotations

from django import forms
from django.db.models import Q, QuerySet

from spbe.org import access
from spbe.org.models import PerangkatDaerah


def offer_items(form: forms.ModelForm, pds: QuerySet[PerangkatDaerah], *names: str) -> QuerySet[PerangkatDaerah]:
    """Limit the many-to-many pickers ``names`` of ``form``; returns the PDs
    whose items may be named, for pickers of another shape."""
    linkable = access.linkable_pds(pds)
    instance = form.instance
    for name in names:
        field = form.fields[name]
        named = getattr(instance, name).values("pk") if instance.pk is not None else []
        field.queryset = field.queryset.model.objects.filter(Q(pd__in=linkable) | Q(pk__in=named))
    return linkable
