"""The model monitoring pages, under ``/monitoring/``."""

from django.urls import path

from apps.monitoring import views

app_name = "monitoring"

urlpatterns = [
    path("validity/", views.validity, name="validity"),
    path("drift/", views.drift, name="drift"),
    path("model-cards/", views.model_cards, name="model-cards"),
    path("model-cards/<int:pk>/", views.model_card, name="model-card"),
]
