from django.contrib import admin

from spbe.notify.models import OutboxMessage


@admin.register(OutboxMessage)
class OutboxAdmin(admin.ModelAdmin):
    list_display = ["created", "subject", "status", "attempts", "sent_at"]
    list_filter = ["status"]
    search_fields = ["subject", "key"]
    readonly_fields = [f.name for f in OutboxMessage._meta.fields]
