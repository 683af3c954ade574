"""The public privacy pages, under ``/privacy/``."""

from django.urls import path

from apps.consent import views

app_name = "consent"

urlpatterns = [
    path("", views.privacy, name="privacy"),
    path("opt-out/", views.opt_out, name="opt-out"),
    path("opt-out/confirm/<str:token>/", views.opt_out_confirm, name="opt-out-confirm"),
]
