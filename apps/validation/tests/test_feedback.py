"""Frontline feedback: an agent says the emotion is wrong; it becomes a weak label and enters the queue."""

from __future__ import annotations

from django.template.loader import render_to_string
from django.test import RequestFactory
from django.urls import reverse

from apps.core.testing import APITestCase
from apps.validation.choices import FeedbackStatus, Strategy
from apps.validation.models import AnnotationItem, EmotionFeedback
from apps.validation.tests.factories import scored_message


class FeedbackTests(APITestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        for user in (cls.owner, cls.member, cls.outsider):
            cls.grant_perm(user, "validation.add_emotionfeedback")
        cls.message = scored_message(cls.account, dominant="joy", text="Third outage this week. Unacceptable.")

    def test_the_partial_renders_a_wrong_emotion_form_for_the_message(self):
        request = RequestFactory().get("/crm/accounts/1/?tab=messages")
        request.user = self.owner
        html = render_to_string("validation/_feedback_form.html", {"message": self.message}, request=request)
        self.assertIn("Wrong emotion?", html)
        self.assertIn(f'name="message" value="{self.message.pk}"', html)
        self.assertIn('action="/validation/feedback/"', html)
        self.assertIn('value="/crm/accounts/1/?tab=messages"', html)

    def test_an_agent_flags_a_message_and_it_enters_the_feedback_batch(self):
        self.client.force_login(self.owner)
        response = self.client.post(
            reverse("validation:feedback"),
            {"message": self.message.pk, "correct_labels": ["anger"], "note": "Clearly angry", "next": "/alerts/"},
        )
        self.assertRedirects(response, "/alerts/", fetch_redirect_response=False)
        feedback = EmotionFeedback.objects.get()
        self.assertEqual(feedback.correct_labels, ["anger"])
        self.assertEqual(feedback.predicted, "joy")
        self.assertEqual(feedback.status, FeedbackStatus.QUEUED)
        item = AnnotationItem.objects.get(message=self.message)
        self.assertEqual(item.batch.strategy, Strategy.FEEDBACK)

    def test_an_unsafe_next_is_ignored(self):
        self.client.force_login(self.owner)
        response = self.client.post(
            reverse("validation:feedback"),
            {"message": self.message.pk, "correct_labels": ["anger"], "next": "https://evil.example/"},
        )
        self.assertEqual(response.status_code, 302)
        self.assertFalse(response["Location"].startswith("https://evil"))

    def test_an_outsider_gets_404_and_nothing_is_stored(self):
        self.client.force_login(self.outsider)
        response = self.client.post(
            reverse("validation:feedback"), {"message": self.message.pk, "correct_labels": ["anger"]}
        )
        self.assertEqual(response.status_code, 404)
        self.assertFalse(EmotionFeedback.objects.exists())

    def test_neutral_with_another_emotion_is_refused_by_the_api_with_a_reason(self):
        response = self.client_for(self.owner).post(
            "/api/v1/emotion-feedback/",
            {"message": self.message.pk, "correct_labels": ["neutral", "anger"]},
            format="json",
        )
        self.assertEqual(response.status_code, 400)
        self.assertIn("neutral", str(response.json()))
        self.assertFalse(EmotionFeedback.objects.exists())

    def test_the_api_creates_feedback_and_an_outsider_gets_404(self):
        url = "/api/v1/emotion-feedback/"
        data = {"message": self.message.pk, "correct_labels": ["anger", "disgust"], "note": "fed up"}
        self.assertEqual(self.client_for(self.outsider).post(url, data, format="json").status_code, 404)
        response = self.client_for(self.owner).post(url, data, format="json")
        self.assertEqual(response.status_code, 201, response.content)
        self.assertEqual(response.json()["correct_labels"], ["anger", "disgust"])
        listed = self.client_for(self.owner).get(url).json()
        self.assertEqual(listed["count"], 1)
        self.assertEqual(self.client_for(self.member).get(url).json()["count"], 0)  # only one's own
        self.assertEqual(self.client_for(self.outsider).get(url).json()["count"], 0)

    def test_an_agent_message_cannot_be_flagged(self):
        agent_message = scored_message(self.account, author_role="agent", status="not_scored")
        self.client.force_login(self.owner)
        self.client.post(reverse("validation:feedback"), {"message": agent_message.pk, "correct_labels": ["joy"]})
        self.assertFalse(EmotionFeedback.objects.exists())
