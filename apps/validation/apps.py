from django.apps import AppConfig


class ValidationConfig(AppConfig):
    """Annotation queue, agreement, adjudication, frontline feedback, evaluation runs and calibration."""

    name = "apps.validation"
    label = "validation"
    verbose_name = "Validation"

    def ready(self) -> None:
        from auditlog.registry import auditlog

        from apps.validation import models

        auditlog.register(models.AnnotationBatch)
        auditlog.register(models.AnnotationItem)
        auditlog.register(models.Annotation, mask_fields=["skip_note"])
        auditlog.register(models.GoldLabel)
        auditlog.register(models.EmotionFeedback, mask_fields=["note"])
        auditlog.register(models.EvaluationRun, exclude_fields=["metrics"])
        auditlog.register(models.CalibrationRun)
        auditlog.register(models.ModelActivation)
