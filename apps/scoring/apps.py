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
        # EmotionScore is derived data written in bulk: its provenance (engine, version, time) is on the
        # row itself, and reads of it are logged by purpose, so it is not diffed here.
