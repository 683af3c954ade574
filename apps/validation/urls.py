"""The validation pages, under ``/validation/``."""

from django.urls import path  # noqa: F401

app_name = "validation"

urlpatterns: list = []
