"""The CRM workspace pages, under ``/crm/``."""

from django.urls import path

from apps.crm import views

app_name = "crm"

urlpatterns = [
    path("accounts/", views.account_list, name="accounts"),
    path("accounts/<int:pk>/", views.account_detail, name="account"),
    path("embed/accounts/<int:pk>/", views.embed, name="embed"),
]
