"""The demo library seeds once, covers the taxonomy, and every role holds what the brief gives it."""

import pytest
from django.contrib.auth.models import Group

from apps.core import demo as core_demo
from apps.responses import demo, placeholders
from apps.responses.models import ResponseTemplate, ResponseTemplateVersion, TemplateUsage
from apps.responses.selectors import template_suggest

pytestmark = pytest.mark.django_db


def test_seeding_twice_adds_nothing(settings):
    settings.SCORING_ENGINE = "lexicon"
    core_demo.seed(accounts=12, messages=40)
    first = demo.seed()
    second = demo.seed()
    assert first == second
    assert first["response templates"] == len(demo.LIBRARY) and 12 <= len(demo.LIBRARY) <= 17
    assert first["template usages"] == len(demo.USAGES)
    assert ResponseTemplateVersion.objects.count() == len(demo.LIBRARY)
    assert set(TemplateUsage.objects.values_list("edited", flat=True)) == {True, False}


def test_seeding_leaves_an_edited_template_alone():
    demo.seed()
    template = ResponseTemplate.objects.get(name=demo.LIBRARY[0].name)
    ResponseTemplate.objects.filter(pk=template.pk).update(body="Edited by the CX lead.")
    demo.seed()
    assert ResponseTemplate.objects.get(pk=template.pk).body == "Edited by the CX lead."


def test_the_library_is_valid_and_suggests_something_for_every_business_emotion():
    demo.seed()
    for template in ResponseTemplate.objects.all():
        assert placeholders.find_errors(template.subject + template.body) == [], template.name
    for key in ("frustration", "disappointment", "anxiety", "confusion", "trust", "delight", "gratitude"):
        assert template_suggest(emotion=key) is not None, key
    assert template_suggest(emotion="frustration", channel="social").channel == "social"
    assert template_suggest(emotion="trust", journey_stage="renewal").journey_stage == "renewal"


def perms(group: str) -> set[str]:
    return set(
        Group.objects.get(name=group)
        .permissions.filter(content_type__app_label="responses")
        .values_list("codename", flat=True)
    )


def test_roles_hold_the_least_they_need():
    assert perms("CX Analyst") == {
        "view_responsetemplate",
        "add_responsetemplate",
        "change_responsetemplate",
        "view_responsetemplateversion",
        "view_templateusage",
    }
    for role in ("Account Manager", "Support Agent", "Support Supervisor"):
        assert perms(role) == {"view_responsetemplate", "add_templateusage"}, role
    assert "delete_responsetemplate" in perms("Admin")
    assert perms("Privacy Officer") == set()
