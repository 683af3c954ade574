"""The alerts pages, under ``/alerts/``."""

from django.urls import path

from apps.alerts import views

app_name = "alerts"

urlpatterns = [
    path("", views.inbox, name="inbox"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/<slug:verb>/", views.act, name="act"),
]
