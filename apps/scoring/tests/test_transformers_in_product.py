"""A user's local transformers model, configured in the admin, scores stored messages."""

import pytest

pytest.importorskip("torch")

from django.core.exceptions import ValidationError

from apps.scoring import services
from apps.scoring.engines.base import EngineUnavailable
from apps.scoring.models import EmotionScore, ScoringModel
from apps.scoring.tests.tiny_hf import build_tiny_model
from tests.factories import MessageFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def tiny_model(tmp_path_factory):
    return build_tiny_model(tmp_path_factory.mktemp("product") / "support-emotions")


def test_an_activated_transformers_model_scores_new_messages(tiny_model):
    model = ScoringModel.objects.create(
        name="Support BERT", engine="transformers", options={"model_path": str(tiny_model)}
    )
    services.scoring_model_activate(scoring_model=model)
    message = MessageFactory(text="I am furious")
    services.message_score(message_id=message.pk)
    score = EmotionScore.objects.get(message=message)
    assert score.engine == "transformers"
    assert score.model_version == model.version and model.version.startswith("support-emotions")
    assert score.dominant == "anger"


def test_a_model_path_that_does_not_exist_is_refused_before_anything_changes(tmp_path):
    current = ScoringModel.objects.create(name="Lexicon", engine="lexicon")
    services.scoring_model_activate(scoring_model=current)
    broken = ScoringModel.objects.create(
        name="Broken", engine="transformers", options={"model_path": str(tmp_path / "nowhere")}
    )
    with pytest.raises(EngineUnavailable, match="nowhere"):
        services.scoring_model_activate(scoring_model=broken)
    assert list(ScoringModel.objects.filter(is_active=True)) == [current]


def test_a_transformers_model_needs_a_path():
    with pytest.raises(ValidationError, match="model_path"):
        ScoringModel(name="No path", engine="transformers", options={}).full_clean()
