from django.urls import path

from spbe.org import views

app_name = "org"
urlpatterns = [
    path("pemda/", views.pemda_list, name="pemda_list"),
    path("pemda/baru/", views.pemda_create, name="pemda_create"),
    path("pemda/<int:pk>/ubah/", views.pemda_edit, name="pemda_edit"),
    path("pd/", views.pd_list, name="pd_list"),
    path("pd/baru/", views.pd_create, name="pd_create"),
    path("pd/<int:pk>/", views.pd_detail, name="pd_detail"),
    path("pd/<int:pk>/ubah/", views.pd_edit, name="pd_edit"),
    path("orang/", views.person_list, name="person_list"),
    path("orang/baru/", views.person_create, name="person_create"),
    path("orang/<int:pk>/", views.person_detail, name="person_detail"),
    path("orang/<int:pk>/ubah/", views.person_edit, name="person_edit"),
    path("orang/<int:pk>/dua-langkah/atur-ulang/", views.person_second_factor_reset, name="person_second_factor_reset"),
    path("orang/<int:pk>/peran/", views.role_assign, name="role_assign"),
    path("orang/<int:pk>/peran/<int:assignment_pk>/cabut/", views.role_revoke, name="role_revoke"),
]
