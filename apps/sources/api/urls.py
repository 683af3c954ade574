from django.urls import path
from rest_framework.routers import SimpleRouter

from apps.sources import surveys
from apps.sources.api import ingest, views

router = SimpleRouter()
router.register("sources", views.SourceViewSet)
router.register("messages", views.MessageViewSet)
router.register("dead-letters", views.DeadLetterViewSet)
urlpatterns = router.urls
urlpatterns = [
    path("webhooks/<slug:slug>/", ingest.WebhookView.as_view(), name="webhook"),
    path("surveys/<str:key>/", surveys.survey_config, name="survey-config"),
    path("surveys/<str:key>/responses/", surveys.survey_respond, name="survey-respond"),
]
