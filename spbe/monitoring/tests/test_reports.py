"""Availability reports (O-4, E-2) and the Formulir Pemantauan dan
Pemeliharaan: who sees and who writes (the provider prepares it, the
Koordinator SPBE reads every PD of its Pemda), the six items with items 5
and 6 prefilled from facts, bad input kept with Indonesian errors, PDF and
Excel, and the catalog's P-4 item 11 linking here."""

from __future__ import annotations

from decimal import Decimal
from io import BytesIO

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from spbe.audit.models import AuditEvent
from spbe.cmdb.models import Application, Component, ServiceApplication
from spbe.conftest import give, make_person
from spbe.monitoring.models import MonitoringReport, UtilisationSample, UtilisationTarget
from spbe.monitoring.tests.reporting import at, make_service, outage, watch, window
from spbe.org.choices import Role


@pytest.fixture
def siak(world, now):
    """Dukcapil's service, watched since August: in November 3 h down (1 h
    of it in a 2 h maintenance window), 30 min degraded; in October 1 h
    down; an outage from 31 Oct 23:00 to 1 Nov 01:00 WIB."""
    service = make_service(world.dukcapil, name="Adminduk Daring", code="DUK-01")
    watch(service, at(2026, 8, 1))
    outage(service, at(2026, 11, 12, 10), at(2026, 11, 12, 13), cause="Beranda: Kode status 503")
    window([service], at(2026, 11, 12, 12), at(2026, 11, 12, 14))
    outage(service, at(2026, 11, 20, 8), at(2026, 11, 20, 8, 30), state="degraded", cause="Basis data lambat")
    outage(service, at(2026, 10, 31, 23), at(2026, 11, 1, 1), cause="Listrik padam")
    return service


@pytest.fixture
def dinkes_service(world, now):
    service = make_service(world.dinkes, name="Daftar Puskesmas", code="DKS-01")
    watch(service, at(2026, 8, 1))
    return service


def form_url(service, year=2026, month=11):
    return reverse("monitoring_reports:form", args=[service.pk, year, month])


LIST = reverse("monitoring_reports:availability")


# --- Availability list ---------------------------------------------------------------


def test_list_shows_the_month_figures_of_visible_services_only(world, login, siak, dinkes_service):
    html = login(world.owner_admin).get(LIST, {"bulan": "2026-11"}).content.decode()
    assert "Adminduk Daring" in html and "Daftar Puskesmas" not in html
    assert "99,582 %" in html  # 100 × (1 − (2 h + 1 h) / (720 h − 2 h)), rounded down
    assert "180 menit" in html and "30 menit" in html
    html = login(world.coordinator).get(LIST, {"bulan": "2026-11"}).content.decode()
    assert "Adminduk Daring" in html and "Daftar Puskesmas" in html
    assert "2 dari 2 layanan terpantau memenuhi target" in html
    html = login(world.tegal_admin).get(LIST, {"bulan": "2026-11"}).content.decode()
    assert "Adminduk Daring" not in html


def test_list_filters_by_pd_and_defaults_to_the_current_month(world, login, siak, dinkes_service):
    client = login(world.coordinator)
    html = client.get(LIST, {"pd": world.dinkes.pk, "bulan": "2026-11"}).content.decode()
    assert "Daftar Puskesmas" in html and "Adminduk Daring" not in html
    html = client.get(LIST).content.decode()
    assert "Desember 2026" in html


@pytest.mark.parametrize(("value", "message"), [("11/2026", "Tulis bulan sebagai TTTT-BB"),
                                                 ("2027-01", "Bulan ini belum dimulai")])  # fmt: skip
def test_a_bad_month_is_refused_next_to_the_field(world, login, siak, value, message):
    response = login(world.owner_admin).get(LIST, {"bulan": value, "q": "Adminduk"})
    assert response.status_code == 400
    html = response.content.decode()
    assert message in html and 'value="Adminduk"' in html


def test_list_exports_excel(world, login, siak, dinkes_service):
    response = login(world.coordinator).get(LIST, {"bulan": "2026-11", "export": "xlsx"})
    sheet = load_workbook(BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:7] == ("Kode", "Layanan", "Perangkat Daerah", "Pemda", "Bulan", "Target (%)", "Tercapai (%)")
    by_code = {row[0]: row for row in rows[1:]}
    assert by_code["DUK-01"][6] == pytest.approx(99.582) and by_code["DUK-01"][7] == "Ya"
    assert by_code["DUK-01"][8] == 180 and by_code["DUK-01"][11] == 3


# --- The formulir ------------------------------------------------------------------------


def test_formulir_shows_the_six_items_and_prefills_five_and_six(world, login, siak):
    component = Component.objects.create(pemda=world.yogya, pd=world.kominfo, name="vm-siak-01", kind="vm")
    app = Application.objects.create(pd=world.dukcapil, name="SIAK", hosting="pdd")
    app.components.add(component)
    ServiceApplication.objects.create(service=siak, application=app)
    UtilisationTarget.objects.create(component=component, url="http://10.1.2.3:9100/metrics", cpu_threshold=80)
    for hour, cpu in ((0, 40.0), (1, 95.0)):
        UtilisationSample.objects.create(component=component, hour=at(2026, 11, 3, hour), samples=60, cpu_avg=cpu,
                                         cpu_max=cpu, memory_avg=50.0, memory_max=60.0, disk_max=70.0)  # fmt: skip
    window([siak], at(2026, 12, 20, 22), at(2026, 12, 21, 1), title="Migrasi basis data")
    response = login(world.owner_admin).get(form_url(siak))
    assert response.status_code == 200
    html = response.content.decode()
    for item in ("1. Layanan", "2. Periode", "3. Utilisasi", "4. Ketersediaan", "5. Tren ketersediaan",
                 "6. Peluang peningkatan"):  # fmt: skip
        assert item in html
    assert "1 November 2026 – 30 November 2026 WIB" in html
    assert "vm-siak-01" in html and "67,5 / 95,0 %" in html  # CPU average / peak
    form = response.context["form"]
    trend = form["trend"].value()
    assert "99,582 % dari target 99,50 % — tercapai" in trend
    assert "12 November 2026 10:00 – 12 November 2026 13:00 WIB, 3 jam 0 menit, Tidak tersedia" in trend
    assert "Penyebab: Beranda: Kode status 503" in trend
    assert "1 November 2026 00:00 – 1 November 2026 01:00 WIB, 1 jam 0 menit" in trend
    assert "(berlanjut dari bulan sebelumnya)" in trend
    assert "Oktober 2026 99,865 %" in trend  # 1 h down in 744 h
    assert "Juni 2026 belum ada data" in trend  # before monitoring began
    improvements = form["improvements"].value()
    assert "Kapasitas vm-siak-01: CPU puncak 95,0 % (batas 80 %)" in improvements
    assert "Migrasi basis data" in improvements
    assert "3 gangguan dalam sebulan" in improvements


def test_utilisation_says_when_there_is_no_data(world, login, siak):
    html = login(world.owner_admin).get(form_url(siak)).content.decode()
    assert "Belum ada data utilisasi" in html


def test_the_provider_saves_items_five_and_six(world, login, siak):
    client = login(world.owner_admin)
    response = client.post(form_url(siak), {"trend": "Tercapai; gangguan listrik.", "improvements": "Tambah UPS."})
    assert response.status_code == 302
    report = MonitoringReport.objects.get(service=siak)
    assert report.month.isoformat() == "2026-11-01" and report.prepared_by == world.owner_admin
    assert AuditEvent.objects.filter(target_type="monitoring.monitoringreport", target_id=str(report.pk)).exists()
    form = client.get(form_url(siak)).context["form"]
    assert form["trend"].value() == "Tercapai; gangguan listrik."  # saved text, no longer prefilled
    pj = make_person("kabid@yogya.test", world.yogya, nip="198001012006041002")
    give(pj, Role.PJ_PENYEDIA, world.dukcapil)
    assert login(pj).post(form_url(siak), {"trend": "x", "improvements": "y"}).status_code == 302


def test_bad_input_keeps_what_was_typed_with_errors_next_to_the_fields(world, login, siak):
    response = login(world.owner_admin).post(form_url(siak), {"trend": "  ", "improvements": "Tambah UPS."})
    assert response.status_code == 400
    html = response.content.decode()
    assert "Isi tren ketersediaan (butir 5)." in html and "Tambah UPS." in html
    assert 'aria-invalid="true"' in html
    too_long = login(world.owner_admin).post(form_url(siak), {"trend": "a" * 10_001, "improvements": "b"})
    assert too_long.status_code == 400 and "Paling banyak 10000 karakter" in too_long.content.decode()
    assert not MonitoringReport.objects.exists()


def test_others_who_see_the_service_read_but_do_not_write(world, login, siak):
    for reader in (world.coordinator, world.owner_head):
        client = login(reader)
        response = client.get(form_url(siak))
        assert response.status_code == 200 and "Simpan formulir" not in response.content.decode()
        assert client.post(form_url(siak), {"trend": "x", "improvements": "y"}).status_code == 403
    assert not MonitoringReport.objects.exists()


def test_another_pd_or_pemda_gets_404_and_anonymous_is_sent_to_log_in(world, login, siak, client):
    response = client.get(form_url(siak))
    assert response.status_code == 302 and reverse("login") in response["Location"]
    assert login(world.citizen).get(form_url(siak)).status_code == 403
    for outsider in (world.other_pd_admin, world.tegal_admin, world.tegal_coordinator):
        client = login(outsider)
        assert client.get(form_url(siak)).status_code == 404
        assert client.post(form_url(siak), {"trend": "x", "improvements": "y"}).status_code == 404
        assert client.get(form_url(siak), {"export": "pdf"}).status_code == 404


def test_months_that_do_not_exist_or_have_not_begun_are_404(world, login, siak):
    client = login(world.owner_admin)
    assert client.get(form_url(siak, 2026, 13)).status_code == 404
    assert client.get(form_url(siak, 2027, 1)).status_code == 404
    current = client.get(reverse("monitoring_reports:service", args=[siak.pk]))
    assert current["Location"] == form_url(siak, 2026, 12)
    assert "angka sementara" in client.get(form_url(siak, 2026, 12)).content.decode()


def test_pdf_and_excel_of_the_formulir(world, login, siak):
    client = login(world.owner_admin)
    client.post(form_url(siak), {"trend": "Tren stabil di atas target.", "improvements": "Ganti UPS ruang server."})
    pdf = client.get(form_url(siak), {"export": "pdf"})
    assert pdf["Content-Type"] == "application/pdf" and pdf.content.startswith(b"%PDF")
    assert 'filename="formulir-pemantauan-duk-01-2026-11.pdf"' in pdf["Content-Disposition"]
    xlsx = client.get(form_url(siak), {"export": "xlsx"})
    rows = list(load_workbook(BytesIO(xlsx.content)).active.iter_rows(values_only=True))
    items = {row[0]: (row[1], row[2]) for row in rows[1:7]}
    labels = ["Layanan", "Periode", "Utilisasi", "Ketersediaan yang dicapai", "Tren ketersediaan"]
    labels.append("Peluang peningkatan")
    assert [items[str(n)][0] for n in range(1, 7)] == labels
    assert "Adminduk Daring (DUK-01)" in items["1"][1]
    assert "99,582 %" in items["4"][1]
    assert items["5"][1] == "Tren stabil di atas target." and items["6"][1] == "Ganti UPS ruang server."
    assert any(row[2] and "Listrik padam" in str(row[2]) for row in rows)


def test_long_texts_and_formula_like_input_export_safely(world, login, siak):
    """A 10,000-character item 5 spans pages in the PDF; text that starts
    with "=" stays text in Excel."""
    client = login(world.owner_admin)
    long_text = "\n".join(f"Baris {n}: analisis gangguan dan tindak lanjutnya." for n in range(190))[:10_000]
    client.post(form_url(siak), {"trend": long_text, "improvements": '=HYPERLINK("http://contoh.test")'})
    assert client.get(form_url(siak), {"export": "pdf"}).content.startswith(b"%PDF")
    sheet = load_workbook(BytesIO(client.get(form_url(siak), {"export": "xlsx"}).content)).active
    improvements = next(row for row in sheet.iter_rows(min_row=2, max_row=7) if row[0].value == "6")[2]
    assert improvements.data_type == "s" and improvements.value.strip().startswith("=HYPERLINK")


def test_catalog_shows_current_availability_next_to_target_with_a_link(world, login, siak):
    siak.availability_current = Decimal("99.861")
    siak.save(update_fields=["availability_current"])
    html = login(world.owner_admin).get(siak.get_absolute_url()).content.decode()
    assert "99,861 %" in html and "target 99,50 %" in html
    assert reverse("monitoring_reports:service", args=[siak.pk]) in html


def test_network_rates_are_stored_in_bytes_and_shown_in_bits():
    """UtilisationSample keeps bytes per second (as node_exporter counts);
    the form shows bits per second."""
    from django.utils import translation

    from spbe.monitoring.report import rate_text

    with translation.override("id"):
        assert rate_text(125_000) == "1,0 Mbit/s"
        assert rate_text(None) == "–"
