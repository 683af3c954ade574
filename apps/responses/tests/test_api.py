"""The API: the library (versions and validation through the service), render, versions, and usages."""

from auditlog.models import LogEntry
from django.urls import reverse

from apps.core.testing import APITestCase, APIViewTestCases
from apps.governance.models import DataAccessLog
from apps.responses.models import ResponseTemplate, TemplateUsage
from apps.responses.services import template_usage_record
from apps.responses.tests.helpers import make_template
from tests.factories import ContactFactory

LIST = "v1:responsetemplate-list"


def detail(template, suffix: str = "detail") -> str:
    return reverse(f"v1:responsetemplate-{suffix}", kwargs={"pk": template.pk})


class TemplateAPITests(APITestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.contact = ContactFactory(account=cls.account, name="Priya Shah")
        cls.other_contact = ContactFactory(account=cls.other_account, name="Somebody Else")
        cls.grant(cls.owner, ResponseTemplate, "view")
        cls.grant(cls.member, ResponseTemplate, "view")
        cls.template = make_template(name="Apology")

    def payload(self, **overrides) -> dict:
        return {
            "name": "Thanks",
            "emotion": "gratitude",
            "journey_stage": "",
            "channel": "",
            "subject": "Thank you, {{ contact.first_name }}",
            "body": "Hi {{ contact.first_name }}, thanks! {{ agent.first_name }}",
            "guidance": "Accept – Return – Leave the door open.",
            **overrides,
        }

    def test_anonymous_is_refused(self):
        assert self.client_for(None).get(reverse(LIST)).status_code == 401

    def test_the_outsider_lists_nothing_and_gets_404_on_a_template(self):
        client = self.client_for(self.outsider)
        assert client.get(reverse(LIST)).json()["count"] == 0
        assert client.get(detail(self.template)).status_code == 404
        assert client.get(detail(self.template, "versions")).status_code == 404

    def test_a_viewer_lists_and_filters_templates(self):
        make_template(name="Cheers", emotion="delight")
        response = self.client_for(self.owner).get(reverse(LIST), {"emotion": "delight"})
        assert [row["name"] for row in response.json()["results"]] == ["Cheers"]

    def test_creating_needs_the_add_permission(self):
        response = self.client_for(self.owner).post(reverse(LIST), self.payload(), format="json")
        assert response.status_code == 403
        assert not ResponseTemplate.objects.filter(name="Thanks").exists()

    def test_creating_makes_version_one_and_is_audited_with_the_token_user(self):
        self.grant(self.owner, ResponseTemplate, "add")
        response = self.client_for(self.owner).post(reverse(LIST), self.payload(), format="json")
        assert response.status_code == 201, response.content
        assert response.json()["current_version"] == 1
        template = ResponseTemplate.objects.get(pk=response.json()["id"])
        assert template.versions.get().author == self.owner
        assert LogEntry.objects.get_for_object(template).get(action=LogEntry.Action.CREATE).actor == self.owner

    def test_a_bad_placeholder_is_a_400_naming_it_and_nothing_is_created(self):
        self.grant(self.owner, ResponseTemplate, "add")
        response = self.client_for(self.owner).post(
            reverse(LIST), self.payload(body="We can tell you feel {{ contact.emotion }}"), format="json"
        )
        assert response.status_code == 400
        assert "{{ contact.emotion }}" in response.json()["errors"]["body"][0]
        bad_emotion = self.client_for(self.owner).post(reverse(LIST), self.payload(emotion="rage"), format="json")
        assert bad_emotion.status_code == 400 and "rage" in bad_emotion.json()["errors"]["emotion"][0]
        assert not ResponseTemplate.objects.filter(name="Thanks").exists()

    def test_changing_needs_the_change_permission_and_makes_a_new_version(self):
        body = {"body": "Hello {{ contact.first_name }}"}
        assert self.client_for(self.outsider).patch(detail(self.template), body, format="json").status_code == 404
        assert self.client_for(self.member).patch(detail(self.template), body, format="json").status_code == 404
        self.grant(self.owner, ResponseTemplate, "change")
        response = self.client_for(self.owner).patch(detail(self.template), body, format="json")
        assert response.status_code == 200, response.content
        assert response.json()["current_version"] == 2
        entry = LogEntry.objects.get_for_object(self.template).filter(action=LogEntry.Action.UPDATE).latest("timestamp")
        assert entry.actor == self.owner
        versions = self.client_for(self.member).get(detail(self.template, "versions")).json()
        assert [v["number"] for v in versions] == [2, 1]
        assert versions[0]["body"] == "Hello {{ contact.first_name }}" and versions[0]["author"] == "owner"

    def test_render_fills_the_template_for_a_visible_account(self):
        response = self.client_for(self.member, purpose=None).post(
            detail(self.template, "render"), {"account": self.account.pk, "contact": self.contact.pk}, format="json"
        )
        assert response.status_code == 200, response.content
        data = response.json()
        assert data["subject"] == "Re: Owner's account"
        assert data["body"] == "Hi Priya, I am sorry. {{ agent.first_name }}"
        assert data["missing"] == ["agent.first_name"] and data["version"] == 1

    def test_render_refuses_an_account_or_contact_the_user_may_not_see(self):
        client = self.client_for(self.member)
        url = detail(self.template, "render")
        assert client.post(url, {"account": self.other_account.pk}, format="json").status_code == 404
        bad_contact = {"account": self.account.pk, "contact": self.other_contact.pk}
        assert client.post(url, bad_contact, format="json").status_code == 404
        assert client.post(url, {"account": "x"}, format="json").status_code == 400
        assert self.client_for(self.outsider).post(url, {"account": self.account.pk}, format="json").status_code == 404


class UsageAPITests(APIViewTestCases.GetObject, APIViewTestCases.ListObjects):
    model = TemplateUsage
    basename = "templateusage"

    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.contact = ContactFactory(account=cls.account, name="Priya Shah")
        cls.template = make_template(name="Apology")
        for user in (cls.owner, cls.member, cls.outsider):
            cls.grant(user, ResponseTemplate, "view")
            cls.grant(user, TemplateUsage, "add")

    def make_object(self):
        return template_usage_record(
            template=self.template,
            version=self.template.versions.get(),
            account=self.account,
            contact=self.contact,
            user=self.owner,
            subject="Re: Owner's account",
            body="Hi Priya, I am sorry. Owner",
        )

    def usage(self, **overrides) -> dict:
        return {
            "template": self.template.pk,
            "version": 1,
            "account": self.account.pk,
            "contact": self.contact.pk,
            "channel": "email",
            "subject": "Re: Owner's account",
            "body": "Hi Priya, I am so sorry about this.",
            **overrides,
        }

    def test_recording_a_use_keeps_a_digest_not_the_text_and_is_audited(self):
        response = self.client_for(self.member).post(self.list_url(), self.usage(), format="json")
        assert response.status_code == 201, response.content
        data = response.json()
        assert (data["version"], data["edited"], data["user"], data["channel"]) == (1, True, "member", "email")
        assert "body" not in data and len(data["text_sha256"]) == 64
        usage = TemplateUsage.objects.get(pk=data["id"])
        assert LogEntry.objects.get_for_object(usage).get(action=LogEntry.Action.CREATE).actor == self.member

    def test_the_outsider_cannot_record_a_use_on_someone_elses_account(self):
        response = self.client_for(self.outsider).post(self.list_url(), self.usage(), format="json")
        assert response.status_code == 404
        assert not TemplateUsage.objects.exists()

    def test_recording_needs_the_add_permission(self):
        self.outsider.user_permissions.clear()
        response = self.client_for(self.outsider).post(self.list_url(), self.usage(), format="json")
        assert response.status_code == 403

    def test_bad_input_is_refused_with_the_reason(self):
        client = self.client_for(self.member)
        left = client.post(self.list_url(), self.usage(body="Hi {{ contact.first_name }}"), format="json")
        assert left.status_code == 400 and "{{ contact.first_name }}" in left.json()["errors"]["body"][0]
        assert client.post(self.list_url(), self.usage(version=9), format="json").status_code == 404
        channel = client.post(self.list_url(), self.usage(channel="pigeon"), format="json")
        assert channel.status_code == 400 and "channel" in channel.json()["errors"]
        assert not TemplateUsage.objects.exists()

    def test_reading_uses_states_a_purpose_and_is_logged(self):
        usage = self.make_object()
        assert self.client_for(self.owner, purpose=None).get(self.list_url()).status_code == 403
        assert self.client_for(self.owner).get(self.detail_url(usage)).status_code == 200
        log = DataAccessLog.objects.filter(user=self.owner, outcome="allowed").latest("id")
        assert log.account_ids == [self.account.pk] and log.contact_ids == [self.contact.pk]

    def test_a_prohibited_use_withholds_uses_on_vulnerable_contacts(self):
        from apps.governance.models import ProhibitedUse, Purpose

        usage = self.make_object()
        type(self.contact).objects.filter(pk=self.contact.pk).update(is_vulnerable=True)
        ProhibitedUse.objects.create(
            purpose=Purpose.objects.get(key="support"),
            name="No profiling of the vulnerable",
            scope="vulnerable_contacts",
        )
        client = self.client_for(self.owner)
        assert client.get(self.list_url()).json()["count"] == 0
        assert client.get(self.detail_url(usage)).status_code == 403
