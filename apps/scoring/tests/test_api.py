"""The scoring API: stored scores restricted like their messages; ad-hoc scoring for integrations."""

from django.test import override_settings
from django.urls import reverse

from apps.core.testing import APITestCase, APIViewTestCases
from apps.scoring import services
from apps.scoring.models import EmotionScore
from tests.factories import MessageFactory

LEXICON = override_settings(SCORING_ENGINE="lexicon", SCORING_ENGINE_OPTIONS={})


@LEXICON
class EmotionScoreAPITest(APIViewTestCases.GetObject, APIViewTestCases.ListObjects):
    model = EmotionScore
    basename = "emotionscore"

    def make_object(self):
        message = MessageFactory(account=self.account, text="Thank you so much, brilliant support!")
        services.message_score(message_id=message.pk)
        return EmotionScore.objects.get(message=message)

    def test_the_message_detail_carries_its_current_emotion(self):
        score = self.make_object()
        url = reverse("v1:message-detail", kwargs={"pk": score.message_id})
        emotion = self.client_for(self.owner).get(url).json()["emotion"]
        self.assertEqual(emotion["dominant"], "joy")
        self.assertEqual(emotion["model_version"], score.model_version)

    def test_an_unscored_message_has_no_emotion(self):
        message = MessageFactory(account=self.account)
        url = reverse("v1:message-detail", kwargs={"pk": message.pk})
        self.assertIsNone(self.client_for(self.owner).get(url).json()["emotion"])

    def test_outsider_cannot_see_a_score_through_the_message_list_either(self):
        self.make_object()
        self.assertEqual(self.client_for(self.outsider).get(reverse("v1:message-list")).json()["count"], 0)


@LEXICON
class ScoreTextAPITest(APITestCase):
    url = "/api/v1/score"

    def setUp(self):
        self.grant_perm(self.owner, "scoring.score_text")

    def test_it_scores_one_text_without_storing_anything(self):
        response = self.client_for(self.owner).post(
            self.url, {"text": "I'm so worried our data is lost"}, format="json"
        )
        self.assertEqual(response.status_code, 200, response.content)
        body = response.json()
        self.assertEqual(body["engine"], "lexicon")
        self.assertEqual(body["results"][0]["dominant"], "fear")
        self.assertIn("anxiety", body["results"][0]["business_scores"])
        self.assertFalse(EmotionScore.objects.exists())

    def test_it_scores_a_batch_in_order_with_a_result_for_bad_items(self):
        texts = ["Thanks, this is wonderful!", "", "I am furious about this outage"]
        response = self.client_for(self.owner).post(self.url, {"texts": texts}, format="json")
        results = response.json()["results"]
        self.assertEqual([r["status"] for r in results], ["scored", "unscorable", "scored"])
        self.assertEqual(results[0]["dominant"], "joy")
        self.assertEqual(results[2]["dominant"], "anger")
        self.assertTrue(results[1]["reason"])

    def test_it_needs_the_permission(self):
        response = self.client_for(self.outsider).post(self.url, {"text": "hello"}, format="json")
        self.assertEqual(response.status_code, 403)
        self.assertIn("score_text", response.json()["detail"])

    def test_anonymous_is_refused(self):
        self.assertEqual(self.client_for(None).post(self.url, {"text": "hello"}, format="json").status_code, 401)

    def test_both_text_and_texts_is_a_400_that_says_why(self):
        response = self.client_for(self.owner).post(self.url, {"text": "a", "texts": ["b"]}, format="json")
        self.assertEqual(response.status_code, 400)
        self.assertIn("either", str(response.json()["errors"]))

    def test_too_many_texts_is_a_400(self):
        response = self.client_for(self.owner).post(self.url, {"texts": ["x"] * 101}, format="json")
        self.assertEqual(response.status_code, 400)
        self.assertIn("texts", response.json()["errors"])

    def test_a_non_string_text_is_a_400(self):
        response = self.client_for(self.owner).post(self.url, {"texts": [{"a": 1}]}, format="json")
        self.assertEqual(response.status_code, 400)

    def test_malformed_json_is_a_400(self):
        response = self.client_for(self.owner).post(self.url, "{not json", content_type="application/json")
        self.assertEqual(response.status_code, 400)

    def test_declared_unsupported_language_is_marked(self):
        response = self.client_for(self.owner).post(
            self.url, {"text": "Das ist furchtbar", "language": "de"}, format="json"
        )
        self.assertEqual(response.json()["results"][0]["status"], "unsupported_language")
