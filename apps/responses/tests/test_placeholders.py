"""Placeholders: a fixed whitelist, validated on save with messages that say what is wrong; plain substitution."""

import pytest
from django.core.exceptions import ValidationError

from apps.responses import placeholders
from apps.responses.models import ResponseTemplate
from apps.responses.tests.helpers import make_template
from tests.factories import AccountFactory, ContactFactory, UserFactory


def test_an_unknown_placeholder_is_named_and_the_allowed_ones_are_listed():
    [error] = placeholders.find_errors("Hi {{ contact.nickname }}")
    assert "{{ contact.nickname }}" in error
    assert "{{ contact.first_name }}" in error and "{{ account.renewal_date }}" in error


def test_an_unclosed_placeholder_is_unbalanced():
    [error] = placeholders.find_errors("Hi {{ contact.first_name, welcome")
    assert "Unbalanced braces" in error and "contact.first_name" in error


def test_a_stray_closing_pair_is_unbalanced():
    assert any("Unbalanced" in e for e in placeholders.find_errors("Hi contact.first_name }} there"))


def test_a_nested_opening_is_unbalanced():
    assert any("Unbalanced" in e for e in placeholders.find_errors("Hi {{ {{ contact.first_name }}"))


def test_template_tags_filters_and_attribute_tricks_are_refused():
    assert any("Template tags" in e for e in placeholders.find_errors("{% if contact %}x{% endif %}"))
    assert any(
        "Unknown placeholder {{ contact.name|upper }}" in e
        for e in placeholders.find_errors("{{ contact.name|upper }}")
    )
    assert any("Unknown placeholder" in e for e in placeholders.find_errors("{{ contact.__class__ }}"))
    assert any("empty placeholder" in e for e in placeholders.find_errors("Hi {{ }}"))


@pytest.mark.parametrize("name", ["emotion", "contact.emotion", "account.sentiment", "contact.mood", "score.anger"])
def test_emotion_placeholders_are_refused_with_the_reason(name):
    [error] = placeholders.find_errors("We noticed you are {{ " + name + " }}.")
    assert "never put into text sent to them" in error


def test_valid_text_has_no_errors():
    assert placeholders.find_errors("Hi {{contact.first_name}}, see you on {{ account.renewal_date }}.") == []


@pytest.mark.django_db
def test_saving_a_bad_template_fails_naming_the_field_and_saves_nothing():
    with pytest.raises(ValidationError) as caught:
        make_template(body="Hi {{ contact.nickname }}", subject="{{ account.name")
    errors = caught.value.message_dict
    assert "{{ contact.nickname }}" in errors["body"][0]
    assert "Unbalanced" in errors["subject"][0]
    assert not ResponseTemplate.objects.exists()


@pytest.mark.django_db
def test_the_emotion_must_be_in_the_live_taxonomy():
    from apps.scoring.models import BusinessEmotion

    with pytest.raises(ValidationError) as caught:
        make_template(emotion="rage")
    assert "“rage” is not in the taxonomy" in caught.value.message_dict["emotion"][0]
    assert make_template(name="base", emotion="anger").emotion == "anger"
    BusinessEmotion.objects.filter(key="gratitude").update(is_active=False)
    with pytest.raises(ValidationError):
        make_template(emotion="gratitude")


@pytest.mark.django_db
def test_rendering_fills_what_it_can_and_reports_the_rest():
    agent = UserFactory(username="agent-a", first_name="Dana")
    account = AccountFactory(name="Acme Ltd", renewal_date=None)
    context = placeholders.context_for(account=account, contact=None, agent=agent)
    rendered = placeholders.render(
        "Hi {{ contact.first_name }}, {{ agent.first_name }} from us; renewal {{ account.renewal_date }} for "
        "{{ account.name }}.",
        context,
    )
    assert rendered.text == (
        "Hi {{ contact.first_name }}, Dana from us; renewal {{ account.renewal_date }} for Acme Ltd."
    )
    assert rendered.missing == ("contact.first_name", "account.renewal_date")


@pytest.mark.django_db
def test_rendering_is_plain_substitution_and_never_expands_customer_data():
    account = AccountFactory(name="{{ agent.name }} {% debug %}")
    contact = ContactFactory(account=account, name="Ana María López")
    rendered = placeholders.render(
        "{{ contact.first_name }} at {{ account.name }}", placeholders.context_for(account=account, contact=contact)
    )
    assert rendered.text == "Ana at {{ agent.name }} {% debug %}"


def test_highlighting_escapes_html_and_marks_the_unfilled():
    html = placeholders.highlight("<b>Hi</b> {{ contact.first_name }} & co")
    assert html == '&lt;b&gt;Hi&lt;/b&gt; <mark class="responses-missing">{{ contact.first_name }}</mark> &amp; co'
