"""The validation pages, under ``/validation/``."""

from django.urls import path

from apps.validation import views

app_name = "validation"

urlpatterns = [
    path("", views.index, name="index"),
    path("batches/<int:pk>/", views.batch_report, name="batch"),
    path("batches/<int:pk>/close/", views.batch_close, name="batch-close"),
    path("annotate/", views.annotate, name="annotate"),
    path("annotate/undo/", views.annotate_undo, name="annotate-undo"),
    path("adjudicate/", views.adjudicate, name="adjudicate"),
    path("adjudicate/<int:pk>/", views.adjudicate_item, name="adjudicate-item"),
    path("feedback/", views.feedback, name="feedback"),
    path("feedback/message/<int:message_pk>/", views.feedback_message, name="feedback-message"),
    path("evaluations/", views.evaluations, name="evaluations"),
    path("evaluations/<int:pk>/", views.evaluation_detail, name="evaluation"),
    path("calibration/", views.calibration, name="calibration"),
    path("calibration/rollback/", views.rollback, name="rollback"),
]
