"""Versions: one per change of text, immutable, restorable as a new version; the admin goes through the service."""

import pytest
from auditlog.models import LogEntry
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.urls import reverse

from apps.core.audit import acting_as
from apps.responses import services
from apps.responses.models import ResponseTemplate, ResponseTemplateVersion
from apps.responses.tests.helpers import make_template
from tests.factories import AccountFactory, ContactFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def cx_lead():
    user = UserFactory(username="cx", is_staff=True, first_name="Cleo")
    user.groups.add(Group.objects.get(name="CX Analyst"))
    return user


def test_each_change_of_text_is_a_new_version_with_its_author(cx_lead):
    template = make_template(user=cx_lead, body="Hi {{ contact.first_name }}, v1")
    services.template_save(template=template, user=cx_lead, body="Hi {{ contact.first_name }}, v2")
    services.template_save(template=template, user=cx_lead, guidance="Be brief.")
    template.refresh_from_db()
    assert template.current_version == 3
    versions = list(template.versions.order_by("number").values_list("number", "body", "guidance", "author"))
    assert [v[0] for v in versions] == [1, 2, 3]
    assert versions[1][1].endswith("v2") and versions[2][2] == "Be brief."
    assert {v[3] for v in versions} == {cx_lead.pk}


def test_a_save_that_changes_no_text_makes_no_new_version(cx_lead):
    template = make_template(user=cx_lead)
    services.template_save(template=template, user=cx_lead, is_active=False, journey_stage="renewal")
    assert template.versions.count() == 1


def test_a_refused_save_changes_nothing(cx_lead):
    template = make_template(user=cx_lead, body="Hi {{ contact.first_name }}")
    with pytest.raises(ValidationError):
        services.template_save(template=template, user=cx_lead, body="Hi {{ contact.emotion }}")
    template.refresh_from_db()
    assert template.body == "Hi {{ contact.first_name }}" and template.versions.count() == 1


def test_restoring_an_old_version_makes_a_new_one_with_its_text(cx_lead):
    template = make_template(user=cx_lead, subject="One", body="First")
    services.template_save(template=template, user=cx_lead, subject="Two", body="Second")
    made = services.template_restore_version(version=template.versions.get(number=1), user=cx_lead)
    template.refresh_from_db()
    assert (made.number, made.restored_from, made.body) == (3, 1, "First")
    assert (template.current_version, template.subject, template.body) == (3, "One", "First")
    assert template.versions.count() == 3


def test_a_version_cannot_be_changed(cx_lead):
    version = make_template(user=cx_lead).versions.get()
    version.body = "rewritten history"
    with pytest.raises(ValidationError):
        version.save()
    assert ResponseTemplateVersion.objects.get(pk=version.pk).body != "rewritten history"


def test_template_writes_are_audited_with_the_actor(cx_lead):
    with acting_as(cx_lead):
        template = make_template(user=cx_lead)
        services.template_save(template=template, user=cx_lead, body="Changed {{ account.name }}")
    entries = LogEntry.objects.get_for_object(template)
    assert entries.filter(action=LogEntry.Action.CREATE, actor=cx_lead).exists()
    assert entries.filter(action=LogEntry.Action.UPDATE, actor=cx_lead).exists()
    version = template.versions.get(number=2)
    assert LogEntry.objects.get_for_object(version).filter(action=LogEntry.Action.CREATE, actor=cx_lead).exists()


def _form(**overrides):
    data = {
        "name": "Admin-made",
        "emotion": "confusion",
        "journey_stage": "",
        "channel": "",
        "is_active": "on",
        "subject": "",
        "body": "Hi {{ contact.first_name }}",
        "guidance": "",
        "versions-TOTAL_FORMS": "0",
        "versions-INITIAL_FORMS": "0",
        "versions-MIN_NUM_FORMS": "0",
        "versions-MAX_NUM_FORMS": "1000",
    }
    return {**data, **overrides}


def test_the_admin_shows_placeholder_errors_on_the_form_and_saves_nothing(client, cx_lead):
    client.force_login(cx_lead)
    response = client.post(reverse("admin:responses_responsetemplate_add"), _form(body="Hi {{ contact.nick }}"))
    assert response.status_code == 200
    assert "Unknown placeholder {{ contact.nick }}" in response.content.decode()
    assert not ResponseTemplate.objects.exists()


def test_the_admin_offers_only_taxonomy_emotions(client, cx_lead):
    client.force_login(cx_lead)
    page = client.get(reverse("admin:responses_responsetemplate_add")).content.decode()
    assert '<option value="frustration">Frustration</option>' in page
    assert '<option value="anger">Anger</option>' in page
    response = client.post(reverse("admin:responses_responsetemplate_add"), _form(emotion="rage"))
    assert response.status_code == 200 and not ResponseTemplate.objects.exists()


def test_saving_in_the_admin_makes_versions_and_restoring_makes_another(client, cx_lead):
    client.force_login(cx_lead)
    response = client.post(reverse("admin:responses_responsetemplate_add"), _form())
    assert response.status_code == 302, response.content.decode()[:2000]
    template = ResponseTemplate.objects.get()
    change = reverse("admin:responses_responsetemplate_change", args=[template.pk])
    edit = _form(body="Hello {{ contact.first_name }}", **{"versions-TOTAL_FORMS": "1", "versions-INITIAL_FORMS": "1"})
    edit["versions-0-id"] = str(template.versions.get().pk)
    edit["versions-0-template"] = str(template.pk)
    assert client.post(change, edit).status_code == 302
    template.refresh_from_db()
    assert template.current_version == 2
    page = client.get(change).content.decode()
    restore = reverse("admin:responses_responsetemplate_restore", args=[template.pk, 1])
    assert restore in page
    assert "The text of version 1 becomes the current text" in client.get(restore).content.decode()
    assert client.post(restore).status_code == 302
    template.refresh_from_db()
    assert (template.current_version, template.body) == (3, "Hi {{ contact.first_name }}")
    assert template.versions.get(number=3).author == cx_lead


def test_restoring_needs_the_change_permission(client):
    viewer = UserFactory(username="viewer", is_staff=True)
    viewer.groups.add(Group.objects.get(name="Account Manager"))
    template = make_template()
    services.template_save(template=template, user=None, body="Two")
    client.force_login(viewer)
    assert client.post(reverse("admin:responses_responsetemplate_restore", args=[template.pk, 1])).status_code == 403
    template.refresh_from_db()
    assert template.current_version == 2


def test_the_admin_preview_fills_the_template_for_an_account(client, cx_lead):
    account = AccountFactory(name="Initech")
    contact = ContactFactory(account=account, name="Bill Lumbergh")
    template = make_template()
    client.force_login(cx_lead)
    url = reverse("admin:responses_responsetemplate_preview", args=[template.pk])
    page = client.get(url, {"account": account.pk, "contact": contact.pk}).content.decode()
    assert "Re: Initech" in page and "Hi Bill, I am sorry. Cleo" in page
    assert "Not filled" not in page
    empty = client.get(url).content.decode()
    assert '<mark class="responses-missing">{{ contact.first_name }}</mark>' in empty
