"""Which template is suggested: the most specific active one, then the base emotion family, as the taxonomy says."""

import json

import pytest

from apps.responses.models import ResponseTemplate
from apps.responses.selectors import base_family, template_suggest
from apps.responses.tests.helpers import make_template
from apps.scoring.models import BaseEmotion, BusinessEmotionComponent
from tests.factories import AccountFactory, ContactFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def library():
    return {
        "any": make_template(name="any"),
        "stage": make_template(name="stage", journey_stage="renewal"),
        "channel": make_template(name="channel", channel="social"),
        "both": make_template(name="both", journey_stage="renewal", channel="social"),
    }


@pytest.mark.parametrize(
    ("stage", "channel", "expected"),
    [
        ("renewal", "social", "both"),
        ("renewal", "email", "stage"),
        ("support", "social", "channel"),
        ("support", "email", "any"),
        ("", "", "any"),
    ],
)
def test_the_most_specific_template_wins(library, stage, channel, expected):
    suggestion = template_suggest(emotion="frustration", journey_stage=stage, channel=channel)
    assert suggestion.name == expected


def test_an_inactive_template_is_never_suggested(library):
    ResponseTemplate.objects.filter(name="both").update(is_active=False)
    assert template_suggest(emotion="frustration", journey_stage="renewal", channel="social").name == "stage"


def test_a_business_emotion_without_a_template_falls_back_to_its_base_family():
    make_template(name="Calm apology", emotion="anger")
    suggestion = template_suggest(emotion="frustration", journey_stage="support")
    assert (suggestion.name, suggestion.emotion, suggestion.requested_emotion) == (
        "Calm apology",
        "anger",
        "frustration",
    )
    assert template_suggest(emotion="anxiety") is None  # fear has no template either


def test_the_fallback_follows_the_taxonomy_when_a_cx_lead_redefines_an_emotion():
    make_template(name="Reassure", emotion="fear")
    make_template(name="Explain", emotion="surprise")
    assert base_family("confusion") == "surprise"
    assert template_suggest(emotion="confusion").name == "Explain"
    BusinessEmotionComponent.objects.create(
        business_emotion_id=BusinessEmotionComponent.objects.filter(business_emotion__key="confusion")
        .values_list("business_emotion_id", flat=True)
        .first(),
        base_emotion=BaseEmotion.objects.get(key="fear"),
        weight=0.9,
    )
    assert template_suggest(emotion="confusion").name == "Reassure"


def test_a_base_emotion_has_no_further_fallback_and_blank_emotion_suggests_nothing(library):
    assert template_suggest(emotion="joy") is None
    assert template_suggest(emotion="") is None


def test_the_suggestion_is_filled_and_json_ready():
    account = AccountFactory(name="Globex")
    contact = ContactFactory(account=account, name="Priya Shah")
    make_template(body="Hi {{ contact.first_name }}, {{ agent.first_name }} at {{ account.renewal_date }}")
    suggestion = template_suggest(emotion="frustration", account=account, contact=contact, user=None)
    assert suggestion.subject == "Re: Globex"
    assert suggestion.body == "Hi Priya, {{ agent.first_name }} at {{ account.renewal_date }}"
    assert suggestion.missing == ("agent.first_name", "account.renewal_date")
    data = json.loads(json.dumps(suggestion.as_dict()))
    assert data["missing"] == ["agent.first_name", "account.renewal_date"]
    assert data["version"] == 1 and data["guidance"].startswith("Acknowledge")


def test_a_user_without_permission_to_see_templates_gets_no_suggestion(library):
    outsider = UserFactory(username="nobody")
    assert template_suggest(emotion="frustration", user=outsider) is None
    from django.contrib.auth.models import Group

    outsider.groups.add(Group.objects.get(name="Account Manager"))
    outsider = type(outsider).objects.get(pk=outsider.pk)  # forget the cached permissions
    assert template_suggest(emotion="frustration", user=outsider).name == "any"
