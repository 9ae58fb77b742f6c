"""Staff pages for alert sources and utilisation targets under
/pemantauan/sumber/."""

app_name = "monitoring_intake"

urlpatterns: list = []
