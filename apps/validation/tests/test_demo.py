"""The validation demo seed: idempotent, deterministic, and its annotators sign in with the printed passwords."""

import pytest
from django.contrib.auth import authenticate
from django.test import RequestFactory

from apps.core import demo as core_demo
from apps.validation import demo
from apps.validation.models import Annotation, AnnotationItem, GoldLabel

pytestmark = pytest.mark.django_db


def test_seeding_twice_adds_nothing_and_leaves_disagreements_to_adjudicate(settings):
    settings.SCORING_ENGINE = "lexicon"
    core_demo.seed(accounts=20, messages=200)
    first = demo.seed()
    answers = list(
        Annotation.objects.order_by("item__position", "annotator__username").values_list("labels", flat=True)
    )
    second = demo.seed()
    assert first == second
    assert first["annotation batches"] == 1 and first["evaluation runs"] == 1 and first["gold labels"] > 0
    assert (
        list(Annotation.objects.order_by("item__position", "annotator__username").values_list("labels", flat=True))
        == answers
    )
    assert AnnotationItem.objects.filter(status="adjudication").exists()
    assert (
        GoldLabel.objects.filter(source="adjudicated").exists()
        and GoldLabel.objects.filter(source="unanimous").exists()
    )
    request = RequestFactory().post("/accounts/login/")
    for spec in demo.DEMO_ANNOTATORS:
        user = authenticate(request, username=spec.username, password=spec.password)
        assert user is not None and user.groups.filter(name="Annotator").exists()
