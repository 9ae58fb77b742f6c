"""Machine endpoints of monitoring: alert intake (Alertmanager, Zabbix /
generic JSON) under /api/v1/pemantauan/."""

api_urlpatterns: list = []
