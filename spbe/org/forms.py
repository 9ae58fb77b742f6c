"""Forms for PDs, people and roles. Choices are limited to what the acting
user may manage (``access``), so a crafted POST cannot reach another Pemda."""

from __future__ import annotations

from django import forms
from django.contrib.auth import password_validation
from django.contrib.auth.forms import AuthenticationForm, PasswordChangeForm, PasswordResetForm, SetPasswordForm
from django.utils.translation import gettext_lazy as _

from spbe.front.forms import StyledFormMixin
from spbe.org import access
from spbe.org.choices import PDKind, Role
from spbe.org.models import Pemda, PerangkatDaerah, RoleAssignment, User, role_rule_errors


class _PemdaLimitedForm(StyledFormMixin, forms.ModelForm):
    """Limits the ``pemda`` field to the Pemda the actor manages and fixes it
    when there is only one."""

    def __init__(self, *args, actor: User, **kwargs):
        super().__init__(*args, **kwargs)
        self.actor = actor
        field = self.fields["pemda"]
        field.queryset = access.managed_pemdas(actor)
        if field.queryset.count() == 1 and not self.instance.pk:
            field.initial = field.queryset.first()


class PemdaForm(StyledFormMixin, forms.ModelForm):
    sso_issuer = Pemda._meta.get_field("sso_issuer").formfield(assume_scheme="https")

    class Meta:
        model = Pemda
        fields = [
            "name", "kind", "slug", "time_zone", "logo", "policy_version",
            "require_second_factor", "sso_issuer", "sso_client_id", "sso_match",
        ]  # fmt: skip
        help_texts = {"slug": _("Dipakai di alamat halaman publik, mis. kota-yogyakarta.")}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["slug"].disabled = True  # public links must not break
        self.fields["sso_match"].required = False

    def clean_sso_match(self) -> str:
        return self.cleaned_data.get("sso_match") or "email"

    def clean(self) -> dict:
        data = super().clean()
        if bool(data.get("sso_issuer")) != bool(data.get("sso_client_id")):
            self.add_error("sso_client_id", _("Isi penerbit dan client ID SSO bersama-sama, atau kosongkan keduanya."))
        return data


class PDForm(_PemdaLimitedForm):
    class Meta:
        model = PerangkatDaerah
        fields = ["pemda", "name", "abbreviation", "kind", "is_spbe_coordinator", "email", "phone", "is_active"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["pemda"].required = True
        if self.instance.pk:
            self.fields["pemda"].disabled = True  # a PD never moves to another Pemda

    def clean_abbreviation(self) -> str:
        return self.cleaned_data["abbreviation"].strip()


class PersonForm(_PemdaLimitedForm):
    """A person's profile. On creation it may also carry a first role and an
    initial password (otherwise a reset link is e-mailed)."""

    class Meta:
        model = User
        fields = ["full_name", "email", "phone", "nip", "pemda", "organisation", "is_active"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["pemda"].required = not access.scope_for(self.actor).is_system_admin
        self.fields["pemda"].empty_label = _("— tanpa Pemda (hanya Administrator Sistem) —")
        self.fields["nip"].widget.attrs.update(inputmode="numeric", maxlength="18", autocomplete="off")

    def clean_email(self) -> str:
        email = self.cleaned_data["email"].strip().lower()
        if User.objects.filter(email__iexact=email).exclude(pk=self.instance.pk).exists():
            raise forms.ValidationError(_("E-mail ini sudah dipakai orang lain."))
        return email

    def clean_nip(self) -> str | None:
        return (self.cleaned_data.get("nip") or "").strip() or None


class NewPersonForm(PersonForm):
    first_role = forms.ChoiceField(
        label=_("Peran awal"),
        required=False,
        choices=[("", _("— tanpa peran (Pengguna Layanan) —"))],
    )
    first_role_pd = forms.ModelChoiceField(
        label=_("di Perangkat Daerah"), queryset=PerangkatDaerah.objects.none(), required=False
    )
    password = forms.CharField(
        label=_("Kata sandi awal"),
        required=False,
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=_("Kosongkan untuk mengirim tautan pembuatan kata sandi ke e-mail orang tersebut."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["first_role"].choices += [(r.value, r.label) for r in Role if r != Role.ADMIN_SISTEM]
        self.fields["first_role_pd"].queryset = access.assignable_pds(self.actor)
        self.fields["first_role_pd"].empty_label = _("— pilih Perangkat Daerah —")

    def clean_password(self) -> str:
        password = self.cleaned_data.get("password") or ""
        if password:
            password_validation.validate_password(password, self.instance)
        return password

    def clean(self) -> dict:
        data = super().clean()
        role, pd = data.get("first_role"), data.get("first_role_pd")
        if role and not pd:
            self.add_error("first_role_pd", _("Pilih Perangkat Daerah untuk peran ini."))
        if role and pd and data.get("pemda") and pd.pemda_id != data["pemda"].pk:
            self.add_error("first_role_pd", _("PD harus berada di Pemda orang tersebut."))
        if role and pd:
            for message in role_rule_errors(role, pd, data.get("nip")).values():
                self.add_error("first_role", message)
        return data


class RoleAssignmentForm(StyledFormMixin, forms.Form):
    role = forms.ChoiceField(label=_("Peran"))
    pd = forms.ModelChoiceField(label=_("Perangkat Daerah"), queryset=PerangkatDaerah.objects.none(), required=False)
    note = forms.CharField(label=_("Keterangan"), max_length=200, required=False, help_text=_("Mis. nomor SK."))

    def __init__(self, *args, actor: User, person: User, **kwargs):
        super().__init__(*args, **kwargs)
        self.person = person
        roles = [r for r in Role if r != Role.ADMIN_SISTEM or access.can_assign_system_admin(actor)]
        self.fields["role"].choices = [("", _("— pilih peran —"))] + [(r.value, r.label) for r in roles]
        self.fields["pd"].queryset = access.assignable_pds(actor)
        self.fields["pd"].empty_label = (
            _("— tidak ada (hanya Administrator Sistem) —")
            if access.can_assign_system_admin(actor)
            else _("— pilih Perangkat Daerah —")
        )

    def clean(self) -> dict:
        data = super().clean()
        role = data.get("role")
        if not role:
            return data
        assignment = RoleAssignment(user=self.person, role=role, pd=data.get("pd"))
        try:
            assignment.full_clean(exclude=["assigned_by"])
        except forms.ValidationError as error:
            for name, messages in error.message_dict.items():
                target = name if name in self.fields else None
                for message in messages:
                    self.add_error(target, message)
        return data


class PDFilterForm(StyledFormMixin, forms.Form):
    q = forms.CharField(label=_("Cari"), required=False)
    pemda = forms.ModelChoiceField(label=_("Pemda"), queryset=Pemda.objects.none(), required=False)
    kind = forms.ChoiceField(label=_("Jenis"), required=False, choices=[("", _("Semua jenis")), *PDKind.choices])
    active = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=[("", _("Semua status")), ("1", _("Aktif")), ("0", _("Nonaktif"))],
    )

    def __init__(self, *args, actor: User, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["pemda"].queryset = access.visible_pemdas(actor)
        self.fields["pemda"].empty_label = _("Semua Pemda")


class PersonFilterForm(StyledFormMixin, forms.Form):
    q = forms.CharField(label=_("Cari"), required=False)
    pd = forms.ModelChoiceField(label=_("Perangkat Daerah"), queryset=PerangkatDaerah.objects.none(), required=False)
    role = forms.ChoiceField(label=_("Peran"), required=False, choices=[("", _("Semua peran")), *Role.choices])
    active = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=[("", _("Semua status")), ("1", _("Aktif")), ("0", _("Nonaktif"))],
    )

    def __init__(self, *args, actor: User, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["pd"].queryset = access.visible_pds(actor)
        self.fields["pd"].empty_label = _("Semua PD")


# --- Sign-in and password forms, styled -------------------------------------------


class LoginForm(StyledFormMixin, AuthenticationForm):
    error_messages = {
        "invalid_login": _(
            "E-mail atau kata sandi salah. Setelah beberapa kali gagal, akun dikunci sementara demi keamanan."
        ),
        "inactive": _("Akun ini dinonaktifkan. Hubungi Diskominfo."),
    }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["username"].label = _("E-mail")
        self.fields["password"].label = _("Kata sandi")


class ResetForm(StyledFormMixin, PasswordResetForm):
    pass


class NewPasswordForm(StyledFormMixin, SetPasswordForm):
    pass


class ChangePasswordForm(StyledFormMixin, PasswordChangeForm):
    pass


class SecondFactorForm(StyledFormMixin, forms.Form):
    """The six digits of the authenticator app, or a recovery code."""

    code = forms.CharField(
        label=_("Kode verifikasi"),
        max_length=20,
        help_text=_("Enam angka dari aplikasi autentikator, atau salah satu kode pemulihan."),
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "text", "autofocus": True}),
        error_messages={"required": _("Masukkan kode verifikasi.")},
    )
