"""Scoring messages end to end through the service and the q2 task (synchronous in tests)."""

import pytest
from django.test import override_settings

from apps.scoring import services, tasks
from apps.scoring.engines.lexicon import LexiconEngine
from apps.scoring.models import EmotionScore, LexiconEntry
from apps.sources.models import Message
from tests.factories import MessageFactory

pytestmark = pytest.mark.django_db

LEXICON = override_settings(SCORING_ENGINE="lexicon", SCORING_ENGINE_OPTIONS={})


@LEXICON
def test_it_scores_a_customer_message_with_every_field():
    message = MessageFactory(text="I am furious, the export failed again and nobody answers!")
    counts = services.message_score(message_id=message.pk)
    assert counts["scored"] == 1
    score = EmotionScore.objects.get(message=message)
    assert score.dominant == "anger"
    assert set(score.scores) == {"anger", "disgust", "fear", "joy", "neutral", "sadness", "surprise"}
    assert score.valence < 0
    assert 0 < score.intensity <= 1 and 0 < score.confidence <= 1
    assert score.business_scores["frustration"] > score.business_scores["delight"]
    assert score.dominant_business == "frustration"
    assert any(d["term"] == "furious" for d in score.explanation["drivers"])
    assert score.engine == "lexicon" and score.model_version
    assert score.account_id == message.account_id
    message.refresh_from_db()
    assert message.status == "scored"


@LEXICON
def test_it_never_scores_an_agent_message_for_the_agents_feelings():
    message = MessageFactory(author_role="agent", text="I'm so angry and exhausted with this customer.")
    counts = services.message_score(message_id=message.pk)
    assert counts["not_customer"] == 1
    assert not EmotionScore.objects.filter(message=message).exists()
    message.refresh_from_db()
    assert message.status == "not_scored"


@LEXICON
def test_scoring_twice_with_the_same_version_stores_one_score():
    message = MessageFactory(text="Thank you, this works perfectly now.")
    services.message_score(message_id=message.pk)
    counts = services.message_score(message_id=message.pk)
    assert counts["already_scored"] == 1
    assert EmotionScore.objects.filter(message=message).count() == 1


class RetrainedLexicon(LexiconEngine):
    """The same engine under a new version, as a retrained model would be."""

    @property
    def version(self) -> str:
        return super().version + "-next"


def test_a_new_model_version_keeps_the_history_and_becomes_current():
    message = MessageFactory(text="Thank you, this works perfectly now.")
    lexicon, retrained = LexiconEngine(), RetrainedLexicon()
    services.message_score(message_id=message.pk, engine=lexicon)
    services.message_score(message_id=message.pk, engine=retrained)
    versions = dict(EmotionScore.objects.filter(message=message).values_list("model_version", "is_current"))
    assert versions == {lexicon.version: False, retrained.version: True}


@LEXICON
def test_text_in_an_unsupported_language_is_marked_not_guessed():
    message = MessageFactory(text="Estoy muy enfadado con el servicio, no funciona nada.", language="es")
    services.message_score(message_id=message.pk)
    score = EmotionScore.objects.get(message=message)
    assert score.status == "unsupported_language"
    assert score.scores == {} and score.dominant == ""
    message.refresh_from_db()
    assert message.status == "unsupported_language"


@LEXICON
@pytest.mark.parametrize(
    ("text", "status"),
    [
        ("", "unscorable"),
        ("\x01\x02\x03\x04\x05\x06\x07\x08" * 20, "unscorable"),
        ("😡😡😡", "scored"),
        ("<p>I <b>love</b> the new dashboard!</p><script>alert(1)</script>", "scored"),
        ("This is broken. " * 70_000, "truncated"),
    ],
)
def test_bad_input_gets_a_defined_result_and_never_a_crash(text, status):
    message = MessageFactory(text=text)
    services.message_score(message_id=message.pk)
    score = EmotionScore.objects.get(message=message)
    assert score.status == status
    if status != "unscorable":
        assert score.dominant
    else:
        assert score.explanation["reason"]


@LEXICON
def test_a_domain_entry_turns_sarcasm_into_anger_and_the_explanation_shows_it():
    text = "Great, another outage. Just great."
    before = services.pipeline.score_texts([text], engine=services.active_engine())[0]
    LexiconEntry.objects.create(term="great, another outage", kind="sarcasm", adjustments={"joy": -0.8, "anger": 0.7})
    after = services.pipeline.score_texts([text], engine=services.active_engine())[0]
    assert before.dominant != "anger"
    assert after.dominant == "anger"
    assert after.domain_terms == ["great, another outage"]
    assert any(d["source"] == "domain" for d in after.drivers)


@LEXICON
def test_a_platform_scoped_entry_only_fires_on_its_platform():
    LexiconEntry.objects.create(
        term="this update is sick", kind="slang", adjustments={"joy": 0.8, "disgust": -0.8}, platform="tiktok"
    )
    engine = services.active_engine()
    on, off = services.pipeline.score_texts(["this update is sick"] * 2, engine=engine, platforms=["tiktok", "x"])
    assert on.dominant == "joy" and on.domain_terms == ["this update is sick"]
    assert off.domain_terms == []


@LEXICON
def test_the_q2_task_scores_a_batch_and_is_safe_to_run_twice():
    messages = MessageFactory.create_batch(3, text="I'm worried our payroll will fail on Friday.")
    tasks.enqueue_scoring([m.pk for m in messages])
    tasks.enqueue_scoring([m.pk for m in messages])
    assert EmotionScore.objects.filter(message__in=messages).count() == 3
    assert set(Message.objects.filter(pk__in=[m.pk for m in messages]).values_list("status", flat=True)) == {"scored"}


@LEXICON
def test_tombstoned_messages_are_never_scored():
    message = MessageFactory(text="", status="tombstone")
    counts = services.message_score(message_id=message.pk)
    assert counts["skipped"] == 1
    assert not EmotionScore.objects.filter(message=message).exists()


@LEXICON
def test_an_opt_out_that_arrives_while_a_message_waits_in_the_queue_wins():
    from apps.consent.services import consent_opt_out
    from tests.factories import ContactFactory

    contact = ContactFactory()
    message = MessageFactory(account=contact.account, contact=contact, text="I'm furious about the invoice")
    consent_opt_out(contact=contact, origin="portal")
    counts = services.message_score(message_id=message.pk)
    assert counts["skipped"] == 1
    message.refresh_from_db()
    assert (message.status, message.text) == ("tombstone", "")
    assert not EmotionScore.objects.filter(message=message).exists()


@LEXICON
@pytest.mark.parametrize(
    ("text", "sensitive"),
    [
        ("My husband passed away last month and I can't log in to his account", True),
        ("I lost my job and can't afford the renewal this year", True),
        ("The dashboard export is slow today", False),
    ],
)
def test_messages_with_hardship_health_or_bereavement_cues_are_marked_sensitive(text, sensitive):
    message = MessageFactory(text=text)
    services.message_score(message_id=message.pk)
    message.refresh_from_db()
    assert message.is_sensitive is sensitive
    assert bool(message.sensitivity_reason) is sensitive


@LEXICON
def test_a_queued_message_under_legal_hold_is_not_scored_after_an_opt_out_but_kept_as_it_is():
    from apps.consent.services import consent_opt_out
    from apps.retention.models import LegalHold
    from tests.factories import ContactFactory

    contact = ContactFactory()
    message = MessageFactory(account=contact.account, contact=contact, text="I'm furious about the invoice")
    LegalHold.objects.create(reason="Dispute 2026-114", contact=contact)
    consent_opt_out(contact=contact, origin="portal")
    services.message_score(message_id=message.pk)
    message.refresh_from_db()
    assert message.text == "I'm furious about the invoice" and message.status == "received"
    assert not EmotionScore.objects.filter(message=message).exists()
