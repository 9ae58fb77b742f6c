"""What the authorization matrix (issue 14, part 3) walks with: the
personas, one record of every kind for three PDs of two Pemda, the marker
strings those records carry, and the readers that find a marker in a page,
a JSON answer, an XLSX/DOCX/ZIP export or a PDF.

Every record of a PD carries ``RAHASIA-<PD>-…`` in a field its pages show;
a persona that must not see the PD's data must never get a body containing
such a string. Services that the public catalog and status page show by
design (the active service, maintenance windows, a published public help
article) carry plain names.

Issue 15 adds, per PD: knowledge articles in each state (a published
internal article is read by every staff member of the Pemda, so its marker
is hidden only from outside the Pemda), a PD mailbox with a mail waiting for
triage and its attachment, a chat channel with a conversation, its inbound
message and a failed reply, and two SP4N-LAPOR! imports (one in preview, one
confirmed into a ticket); per Pemda: a Pemda-wide mailbox and a mail of it
(the Koordinator's and the system administrator's only)."""

from __future__ import annotations

import contextlib
import io
import json
import secrets
import subprocess
import zipfile
from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from decimal import Decimal
from email.message import EmailMessage
from email.utils import make_msgid
from types import SimpleNamespace

from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from spbe.approvals import actions as approvals
from spbe.approvals.models import Attachment
from spbe.catalog.models import InfraPolicy, OperatingTarget, Service, ServiceNeeds
from spbe.change import actions as change
from spbe.change import actions_projects as projects
from spbe.change.actions import ChangeScope
from spbe.change.models import ChangePlan, Release
from spbe.change.models_projects import AppProject, Phase
from spbe.chat import actions as chat
from spbe.chat.choices import ChatMessageStatus, ChatProvider
from spbe.chat.models import ChatChannel, ChatMessage
from spbe.chat.providers import Incoming
from spbe.cmdb.models import (
    Application,
    AppManagementTarget,
    AppNeedsAnalysis,
    Component,
    ComponentDependency,
    ServiceApplication,
)
from spbe.conftest import World, give, make_person
from spbe.continuity import actions as continuity
from spbe.continuity.actions import PlanScope, StepInput
from spbe.continuity.models import RecoveryPlan
from spbe.desk import actions as desk
from spbe.desk.actions import Reporter
from spbe.desk.choices import TicketKind
from spbe.desk.models import PendingReport, Problem, SavedView, SlaDocument, TicketAttachment
from spbe.evaluation import actions as evaluation
from spbe.evaluation.actions import Period
from spbe.evaluation.choices import ActionTarget, Chapter, PeriodKind, ReportScope
from spbe.evaluation.models import FollowUpAction
from spbe.knowledge import actions as knowledge
from spbe.knowledge.choices import Visibility
from spbe.knowledge.models import Article, Category
from spbe.lapor import actions as lapor
from spbe.mail import actions as mail
from spbe.mail.models import Mailbox
from spbe.monitoring.intake import hash_token
from spbe.monitoring.models import (
    Alert,
    AlertSource,
    Check,
    MaintenanceWindow,
    MonitoringReport,
    UtilisationSample,
    UtilisationTarget,
)
from spbe.org.choices import Role
from spbe.org.models import PerangkatDaerah, RoleAssignment, User
from spbe.policy.models import HolidayAction, HolidayChange, SpecialPeriod

# --- Personas ---------------------------------------------------------------------------------

#: persona name -> the World attribute (None: anonymous)
PERSONAS: dict[str, str | None] = {
    "anonymous": None,
    "citizen": "citizen",
    "other_pd_admin": "other_pd_admin",  # Administrator Layanan of Dinkes Yogya
    "tegal_coordinator": "tegal_coordinator",  # Koordinator SPBE of the other Pemda
    "owner_admin": "owner_admin",  # Administrator Layanan of Dukcapil Yogya (the owner PD)
    "owner_head": "owner_head",  # Pimpinan PD of Dukcapil Yogya
    "coordinator": "coordinator",  # Koordinator SPBE of Yogya
    "sysadmin": "sysadmin",  # Administrator Sistem
}
ALL = frozenset(PERSONAS)
SIGNED_IN = ALL - {"anonymous"}
STAFF = SIGNED_IN - {"citizen"}
OWNER = frozenset({"owner_admin", "owner_head"})
#: who sees the owner PD's records: the PD, Yogya's coordinator, the system administrator
INSIDE = OWNER | {"coordinator", "sysadmin"}
#: who must never see the owner PD's records
OUTSIDE = ALL - INSIDE

PNG = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4\x89"
    b"\x00\x00\x00\rIDATx\x9cc\xf8\x0f\x00\x00\x01\x01\x00\x05\x18\xd8N\x00\x00\x00\x00IEND\xaeB`\x82"
)
PDF_HEAD = b"%PDF-1.4\n1 0 obj<<>>endobj\n"
PDF_TAIL = b"\ntrailer<<>>\n%%EOF\n"


def pdf_with(text: str) -> bytes:
    """A file the attachment validators accept (by its magic), holding ``text``."""
    return PDF_HEAD + f"% {text}".encode() + PDF_TAIL


# --- Marker strings -----------------------------------------------------------------------------


@dataclass
class Markers:
    """marker string -> personas that must never receive a body containing it."""

    hidden_from: dict[str, frozenset[str]] = field(default_factory=dict)

    def add(self, text: str, hidden_from: frozenset[str]) -> str:
        self.hidden_from[text] = frozenset(hidden_from)
        return text

    def for_persona(self, persona: str) -> list[str]:
        return [text for text, hidden in self.hidden_from.items() if persona in hidden]


# --- Reading a response -------------------------------------------------------------------------

ZIP_MAGIC = b"PK\x03\x04"


def body_text(response) -> str:
    """Everything a person could read in the answer: the decoded page or
    JSON, the XML inside an XLSX/DOCX (and every member of a ZIP), the text
    of a PDF (pdftotext), plus the raw bytes for any other file."""
    content = b"".join(response.streaming_content) if getattr(response, "streaming", False) else response.content
    if not content:
        return ""
    parts = [content.decode("utf-8", errors="replace")]
    if content.startswith(ZIP_MAGIC):
        parts.append(_zip_text(content))
    elif content.startswith(b"%PDF"):
        parts.append(_pdf_text(content))
    elif response.get("Content-Type", "").startswith("application/json"):
        # JSON escapes non-ASCII; compare on the decoded document too
        with contextlib.suppress(ValueError):
            parts.append(json.dumps(json.loads(content), ensure_ascii=False))
    return "\n".join(parts)


def _zip_text(content: bytes) -> str:
    texts = []
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        for name in archive.namelist():
            data = archive.read(name)
            texts.append(name)
            if data.startswith(ZIP_MAGIC):
                texts.append(_zip_text(data))
            elif data.startswith(b"%PDF"):
                texts.append(_pdf_text(data))
            else:
                texts.append(data.decode("utf-8", errors="replace"))
    return "\n".join(texts)


def _pdf_text(content: bytes) -> str:
    done = subprocess.run(["pdftotext", "-q", "-", "-"], input=content, capture_output=True, timeout=60, check=False)
    return done.stdout.decode("utf-8", errors="replace")


# --- The records ----------------------------------------------------------------------------------

WINDOW_DAYS = 40  # releases and change plans lie ahead of today
SEMESTER = Period(PeriodKind.SEMESTER, date(2026, 1, 1), date(2026, 6, 30))
CONTACTS = [{"name": "Koordinator teknis", "role": "Teknis", "phone": "0811-2222-333", "email": ""}]
STEPS = [{"action": "Nyalakan server cadangan", "owner": "Administrator Infrastruktur", "expected_minutes": 45}]
RISKS = [{"description": "Data lama gagal dipindahkan", "likelihood": 2, "impact": 4, "mitigation": "Uji migrasi"}]


@dataclass
class Estate:
    """One PD's records of every kind (names in the table of the matrix)."""

    tag: str
    pd: PerangkatDaerah
    people: SimpleNamespace
    objects: dict = field(default_factory=dict)

    def __getattr__(self, name: str):
        try:
            return self.__dict__["objects"][name]
        except KeyError:
            raise AttributeError(name) from None


@dataclass
class DataSet:
    world: World
    markers: Markers
    owner: Estate  # Disdukcapil Yogya
    other_pd: Estate  # Dinkes Yogya
    tegal: Estate  # Disdukcapil Tegal
    extra: dict = field(default_factory=dict)

    def __getattr__(self, name: str):
        try:
            return self.__dict__["extra"][name]
        except KeyError:
            raise AttributeError(name) from None

    @property
    def mirror(self) -> DataSet:
        """The same declarations read against Dukcapil Tegal: its records
        where the owner's are, Tegal where Yogya is."""
        w = self.world
        world = replace(w, yogya=w.tegal, dukcapil=w.tegal_dukcapil, owner_admin=w.tegal_admin)
        return DataSet(world, self.markers, owner=self.tegal, other_pd=self.other_pd, tegal=self.owner,
                       extra=self.extra)  # fmt: skip


def _person(email: str, pemda, role: Role, pd, **extra) -> User:
    person = make_person(email, pemda, nip=extra.pop("nip", None), **extra)
    give(person, role, pd)
    return person


def build(world: World) -> DataSet:
    """Every kind of record for the owner PD (Dukcapil Yogya), another PD of
    the same Pemda (Dinkes Yogya) and a PD of the other Pemda (Dukcapil
    Tegal), through the apps' own actions so the audit trail, timelines and
    clocks are the real ones."""
    markers = Markers()
    w = world
    owner_people = SimpleNamespace(
        admin=w.owner_admin, head=w.owner_head,
        pj=_person("kabid@yogya.test", w.yogya, Role.PJ_PENYEDIA, w.dukcapil, nip="198001012006041002"),
        infra=w.vendor, coordinator=w.coordinator,
    )  # fmt: skip
    dinkes_people = SimpleNamespace(
        admin=w.other_pd_admin,
        head=_person("kadinkes@yogya.test", w.yogya, Role.PIMPINAN_PD, w.dinkes, nip="197001012000011001"),
        pj=_person("pj.dinkes@yogya.test", w.yogya, Role.PJ_PENYEDIA, w.dinkes, nip="198101012006041003"),
        infra=w.vendor, coordinator=w.coordinator,
    )  # fmt: skip
    tegal_people = SimpleNamespace(
        admin=w.tegal_admin,
        head=_person("kadis@tegal.test", w.tegal, Role.PIMPINAN_PD, w.tegal_dukcapil, nip="197501012000011002"),
        pj=_person("kabid@tegal.test", w.tegal, Role.PJ_PENYEDIA, w.tegal_dukcapil, nip="198201012006041004"),
        infra=_person("aptika@tegal.test", w.tegal, Role.ADMIN_INFRA, w.tegal_kominfo),
        coordinator=w.tegal_coordinator,
    )  # fmt: skip
    # Who must not see each PD's records (besides anonymous visitors and citizens).
    yogya_outsiders = frozenset({"anonymous", "citizen", "tegal_coordinator"})
    tegal_outsiders = ALL - {"sysadmin", "tegal_coordinator"}
    owner = _estate(markers, "DUKCAPIL", w.dukcapil, owner_people, OUTSIDE, code="DUK", pemda_hidden=yogya_outsiders)
    other = _estate(markers, "DINKES", w.dinkes, dinkes_people, yogya_outsiders | OWNER, code="DKS",
                    pemda_hidden=yogya_outsiders, chat_provider=ChatProvider.WHATSAPP)  # fmt: skip
    tegal = _estate(markers, "TEGAL", w.tegal_dukcapil, tegal_people, tegal_outsiders, code="TGL",
                    pemda_hidden=tegal_outsiders)  # fmt: skip
    data = DataSet(world, markers, owner, other, tegal)
    _pemda_records(data, owner, hidden=yogya_outsiders, alert_hidden=OUTSIDE | OWNER)
    _pemda_records(data, tegal, hidden=tegal_outsiders, alert_hidden=tegal_outsiders, prefix="tegal_")
    _citizen_records(data)
    w.yogya.logo.save("logo-yogya.png", ContentFile(PNG), save=True)  # public by design
    return data


def _estate(
    markers: Markers,
    tag: str,
    pd,
    people,
    hidden: frozenset[str],
    code: str,
    *,
    pemda_hidden: frozenset[str],
    chat_provider: str = ChatProvider.TELEGRAM,
) -> Estate:
    """The records of one PD, each named ``RAHASIA-<tag>-<kind>``;
    ``pemda_hidden``: who is outside the PD's Pemda (a published internal
    article is read by every staff member of the Pemda)."""
    e = Estate(tag, pd, people)
    o = e.objects
    pemda = pd.pemda

    def mark(kind: str) -> str:
        return markers.add(f"RAHASIA-{tag}-{kind}", hidden)

    now = timezone.now()
    # Catalog (P-4): an active, public service and a draft one.
    service_fields = dict(
        description="Layanan untuk uji matriks akses", access="Loket", availability_target=Decimal("99.5"),
        help_contact="0274-123456", group="layanan_publik", classification="kritis", rpo_value=1, rpo_unit="hari",
        rto_value=4, rto_unit="jam", service_admin=people.admin, drafted_by=people.admin,
    )  # fmt: skip
    o["service"] = Service.objects.create(
        pd=pd, code=f"{code}-01", name=f"Layanan Publik {tag}", lifecycle="active", status="approved", **service_fields
    )
    o["draft_service"] = Service.objects.create(pd=pd, code=f"{code}-02", name=mark("LAYANAN-DRAF"), **service_fields)
    # CMDB: a server, a database on it, an application running on the server.
    o["component"] = Component.objects.create(pemda=pemda, pd=pd, name=mark("KOMPONEN"), kind="vm")
    o["database"] = Component.objects.create(pemda=pemda, pd=pd, name=mark("BASIS-DATA"), kind="database")
    ComponentDependency.objects.create(component=o["database"], depends_on=o["component"])
    o["application"] = Application.objects.create(pd=pd, name=mark("APLIKASI"), hosting="pdd", version="1.0")
    o["application"].components.add(o["component"])
    ServiceApplication.objects.create(service=o["service"], application=o["application"])
    # Planning records (P-6 … P-11) with an attachment.
    o["needs"] = ServiceNeeds.objects.create(
        service=o["service"], business_process=mark("KEBUTUHAN"), needs="-", design="-", technology="-",
        evaluation="-", drafted_by=people.admin,
    )  # fmt: skip
    o["infra_policy"] = InfraPolicy.objects.create(
        pd=pd, kind="policy", title=mark("KEBIJAKAN-INFRA"), content="-", drafted_by=people.admin
    )
    o["operating_target"] = OperatingTarget.objects.create(
        application=o["application"], classification="kritis", availability_target=99, rpo_value=1, rpo_unit="hari",
        rto_value=4, rto_unit="jam", notes=mark("TARGET-OPERASI"), drafted_by=people.admin,
    )  # fmt: skip
    o["management_target"] = AppManagementTarget.objects.create(
        application=o["application"], design_plan=mark("TARGET-PENGELOLAAN"), implementation_plan="-",
        testing_plan="-", maintenance_plan="-", evaluation_basis="-", drafted_by=people.admin,
    )  # fmt: skip
    o["needs_analysis"] = AppNeedsAnalysis.objects.create(
        pd=pd, title=mark("ANALISIS-APLIKASI"), urgency="tinggi", cost_benefit="-", implications="-",
        functional_requirements="-", non_functional_requirements="-", drafted_by=people.admin,
    )  # fmt: skip
    o["attachment"] = Attachment.objects.create(
        record=o["infra_policy"], title=mark("LAMPIRAN"), size=100, uploaded_by=people.admin,
        file=ContentFile(pdf_with(mark("ISI-LAMPIRAN")), name="lampiran.pdf"),
    )  # fmt: skip
    o["submitted_target"] = AppManagementTarget.objects.create(
        application=o["application"], design_plan=mark("TARGET-DIAJUKAN"), implementation_plan="-",
        testing_plan="-", maintenance_plan="-", evaluation_basis="-", drafted_by=people.admin,
    )  # fmt: skip
    approvals.submit(people.admin, o["submitted_target"])  # waits in the coordinator's inbox
    # Desk (O-1, O-2, O-3, E-3).
    o["sla"] = SlaDocument.objects.create(
        pemda=pemda, pd=pd, title=mark("SLA"), vendor="PT Vendor", valid_from=date(2026, 1, 1),
        valid_to=date(2027, 12, 31), response_target=timedelta(hours=4), resolution_1=timedelta(hours=8),
        resolution_2=timedelta(days=1), resolution_3=timedelta(days=3),
    )  # fmt: skip
    o["sla"].services.add(o["service"])
    o["ticket"] = desk.open_ticket(
        actor=people.admin, service=o["service"], kind=TicketKind.COMPLAINT, reporter=Reporter("Budi", "b@x.test"),
        subject=mark("ADUAN"), description=mark("URAIAN-ADUAN"), reporting_method="phone", impact="mayor",
        reported_at=now - timedelta(days=2),
    )  # fmt: skip
    o["request"] = desk.open_ticket(
        actor=people.admin, service=o["service"], kind=TicketKind.REQUEST, reporter=Reporter("Ani Warga", "a@x.test"),
        subject=mark("PERMINTAAN"), description="-", reporting_method="phone", reported_at=now - timedelta(days=1),
    )  # fmt: skip
    o["ticket_attachment"] = TicketAttachment.objects.create(
        ticket=o["ticket"], file=ContentFile(pdf_with(mark("ISI-LAMPIRAN-TIKET")), name="layar.pdf")
    )
    o["problem"] = Problem.objects.create(
        pemda=pemda,
        pd=pd,
        service=o["service"],
        title=mark("MASALAH"),
        created_by=people.admin,
        workaround="Gunakan loket manual sementara.",
    )
    o["problem"].complaints.add(o["ticket"])
    o["saved_view"] = SavedView.objects.create(user=people.admin, name=mark("TAMPILAN"), querystring="status=new")
    # Monitoring (O-4).
    o["check"] = Check.objects.create(
        pemda=pemda, pd=pd, name=mark("PEMERIKSAAN"), kind="http", service=o["service"], target="https://x.test/"
    )
    o["heartbeat"] = Check.objects.create(
        pemda=pemda, pd=pd, name=mark("DETAK"), kind="heartbeat", component=o["component"], interval_seconds=86400
    )
    o["utilisation"] = UtilisationTarget.objects.create(component=o["component"], url="http://10.0.0.1:9100/metrics")
    hour = now.replace(minute=0, second=0, microsecond=0) - timedelta(hours=1)
    UtilisationSample.objects.create(component=o["component"], hour=hour, samples=4, cpu_avg=20, cpu_max=40,
                                     memory_avg=50, memory_max=60, disk_max=70)  # fmt: skip
    month = (now.date().replace(day=1) - timedelta(days=1)).replace(day=1)
    o["month"] = month
    o["monitoring_report"] = MonitoringReport.objects.create(
        service=o["service"], month=month, trend=mark("TREN"), improvements="-", prepared_by=people.admin
    )
    # Continuity (O-5): a DRP in force, an activation with evidence, a drill.
    plan = continuity.save_plan(
        people.infra,
        RecoveryPlan(pd=pd, title=mark("DRP"), rpo_value=1, rpo_unit="hari", rto_value=4, rto_unit="jam",
                     backup_method="pg_dump", backup_frequency="harian", recovery_site="pdn",
                     disaster_conditions="Pusat data padam", backup_check=o["heartbeat"]),
        PlanScope([o["service"]]), CONTACTS, STEPS,
    )  # fmt: skip
    approvals.submit(people.infra, plan)
    approvals.approve(people.pj, plan)
    plan.refresh_from_db()
    o["drp"] = plan
    o["draft_drp"] = continuity.save_plan(
        people.infra,
        RecoveryPlan(pd=pd, title=mark("DRP-DRAF"), rpo_value=1, rpo_unit="hari", rto_value=4, rto_unit="jam",
                     backup_method="pg_dump", backup_frequency="harian", recovery_site="pdn",
                     disaster_conditions="Pusat data padam"),
        PlanScope([o["draft_service"]]), CONTACTS, STEPS,
    )  # fmt: skip
    opened = now - timedelta(hours=3)
    o["recovery"] = continuity.open_activation(people.infra, plan, mark("AKTIVASI"), at=opened)
    evidence = SimpleUploadedFile("bukti.pdf", pdf_with(mark("ISI-BUKTI-PEMULIHAN")), content_type="application/pdf")
    step = continuity.record_step(
        people.infra, o["recovery"], StepInput(number=1, at=opened + timedelta(minutes=5), notes="-", files=[evidence])
    )
    o["evidence"] = step.evidence.get()
    o["drill"] = continuity.plan_drill(
        people.infra, plan, title=mark("UJI-COBA"), scheduled_for=now + timedelta(days=10), scenario="Banjir",
        participants="Tim TI",
    )  # fmt: skip
    # Change (P-9, O-6, O-7).
    start = now + timedelta(days=WINDOW_DAYS)
    o["change_plan"] = change.save_plan(
        people.admin,
        ChangePlan(pd=pd, title=mark("PERUBAHAN"), kind="addition", origin="provider_need", reason="-",
                   technology_review="-", process_review="-", policy_review="-", business_impact="-",
                   satisfaction_impact="-", quality_control="-", success_measure="-", planned_start=start,
                   planned_end=start + timedelta(hours=4), user_notice="-"),
        ChangeScope([o["service"]]), RISKS,
    )  # fmt: skip
    o["release"] = change.save_release(
        people.infra,
        Release(pd=pd, title=mark("RILIS"), basis="built", application=o["application"], version="1.1",
                description="-", steps="-", rollback_plan="-", test_plan="-", window_start=start + timedelta(days=2),
                window_end=start + timedelta(days=2, hours=2), verification_minutes=30, announcement="-"),
        [o["service"]],
    )  # fmt: skip
    today = timezone.localdate()
    phases = [
        {"phase": number, "planned_start": today + timedelta(days=30 * i),
         "planned_end": today + timedelta(days=30 * i + 29), "deliverables": "-", "needs_gate_approval": False}
        for i, number in enumerate(Phase.values)
    ]  # fmt: skip
    o["project"] = projects.save_project(
        people.admin,
        AppProject(application=o["application"], title=mark("PROYEK"), method="waterfall", sourcing="in_house",
                   goal="-", scope="-"),
        phases,
    )  # fmt: skip
    o["phase"] = o["project"].phases.order_by("phase").first()
    # Evaluation (E-2).
    report = evaluation.open_report(people.admin, pd=pd, scope=ReportScope.PD, period=SEMESTER,
                                    title=mark("LAPORAN-EVALUASI"))  # fmt: skip
    o["report"] = report
    o["action"] = evaluation.add_action(
        people.admin, report,
        FollowUpAction(chapter=Chapter.REQUESTS, title=mark("TINDAK-LANJUT"), owner=people.admin,
                       due_date=today + timedelta(days=60), target_kind=ActionTarget.PROCEDURE, procedure="SOP"),
    )  # fmt: skip
    o["action"].evidence_file.save("bukti.pdf", ContentFile(pdf_with(mark("ISI-BUKTI-TINDAK-LANJUT"))), save=True)
    o["assignment"] = RoleAssignment.objects.filter(user=people.admin, pd=pd).first()
    _knowledge_records(e, mark, lambda kind: markers.add(f"RAHASIA-{tag}-{kind}", pemda_hidden))
    _channel_records(e, mark, code, chat_provider)
    return e


def _knowledge_records(e: Estate, mark, mark_pemda) -> None:
    """Issue 15 (O-3): a category and an article in each state, written by
    the PD's PJ Penyedia Layanan and reviewed by its Administrator Layanan.
    The published public article is public by design: no marker."""
    o, people, pd = e.objects, e.people, e.pd
    o["category"] = knowledge.save_category(people.admin, Category(pemda=pd.pemda, name=f"Kategori {e.tag}"))

    def write(title: str, visibility: str = Visibility.INTERNAL) -> Article:
        return knowledge.save_article(people.pj, Article(
            pd=pd, service=o["service"], category=o["category"], title=title, summary="Ringkasan artikel",
            body="Langkah penyelesaian.", keywords="uji matriks", visibility=visibility,
        ))  # fmt: skip

    o["public_article"] = write(f"Panduan publik {e.tag}", Visibility.PUBLIC)
    o["internal_article"] = write(mark_pemda("ARTIKEL-INTERNAL"))
    for article in (o["public_article"], o["internal_article"]):
        knowledge.submit(people.pj, article)
        knowledge.publish(people.admin, article)
    o["draft_article"] = write(mark("ARTIKEL-DRAF"))
    o["review_article"] = knowledge.submit(people.pj, write(mark("ARTIKEL-REVIU")))


def _mail_with(subject: str, body: str, attachment: bytes, to: str) -> bytes:
    message = EmailMessage()
    message["From"], message["To"], message["Subject"] = "Warga Surel <warga@surel.test>", to, subject
    message["Message-ID"] = make_msgid(domain="surel.test")
    message.set_content(body)
    message.add_attachment(attachment, maintype="application", subtype="pdf", filename="bukti.pdf")
    return message.as_bytes()


def lapor_file(name: str, tracking_id: str, title: str) -> SimpleUploadedFile:
    """A one-row CSV as SP4N-LAPOR! exports it: a complaint reported yesterday."""
    reported = timezone.localtime(timezone.now() - timedelta(days=1)).strftime("%d/%m/%Y %H:%M")
    rows = [["Nomor Tracking", "Tanggal Laporan", "Judul", "Isi Laporan", "Jenis Laporan", "Nama Pelapor"],
            [tracking_id, reported, title, "Antrean daring galat.", "Pengaduan", "Anonim"]]  # fmt: skip
    text = "\r\n".join(",".join(row) for row in rows) + "\r\n"
    return SimpleUploadedFile(name, text.encode(), content_type="text/csv")


def _channel_records(e: Estate, mark, code: str, chat_provider: str) -> None:
    """Issue 15 (O-1, O-2): the PD's mailbox (no default service, so its
    mail waits for triage; IMAP on a closed local port and no password, so
    "uji" and "periksa" fail at once), its chat channel with a conversation
    and a failed reply, and its SP4N-LAPOR! imports."""
    o, people, pd = e.objects, e.people, e.pd
    slug = code.lower()
    address = f"layanan.{slug}@surel.test"
    o["mailbox"] = mail.save_mailbox(people.admin, Mailbox(
        pemda=pd.pemda, pd=pd, name=mark("KOTAK-SUREL"), code=f"{slug}-surel", address=address, host="127.0.0.1",
        port=9, security="none", username=address,
    ))  # fmt: skip
    raw = _mail_with(mark("SUREL-MASUK"), mark("ISI-SUREL"), pdf_with(mark("ISI-LAMPIRAN-SUREL")), address)
    o["inbound_mail"] = mail.receive(o["mailbox"], raw)
    o["inbound_attachment"] = o["inbound_mail"].attachments.get()
    extra = {"phone_number_id": "1098765432"} if chat_provider == ChatProvider.WHATSAPP else {}
    o["channel"] = chat.save_channel(people.head, ChatChannel(
        pemda=pd.pemda, pd=pd, provider=chat_provider, name=mark("KANAL-CHAT"), code=f"{slug}-bot",
        default_service=o["service"], default_kind="complaint", default_impact="minor", **extra,
    ))  # fmt: skip
    incoming = Incoming(external_id=f"{slug}-5550001", message_id=f"{slug}-1", text=mark("PESAN-CHAT"),
                        name="Warga Chat")  # fmt: skip
    o["chat_message"] = chat.receive(o["channel"], incoming)
    reply = chat.queue_reply(o["chat_message"].conversation, mark("BALASAN-GAGAL"), key="matrix-failed")
    ChatMessage.objects.filter(pk=reply.pk).update(status=ChatMessageStatus.FAILED, last_error="HTTP 401")
    o["failed_message"] = reply
    o["lapor_import"] = lapor.preview_import(
        people.admin,
        lapor_file(mark("BERKAS-LAPOR") + ".csv", f"LPR{code}0001", mark("LAPOR-PRATINJAU")),
        o["service"],
    )
    o["lapor_done"] = lapor.import_file(
        people.admin, lapor_file("lapor.csv", f"LPR{code}0002", mark("LAPOR-ADUAN")), o["service"]
    )


def _pemda_records(data: DataSet, estate: Estate, *, hidden, alert_hidden, prefix: str = "") -> None:
    """What belongs to the Pemda rather than a PD: alert sources, holidays,
    special periods, maintenance windows (public by design)."""
    markers = data.markers
    pemda = estate.pd.pemda
    tag = estate.tag
    o = estate.objects
    token = secrets.token_urlsafe(24)
    o["alert_source"] = AlertSource.objects.create(
        pemda=pemda, name=markers.add(f"RAHASIA-{tag}-SUMBER-PERINGATAN", alert_hidden), kind="alertmanager",
        token_hash=hash_token(token), default_service=o["service"],
    )  # fmt: skip
    Alert.objects.create(
        source=o["alert_source"], fingerprint="abc", starts_at=timezone.now() - timedelta(hours=1),
        name=markers.add(f"RAHASIA-{tag}-PERINGATAN", alert_hidden), service=o["service"],
    )  # fmt: skip
    o["holiday"] = HolidayChange.objects.create(
        pemda=pemda, date=date(2026, 12, 28), action=HolidayAction.ADD,
        name=markers.add(f"RAHASIA-{tag}-LIBUR", hidden), reason="-", created_by=estate.people.coordinator,
    )  # fmt: skip
    o["special_period"] = SpecialPeriod.objects.create(
        pemda=pemda, name=markers.add(f"RAHASIA-{tag}-PERIODE", hidden)[:80], date_from=date(2027, 2, 1),
        date_to=date(2027, 2, 28), created_by=estate.people.coordinator,
    )  # fmt: skip
    start = timezone.now() + timedelta(days=5)
    o["maintenance"] = MaintenanceWindow.objects.create(
        pemda=pemda, title=f"Pemeliharaan terjadwal {tag}", starts_at=start, ends_at=start + timedelta(hours=2),
        created_by=estate.people.admin,
    )  # fmt: skip
    o["maintenance"].services.add(o["service"])
    o["pending_report"] = PendingReport.objects.create(
        service=o["service"], token=secrets.token_urlsafe(32), email="warga@mail.test",
        data={"kind": "request", "subject": "Minta akta", "description": "-", "name": "Warga", "email": "w@x.test",
              "phone": ""},
    )  # fmt: skip
    data.extra[prefix + "ping_token"] = o["heartbeat"].heartbeat_token
    # Issue 15: a Pemda-wide mailbox, the Koordinator SPBE's (not the PDs' staff), and a mail of it.
    address = f"pengaduan.{tag.lower()}@surel.test"
    o["pemda_mailbox"] = mail.save_mailbox(estate.people.coordinator, Mailbox(
        pemda=pemda, pd=None, name=markers.add(f"RAHASIA-{tag}-KOTAK-SUREL-PEMDA", alert_hidden),
        code=f"{tag.lower()}-pemda", address=address, host="127.0.0.1", port=9, security="none", username=address,
    ))  # fmt: skip
    raw = _mail_with(markers.add(f"RAHASIA-{tag}-SUREL-PEMDA", alert_hidden), "-", pdf_with("-"), address)
    o["pemda_mail"] = mail.receive(o["pemda_mailbox"], raw)


def _citizen_records(data: DataSet) -> None:
    """The citizen's own complaint on the owner's service, reported through
    the portal: only the citizen (and the owner PD's staff) read it."""
    w = data.world
    owner = data.owner
    subject = data.markers.add("WARGA-DUKCAPIL-ADUAN-SAYA", OUTSIDE - {"citizen"})
    data.extra["citizen_ticket"] = desk.open_ticket(
        actor=w.citizen, service=owner.service, kind=TicketKind.COMPLAINT,
        reporter=Reporter(w.citizen.full_name, w.citizen.email, "", w.citizen), subject=subject, description="-",
        reporting_method="portal", impact="minor", reported_at=timezone.now() - timedelta(hours=5),
    )  # fmt: skip
