"""Cache invalidation: a change to the taxonomy or the domain lexicon is seen at once in this process
(other processes notice within ``TAXONOMY_TTL`` seconds through a fingerprint of the tables)."""

from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from apps.scoring import models
from apps.scoring.taxonomy import invalidate

_WATCHED = (models.BaseEmotion, models.BusinessEmotion, models.BusinessEmotionComponent, models.LexiconEntry)


@receiver(post_save)
@receiver(post_delete)
def _taxonomy_changed(sender, **kwargs) -> None:
    if sender in _WATCHED:
        invalidate()
