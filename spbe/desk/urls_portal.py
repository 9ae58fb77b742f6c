from django.urls import path

from spbe.desk import portal

app_name = "portal"
urlpatterns = [
    path("verifikasi/<str:token>/", portal.verify, name="verify"),
    path("tiket-saya/", portal.my_tickets, name="mine"),
    path("tiket/<str:number>/", portal.ticket_page, name="ticket"),
    path("tiket/<str:number>/<slug:verb>/", portal.ticket_act, name="act"),
    path("<slug:slug>/", portal.home, name="home"),
    path("<slug:slug>/lapor/<int:pk>/", portal.report, name="report"),
]
