"""The demo seed is idempotent and deterministic, and leaves every role something to look at."""

import pytest
from django.contrib.auth import authenticate
from django.test import RequestFactory

from apps.core import demo
from apps.crm.models import Account
from apps.sources.models import Message

pytestmark = pytest.mark.django_db


def test_seeding_twice_adds_nothing_and_gives_the_same_data(settings):
    settings.SCORING_ENGINE = "lexicon"
    first = demo.seed(accounts=30, messages=300)
    texts = list(Message.objects.order_by("external_id").values_list("external_id", "text", "author_role"))
    second = demo.seed(accounts=30, messages=300)
    assert {k: v for k, v in first.items() if k != "newly scored messages"} == {
        k: v for k, v in second.items() if k != "newly scored messages"
    }
    assert second["newly scored messages"] == 0
    assert list(Message.objects.order_by("external_id").values_list("external_id", "text", "author_role")) == texts
    assert first["accounts"] == 30 and first["messages"] == 300


def test_demo_users_sign_in_with_the_printed_passwords_and_hold_their_roles(settings):
    settings.SCORING_ENGINE = "lexicon"
    demo.seed(accounts=12, messages=60)
    request = RequestFactory().post("/accounts/login/")
    for spec in demo.DEMO_USERS:
        user = authenticate(request, username=spec.username, password=spec.password)
        assert user is not None, spec.username
        assert user.groups.filter(name=spec.group).exists()
    alice = authenticate(request, username="am.alice", password="emotionhub-alice")
    mine = Account.objects.restrict(alice)
    assert mine.exists() and mine.count() < Account.objects.count()


def test_the_whole_demo_seeded_twice_adds_nothing_in_any_app(settings):
    from django.apps import apps

    settings.SCORING_ENGINE = "lexicon"
    demo.seed_everything(accounts=30, messages=300)
    models = [
        apps.get_model(label)
        for label in (
            "sources.Message",
            "scoring.EmotionScore",
            "crm.HandoffNote",
            "crm.AccountEmotionDay",
            "responses.ResponseTemplate",
            "responses.TemplateUsage",
            "coaching.CoachingReview",
            "validation.Annotation",
            "validation.GoldLabel",
            "validation.EvaluationRun",
            "monitoring.AccountOutcome",
            "monitoring.DriftReport",
            "monitoring.DriftAlert",
        )
    ]
    first = {m._meta.label: m.objects.count() for m in models}
    assert all(first[label] for label in ("crm.HandoffNote", "responses.ResponseTemplate", "coaching.CoachingReview"))
    demo.seed_everything(accounts=30, messages=300)
    assert {m._meta.label: m.objects.count() for m in models} == first
