"""The public status page per Pemda under /status/<pemda>/ (no log-in)."""

app_name = "status"

urlpatterns: list = []
