from django.apps import AppConfig


class ValidationConfig(AppConfig):
    """Annotation queue, agreement, adjudication, frontline feedback, evaluation runs and calibration."""

    name = "apps.validation"
    label = "validation"
    verbose_name = "Validation"
