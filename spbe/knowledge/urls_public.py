from django.urls import path

from spbe.knowledge import views_public

app_name = "knowledge_public"
urlpatterns = [
    path("<slug:slug>/", views_public.article_list, name="list"),
    path("<slug:slug>/layanan/<int:service_pk>/", views_public.article_list, name="service"),
    path("<slug:slug>/artikel/<int:pk>/", views_public.article_page, name="article"),
    path("<slug:slug>/artikel/<int:pk>/umpan-balik/", views_public.feedback, name="feedback"),
    path("<slug:slug>/saran/<int:service_pk>/", views_public.suggest, name="suggest"),
]
