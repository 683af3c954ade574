from django.apps import AppConfig


class ScoringConfig(AppConfig):
    """The emotion taxonomy, the scoring engines, domain lexicon entries and the scores themselves."""

    name = "apps.scoring"
    label = "scoring"
    verbose_name = "Emotion scoring"

    def ready(self) -> None:
        from auditlog.registry import auditlog

        from apps.scoring import models, signals  # noqa: F401 — signals invalidate the taxonomy cache

        auditlog.register(models.BaseEmotion)
        auditlog.register(models.BusinessEmotion)
        auditlog.register(models.BusinessEmotionComponent)
        auditlog.register(models.LexiconEntry)
        auditlog.register(models.ScoringModel)
        auditlog.register(models.EmotionScore, exclude_fields=["explanation"])
