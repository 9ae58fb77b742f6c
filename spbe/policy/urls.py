from django.urls import path

from spbe.policy import views

app_name = "policy"
urlpatterns = [
    path("", views.mine, name="mine"),
    path("kalender/", views.my_calendar, name="my_calendar"),
    path("<int:pemda_pk>/", views.pack, name="pack"),
    path("<int:pemda_pk>/ubah/", views.amend, name="amend"),
    path("<int:pemda_pk>/konfirmasi/", views.confirm, name="confirm"),
    path("<int:pemda_pk>/versi/<int:version_pk>/", views.version, name="version"),
    path("<int:pemda_pk>/kalender/<int:year>/", views.calendar_year, name="calendar"),
    path("<int:pemda_pk>/kalender/libur/", views.holiday_add, name="holiday_add"),
    path("<int:pemda_pk>/kalender/libur/<int:change_pk>/hapus/", views.holiday_delete, name="holiday_delete"),
    path("<int:pemda_pk>/kalender/periode/", views.period_add, name="period_add"),
    path("<int:pemda_pk>/kalender/periode/<int:period_pk>/hapus/", views.period_delete, name="period_delete"),
]
