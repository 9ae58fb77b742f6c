from django.contrib import admin

from spbe.clocks.models import Clock, ClockEvent


class EventInline(admin.TabularInline):
    model = ClockEvent
    extra = 0
    readonly_fields = ["kind", "at", "threshold"]


@admin.register(Clock)
class ClockAdmin(admin.ModelAdmin):
    list_display = ["id", "pemda", "kind", "state", "started_at", "due_at", "policy_version"]
    list_filter = ["kind", "state", "pemda"]
    inlines = [EventInline]
    readonly_fields = [f.name for f in Clock._meta.fields]
