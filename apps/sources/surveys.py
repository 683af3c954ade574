"""In-app micro-surveys: the widget's public config and answer endpoints (CORS-restricted, rate-limited)."""

from __future__ import annotations

import json
import uuid

from django.core.cache import cache
from django.http import HttpResponse, JsonResponse
from django.views.decorators.csrf import csrf_exempt

from apps.core.security import client_ip
from apps.sources import services
from apps.sources.choices import Channel
from apps.sources.models import Survey

DEFAULT_SCALE = [
    {"value": 1, "label": "Angry", "emoji": "😠", "emotion": "anger"},
    {"value": 2, "label": "Disappointed", "emoji": "😞", "emotion": "sadness"},
    {"value": 3, "label": "Meh", "emoji": "😐", "emotion": "neutral"},
    {"value": 4, "label": "Happy", "emoji": "🙂", "emotion": "joy"},
    {"value": 5, "label": "Delighted", "emoji": "😍", "emotion": "joy"},
]
MAX_TEXT = 2000
MAX_BODY = 16 * 1024


def survey_scale(survey: Survey) -> list[dict]:
    return survey.scale or DEFAULT_SCALE


def _cors(response: HttpResponse, origin: str) -> HttpResponse:
    if not origin:  # a same-origin read: nothing to allow
        return response
    response["Access-Control-Allow-Origin"] = origin
    response["Access-Control-Allow-Methods"] = "GET, POST, OPTIONS"
    response["Access-Control-Allow-Headers"] = "Content-Type"
    response["Access-Control-Max-Age"] = "600"
    response["Vary"] = "Origin"
    return response


def _error(message: str, status: int, origin: str | None = None, **extra) -> JsonResponse:
    response = JsonResponse({"detail": message, **extra}, status=status)
    return _cors(response, origin) if origin else response


def _survey_and_origin(request, key: str, *, origin_optional: bool = False):
    """The survey and the caller's allowed origin, or the error response. Browsers send no Origin on a
    same-origin GET, so the public config may be read without one (``origin_optional``): it gets no CORS
    headers then, and answers (POST) always need an allowed Origin."""
    survey = Survey.objects.select_related("source").filter(public_key=key).first()
    origin = request.headers.get("Origin", "").rstrip("/").lower()
    if survey is None or not survey.is_active or not survey.source.is_active:
        return None, None, _error("No active survey has this key.", 404)
    allowed = (
        {o.rstrip("/").lower() for o in survey.allowed_origins if isinstance(o, str) and o}
        if isinstance(survey.allowed_origins, list)
        else set()
    )
    if not origin and origin_optional:
        return survey, "", None
    if not origin or origin not in allowed:
        # No CORS headers: the browser will not let the page read anything.
        return None, None, _error(f"Origin {origin or '(none)'} may not use this survey.", 403)
    return survey, origin, None


@csrf_exempt  # a public, cross-origin endpoint: protected by the origin allow-list and rate limits instead
def survey_config(request, key: str):
    """``GET /api/v1/surveys/<key>/``: what the widget shows."""
    survey, origin, problem = _survey_and_origin(request, key, origin_optional=request.method == "GET")
    if problem:
        return problem
    if request.method == "OPTIONS":
        return _cors(HttpResponse(status=204), origin)
    if request.method != "GET":
        return _error("Use GET.", 405, origin)
    return _cors(
        JsonResponse(
            {
                "key": survey.public_key,
                "question": survey.question,
                "scale": survey_scale(survey),
                "ask_nps": survey.ask_nps,
                "ask_csat": survey.ask_csat,
                "free_text_prompt": survey.free_text_prompt,
            }
        ),
        origin,
    )


def _validate(survey: Survey, data) -> tuple[dict, dict]:
    errors: dict[str, str] = {}
    if not isinstance(data, dict):
        return {}, {"body": "Expected a JSON object."}
    answer: dict = {}
    faces = {face["value"]: face for face in survey_scale(survey)}
    value = data.get("scale")
    if value is not None:
        if isinstance(value, bool) or not isinstance(value, int | float | str) or value not in faces:
            errors["scale"] = f"Choose one of {', '.join(str(v) for v in faces)}."
        else:
            face = faces[value]
            answer["scale"] = {"value": face["value"], "label": face["label"], "emotion": face.get("emotion", "")}
    for name, low, high, asked in (("nps", 0, 10, survey.ask_nps), ("csat", 1, 5, survey.ask_csat)):
        value = data.get(name)
        if value is None:
            continue
        if not asked:
            errors[name] = "This survey does not ask it."
        elif isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
            errors[name] = f"Expected a whole number from {low} to {high}."
        else:
            answer[name] = value
    text = data.get("text") or ""
    if not isinstance(text, str):
        errors["text"] = "Expected a string."
        text = ""
    elif len(text) > MAX_TEXT:
        errors["text"] = f"At most {MAX_TEXT} characters."
    if not errors and not answer and not text.strip():
        errors["body"] = "Answer at least one question."
    return {
        "answer": answer,
        "text": text.strip(),
        "respondent": data.get("respondent") or {},
        "page": str(data.get("page") or "")[:500],
    }, errors


@csrf_exempt
def survey_respond(request, key: str):
    """``POST /api/v1/surveys/<key>/responses/``: one answer, stored as a message with the self-report kept."""
    survey, origin, problem = _survey_and_origin(request, key)
    if problem:
        return problem
    if request.method == "OPTIONS":
        return _cors(HttpResponse(status=204), origin)
    if request.method != "POST":
        return _error("Use POST.", 405, origin)
    bucket = f"survey-rate:{survey.pk}:{client_ip(request)}"
    cache.add(bucket, 0, timeout=60)
    if cache.incr(bucket) > survey.rate_limit_per_minute:
        response = _error("Too many answers from here; try again in a minute.", 429, origin)
        response["Retry-After"] = "60"
        return response
    if len(request.body) > MAX_BODY:
        return _error(f"At most {MAX_BODY} bytes.", 413, origin)
    if request.content_type != "application/json":
        return _error("Send application/json.", 415, origin)
    try:
        data = json.loads(request.body)
    except (json.JSONDecodeError, UnicodeDecodeError, RecursionError) as exc:
        return _error(f"The body is not valid JSON: {exc}", 400, origin)
    clean, errors = _validate(survey, data)
    if errors:
        return _error("The answer is not valid; see errors.", 400, origin, errors=errors)
    respondent = clean["respondent"] if isinstance(clean["respondent"], dict) else {}
    author = {k: respondent[k].strip() for k in ("email", "external_id") if isinstance(respondent.get(k), str)}
    if "@" not in author.get("email", "@") or " " in author.get("email", ""):
        author.pop("email")  # a host page's bad respondent email must not cost the customer their answer
    item = {
        "external_id": f"survey-{survey.public_key}-{uuid.uuid4().hex}",
        "text": clean["text"],
        "author": author,
        "self_reported": {"survey": survey.name, **clean["answer"]},
        "metadata": {"page": clean["page"], "origin": origin},
    }
    # Anonymous internet traffic: a refused answer is reported to the widget, not kept as a dead letter.
    report = services.messages_ingest(
        source=survey.source, items=[item], channel=Channel.SURVEY, keep_dead_letters=False
    )
    result = report.results[0]
    if result.status == "rejected":
        return _error("The answer could not be stored; see errors.", 400, origin, errors=result.errors)
    return _cors(JsonResponse({"detail": "Thank you!", "message_id": result.message_id}, status=201), origin)
