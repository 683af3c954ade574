"""The survey widget's public endpoints, through Django's test client: CORS, validation, rate limits."""

from __future__ import annotations

import json

import pytest
from django.core.cache import cache

from apps.sources.models import DeadLetter, Message, Survey
from apps.sources.surveys import DEFAULT_SCALE
from tests.factories import SourceFactory

pytestmark = pytest.mark.django_db

ORIGIN = "https://app.example.com"
KEY = "srv_test_endpoints_01"
CONFIG_URL = f"/api/v1/surveys/{KEY}/"
ANSWER_URL = f"/api/v1/surveys/{KEY}/responses/"


@pytest.fixture(autouse=True)
def _clear_rate_limits() -> None:
    cache.clear()


@pytest.fixture
def survey() -> Survey:
    source = SourceFactory(kind="survey", platform="in_app", slug="in-app-survey", name="In-app survey")
    return Survey.objects.create(
        source=source, name="Product pulse", public_key=KEY, allowed_origins=[ORIGIN], ask_nps=True
    )


def answer(client, body, *, origin: str | None = ORIGIN, content_type: str = "application/json"):
    """POST one answer as the widget would (a JSON body from ``origin``)."""
    data = body if isinstance(body, str | bytes) else json.dumps(body)
    headers = {"Origin": origin} if origin else {}
    return client.post(ANSWER_URL, data=data, content_type=content_type, headers=headers)


def assert_cors_for(response, origin: str = ORIGIN) -> None:
    assert response["Access-Control-Allow-Origin"] == origin
    assert "POST" in response["Access-Control-Allow-Methods"]
    assert response["Access-Control-Allow-Headers"].lower() == "content-type"
    assert "Origin" in [v.strip() for v in response["Vary"].split(",")]


def test_the_config_is_served_to_an_allowed_origin_with_cors_headers(client, survey):
    response = client.get(CONFIG_URL, headers={"Origin": ORIGIN})
    assert response.status_code == 200
    assert_cors_for(response)
    assert response.json() == {
        "key": KEY,
        "question": survey.question,
        "scale": DEFAULT_SCALE,
        "ask_nps": True,
        "ask_csat": False,
        "free_text_prompt": survey.free_text_prompt,
    }


def test_an_unknown_key_is_404(client, survey):
    response = client.get("/api/v1/surveys/srv_nope/", headers={"Origin": ORIGIN})
    assert response.status_code == 404
    assert "Access-Control-Allow-Origin" not in response


def test_an_inactive_survey_is_404_like_an_unknown_one(client, survey):
    Survey.objects.filter(pk=survey.pk).update(is_active=False)
    assert client.get(CONFIG_URL, headers={"Origin": ORIGIN}).status_code == 404
    assert answer(client, {"scale": 3}).status_code == 404


def test_a_same_origin_config_read_without_an_origin_header_gets_no_cors_headers(client, survey):
    response = client.get(CONFIG_URL)  # browsers omit Origin on same-origin GETs (the demo page)
    assert response.status_code == 200
    assert "Access-Control-Allow-Origin" not in response
    assert answer(client, {"scale": 3}, origin=None).status_code == 403  # answers always need an allowed Origin


@pytest.mark.parametrize("origin", ["https://evil.example", "https://app.example.com.evil.example"])
def test_a_wrong_or_missing_origin_is_403_without_cors_headers(client, survey, origin):
    headers = {"Origin": origin} if origin else {}
    config = client.get(CONFIG_URL, headers=headers)
    posted = answer(client, {"scale": 3}, origin=origin)
    for response in (config, posted):
        assert response.status_code == 403
        assert "Access-Control-Allow-Origin" not in response
    assert not Message.objects.exists()


@pytest.mark.parametrize("url", [CONFIG_URL, ANSWER_URL])
def test_a_preflight_from_an_allowed_origin_is_204_with_the_cors_headers(client, survey, url):
    response = client.options(
        url,
        headers={
            "Origin": ORIGIN,
            "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "content-type",
        },
    )
    assert response.status_code == 204
    assert_cors_for(response)
    assert response["Access-Control-Max-Age"] == "600"


def test_a_preflight_from_another_origin_is_403_without_cors_headers(client, survey):
    response = client.options(ANSWER_URL, headers={"Origin": "https://evil.example"})
    assert response.status_code == 403
    assert "Access-Control-Allow-Origin" not in response


def test_an_invalid_scale_value_is_400_naming_scale(client, survey):
    response = answer(client, {"scale": 9})
    assert response.status_code == 400
    assert_cors_for(response)  # so the widget can read and show the reason
    assert set(response.json()["errors"]) == {"scale"}
    assert not Message.objects.exists()


def test_an_nps_score_on_a_survey_that_does_not_ask_it_is_400(client, survey):
    Survey.objects.filter(pk=survey.pk).update(ask_nps=False)
    response = answer(client, {"scale": 4, "nps": 8})
    assert response.status_code == 400
    assert response.json()["errors"] == {"nps": "This survey does not ask it."}


@pytest.mark.parametrize("nps", [11, -1, 7.5, "9", True])
def test_an_nps_score_outside_0_to_10_is_400(client, survey, nps):
    response = answer(client, {"nps": nps})
    assert response.status_code == 400
    assert set(response.json()["errors"]) == {"nps"}


@pytest.mark.parametrize("body", [{}, {"text": "   "}, {"scale": None, "text": ""}])
def test_an_empty_answer_is_400(client, survey, body):
    response = answer(client, body)
    assert response.status_code == 400
    assert response.json()["errors"] == {"body": "Answer at least one question."}
    assert not Message.objects.exists()


def test_a_body_that_is_not_json_is_415(client, survey):
    response = answer(client, "scale=3", content_type="application/x-www-form-urlencoded")
    assert response.status_code == 415
    assert_cors_for(response)


def test_malformed_json_is_400(client, survey):
    response = answer(client, '{"scale": 3')
    assert response.status_code == 400
    assert "not valid JSON" in response.json()["detail"]


def test_a_json_array_instead_of_an_object_is_400(client, survey):
    response = answer(client, [3])
    assert response.status_code == 400
    assert set(response.json()["errors"]) == {"body"}


def test_answers_beyond_the_per_minute_limit_are_429(client, survey):
    Survey.objects.filter(pk=survey.pk).update(rate_limit_per_minute=2)
    assert [answer(client, {"scale": 3}).status_code for _ in range(2)] == [201, 201]
    response = answer(client, {"scale": 3})
    assert response.status_code == 429
    assert response["Retry-After"] == "60"
    assert_cors_for(response)  # the widget can read it and say "try again in a minute"
    assert Message.objects.count() == 2


def test_the_rate_limit_is_per_visitor_address(client, survey):
    Survey.objects.filter(pk=survey.pk).update(rate_limit_per_minute=1)
    assert answer(client, {"scale": 3}).status_code == 201
    assert answer(client, {"scale": 3}).status_code == 429
    other = client.post(
        ANSWER_URL,
        data=json.dumps({"scale": 3}),
        content_type="application/json",
        headers={"Origin": ORIGIN},
        REMOTE_ADDR="203.0.113.9",
    )
    assert other.status_code == 201


def test_a_valid_answer_is_201_and_stored_with_the_self_report(client, survey):
    response = answer(
        client,
        {
            "scale": 5,
            "nps": 10,
            "text": "  Love the new reports!  ",
            "respondent": {"email": "Visitor@Customer.example"},
            "page": "https://app.example.com/reports?tab=1",
        },
    )
    assert response.status_code == 201
    assert_cors_for(response)
    body = response.json()
    assert body["detail"] == "Thank you!"
    message = Message.objects.get(pk=body["message_id"])
    assert message.source == survey.source
    assert message.ingested_via == "survey"
    assert message.text == "Love the new reports!"
    assert message.self_reported == {
        "survey": "Product pulse",
        "scale": {"value": 5, "label": "Delighted", "emotion": "joy"},
        "nps": 10,
    }
    assert message.author_handle == "visitor@customer.example"
    assert message.metadata == {"page": "https://app.example.com/reports?tab=1", "origin": ORIGIN}
    assert message.external_id.startswith(f"survey-{KEY}-")


def test_a_text_only_answer_is_201(client, survey):
    response = answer(client, {"text": "The export is slow."})
    assert response.status_code == 201
    message = Message.objects.get()
    assert message.text == "The export is slow."
    assert message.self_reported == {"survey": "Product pulse"}


def test_a_bad_respondent_email_from_the_host_page_does_not_cost_the_answer(client, survey):
    response = answer(client, {"scale": 2, "respondent": {"email": "not-an-email"}})
    assert response.status_code == 201
    message = Message.objects.get()
    assert message.contact is None and message.self_reported["scale"]["value"] == 2
    assert not DeadLetter.objects.exists()


def test_a_scale_that_is_not_a_value_is_a_400_not_a_crash(client, survey):
    for bad in ([1], {"v": 1}, True):
        response = answer(client, {"scale": bad})
        assert response.status_code == 400
        assert "scale" in response.json()["errors"]


def test_deeply_nested_json_is_a_400_not_a_crash(client, survey):
    response = client.post(
        f"/api/v1/surveys/{survey.public_key}/responses/",
        "[" * 5000,
        content_type="application/json",
        HTTP_ORIGIN=ORIGIN,
    )
    assert response.status_code == 400


def test_a_forged_forwarded_for_header_does_not_get_round_the_rate_limit(client, survey):
    cache.clear()
    codes = [
        client.post(
            f"/api/v1/surveys/{survey.public_key}/responses/",
            json.dumps({"scale": 3}),
            content_type="application/json",
            HTTP_ORIGIN=ORIGIN,
            HTTP_X_FORWARDED_FOR=f"10.0.0.{i}",
        ).status_code
        for i in range(survey.rate_limit_per_minute + 2)
    ]
    assert codes[-1] == 429
