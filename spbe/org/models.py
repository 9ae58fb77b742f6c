"""Tenancy and structure: Pemda, Perangkat Daerah, people and their roles (S-1)."""

from __future__ import annotations

from datetime import date
from zoneinfo import ZoneInfo

from django.contrib.auth.base_user import AbstractBaseUser, BaseUserManager
from django.contrib.auth.models import PermissionsMixin
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from spbe.org.choices import ROLES_REQUIRING_NIP, PDKind, PemdaKind, Role, TimeZone
from spbe.org.validators import normalise_phone, validate_image_upload, validate_nip, validate_phone


class Pemda(models.Model):
    """A regional government: the tenant. Nobody sees another Pemda's data
    unless they are an Administrator Sistem."""

    name = models.CharField(_("nama"), max_length=120, unique=True)
    kind = models.CharField(_("jenis"), max_length=20, choices=PemdaKind.choices)
    slug = models.SlugField(_("kode URL"), max_length=60, unique=True)
    time_zone = models.CharField(_("zona waktu"), max_length=40, choices=TimeZone.choices, default=TimeZone.WIB)
    logo = models.ImageField(_("logo"), upload_to="pemda-logo/", blank=True, validators=[validate_image_upload])
    policy_version = models.ForeignKey(
        "policy.PolicyVersion",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="pemdas",
        verbose_name=_("paket kebijakan aktif"),
        help_text=_("Versi pedoman yang berlaku, mis. Peraturan Bupati Tegal No. 10 Tahun 2024."),
    )
    require_second_factor = models.BooleanField(
        _("wajibkan verifikasi dua langkah untuk semua petugas"),
        default=False,
        help_text=_(
            "Administrator Sistem dan Koordinator SPBE selalu wajib. Centang agar setiap pemegang peran di Pemda ini "
            "juga wajib memakai aplikasi autentikator."
        ),
    )
    sso_issuer = models.URLField(
        _("penerbit SSO (OpenID Connect)"),
        blank=True,
        help_text=_("Alamat issuer, mis. https://sso.jogjakota.go.id/realms/pemda. Kosongkan bila tidak memakai SSO."),
    )
    sso_client_id = models.CharField(_("client ID SSO"), max_length=200, blank=True)
    sso_match = models.CharField(
        _("cocokkan akun SSO dengan"),
        max_length=10,
        choices=[("email", _("e-mail")), ("nip", _("NIP"))],
        default="email",
        help_text=_("Peran tetap diatur di aplikasi ini; SSO hanya membuktikan siapa yang masuk."),
    )
    # Bumped whenever a holiday change or a special period of this Pemda is
    # saved or deleted, so cached calendars know they are stale without a query.
    calendar_revision = models.PositiveIntegerField(default=0, editable=False)
    created = models.DateTimeField(_("dibuat"), auto_now_add=True)
    last_updated = models.DateTimeField(_("terakhir diubah"), auto_now=True)

    class Meta:
        verbose_name = _("Pemerintah Daerah")
        verbose_name_plural = _("Pemerintah Daerah")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def today(self) -> date:
        """The Pemda's own date now, whoever asks and wherever the server runs."""
        return timezone.now().astimezone(ZoneInfo(self.time_zone)).date()

    @property
    def has_sso(self) -> bool:
        return bool(self.sso_issuer and self.sso_client_id)

    @property
    def spbe_coordinator(self) -> PerangkatDaerah | None:
        return self.pds.filter(is_spbe_coordinator=True).first()


class PerangkatDaerah(models.Model):
    """A regional agency (PD). Exactly one per Pemda may be the SPBE
    coordinator (Diskominfo)."""

    pemda = models.ForeignKey(Pemda, on_delete=models.PROTECT, related_name="pds", verbose_name=_("Pemda"))
    name = models.CharField(_("nama"), max_length=200)
    abbreviation = models.CharField(_("singkatan"), max_length=30)
    kind = models.CharField(_("jenis"), max_length=20, choices=PDKind.choices, default=PDKind.DINAS)
    is_spbe_coordinator = models.BooleanField(
        _("koordinator SPBE (Diskominfo)"),
        default=False,
        help_text=_("PD yang mengoordinasikan SPBE; hanya satu per Pemda."),
    )
    email = models.EmailField(_("e-mail"), blank=True)
    phone = models.CharField(_("telepon"), max_length=30, blank=True, validators=[validate_phone])
    is_active = models.BooleanField(_("aktif"), default=True)
    created = models.DateTimeField(_("dibuat"), auto_now_add=True)
    last_updated = models.DateTimeField(_("terakhir diubah"), auto_now=True)

    class Meta:
        verbose_name = _("Perangkat Daerah")
        verbose_name_plural = _("Perangkat Daerah")
        ordering = ["pemda__name", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["pemda", "abbreviation"],
                name="org_pd_unique_abbreviation",
                violation_error_message=_("Singkatan ini sudah dipakai PD lain di Pemda yang sama."),
            ),
            models.UniqueConstraint(
                fields=["pemda", "name"],
                name="org_pd_unique_name",
                violation_error_message=_("Nama ini sudah dipakai PD lain di Pemda yang sama."),
            ),
            models.UniqueConstraint(
                fields=["pemda"],
                condition=Q(is_spbe_coordinator=True),
                name="org_pd_one_coordinator",
                violation_error_message=_("Pemda ini sudah memiliki PD koordinator SPBE."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.abbreviation})"


class UserManager(BaseUserManager):
    use_in_migrations = True

    def _create(self, email: str, password: str | None, **fields) -> User:
        if not email:
            raise ValueError("email is required")
        user = self.model(email=self.normalize_email(email).lower(), **fields)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email: str, password: str | None = None, **fields) -> User:
        fields.setdefault("is_staff", False)
        fields.setdefault("is_superuser", False)
        return self._create(email, password, **fields)

    def create_superuser(self, email: str, password: str | None = None, **fields) -> User:
        fields.update(is_staff=True, is_superuser=True)
        return self._create(email, password, **fields)


class User(AbstractBaseUser, PermissionsMixin):
    """A person: civil servant (with NIP), contract or vendor staff, or a
    citizen using the portal. Signs in with e-mail."""

    email = models.EmailField(
        _("e-mail"), unique=True, error_messages={"unique": _("E-mail ini sudah dipakai orang lain.")}
    )
    full_name = models.CharField(_("nama lengkap"), max_length=150)
    phone = models.CharField(_("telepon"), max_length=30, blank=True, validators=[validate_phone])
    nip = models.CharField(
        _("NIP"),
        max_length=18,
        unique=True,
        null=True,
        blank=True,
        validators=[validate_nip],
        help_text=_("18 digit, hanya untuk ASN."),
        error_messages={"unique": _("NIP ini sudah terdaftar untuk orang lain.")},
    )
    pemda = models.ForeignKey(
        Pemda,
        on_delete=models.PROTECT,
        related_name="people",
        null=True,
        blank=True,
        verbose_name=_("Pemda asal"),
    )
    organisation = models.CharField(
        _("instansi / perusahaan"),
        max_length=150,
        blank=True,
        help_text=_("Untuk pihak ketiga (vendor), nama perusahaannya."),
    )
    is_active = models.BooleanField(_("aktif"), default=True)
    is_staff = models.BooleanField(_("akses admin Django"), default=False)
    date_joined = models.DateTimeField(_("terdaftar"), default=timezone.now)
    last_updated = models.DateTimeField(_("terakhir diubah"), auto_now=True)

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS = ["full_name"]

    class Meta:
        verbose_name = _("pengguna")
        verbose_name_plural = _("pengguna")
        ordering = ["full_name"]

    def __str__(self) -> str:
        return self.full_name or self.email

    def clean(self) -> None:
        super().clean()
        self.email = (self.email or "").strip().lower()
        self.phone = normalise_phone(self.phone)
        self.nip = (self.nip or "").strip() or None

    def get_full_name(self) -> str:
        return self.full_name

    def get_short_name(self) -> str:
        """The first name, past academic and religious titles written before
        it ("Dra. Sri Wahyuni" → "Sri"; "H. Ahmad" → "Ahmad")."""
        names = [word for word in self.full_name.split() if not word.endswith(".")]
        return names[0] if names else (self.full_name or self.email)


class RoleAssignment(models.Model):
    """A role held by a person in one PD (S-1). Administrator Sistem is the
    only role without a PD: it spans the whole installation."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="role_assignments", verbose_name=_("orang"))
    role = models.CharField(_("peran"), max_length=30, choices=Role.choices)
    pd = models.ForeignKey(
        PerangkatDaerah,
        on_delete=models.PROTECT,
        related_name="role_assignments",
        null=True,
        blank=True,
        verbose_name=_("Perangkat Daerah"),
    )
    note = models.CharField(_("keterangan"), max_length=200, blank=True, help_text=_("Mis. nomor SK penunjukan."))
    assigned_by = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("ditetapkan oleh")
    )
    created = models.DateTimeField(_("dibuat"), auto_now_add=True)

    class Meta:
        verbose_name = _("penugasan peran")
        verbose_name_plural = _("penugasan peran")
        ordering = ["role", "pd__name"]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "role", "pd"],
                name="org_role_unique_per_pd",
                condition=Q(pd__isnull=False),
                violation_error_message=_("Orang ini sudah memegang peran tersebut di PD itu."),
            ),
            models.UniqueConstraint(
                fields=["user", "role"],
                name="org_role_unique_global",
                condition=Q(pd__isnull=True),
                violation_error_message=_("Orang ini sudah memegang peran tersebut."),
            ),
            models.CheckConstraint(
                condition=Q(role=Role.ADMIN_SISTEM, pd__isnull=True)
                | (~Q(role=Role.ADMIN_SISTEM) & Q(pd__isnull=False)),
                name="org_role_pd_required",
                violation_error_message=_("Hanya Administrator Sistem yang tanpa Perangkat Daerah."),
            ),
        ]
        indexes = [
            # access.scope_for(): all assignments of one user, every request.
            models.Index(fields=["user", "role"], name="org_role_user_idx"),
        ]

    def __str__(self) -> str:
        where = f" — {self.pd.abbreviation}" if self.pd_id else ""
        return f"{self.get_role_display()}{where}"

    def clean(self) -> None:
        super().clean()
        nip = self.user.nip if self.user_id else None
        errors = role_rule_errors(self.role, self.pd if self.pd_id else None, nip)
        if errors:
            raise ValidationError(errors)


def role_rule_errors(role: str, pd: PerangkatDaerah | None, nip: str | None) -> dict[str, str]:
    """Which rules of S-1 a role given in a PD to a person with this NIP
    breaks, by form field. Shared by the model and the new-person form."""
    if role == Role.ADMIN_SISTEM:
        return {"pd": _("Administrator Sistem berlaku untuk seluruh instalasi, tanpa PD.")} if pd else {}
    if pd is None:
        return {"pd": _("Pilih Perangkat Daerah untuk peran ini.")}
    if role == Role.KOORDINATOR_SPBE and not pd.is_spbe_coordinator:
        return {"pd": _("Koordinator SPBE hanya dapat ditetapkan di PD koordinator SPBE (Diskominfo).")}
    if role in ROLES_REQUIRING_NIP and not nip:
        return {"role": _("Peran pejabat struktural ini hanya untuk ASN: lengkapi NIP orang tersebut terlebih dahulu.")}
    return {}
