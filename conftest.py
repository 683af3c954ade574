"""Suite-wide test set-up."""

import pytest


@pytest.fixture(autouse=True)
def _fresh_cache():
    """Every test starts with empty caches: rate limits, replay detection, cached taxonomy and baselines, content
    types must never leak from one test into the next (they made results depend on test order)."""
    from django.contrib.contenttypes.models import ContentType
    from django.core.cache import cache
    from guardian.shortcuts import clear_ct_cache

    cache.clear()
    _forget_process_caches()
    # A transactional test's flush and restore can give content types new ids: forget the cached ones.
    ContentType.objects.clear_cache()
    clear_ct_cache()
    yield


def _forget_process_caches() -> None:
    """Per-process snapshots (taxonomy and domain lexicon, platform baselines, alert rules) are refreshed
    by time or fingerprint in production; a test that rolled its rows back must not see another's."""
    from apps.alerts import evaluation
    from apps.scoring import taxonomy
    from apps.sources import services

    taxonomy.invalidate()
    services._baseline_cache["at"] = 0.0
    evaluation._cache.clear()
