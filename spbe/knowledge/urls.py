from django.urls import path

from spbe.knowledge import views

app_name = "knowledge"
urlpatterns = [
    path("", views.article_list, name="list"),
    path("baru/", views.article_create, name="create"),
    path("kategori/", views.categories, name="categories"),
    path("dari-masalah/<int:problem_pk>/", views.from_problem, name="from_problem"),
    path("<int:pk>/", views.article_detail, name="detail"),
    path("<int:pk>/ubah/", views.article_edit, name="edit"),
    path("<int:pk>/ajukan/", views.article_submit, name="submit"),
    path("<int:pk>/terbitkan/", views.article_publish, name="publish"),
    path("<int:pk>/kembalikan/", views.article_return, name="return"),
    path("<int:pk>/arsipkan/", views.article_archive, name="archive"),
]
