from django.urls import reverse

from apps.core.testing import APITestCase, APIViewTestCases
from apps.sources.models import DeadLetter, Message, Source
from tests.factories import MessageFactory, SourceFactory


class MessageAPITest(APIViewTestCases.GetObject, APIViewTestCases.ListObjects):
    model = Message
    basename = "message"

    def make_object(self):
        return MessageFactory(account=self.account)

    def test_messages_of_other_accounts_are_not_listed(self):
        mine = MessageFactory(account=self.account)
        MessageFactory(account=self.other_account)
        MessageFactory(account=None)
        response = self.client_for(self.owner).get(reverse("v1:message-list"))
        self.assertEqual([row["id"] for row in response.json()["results"]], [mine.pk])

    def test_messages_are_read_only_through_this_endpoint(self):
        msg = MessageFactory(account=self.account)
        url = reverse("v1:message-detail", kwargs={"pk": msg.pk})
        self.assertEqual(self.client_for(self.owner).patch(url, {"text": "x"}, format="json").status_code, 405)

    def test_filter_by_time_window(self):
        MessageFactory(account=self.account, created_at_source="2026-01-01T00:00:00Z")
        recent = MessageFactory(account=self.account, created_at_source="2026-06-01T00:00:00Z")
        response = self.client_for(self.owner).get(reverse("v1:message-list"), {"since": "2026-03-01T00:00:00Z"})
        self.assertEqual([row["id"] for row in response.json()["results"]], [recent.pk])

    def test_a_bad_filter_value_is_a_400(self):
        response = self.client_for(self.owner).get(reverse("v1:message-list"), {"since": "yesterday-ish"})
        self.assertEqual(response.status_code, 400)


class SourceAndDeadLetterAPITest(APITestCase):
    def test_sources_and_dead_letters_need_a_model_wide_grant(self):
        SourceFactory()
        DeadLetter.objects.create(channel="api", payload={"x": 1}, reason="missing text")
        for name in ("v1:source-list", "v1:deadletter-list"):
            self.assertEqual(self.client_for(self.outsider).get(reverse(name)).json()["count"], 0)
        self.grant(self.outsider, Source, "view")
        self.grant(self.outsider, DeadLetter, "view")
        self.assertEqual(self.client_for(self.outsider).get(reverse("v1:source-list")).json()["count"], 1)
        body = self.client_for(self.outsider).get(reverse("v1:deadletter-list")).json()
        self.assertEqual(body["results"][0]["reason"], "missing text")
