"""The response templates pages, under ``/responses/``."""

from django.urls import path

from apps.responses import views

app_name = "responses"

urlpatterns = [
    path("", views.template_list, name="list"),
    path("templates/<int:pk>/", views.template_detail, name="detail"),
    path("templates/<int:pk>/use/", views.template_use, name="use"),
]
