from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.contrib.auth.forms import AdminUserCreationForm

from spbe.org.models import Pemda, PerangkatDaerah, RoleAssignment, User


@admin.register(Pemda)
class PemdaAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "time_zone", "policy_version"]
    prepopulated_fields = {"slug": ["name"]}


@admin.register(PerangkatDaerah)
class PDAdmin(admin.ModelAdmin):
    list_display = ["name", "abbreviation", "pemda", "kind", "is_spbe_coordinator", "is_active"]
    list_filter = ["pemda", "kind", "is_active"]
    search_fields = ["name", "abbreviation"]


class RoleInline(admin.TabularInline):
    model = RoleAssignment
    fk_name = "user"
    extra = 0
    autocomplete_fields = ["pd"]
    exclude = ["assigned_by"]


class UserCreationForm(AdminUserCreationForm):
    class Meta(AdminUserCreationForm.Meta):
        model = User
        fields = ("email", "full_name")


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    add_form = UserCreationForm
    ordering = ["full_name"]
    list_display = ["full_name", "email", "nip", "pemda", "is_active"]
    list_filter = ["pemda", "is_active", "is_staff"]
    search_fields = ["full_name", "email", "nip"]
    inlines = [RoleInline]
    fieldsets = [
        (None, {"fields": ["email", "password"]}),
        ("Profil", {"fields": ["full_name", "phone", "nip", "pemda", "organisation"]}),
        ("Akses", {"fields": ["is_active", "is_staff", "is_superuser"]}),
    ]
    add_fieldsets = [(None, {"classes": ["wide"], "fields": ["email", "full_name", "password1", "password2"]})]
