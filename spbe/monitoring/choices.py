"""Kinds of the monitoring app (O-4), with Indonesian labels."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class CheckKind(models.TextChoices):
    HTTP = "http", _("HTTP(S)")
    TCP = "tcp", _("Port TCP")
    TLS = "tls", _("Sertifikat TLS")
    DNS = "dns", _("Catatan DNS")
    HEARTBEAT = "heartbeat", _("Detak (heartbeat)")


class CheckStatus(models.TextChoices):
    PENDING = "pending", _("Belum diperiksa")
    UP = "up", _("Normal")
    FAILING = "failing", _("Gagal, belum dipastikan")  # fewer than `retries` failures in a row
    DOWN = "down", _("Mati")
    MAINTENANCE = "maintenance", _("Pemeliharaan")
    PAUSED = "paused", _("Dinonaktifkan")


class ServiceState(models.TextChoices):
    """What the status page shows for a service."""

    UP = "up", _("Beroperasi normal")
    DEGRADED = "degraded", _("Terganggu sebagian")
    DOWN = "down", _("Tidak tersedia")
    MAINTENANCE = "maintenance", _("Dalam pemeliharaan")
    UNKNOWN = "unknown", _("Belum dipantau")


class DnsRecord(models.TextChoices):
    A = "A", "A"
    AAAA = "AAAA", "AAAA"
    CNAME = "CNAME", "CNAME"
    MX = "MX", "MX"
    TXT = "TXT", "TXT"
    NS = "NS", "NS"


class AlertSourceKind(models.TextChoices):
    ALERTMANAGER = "alertmanager", _("Prometheus Alertmanager")
    ZABBIX = "zabbix", _("Zabbix / JSON umum")


class Granularity(models.TextChoices):
    HOUR = "hour", _("Jam")
    DAY = "day", _("Hari")
