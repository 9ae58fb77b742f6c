"""Pages of a Pemda's policy pack and calendar (P-1, P-2, P-3, E-3, E-4, C)."""

from __future__ import annotations

import calendar as monthcal
from datetime import date

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from spbe.audit.models import AuditAction
from spbe.audit.record import record, snapshot
from spbe.org import access
from spbe.org.models import Pemda
from spbe.org.views import staff_required
from spbe.policy import versions
from spbe.policy.amendable import GROUP_LABELS, WEEKDAY_LABELS, display
from spbe.policy.calendars import holidays_for, working_calendar
from spbe.policy.forms import AmendForm, ConfirmForm, HolidayChangeForm, SpecialPeriodForm
from spbe.policy.models import HolidayChange, PolicyVersion, SpecialPeriod
from spbe.policy.pack import CLASSIFICATIONS, GROUPS, IMPACTS, WEEKDAYS, PackError
from spbe.sla.calendars import weekly_total


def _pemda(request: HttpRequest, pk: int, *, manage: bool = False) -> Pemda:
    pemdas = access.managed_pemdas(request.user) if manage else access.visible_pemdas(request.user)
    pemda = pemdas.select_related("policy_version").filter(pk=pk).first()
    if pemda is None:
        raise Http404
    return pemda


def _home_pemda(request: HttpRequest) -> Pemda:
    pemdas = access.visible_pemdas(request.user)
    pemda = pemdas.filter(pk=request.user.pemda_id).first() or pemdas.first()
    if pemda is None:
        raise PermissionDenied
    return pemda


@staff_required
def mine(request: HttpRequest) -> HttpResponse:
    return redirect("policy:pack", pemda_pk=_home_pemda(request).pk)


@staff_required
def my_calendar(request: HttpRequest) -> HttpResponse:
    return redirect("policy:calendar", pemda_pk=_home_pemda(request).pk, year=timezone.localdate().year)


def _tables(version: PolicyVersion) -> dict:
    """The pack as the tables of the regulation, for the template."""
    pack = version.pack
    matrix = [
        (impact.capitalize(), GROUP_LABELS[group], [pack.priority(impact, group, cls) for cls in CLASSIFICATIONS])
        for impact in IMPACTS
        for group in GROUPS
    ]
    user_targets = [
        (GROUP_LABELS[group], cls.capitalize(), pack.user_service_target(group, cls),
         f"user_service_targets.cells.{group}.{cls}")
        for group in GROUPS for cls in CLASSIFICATIONS
    ]  # fmt: skip
    week = [(WEEKDAY_LABELS[day], pack.working_hours[i], pack.ramadan_hours[i]) for i, day in enumerate(WEEKDAYS)]
    return {
        "pack": pack,
        "matrix": matrix,
        "user_targets": user_targets,
        "week": week,
        "week_total": weekly_total(pack.working_hours),
        "ramadan_total": weekly_total(pack.ramadan_hours),
        "sections": {name: version.data.get(name, {}) for name in version.data if isinstance(version.data[name], dict)},
    }


@staff_required
def pack(request: HttpRequest, pemda_pk: int) -> HttpResponse:
    pemda = _pemda(request, pemda_pk)
    version = pemda.policy_version
    context = {"pemda": pemda, "version": version, "can_manage": access.can_manage_org(request.user, pemda)}
    if version is not None:
        context.update(_tables(version))
        context["history"] = PolicyVersion.objects.filter(slug=version.slug).select_related("created_by")
        context["amend_form"] = AmendForm(pack_data=version.data)
    return render(request, "policy/pack.html", context)


@login_required
@require_POST
def amend(request: HttpRequest, pemda_pk: int) -> HttpResponse:
    pemda = _pemda(request, pemda_pk, manage=True)
    version = pemda.policy_version
    if version is None:
        raise Http404
    form = AmendForm(request.POST, pack_data=version.data)
    if form.is_valid():
        data = form.cleaned_data
        try:
            new = _adopt(request, pemda, lambda: versions.amend(
                version, data["path"], data["parsed"], reason=data["reason"], legal_basis=data["legal_basis"],
                actor=request.user, pemda=pemda,
            ))  # fmt: skip
        except PackError as error:
            for problem in error.problems:
                form.add_error(
                    "value", _("Paket menjadi tidak valid: %(why)s") % {"why": f"{problem.path}: {problem.message}"}
                )
        else:
            messages.success(request, _("Versi %(number)s dibuat dan berlaku.") % {"number": new.number})
            return redirect("policy:version", pemda_pk=pemda.pk, version_pk=new.pk)
    context = {"pemda": pemda, "version": version, "can_manage": True, "amend_form": form, **_tables(version)}
    context["history"] = PolicyVersion.objects.filter(slug=version.slug)
    return render(request, "policy/pack.html", context, status=400)


def _adopt(request: HttpRequest, pemda: Pemda, make) -> PolicyVersion:
    """Create a version and make it the Pemda's, in one transaction."""
    with transaction.atomic():
        before = snapshot(pemda, ["policy_version"])
        new = make()
        pemda.policy_version = new
        pemda.save(update_fields=["policy_version", "last_updated"])
        record(
            actor=request.user,
            action=AuditAction.UPDATE,
            target=pemda,
            pemda=pemda,
            changes={"policy_version": [before["policy_version"], str(new)]},
        )
    return new


@login_required
@require_POST
def confirm(request: HttpRequest, pemda_pk: int) -> HttpResponse:
    pemda = _pemda(request, pemda_pk, manage=True)
    form = ConfirmForm(request.POST)
    if not form.is_valid() or pemda.policy_version is None:
        messages.error(request, _("Isi alasan dan dasar hukum untuk mengonfirmasi nilai bawaan."))
        return redirect("policy:pack", pemda_pk=pemda.pk)
    data = form.cleaned_data
    try:
        new = _adopt(request, pemda, lambda: versions.confirm_default(
            pemda.policy_version, data["path"], reason=data["reason"], legal_basis=data["legal_basis"],
            actor=request.user, pemda=pemda,
        ))  # fmt: skip
    except (PackError, KeyError):
        messages.error(request, _("Nilai ini tidak memerlukan konfirmasi."))
        return redirect("policy:pack", pemda_pk=pemda.pk)
    messages.success(request, _("Nilai bawaan dikonfirmasi; versi %(number)s berlaku.") % {"number": new.number})
    return redirect("policy:version", pemda_pk=pemda.pk, version_pk=new.pk)


@staff_required
def version(request: HttpRequest, pemda_pk: int, version_pk: int) -> HttpResponse:
    pemda = _pemda(request, pemda_pk)
    if pemda.policy_version is None:
        raise Http404
    shown = get_object_or_404(PolicyVersion, pk=version_pk, slug=pemda.policy_version.slug)
    changes = versions.diff(shown.previous.data, shown.data) if shown.previous else []
    rows = [(path, display(old) if old is not None else "—", display(new) if new is not None else "—")
            for path, old, new in changes]  # fmt: skip
    return render(request, "policy/version.html", {"pemda": pemda, "shown": shown, "changes": rows})


# --- Calendar -----------------------------------------------------------------------


def _month_grid(year: int, month: int, cal, names: dict[date, str], changes: dict, periods: list) -> dict:
    weeks = []
    hours = 0.0
    for week in monthcal.Calendar(firstweekday=0).monthdatescalendar(year, month):
        row = []
        for day in week:
            if day.month != month:
                row.append(None)
                continue
            intervals = cal.hours_on(day)
            day_hours = sum(
                (e.hour * 60 + e.minute or 1440) - (s.hour * 60 + s.minute) for s, e in intervals
            ) / 60  # fmt: skip
            hours += day_hours
            special = next((p for p in periods if p.date_from <= day <= p.date_to), None)
            row.append({
                "date": day, "hours": day_hours, "name": names.get(day, ""), "change": changes.get(day),
                "special": special.name if special and intervals else "",
                "kind": "open" if intervals else ("holiday" if day in names else "weekend"),
            })  # fmt: skip
        weeks.append(row)
    return {"name": _MONTHS[month - 1], "weeks": weeks, "hours": hours}


_MONTHS = ["Januari", "Februari", "Maret", "April", "Mei", "Juni", "Juli", "Agustus", "September", "Oktober",
           "November", "Desember"]  # fmt: skip


def _calendar_page(request, pemda: Pemda, year: int, *, holiday_form=None, period_form=None, status=200):
    if pemda.policy_version is None:
        return render(request, "policy/calendar.html", {"pemda": pemda, "year": year, "months": []})
    cal = working_calendar(pemda)
    names = {d: n for d, n in holidays_for(pemda).items() if d.year == year}
    changes = HolidayChange.objects.filter(pemda=pemda, date__year=year).select_related("created_by")
    by_date = {c.date: c for c in changes}
    periods = list(SpecialPeriod.objects.filter(pemda=pemda, date_from__year__lte=year, date_to__year__gte=year))
    months = [_month_grid(year, month, cal, names, by_date, periods) for month in range(1, 13)]
    can_manage = access.can_manage_org(request.user, pemda)
    context = {
        "pemda": pemda, "year": year, "months": months, "holidays": sorted(names.items()),
        "changes": sorted(by_date.values(), key=lambda c: c.date),
        "periods": periods,
        "can_manage": can_manage,
        "holiday_form": holiday_form or (HolidayChangeForm(pemda=pemda) if can_manage else None),
        "period_form": period_form or (SpecialPeriodForm(pemda=pemda) if can_manage else None),
        "total_hours": sum(m["hours"] for m in months),
        "weekdays": [_("Sen"), _("Sel"), _("Rab"), _("Kam"), _("Jum"), _("Sab"), _("Min")],
    }  # fmt: skip
    return render(request, "policy/calendar.html", context, status=status)


@staff_required
def calendar_year(request: HttpRequest, pemda_pk: int, year: int) -> HttpResponse:
    """A Pemda's working calendar for one year: hours, holidays (national,
    cuti bersama, regional), Ramadan hours, and the changes made to it."""
    if not 2000 <= year <= 2099:
        raise Http404
    return _calendar_page(request, _pemda(request, pemda_pk), year)


def _form_year(request: HttpRequest) -> int:
    try:
        return int(request.POST.get("year", ""))
    except ValueError:
        return timezone.localdate().year


def _calendar_redirect(pemda: Pemda, day: date) -> HttpResponse:
    return redirect("policy:calendar", pemda_pk=pemda.pk, year=day.year)


@login_required
@require_POST
def holiday_add(request: HttpRequest, pemda_pk: int) -> HttpResponse:
    pemda = _pemda(request, pemda_pk, manage=True)
    form = HolidayChangeForm(request.POST, pemda=pemda)
    if form.is_valid():
        change = form.save(commit=False)
        change.created_by = request.user
        try:
            with transaction.atomic():
                change.save()
                record(actor=request.user, action=AuditAction.CREATE, target=change, pemda=pemda,
                       changes={"tanggal": [None, str(change.date)], "alasan": [None, change.reason]})  # fmt: skip
        except IntegrityError:
            form.add_error("date", _("Tanggal ini sudah memiliki perubahan; hapus dulu yang lama."))
        else:
            messages.success(request, _("Perubahan hari libur dicatat: %(change)s.") % {"change": change})
            return _calendar_redirect(pemda, change.date)
    return _calendar_page(request, pemda, _form_year(request), holiday_form=form, status=400)


@login_required
@require_POST
def holiday_delete(request: HttpRequest, pemda_pk: int, change_pk: int) -> HttpResponse:
    pemda = _pemda(request, pemda_pk, manage=True)
    change = get_object_or_404(HolidayChange, pk=change_pk, pemda=pemda)
    with transaction.atomic():
        record(actor=request.user, action=AuditAction.DELETE, target=change, pemda=pemda,
               changes={"tanggal": [str(change.date), None]})  # fmt: skip
        change.delete()
    messages.success(request, _("Perubahan hari libur dihapus."))
    return _calendar_redirect(pemda, change.date)


@login_required
@require_POST
def period_add(request: HttpRequest, pemda_pk: int) -> HttpResponse:
    pemda = _pemda(request, pemda_pk, manage=True)
    form = SpecialPeriodForm(request.POST, pemda=pemda)
    if form.is_valid():
        period = form.save(commit=False)
        period.created_by = request.user
        with transaction.atomic():
            period.save()
            record(actor=request.user, action=AuditAction.CREATE, target=period, pemda=pemda,
                   changes={"periode": [None, str(period)]})  # fmt: skip
        messages.success(request, _("Periode %(period)s dicatat.") % {"period": period})
        return _calendar_redirect(pemda, period.date_from)
    return _calendar_page(request, pemda, _form_year(request), period_form=form, status=400)


@login_required
@require_POST
def period_delete(request: HttpRequest, pemda_pk: int, period_pk: int) -> HttpResponse:
    pemda = _pemda(request, pemda_pk, manage=True)
    period = get_object_or_404(SpecialPeriod, pk=period_pk, pemda=pemda)
    with transaction.atomic():
        record(actor=request.user, action=AuditAction.DELETE, target=period, pemda=pemda,
               changes={"periode": [str(period), None]})  # fmt: skip
        period.delete()
    messages.success(request, _("Periode dihapus."))
    return _calendar_redirect(pemda, period.date_from)
