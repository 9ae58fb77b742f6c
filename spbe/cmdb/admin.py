"""Django admin for the configuration database: a repair tool for the
Administrator Sistem. Day-to-day changes go through the pages, which check
access, refuse dependency loops and write the audit trail."""

from django.contrib import admin

from spbe.cmdb.models import Application, Component, ComponentDependency, ServiceApplication


class DependencyInline(admin.TabularInline):
    model = ComponentDependency
    fk_name = "component"
    extra = 0
    autocomplete_fields = ["depends_on"]


@admin.register(Component)
class ComponentAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "pd", "pemda", "location", "last_updated"]
    list_filter = ["pemda", "kind"]
    search_fields = ["name", "location"]
    list_select_related = ["pd", "pemda"]
    inlines = [DependencyInline]


class ServiceInline(admin.TabularInline):
    model = ServiceApplication
    extra = 0
    raw_id_fields = ["service"]


@admin.register(Application)
class ApplicationAdmin(admin.ModelAdmin):
    list_display = ["name", "pd", "hosting", "sdlc_phase", "version", "last_updated"]
    list_filter = ["hosting", "sdlc_phase", "pd__pemda"]
    search_fields = ["name", "technology", "developer"]
    list_select_related = ["pd"]
    autocomplete_fields = ["components"]
    inlines = [ServiceInline]
