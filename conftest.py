"""Suite-wide test set-up."""

import pytest


@pytest.fixture(autouse=True)
def _fresh_cache():
    """Every test starts with empty caches: rate limits, replay detection, cached baselines and content types
    must never leak from one test into the next (they made results depend on test order)."""
    from django.contrib.contenttypes.models import ContentType
    from django.core.cache import cache
    from guardian.shortcuts import clear_ct_cache

    cache.clear()
    # A transactional test's flush and restore can give content types new ids: forget the cached ones.
    ContentType.objects.clear_cache()
    clear_ct_cache()
    yield
