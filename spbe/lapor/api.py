"""REST API of the SP4N-LAPOR! channel (issue 15, Pedoman C): the LAPOR!
tickets with the state of their two deadlines, the import of an exported
file (multipart/form-data; ``dry_run`` only judges the rows) and the
follow-up file to upload back to LAPOR!. Same rules (``rules``) and the
same action functions as the pages."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, extend_schema_field
from rest_framework import mixins, serializers, viewsets
from rest_framework.exceptions import PermissionDenied, ValidationError
from rest_framework.negotiation import BaseContentNegotiation
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.routers import DefaultRouter
from rest_framework.views import APIView

from spbe.approvals import api as approval_api
from spbe.catalog.models import Service
from spbe.continuity.api import IsStaffMember, NamedChoiceField
from spbe.desk.choices import TicketKind, TicketStatus
from spbe.front.api import error_response
from spbe.lapor import actions, export, queries, rules
from spbe.lapor.choices import DeadlineState, FileFormat, ImportStatus, RowOutcome
from spbe.lapor.forms import DEADLINE_FILTERS
from spbe.org.models import PerangkatDaerah


class LaporClockSerializer(serializers.Serializer):
    due_at = serializers.DateTimeField(help_text="Akhir hari kerja ke-3 (verifikasi) atau ke-5 (tindak lanjut).")
    state = NamedChoiceField(DeadlineState, help_text="Terlampaui juga bila jam masih berjalan melewati tenggat.")
    stopped_at = serializers.DateTimeField(allow_null=True, help_text="Saat tanggapan pertama / penyelesaian.")


def _clock(ticket, kind: str) -> dict | None:
    clock = export.clocks_of(ticket).get(kind)
    if clock is None:
        return None
    state = export.clock_state(clock, timezone.now())
    return {"due_at": clock.due_at, "state": state, "stopped_at": clock.stopped_at}


class LaporTicketSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    number = serializers.CharField(help_text="Nomor tiket.")
    lapor_tracking_id = serializers.CharField(help_text="Nomor tracking SP4N-LAPOR!.")
    kind = serializers.ChoiceField(choices=TicketKind.choices)
    status = serializers.ChoiceField(choices=TicketStatus.choices)
    lapor_status = serializers.SerializerMethodField(help_text="Status dalam istilah LAPOR! (lihat ekspor).")
    pd = serializers.IntegerField(source="pd_id")
    pd_name = serializers.CharField(source="pd.name")
    service = serializers.IntegerField(source="service_id")
    service_name = serializers.CharField(source="service.name")
    subject = serializers.CharField()
    reported_at = serializers.DateTimeField(help_text="Tanggal laporan di LAPOR!; kedua tenggat dihitung darinya.")
    first_response_at = serializers.DateTimeField(allow_null=True, help_text="Verifikasi (tanggapan pertama).")
    resolved_at = serializers.DateTimeField(allow_null=True, help_text="Tindak lanjut (penyelesaian).")
    verification = serializers.SerializerMethodField()
    follow_up = serializers.SerializerMethodField()

    def get_lapor_status(self, ticket) -> str:
        return export.lapor_status(ticket)

    @extend_schema_field(LaporClockSerializer(allow_null=True))
    def get_verification(self, ticket):
        return _clock(ticket, "lapor_verification")

    @extend_schema_field(LaporClockSerializer(allow_null=True))
    def get_follow_up(self, ticket):
        return _clock(ticket, "lapor_follow_up")


class LaporFilterSerializer(serializers.Serializer):
    q = serializers.CharField(required=False, allow_blank=True, max_length=100)
    pd = serializers.IntegerField(required=False, min_value=1, max_value=2**31 - 1)
    kind = serializers.ChoiceField(choices=TicketKind.choices, required=False, allow_blank=True)
    status = serializers.ChoiceField(choices=["open", *TicketStatus.values], required=False, allow_blank=True)
    deadline = serializers.ChoiceField(choices=[v for v, _label in DEADLINE_FILTERS if v], required=False,
                                       allow_blank=True)  # fmt: skip
    date_from = serializers.DateField(required=False)
    date_to = serializers.DateField(required=False)


FILTER_PARAMETERS = [
    OpenApiParameter("q", str, description="Nomor tracking, nomor tiket, atau kata pada judul."),
    OpenApiParameter("pd", int, description="Id PD."),
    OpenApiParameter("kind", str, enum=TicketKind.values, description="Aduan atau permintaan layanan."),
    OpenApiParameter("status", str, enum=["open", *TicketStatus.values], description="Status tiket; open = terbuka."),
    OpenApiParameter(
        "deadline", str, enum=[v for v, _label in DEADLINE_FILTERS if v], description="Keadaan tenggat LAPOR!."
    ),
    OpenApiParameter("date_from", OpenApiTypes.DATE, description="Dilaporkan sejak tanggal ini."),
    OpenApiParameter("date_to", OpenApiTypes.DATE, description="Dilaporkan sampai tanggal ini."),
]


def _filtered_tickets(request):
    incoming = LaporFilterSerializer(data=request.query_params)
    incoming.is_valid(raise_exception=True)
    data = {k: v for k, v in incoming.validated_data.items() if v not in ("", None)}
    qs = rules.lapor_tickets(request.user).select_related("pd", "service")
    if "pd" in data:
        data["pd"] = PerangkatDaerah(pk=data["pd"])
    qs = queries.filtered(qs, data)
    if data.get("q"):
        qs = queries.search(qs, data["q"])
    return qs.order_by("-reported_at", "pk")


class LaporTicketViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    """Tickets that came from SP4N-LAPOR! which the caller sees on the desk,
    with their verification (3 working days) and follow-up (5) deadlines."""

    serializer_class = LaporTicketSerializer
    permission_classes = [IsAuthenticated, IsStaffMember]

    def get_queryset(self):
        return export.with_lapor_clocks(_filtered_tickets(self.request))

    @extend_schema(parameters=FILTER_PARAMETERS)
    def list(self, request, *args, **kwargs):
        return super().list(request, *args, **kwargs)


# --- import ---------------------------------------------------------------------------------------


class ImportRequestSerializer(serializers.Serializer):
    file = serializers.FileField(help_text="Berkas ekspor LAPOR!: .csv atau .xlsx, maksimal 5 MB.")
    service = serializers.IntegerField(min_value=1, max_value=2**31 - 1,
                                       help_text="Id layanan bawaan (aktif, PD yang boleh Anda impor).")  # fmt: skip
    dry_run = serializers.BooleanField(required=False, default=False,
                                       help_text="true: hanya periksa baris, tidak ada yang disimpan.")  # fmt: skip


class CellErrorSerializer(serializers.Serializer):
    column = serializers.CharField(help_text="Judul kolom; kosong untuk galat baris.")
    message = serializers.CharField()


class ImportRowSerializer(serializers.Serializer):
    row = serializers.IntegerField(help_text="Nomor baris di lembar kerja.")
    tracking_id = serializers.CharField()
    outcome = NamedChoiceField(RowOutcome)
    errors = CellErrorSerializer(many=True)
    ticket = serializers.IntegerField(allow_null=True, help_text="Id tiket yang dibuat atau yang sudah ada.")
    ticket_number = serializers.CharField(allow_null=True)


class ImportResultSerializer(serializers.Serializer):
    id = serializers.IntegerField(allow_null=True, help_text="Id impor; null untuk dry_run.")
    status = NamedChoiceField(ImportStatus, allow_null=True, help_text="null untuk dry_run.")
    dry_run = serializers.BooleanField()
    file_format = NamedChoiceField(FileFormat)
    total_rows = serializers.IntegerField()
    created_count = serializers.IntegerField()
    skipped_count = serializers.IntegerField()
    error_count = serializers.IntegerField()
    rows = ImportRowSerializer(many=True)


def _service(user, pk: int) -> Service:
    service = rules.importable_services(user).filter(pk=pk).first()
    if service is None:
        raise ValidationError({"service": [_("Pilih layanan aktif yang boleh Anda impor.")]})
    return service


class ImportView(APIView):
    """Import a file exported from SP4N-LAPOR! (multipart/form-data)."""

    permission_classes = [IsAuthenticated, IsStaffMember]
    parser_classes = [MultiPartParser, FormParser]

    @extend_schema(
        request={"multipart/form-data": ImportRequestSerializer},
        responses={
            200: OpenApiResponse(ImportResultSerializer, description="dry_run: hasil per baris, tanpa simpan."),
            201: OpenApiResponse(ImportResultSerializer, description="Diimpor: tiket dibuat."),
        },
        operation_id="lapor_import",
    )
    def post(self, request):
        """Rows whose tracking ID the Pemda already has are skipped; a bad
        row is reported with the reason per cell and the others imported; a
        bad file (type, size, columns) is a 400 and nothing is saved."""
        if not rules.importable_pds(request.user).exists():
            raise PermissionDenied(_("Anda tidak berwenang mengimpor laporan SP4N-LAPOR!."))
        incoming = ImportRequestSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        data = incoming.validated_data
        service = _service(request.user, data["service"])
        try:
            if data["dry_run"]:
                parsed, results = actions.evaluate(request.user, data["file"], service)
                return Response(_dry_run(parsed, results))
            done = actions.import_file(request.user, data["file"], service)
        except DjangoPermissionDenied:
            raise PermissionDenied(_("Anda tidak berwenang mengimpor ke layanan ini.")) from None
        except DjangoValidationError as error:
            raise _file_error(error) from None
        return Response(_result(done), status=201)


def _file_error(error: DjangoValidationError) -> ValidationError:
    if hasattr(error, "error_dict"):
        return approval_api.as_api_error(error)
    return ValidationError({"file": error.messages})


def _dry_run(parsed, results) -> dict:
    outcomes = [r.outcome for r in results]
    return {
        "id": None, "status": None, "dry_run": True, "file_format": parsed.file_format, "total_rows": len(results),
        "created_count": 0, "skipped_count": outcomes.count(RowOutcome.DUPLICATE),
        "error_count": outcomes.count(RowOutcome.ERROR),
        "rows": [{"row": r.row.number, "tracking_id": r.row.values["tracking_id"], "outcome": r.outcome,
                  "errors": r.errors, "ticket": r.ticket.pk if r.ticket else None, "ticket_number": None}
                 for r in results],
    }  # fmt: skip


def _result(done) -> dict:
    rows = done.rows.select_related("ticket")
    return {
        "id": done.pk, "status": done.status, "dry_run": False, "file_format": done.file_format,
        "total_rows": done.total_rows, "created_count": done.created_count, "skipped_count": done.skipped_count,
        "error_count": done.error_count,
        "rows": [{"row": r.row_number, "tracking_id": r.tracking_id, "outcome": r.outcome, "errors": r.errors,
                  "ticket": r.ticket_id, "ticket_number": r.ticket.number if r.ticket else None} for r in rows],
    }  # fmt: skip


# --- export ---------------------------------------------------------------------------------------


class FilesOrJson(BaseContentNegotiation):
    """The export answers a file whatever the client accepts; its errors
    are JSON (the only renderer)."""

    def select_parser(self, request, parsers):
        return parsers[0] if parsers else None

    def select_renderer(self, request, renderers, format_suffix=None):
        return renderers[0], renderers[0].media_type


class ExportFormatSerializer(LaporFilterSerializer):
    file_format = serializers.ChoiceField(choices=FileFormat.values, required=False, default=FileFormat.XLSX)


class ExportView(APIView):
    """The follow-up file of the filtered LAPOR! tickets, to upload back to LAPOR!."""

    permission_classes = [IsAuthenticated, IsStaffMember]
    content_negotiation_class = FilesOrJson

    @extend_schema(
        parameters=[
            OpenApiParameter("file_format", str, enum=FileFormat.values, description="xlsx (bawaan) atau csv."),
            *FILTER_PARAMETERS,
        ],
        responses={
            (200, export.XLSX_TYPE): OpenApiResponse(OpenApiTypes.BINARY, description="Berkas Excel."),
            (200, "text/csv"): OpenApiResponse(OpenApiTypes.BINARY, description="CSV UTF-8 dengan BOM, pemisah ;."),
            400: error_response("Parameter tidak valid."),
        },
        operation_id="lapor_export",
    )
    def get(self, request):
        incoming = ExportFormatSerializer(data=request.query_params)
        incoming.is_valid(raise_exception=True)
        return export.follow_up_file(_filtered_tickets(request), incoming.validated_data["file_format"])


router = DefaultRouter(trailing_slash=True)
router.include_root_view = False
router.include_format_suffixes = False
router.register("lapor/tiket", LaporTicketViewSet, basename="lapor-ticket")
api_urlpatterns = [
    *router.urls,
    path("lapor/impor/", ImportView.as_view(), name="lapor-import"),
    path("lapor/ekspor/", ExportView.as_view(), name="lapor-export"),
]
