"""The pages: the library with a preview, one template with the suggestion box, and "Use this reply"."""

from django.template.loader import render_to_string
from django.test import RequestFactory
from django.urls import reverse

from apps.core.testing import ActorsTestCase
from apps.responses.models import ResponseTemplate, TemplateUsage
from apps.responses.selectors import template_suggest
from apps.responses.services import text_digest
from apps.responses.tests.helpers import make_template
from tests.factories import AccountFactory, ContactFactory


class PagesTestCase(ActorsTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.owner.first_name = "Olga"
        cls.owner.save()
        for user in (cls.owner, cls.member, cls.outsider):
            cls.grant(user, ResponseTemplate, "view")
            cls.grant(user, TemplateUsage, "add")
        cls.contact = ContactFactory(account=cls.account, name="Priya Shah")
        cls.other_contact = ContactFactory(account=cls.other_account, name="Somebody Else")
        cls.template = make_template(name="Apology", subject="Re: {{ account.name }}")
        cls.delight = make_template(name="Cheers", emotion="delight", body="Great news, {{ contact.first_name }}!")

    def use_url(self, template=None):
        return reverse("responses:use", args=[(template or self.template).pk])

    def post_use(self, user, **overrides):
        self.client.force_login(user)
        data = {
            "version": 1,
            "account": self.account.pk,
            "contact": self.contact.pk,
            "channel": "ticketing",
            "subject": "Re: Owner's account",
            "body": "Hi Priya, I am sorry. Olga",
            "next": reverse("responses:list"),
        }
        return self.client.post(self.use_url(), {**data, **overrides})


class LibraryPageTests(PagesTestCase):
    def test_the_library_lists_active_templates_filtered_by_emotion(self):
        self.client.force_login(self.owner)
        page = self.client.get(reverse("responses:list"), {"emotion": "delight"}).content.decode()
        assert "Cheers" in page and "Apology" not in page

    def test_the_preview_is_filled_for_an_account_the_user_may_see(self):
        self.client.force_login(self.owner)
        page = self.client.get(reverse("responses:list"), {"account": self.account.pk, "contact": self.contact.pk})
        assert "Great news, Priya!" in page.content.decode()

    def test_the_outsider_cannot_preview_someone_elses_account(self):
        self.client.force_login(self.outsider)
        assert self.client.get(reverse("responses:list"), {"account": self.account.pk}).status_code == 404
        assert self.client.get(reverse("responses:list"), {"account": "x"}).status_code == 404

    def test_a_contact_of_another_account_is_refused(self):
        self.client.force_login(self.owner)
        query = {"account": self.account.pk, "contact": self.other_contact.pk}
        assert self.client.get(reverse("responses:detail", args=[self.template.pk]), query).status_code == 404

    def test_a_user_without_the_permission_sees_no_templates(self):
        self.outsider.user_permissions.clear()
        self.client.force_login(self.outsider)
        assert "Apology" not in self.client.get(reverse("responses:list")).content.decode()
        assert self.client.get(reverse("responses:detail", args=[self.template.pk])).status_code == 404

    def test_the_detail_page_shows_the_suggestion_box_filled_and_ready_to_use(self):
        self.client.force_login(self.owner)
        page = self.client.get(
            reverse("responses:detail", args=[self.template.pk]), {"account": self.account.pk}
        ).content.decode()
        assert "Suggested reply" in page and "v1" in page
        assert "Acknowledge – Apologise – Act – Follow up." in page
        assert 'value="Re: Owner&#x27;s account"' in page
        assert "Hi {{ contact.first_name }}, I am sorry. Olga</textarea>" in page
        assert '<mark class="responses-missing">{{ contact.first_name }}</mark>' in page
        assert self.use_url() in page and "csrfmiddlewaretoken" in page
        assert "js/responses-suggestion.js" in page


class PartialTests(PagesTestCase):
    def test_the_partial_renders_inside_another_page_with_data_escaped(self):
        account = AccountFactory(name="<script>alert(1)</script> Corp", account_manager=self.owner)
        suggestion = template_suggest(emotion="frustration", account=account, user=self.owner)
        request = RequestFactory().get("/crm/accounts/1/")
        request.user = self.owner
        html = render_to_string("responses/_suggestion.html", {"suggestion": suggestion, "account": account}, request)
        assert "<script>alert(1)</script>" not in html
        assert "&lt;script&gt;alert(1)&lt;/script&gt; Corp" in html
        assert 'name="next" value="/crm/accounts/1/"' in html
        assert f'name="account" value="{account.pk}"' in html

    def test_use_this_reply_is_offered_only_to_those_who_may_record_it(self):
        suggestion = template_suggest(emotion="frustration", account=self.account, user=self.owner)
        request = RequestFactory().get("/crm/accounts/1/")
        request.user = self.owner
        context = {"suggestion": suggestion, "account": self.account}
        assert "Use this reply" in render_to_string("responses/_suggestion.html", context, request)
        self.owner.user_permissions.remove(*self.owner.user_permissions.filter(codename="add_templateusage"))
        request.user = type(self.owner).objects.get(pk=self.owner.pk)
        html = render_to_string("responses/_suggestion.html", context, request)
        assert "Use this reply" not in html and "Copy" in html

    def test_the_partial_says_so_when_nothing_fits(self):
        html = render_to_string("responses/_suggestion.html", {"suggestion": None, "account": self.account})
        assert "No response template fits" in html


class UseTests(PagesTestCase):
    def test_using_a_reply_records_the_version_shown_and_whether_it_was_edited(self):
        response = self.post_use(self.owner)
        assert response.status_code == 302 and response["Location"] == reverse("responses:list")
        usage = TemplateUsage.objects.get()
        assert (usage.template, usage.version.number, usage.account, usage.contact, usage.user) == (
            self.template,
            1,
            self.account,
            self.contact,
            self.owner,
        )
        assert usage.edited is False
        assert usage.text_sha256 == text_digest("Re: Owner's account\n\nHi Priya, I am sorry. Olga")
        assert usage.text_length == len("Re: Owner's account\n\nHi Priya, I am sorry. Olga")
        self.post_use(self.owner, body="Hi Priya, I am very sorry about the export. Olga")
        assert TemplateUsage.objects.latest("id").edited is True

    def test_an_older_version_shown_is_recorded_as_that_version(self):
        from apps.responses.services import template_save

        template_save(template=self.template, user=None, body="Dear {{ contact.first_name }}, apologies.")
        self.post_use(self.owner)
        assert TemplateUsage.objects.get().version.number == 1

    def test_the_outsider_cannot_record_a_use_on_someone_elses_account(self):
        response = self.post_use(self.outsider)
        assert response.status_code == 404
        assert not TemplateUsage.objects.exists()

    def test_the_view_only_member_may_record_a_use_on_an_account_they_see(self):
        assert self.post_use(self.member).status_code == 302
        assert TemplateUsage.objects.get().user == self.member

    def test_a_contact_of_another_account_or_an_unknown_version_is_a_404(self):
        assert self.post_use(self.owner, contact=self.other_contact.pk).status_code == 404
        assert self.post_use(self.owner, version=7).status_code == 404
        assert self.post_use(self.owner, account="").status_code == 404
        assert not TemplateUsage.objects.exists()

    def test_without_the_add_permission_it_is_forbidden(self):
        self.member.user_permissions.remove(*self.member.user_permissions.filter(codename="add_templateusage"))
        assert self.post_use(self.member).status_code == 403
        assert not TemplateUsage.objects.exists()

    def test_a_reply_with_unfilled_placeholders_is_refused_with_the_reason(self):
        response = self.post_use(self.owner, body="Hi {{ contact.first_name }}, sorry.", next="")
        assert not TemplateUsage.objects.exists()
        page = self.client.get(response["Location"]).content.decode()
        assert "Fill in or remove {{ contact.first_name }} before using this reply." in page

    def test_an_unsafe_next_is_ignored(self):
        response = self.post_use(self.owner, next="https://evil.example/phish")
        assert response.status_code == 302 and "evil.example" not in response["Location"]
        assert response["Location"].startswith(reverse("responses:detail", args=[self.template.pk]))

    def test_only_a_post_records_a_use(self):
        self.client.force_login(self.owner)
        assert self.client.get(self.use_url()).status_code == 405
