"""Monitoring (O-4): checks on services, applications and components, their
results (raw, then hourly and daily rollups), outages of services with the
complaint they opened, maintenance windows, alerts received from other
tools, utilisation of infrastructure and the monthly Formulir Pemantauan
dan Pemeliharaan."""

from __future__ import annotations

import secrets

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from spbe.monitoring.choices import AlertSourceKind, CheckKind, CheckStatus, DnsRecord, Granularity, ServiceState


def new_heartbeat_token() -> str:
    return secrets.token_urlsafe(18)


class Check(models.Model):
    """One thing to watch, attached to exactly one service, application or
    component. Down only after ``retries`` failures in a row (no flapping)."""

    pemda = models.ForeignKey("org.Pemda", on_delete=models.CASCADE, related_name="+", verbose_name=_("Pemda"))
    pd = models.ForeignKey("org.PerangkatDaerah", on_delete=models.CASCADE, related_name="checks",
                           verbose_name=_("PD pengelola"))  # fmt: skip
    name = models.CharField(_("nama"), max_length=150)
    kind = models.CharField(_("jenis"), max_length=10, choices=CheckKind.choices)
    service = models.ForeignKey("catalog.Service", on_delete=models.CASCADE, null=True, blank=True,
                                related_name="checks", verbose_name=_("layanan"))  # fmt: skip
    application = models.ForeignKey("cmdb.Application", on_delete=models.CASCADE, null=True, blank=True,
                                    related_name="checks", verbose_name=_("aplikasi"))  # fmt: skip
    component = models.ForeignKey("cmdb.Component", on_delete=models.CASCADE, null=True, blank=True,
                                  related_name="checks", verbose_name=_("komponen"))  # fmt: skip
    target = models.CharField(
        _("sasaran"), max_length=500, blank=True,
        help_text=_("HTTP: alamat lengkap (https://…). TCP/TLS: host:port. DNS: nama domain. Detak: kosongkan."),
    )  # fmt: skip
    # HTTP
    expected_status = models.CharField(_("kode status yang diterima"), max_length=40, default="200-399",
                                       help_text=_("Mis. 200-399 atau 200,204."))  # fmt: skip
    keyword = models.CharField(_("kata kunci yang harus ada"), max_length=200, blank=True)
    latency_threshold_ms = models.PositiveIntegerField(
        _("batas waktu tanggap (ms)"), null=True, blank=True, help_text=_("Lebih lambat dari ini dihitung gagal.")
    )
    follow_redirects = models.BooleanField(_("ikuti pengalihan"), default=True)
    # DNS
    dns_record = models.CharField(_("jenis catatan DNS"), max_length=5, choices=DnsRecord.choices, default="A")
    dns_expected = models.CharField(_("nilai yang diharapkan"), max_length=200, blank=True)
    # TLS
    tls_warn_days = models.PositiveSmallIntegerField(_("peringatan sertifikat (hari sebelum habis)"), default=14)
    # Heartbeat: a job pings /pantau/detak/<token>/ at least every interval
    heartbeat_token = models.CharField(max_length=40, unique=True, default=new_heartbeat_token, editable=False)
    last_ping_at = models.DateTimeField(_("detak terakhir"), null=True, blank=True, editable=False)

    interval_seconds = models.PositiveIntegerField(
        _("selang (detik)"), default=60, validators=[MinValueValidator(10), MaxValueValidator(86400)]
    )
    timeout_seconds = models.PositiveSmallIntegerField(
        _("batas waktu (detik)"), default=10, validators=[MinValueValidator(1), MaxValueValidator(60)]
    )
    retries = models.PositiveSmallIntegerField(
        _("gagal berturut-turut sebelum dinyatakan mati"), default=3,
        validators=[MinValueValidator(1), MaxValueValidator(10)],
    )  # fmt: skip
    enabled = models.BooleanField(_("aktif"), default=True)

    # state, written by the runner only
    status = models.CharField(_("status"), max_length=12, choices=CheckStatus.choices, default=CheckStatus.PENDING)
    consecutive_failures = models.PositiveSmallIntegerField(default=0, editable=False)
    next_run_at = models.DateTimeField(null=True, blank=True, editable=False)
    last_run_at = models.DateTimeField(_("terakhir diperiksa"), null=True, blank=True, editable=False)
    last_latency_ms = models.PositiveIntegerField(null=True, blank=True, editable=False)
    last_error = models.CharField(_("galat terakhir"), max_length=200, blank=True, editable=False)
    status_since = models.DateTimeField(null=True, blank=True, editable=False)
    created = models.DateTimeField(_("dibuat"), auto_now_add=True)
    last_updated = models.DateTimeField(_("terakhir diubah"), auto_now=True)

    class Meta:
        verbose_name = _("pemeriksaan")
        verbose_name_plural = _("pemeriksaan")
        ordering = ["name"]
        indexes = [
            # the scheduler: enabled checks by their next slot
            models.Index(fields=["next_run_at"], name="monitoring_due_idx", condition=Q(enabled=True)),
        ]
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(service__isnull=False, application__isnull=True, component__isnull=True)
                    | Q(service__isnull=True, application__isnull=False, component__isnull=True)
                    | Q(service__isnull=True, application__isnull=True, component__isnull=False)
                ),
                name="monitoring_check_one_subject",
                violation_error_message=_("Pilih tepat satu: layanan, aplikasi, atau komponen."),
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def subject(self):
        return self.service or self.application or self.component


class HeartbeatPing(models.Model):
    """One ping of a heartbeat check, kept as long as the check: the backup
    job's pings say how old the last good backup was when a disaster began
    (O-5, RPO achieved)."""

    check_ref = models.ForeignKey(Check, on_delete=models.CASCADE, related_name="pings", db_column="check_id")
    at = models.DateTimeField()

    class Meta:
        # the last ping of a check before an instant
        indexes = [models.Index(fields=["check_ref", "at"], name="monitoring_ping_idx")]

    def __str__(self) -> str:
        return f"{self.check_ref_id} {self.at:%Y-%m-%d %H:%M:%S}"


class CheckResult(models.Model):
    """One run of a check, kept ``MONITORING_RAW_RETENTION_DAYS`` days; the
    rollups keep the history."""

    check_ref = models.ForeignKey(Check, on_delete=models.CASCADE, related_name="results", db_column="check_id")
    at = models.DateTimeField()
    ok = models.BooleanField()
    latency_ms = models.PositiveIntegerField(null=True)
    error = models.CharField(max_length=200, blank=True)

    class Meta:
        indexes = [models.Index(fields=["check_ref", "at"], name="monitoring_result_idx")]

    def __str__(self) -> str:
        return f"{self.check_ref_id} {self.at:%Y-%m-%d %H:%M:%S} {'ok' if self.ok else self.error}"


class CheckRollup(models.Model):
    """Hourly and daily summaries of a check's results."""

    check_ref = models.ForeignKey(Check, on_delete=models.CASCADE, related_name="rollups", db_column="check_id")
    granularity = models.CharField(max_length=4, choices=Granularity.choices)
    start = models.DateTimeField()
    total = models.PositiveIntegerField()
    ok = models.PositiveIntegerField()
    latency_sum_ms = models.BigIntegerField(default=0)
    latency_max_ms = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["check_ref", "granularity", "start"], name="monitoring_rollup_once")
        ]

    def __str__(self) -> str:
        return f"{self.check_ref_id} {self.granularity} {self.start:%Y-%m-%d %H:%M}: {self.ok}/{self.total}"


class Outage(models.Model):
    """A service not (fully) available, from the moment monitoring confirmed
    it until it recovered, with the complaint it opened (O-4 → O-2)."""

    service = models.ForeignKey("catalog.Service", on_delete=models.CASCADE, related_name="outages",
                                verbose_name=_("layanan"))  # fmt: skip
    state = models.CharField(_("keadaan"), max_length=12, choices=ServiceState.choices)
    started_at = models.DateTimeField(_("mulai"))
    ended_at = models.DateTimeField(_("pulih"), null=True, blank=True)
    cause = models.TextField(_("penyebab terdeteksi"), blank=True)
    ticket = models.ForeignKey("desk.Ticket", on_delete=models.SET_NULL, null=True, blank=True,
                               related_name="outages", verbose_name=_("aduan"))  # fmt: skip

    class Meta:
        verbose_name = _("gangguan layanan")
        verbose_name_plural = _("gangguan layanan")
        ordering = ["-started_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["service"], condition=Q(ended_at__isnull=True), name="monitoring_one_open_outage"
            ),
        ]
        indexes = [models.Index(fields=["service", "started_at"], name="monitoring_outage_idx")]

    def __str__(self) -> str:
        return f"{self.service} {self.get_state_display()} {self.started_at:%Y-%m-%d %H:%M}"


class MaintenanceWindow(models.Model):
    """Planned work: announced on the status page, checks silenced, time
    excluded from availability."""

    pemda = models.ForeignKey("org.Pemda", on_delete=models.CASCADE, related_name="+", verbose_name=_("Pemda"))
    title = models.CharField(_("judul"), max_length=200)
    description = models.TextField(_("keterangan untuk publik"), blank=True)
    services = models.ManyToManyField("catalog.Service", related_name="maintenance_windows",
                                      verbose_name=_("layanan"))  # fmt: skip
    starts_at = models.DateTimeField(_("mulai"))
    ends_at = models.DateTimeField(_("selesai"))
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True,
                                   related_name="+", verbose_name=_("dibuat oleh"))  # fmt: skip
    created = models.DateTimeField(_("dibuat"), auto_now_add=True)

    class Meta:
        verbose_name = _("jadwal pemeliharaan")
        verbose_name_plural = _("jadwal pemeliharaan")
        ordering = ["-starts_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__gt=models.F("starts_at")),
                name="monitoring_maintenance_range",
                violation_error_message=_("Waktu selesai harus setelah waktu mulai."),
            )
        ]

    def __str__(self) -> str:
        return self.title


class AlertSource(models.Model):
    """An existing tool (Alertmanager, Zabbix, …) allowed to send alerts,
    authenticated by a token of which only the hash is kept."""

    pemda = models.ForeignKey("org.Pemda", on_delete=models.CASCADE, related_name="+", verbose_name=_("Pemda"))
    name = models.CharField(_("nama"), max_length=100)
    kind = models.CharField(_("jenis"), max_length=15, choices=AlertSourceKind.choices)
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    default_service = models.ForeignKey(
        "catalog.Service", on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
        verbose_name=_("layanan bawaan"), help_text=_("Dipakai bila peringatan tidak menyebut kode layanan."),
    )  # fmt: skip
    created = models.DateTimeField(_("dibuat"), auto_now_add=True)

    class Meta:
        verbose_name = _("sumber peringatan")
        verbose_name_plural = _("sumber peringatan")

    def __str__(self) -> str:
        return self.name


class Alert(models.Model):
    """One alert from a source; the same fingerprint and start twice is the
    same alert (idempotent)."""

    source = models.ForeignKey(AlertSource, on_delete=models.CASCADE, related_name="alerts")
    fingerprint = models.CharField(max_length=100)
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField(null=True, blank=True)
    firing = models.BooleanField(default=True)
    name = models.CharField(max_length=200)
    summary = models.TextField(blank=True)
    labels = models.JSONField(default=dict)
    service = models.ForeignKey("catalog.Service", on_delete=models.SET_NULL, null=True, blank=True,
                                related_name="alerts")  # fmt: skip
    ticket = models.ForeignKey("desk.Ticket", on_delete=models.SET_NULL, null=True, blank=True, related_name="alerts")
    received_count = models.PositiveIntegerField(default=1)
    last_received_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["source", "fingerprint", "starts_at"], name="monitoring_alert_once")
        ]
        # A source's page lists its latest alerts and the sources list shows each one's last:
        # without it, a source with a long history is sorted in full on every view.
        indexes = [models.Index(fields=["source", "-last_received_at"], name="monitoring_alert_recent_idx")]

    def __str__(self) -> str:
        return f"{self.name} ({'aktif' if self.firing else 'selesai'})"


class UtilisationTarget(models.Model):
    """A node_exporter endpoint of an infrastructure component and its
    thresholds (O-4: anomalies beyond normal thresholds)."""

    component = models.OneToOneField("cmdb.Component", on_delete=models.CASCADE, related_name="utilisation",
                                     verbose_name=_("komponen"))  # fmt: skip
    url = models.URLField(_("alamat node_exporter"), help_text=_("Mis. http://10.1.2.3:9100/metrics"))
    cpu_threshold = models.PositiveSmallIntegerField(_("batas CPU (%)"), default=85,
                                                     validators=[MaxValueValidator(100)])  # fmt: skip
    memory_threshold = models.PositiveSmallIntegerField(_("batas RAM (%)"), default=90,
                                                        validators=[MaxValueValidator(100)])  # fmt: skip
    disk_threshold = models.PositiveSmallIntegerField(_("batas penyimpanan (%)"), default=85,
                                                      validators=[MaxValueValidator(100)])  # fmt: skip
    enabled = models.BooleanField(_("aktif"), default=True)
    last_counters = models.JSONField(default=dict, editable=False)  # for CPU and network rates
    last_scraped_at = models.DateTimeField(null=True, blank=True, editable=False)
    last_error = models.CharField(max_length=200, blank=True, editable=False)

    class Meta:
        verbose_name = _("sasaran utilisasi")
        verbose_name_plural = _("sasaran utilisasi")

    def __str__(self) -> str:
        return str(self.component)


class UtilisationSample(models.Model):
    """One hour of a component's utilisation (averages and peaks)."""

    component = models.ForeignKey("cmdb.Component", on_delete=models.CASCADE, related_name="utilisation_samples")
    hour = models.DateTimeField()
    samples = models.PositiveIntegerField(default=0)
    cpu_avg = models.FloatField(null=True)
    cpu_max = models.FloatField(null=True)
    memory_avg = models.FloatField(null=True)
    memory_max = models.FloatField(null=True)
    disk_max = models.FloatField(null=True)
    net_rx_bps = models.FloatField(null=True)  # bytes per second, averaged over the hour
    net_tx_bps = models.FloatField(null=True)
    anomalies = models.JSONField(default=list)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["component", "hour"], name="monitoring_utilisation_once")]

    def __str__(self) -> str:
        return f"{self.component_id} {self.hour:%Y-%m-%d %H:00}"


class MonitoringReport(models.Model):
    """Formulir Pemantauan dan Pemeliharaan (O-4) of one service and month:
    items 1–4 are computed, items 5–6 written by staff."""

    service = models.ForeignKey("catalog.Service", on_delete=models.CASCADE, related_name="monitoring_reports",
                                verbose_name=_("layanan"))  # fmt: skip
    month = models.DateField(_("bulan"), help_text=_("Tanggal 1 bulan yang dilaporkan."))
    trend = models.TextField(_("tren dan penyebab tidak tercapainya target"), blank=True)
    improvements = models.TextField(_("peluang peningkatan"), blank=True)
    prepared_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True,
                                    related_name="+", verbose_name=_("disusun oleh"))  # fmt: skip
    last_updated = models.DateTimeField(_("terakhir diubah"), auto_now=True)

    class Meta:
        verbose_name = _("formulir pemantauan dan pemeliharaan")
        verbose_name_plural = _("formulir pemantauan dan pemeliharaan")
        constraints = [models.UniqueConstraint(fields=["service", "month"], name="monitoring_report_once")]

    def __str__(self) -> str:
        return f"{self.service} {self.month:%m/%Y}"
