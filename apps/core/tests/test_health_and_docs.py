from unittest import mock

from django.db.utils import OperationalError
from django.test import TestCase


class HealthzTest(TestCase):
    def test_it_reports_database_and_queue_as_json(self):
        response = self.client.get("/healthz")
        self.assertEqual(response.status_code, 200)
        body = response.json()
        self.assertEqual(body["status"], "ok")
        self.assertTrue(body["database"]["ok"])
        self.assertIn(body["database"]["vendor"], {"sqlite", "postgresql"})
        self.assertIn("broker", body["queue"])

    def test_it_answers_503_when_the_database_is_down(self):
        with mock.patch("django.db.backends.utils.CursorWrapper.execute", side_effect=OperationalError("gone")):
            response = self.client.get("/healthz")
        self.assertEqual(response.status_code, 503)
        self.assertFalse(response.json()["database"]["ok"])
        self.assertIn("gone", response.json()["database"]["error"])

    def test_it_reports_the_queue_of_a_real_broker(self):
        from django_q.conf import Conf

        with mock.patch.object(Conf, "SYNC", False):
            response = self.client.get("/healthz")
        queue = response.json()["queue"]
        self.assertTrue(queue["ok"], queue)
        self.assertEqual(queue["queued"], 0)

    def test_it_refuses_other_methods(self):
        self.assertEqual(self.client.post("/healthz").status_code, 405)


class SchemaAndDocsTest(TestCase):
    def test_the_openapi_schema_lists_the_v1_endpoints(self):
        response = self.client.get("/api/schema/", HTTP_ACCEPT="application/json")
        self.assertEqual(response.status_code, 200)
        paths = response.json()["paths"]
        self.assertIn("/api/v1/accounts/", paths)
        self.assertIn("/api/v1/messages/{id}/", paths)

    def test_the_docs_page_answers(self):
        response = self.client.get("/api/docs/")
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, "swagger")

    def test_the_home_page_and_login_render(self):
        self.assertContains(self.client.get("/"), "Open the admin")
        self.assertContains(self.client.get("/accounts/login/"), "Sign in")


class DemoSurveyPageTest(TestCase):
    def test_it_embeds_the_demo_survey_in_demo_mode_only(self):
        from apps.sources.models import Survey
        from tests.factories import SourceFactory

        Survey.objects.create(
            source=SourceFactory(kind="survey", platform="in_app"),
            name="Pulse",
            public_key="srv_demo_pulse",
            allowed_origins=["http://testserver"],
        )
        with self.settings(DEBUG=True):
            self.assertContains(self.client.get("/demo/survey/"), 'data-survey-key="srv_demo_pulse"', count=1)
        with self.settings(DEBUG=False):
            self.assertEqual(self.client.get("/demo/survey/").status_code, 404)


def test_the_openapi_schema_validates_without_warnings(tmp_path):
    from django.core.management import call_command

    target = tmp_path / "schema.yml"
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(target))
    assert "/api/v1/messages/" in target.read_text()
