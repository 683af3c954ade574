"""Payload adapters: every fixture in fixtures/ingestion/ and every way a payload can be unreadable.

No database: adapters are pure functions from a payload to canonical items.
"""

import copy
import json
from pathlib import Path

import pytest

from apps.sources.adapters import ADAPTERS, AdapterError, adapt, item_problems, strip_quoted_text

FIXTURES = Path(__file__).resolve().parents[3] / "fixtures" / "ingestion"


def raw(name: str) -> bytes:
    return (FIXTURES / name).read_bytes()


def data(name: str) -> dict:
    return json.loads(raw(name))


def by_id(items: list[dict]) -> dict[str, dict]:
    return {item["external_id"]: item for item in items}


def error_of(name: str, payload, **options) -> str:
    with pytest.raises(AdapterError) as caught:
        adapt(name, payload, **options)
    return str(caught.value)


def mail(headers: str, body: str = "Hello,\n\nThe export failed again.\n") -> str:
    return headers.strip() + "\n\n" + body


BASE_HEADERS = """
From: Ana Costa <ana.costa@example.pt>
To: support@quillstack.io
Subject: Export failed
Date: Wed, 04 Mar 2026 10:00:00 +0000
Message-ID: <abc-123@mail.example.pt>
"""


# --------------------------------------------------------------------------- every fixture, every adapter

FIXTURE_COUNTS = [
    ("zendesk", "zendesk_ticket.json", 4),
    ("social", "social_mentions.json", 7),
    ("social", "social_bot_swarm.json", 30),
    ("review", "reviews_g2.json", 4),
    ("review", "trustpilot_reviews.json", 4),
    ("forum", "forum_posts.json", 6),
    ("email", "email_plain.eml", 1),
    ("email", "email_multipart_reply.eml", 1),
]


@pytest.mark.parametrize(("adapter", "fixture", "count"), FIXTURE_COUNTS)
def test_every_fixture_adapts_to_well_formed_canonical_items_with_unique_ids(adapter, fixture, count):
    items = adapt(adapter, raw(fixture))
    assert len(items) == count
    assert {item["external_id"] for item in items} == set(by_id(items))
    assert len(by_id(items)) == count
    for item in items:
        assert item_problems(item) == [], item["external_id"]
        assert item["author"]["role"] in {"customer", "agent", "system"}
        # Every timestamp is normalised to UTC.
        assert item["created_at"].endswith("+00:00")


@pytest.mark.parametrize(("adapter", "fixture", "count"), [row for row in FIXTURE_COUNTS if row[1].endswith(".json")])
def test_json_adapters_read_a_dict_text_or_bytes_alike(adapter, fixture, count):
    as_bytes = adapt(adapter, raw(fixture))
    assert adapt(adapter, raw(fixture).decode()) == as_bytes
    assert adapt(adapter, data(fixture)) == as_bytes


@pytest.mark.parametrize("adapter", ["zendesk", "social", "review", "forum", "generic"])
def test_truncated_json_is_an_adapter_error_that_says_where(adapter):
    message = error_of(adapter, '{"ticket": {"id": 48213, "comments": [{"id": 1, "body": "Our SSO is do')
    assert message.startswith("payload: not valid JSON: ")
    assert "line 1 column" in message


@pytest.mark.parametrize("adapter", ["zendesk", "social", "review", "forum", "generic"])
def test_empty_or_non_utf8_payloads_are_adapter_errors(adapter):
    assert error_of(adapter, "  \n") == "payload: empty payload"
    assert "not UTF-8" in error_of(adapter, b'{"id": "\xff\xfe"}')


@pytest.mark.parametrize("payload", ["42", '"a string"', "null", "true"])
@pytest.mark.parametrize("adapter", ["zendesk", "social", "review", "forum", "generic"])
def test_a_payload_that_is_not_an_object_is_an_adapter_error(adapter, payload):
    message = error_of(adapter, payload)
    assert message.startswith("payload: expected an object")


def test_adapter_error_is_a_value_error_carrying_the_path_and_the_problem():
    with pytest.raises(ValueError) as caught:
        adapt("zendesk", {"ticket": {"id": 1, "comments": [{"body": "hi"}]}})
    assert isinstance(caught.value, AdapterError)
    assert caught.value.path == "ticket.comments[0]"
    assert caught.value.problem == "missing 'id'"


def test_adapt_refuses_an_unknown_adapter_naming_the_known_ones():
    message = error_of("freshdesk", {})
    assert "unknown adapter 'freshdesk'" in message
    assert "zendesk" in message


def test_adapt_refuses_an_option_the_adapter_does_not_take():
    message = error_of("zendesk", data("zendesk_ticket.json"), agent_domains={"quillstack.io"})
    assert message == "adapter: 'zendesk' does not take agent_domains (it takes: no options)"


def test_the_registry_holds_the_six_adapters():
    assert set(ADAPTERS) == {"zendesk", "social", "review", "forum", "email", "generic"}


def test_adapting_never_changes_the_payload_and_items_share_no_mutable_parts():
    payload = data("zendesk_ticket.json")
    before = copy.deepcopy(payload)
    items = adapt("zendesk", payload)
    items[0]["metadata"]["tags"].append("mutated")
    items[0]["account"]["name"] = "mutated"
    assert payload == before
    assert "mutated" not in items[1]["metadata"]["tags"]
    assert items[1]["account"]["name"] == "Northwind Logistics"


# --------------------------------------------------------------------------- zendesk


def zendesk() -> dict[str, dict]:
    return by_id(adapt("zendesk", raw("zendesk_ticket.json")))


def test_zendesk_gives_one_item_per_comment_threaded_by_the_ticket():
    items = zendesk()
    assert list(items) == [
        "ticket-48213/comment-7000101",
        "ticket-48213/comment-7000102",
        "ticket-48213/comment-7000103",
        "ticket-48213/comment-7000104",
    ]
    assert {item["thread_id"] for item in items.values()} == {"48213"}
    assert {item["subject"] for item in items.values()} == {
        "SSO login loop for all users after Okta certificate rotation"
    }


def test_a_public_requester_comment_is_a_customer_item_with_contact_details():
    item = zendesk()["ticket-48213/comment-7000101"]
    assert item["author"] == {
        "role": "customer",
        "email": "priya.raman@northwind-logistics.com",
        "external_id": "900112",
        "name": "Priya Raman",
    }
    assert item["is_private"] is False
    assert item["created_at"] == "2026-03-02T08:47:12+00:00"


def test_a_public_zendesk_agent_reply_is_an_agent_item():
    item = zendesk()["ticket-48213/comment-7000102"]
    assert item["author"]["role"] == "agent"
    assert item["author"]["email"] == "marco.bellini@quillstack.io"
    assert item["is_private"] is False


def test_a_private_zendesk_note_is_an_agent_item():
    item = zendesk()["ticket-48213/comment-7000103"]
    assert item["is_private"] is True
    assert item["author"]["role"] == "agent"
    assert item["author"]["name"] == "Sanne de Vries"


def test_a_second_customer_comment_is_a_customer_item_again():
    item = zendesk()["ticket-48213/comment-7000104"]
    assert item["author"]["role"] == "customer"
    assert "written RCA" in item["text"]


def test_a_private_zendesk_comment_is_an_agent_note_whoever_wrote_it():
    payload = data("zendesk_ticket.json")
    payload["ticket"]["comments"][0]["public"] = False
    item = adapt("zendesk", payload)[0]
    assert item["is_private"] is True
    assert item["author"]["role"] == "agent"


def test_zendesk_account_hints_come_from_the_organization():
    item = zendesk()["ticket-48213/comment-7000102"]
    assert item["account"] == {
        "external_id": "36001",
        "domain": "northwind-logistics.com",
        "name": "Northwind Logistics",
    }


def test_zendesk_ticket_tags_priority_status_and_channel_are_metadata():
    items = zendesk()
    metadata = items["ticket-48213/comment-7000101"]["metadata"]
    assert metadata["tags"] == ["sso", "okta", "enterprise", "renewal_q2"]
    assert metadata["priority"] == "urgent"
    assert metadata["status"] == "solved"
    assert metadata["channel"] == "email"
    assert items["ticket-48213/comment-7000102"]["metadata"]["comment_channel"] == "web"


def test_zendesk_prefers_the_plain_body_and_falls_back_to_html_saying_so():
    first = zendesk()["ticket-48213/comment-7000101"]
    assert first["text"].startswith("Hi team,\n\nSince about 08:30 CET")
    assert "body_format" not in first["metadata"]
    payload = data("zendesk_ticket.json")
    del payload["ticket"]["comments"][0]["body"]
    item = adapt("zendesk", payload)[0]
    assert item["text"].startswith("<div><p>Hi team,</p>")
    assert item["metadata"]["body_format"] == "html"


def test_a_zendesk_comment_by_an_unknown_author_gets_no_guessed_role():
    payload = data("zendesk_ticket.json")
    payload["ticket"]["comments"][0]["author_id"] = 123456
    author = adapt("zendesk", payload)[0]["author"]
    assert author == {"external_id": "123456"}


def test_the_zendesk_requester_is_a_customer_even_without_a_users_list():
    payload = data("zendesk_ticket.json")
    del payload["users"]
    items = by_id(adapt("zendesk", payload))
    assert items["ticket-48213/comment-7000101"]["author"]["role"] == "customer"
    # Without the users list the public agent reply cannot be placed; the private note still can.
    assert "role" not in items["ticket-48213/comment-7000102"]["author"]
    assert items["ticket-48213/comment-7000103"]["author"]["role"] == "agent"


def test_a_zendesk_ticket_without_an_organization_has_no_account_hint():
    payload = data("zendesk_ticket.json")
    del payload["ticket"]["organization"]
    assert all("account" not in item for item in adapt("zendesk", payload))


def test_a_zendesk_comment_without_an_id_is_named_in_the_error():
    payload = data("zendesk_ticket.json")
    del payload["ticket"]["comments"][2]["id"]
    assert error_of("zendesk", payload) == "ticket.comments[2]: missing 'id'"


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (lambda p: p.pop("ticket"), "payload: missing 'ticket'"),
        (lambda p: p.update(ticket=[1, 2]), "ticket: expected an object, got an array"),
        (lambda p: p["ticket"].pop("id"), "ticket: missing 'id'"),
        (lambda p: p["ticket"].update(id=True), "ticket.id: expected an id (string or integer), got a boolean"),
        (lambda p: p["ticket"].update(id=None), "ticket: 'id' is null"),
        (lambda p: p["ticket"].pop("comments"), "ticket: missing 'comments'"),
        (lambda p: p["ticket"].update(comments={"id": 1}), "ticket.comments: expected an array, got an object"),
        (lambda p: p["ticket"]["comments"].append("thanks!"), "ticket.comments[4]: expected an object, got a string"),
        (
            lambda p: p["ticket"]["comments"][1].update(public="yes"),
            "ticket.comments[1].public: expected true or false, got a string",
        ),
        (
            lambda p: p["ticket"]["comments"][0].update(created_at="yesterday"),
            "ticket.comments[0].created_at: 'yesterday' is not a timestamp"
            " (expected ISO 8601, RFC 2822 or epoch seconds)",
        ),
        (
            lambda p: p["ticket"]["comments"][0].update(created_at="2026-03-02T08:47:12"),
            "ticket.comments[0].created_at: '2026-03-02T08:47:12' has no timezone",
        ),
        (
            lambda p: p["ticket"]["comments"][3].update(body=None, html_body=None),
            "ticket.comments[3]: missing 'body' (or 'plain_body', 'html_body')",
        ),
        (
            lambda p: p["ticket"]["comments"][0].update(body=["Hi"]),
            "ticket.comments[0].body: expected a string, got an array",
        ),
        (lambda p: p["users"][1].pop("id"), "users[1]: missing 'id'"),
        (lambda p: p["ticket"]["tags"].append(7), "ticket.tags[4]: expected a string, got a number"),
        (
            lambda p: p["ticket"]["organization"].update(domain_names="northwind.eu"),
            "ticket.organization.domain_names: expected an array, got a string",
        ),
    ],
)
def test_unreadable_zendesk_payloads_name_what_is_wrong(change, expected):
    payload = data("zendesk_ticket.json")
    change(payload)
    assert error_of("zendesk", payload) == expected


def test_a_zendesk_ticket_with_no_comments_yet_has_no_items():
    payload = data("zendesk_ticket.json")
    payload["ticket"]["comments"] = []
    assert adapt("zendesk", payload) == []


# --------------------------------------------------------------------------- social


def social() -> dict[str, dict]:
    return by_id(adapt("social", raw("social_mentions.json")))


def test_social_mentions_keep_the_platform_each_one_names():
    platforms = [item["platform"] for item in adapt("social", raw("social_mentions.json"))]
    assert platforms == ["x", "x", "x", "tiktok", "linkedin", "instagram", "reddit"]


def test_a_story_keeps_the_expiry_the_feed_gives():
    story = social()["7342119908813355781"]
    assert story["platform"] == "tiktok"
    assert story["metadata"]["type"] == "story"
    assert story["expires_at"] == "2026-03-03T09:20:00+00:00"
    assert "expires_at_estimated" not in story["metadata"]


def test_a_story_without_an_expiry_expires_24_hours_after_posting_and_says_it_was_estimated():
    story = social()["18034471122938475"]
    assert story["created_at"] == "2026-03-02T07:45:00+00:00"
    assert story["expires_at"] == "2026-03-03T07:45:00+00:00"
    assert story["metadata"]["expires_at_estimated"] is True


def test_only_stories_get_an_expiry():
    assert all("expires_at" not in item for item in social().values() if item["metadata"]["type"] != "story")


def test_epoch_seconds_and_milliseconds_become_iso_utc():
    mention = {"id": "1", "platform": "x", "text": "SSO is down", "timestamp": 1772437800}
    assert adapt("social", mention)[0]["created_at"] == "2026-03-02T07:50:00+00:00"
    mention["timestamp"] = 1772437800123
    assert adapt("social", mention)[0]["created_at"] == "2026-03-02T07:50:00.123000+00:00"
    mention["timestamp"] = "1772437800"
    assert adapt("social", mention)[0]["created_at"] == "2026-03-02T07:50:00+00:00"


def test_offsets_and_legacy_x_dates_are_converted_to_utc():
    linkedin = social()["urn:li:activity:7170022134455667712"]
    assert linkedin["created_at"] == "2026-03-02T15:12:00+00:00"
    mention = {"id": "1", "platform": "x", "text": "billing again", "created_at": "Mon Mar 02 14:03:27 +0100 2026"}
    assert adapt("social", mention)[0]["created_at"] == "2026-03-02T13:03:27+00:00"


def test_a_high_follower_influencer_keeps_followers_and_verification():
    author = social()["1896542210334417001"]["author"]
    assert author == {
        "role": "customer",
        "handle": "saasopsguru",
        "external_id": "88120455",
        "name": "Jordan Ellis | RevOps",
        "followers": 184200,
        "verified": True,
    }


def test_a_bot_like_account_is_passed_through_with_the_signals_bot_detection_needs():
    item = social()["1896551873300101120"]
    # Adapters do not judge: no declared bot flag is invented, but the account age and reach are kept.
    assert "is_bot_declared" not in item["author"]
    assert item["author"]["followers"] == 3
    assert item["author"]["verified"] is False
    assert item["metadata"]["author_created_at"] == "2026-03-01T22:14:09+00:00"
    assert "https://bit.ly/" in item["text"]


@pytest.mark.parametrize("key", ["is_bot_declared", "bot", "automated"])
def test_a_declared_bot_flag_is_kept(key):
    mention = {"id": "1", "platform": "x", "text": "Status: all systems operational", "author": {key: True}}
    assert adapt("social", mention)[0]["author"]["is_bot_declared"] is True


def test_a_reply_joins_its_conversation_thread():
    items = social()
    reply = items["1896549002118270977"]
    assert reply["thread_id"] == "1896542210334417001"
    assert reply["metadata"]["in_reply_to"] == "1896542210334417001"
    assert items["1896542210334417001"]["thread_id"] == "1896542210334417001"
    reddit = items["t1_kx8f2qd"]
    assert reddit["thread_id"] == "t3_1b7xq2m"


def test_our_own_brand_handles_are_agent_items():
    items = by_id(adapt("social", raw("social_mentions.json"), agent_handles=["@quillstackhelp"]))
    assert items["1896549002118270977"]["author"]["role"] == "agent"
    assert items["1896542210334417001"]["author"]["role"] == "customer"
    single = by_id(adapt("social", raw("social_mentions.json"), agent_handles="QuillstackHelp"))
    assert single["1896549002118270977"]["author"]["role"] == "agent"


def test_social_metrics_are_kept_as_metadata():
    assert social()["1896542210334417001"]["metadata"]["metrics"] == {
        "likes": 1840,
        "reposts": 312,
        "replies": 97,
        "views": 402113,
    }


def test_language_tags_are_reduced_to_iso_639_1_and_unknown_ones_kept_raw():
    assert social()["urn:li:activity:7170022134455667712"]["language"] == "en"
    item = adapt("social", {"id": "1", "platform": "x", "text": "🔥🔥🔥", "lang": "und"})[0]
    assert "language" not in item
    assert item["metadata"]["language_raw"] == "und"


def test_a_single_mention_or_a_bare_array_is_accepted_as_well_as_a_batch():
    mention = data("social_mentions.json")["mentions"][0]
    assert adapt("social", mention) == adapt("social", [mention]) == [social()["1896542210334417001"]]
    assert adapt("social", {"mentions": []}) == []


def test_twitter_is_the_x_platform_and_an_unknown_platform_is_other_with_its_raw_name():
    assert adapt("social", {"id": "1", "platform": "Twitter", "text": "hi"})[0]["platform"] == "x"
    item = adapt("social", {"id": "1", "platform": "Mastodon", "text": "hi"})[0]
    assert item["platform"] == "other"
    assert item["metadata"]["platform_raw"] == "Mastodon"


def test_the_bot_swarm_is_thirty_near_identical_posts_from_thirty_fresh_handles_with_links():
    items = adapt("social", raw("social_bot_swarm.json"))
    assert len(items) == 30
    assert len({item["author"]["handle"] for item in items}) == 30
    assert all("https://qs-refund-claim.top/r/" in item["text"] for item in items)
    assert all(item["author"]["followers"] <= 12 for item in items)
    assert all(item["metadata"]["author_created_at"] > "2026-02-28" for item in items)
    assert len({item["text"].split("👉")[0].lower().replace("!", "?") for item in items}) <= 4


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (lambda m: m[1].pop("id"), "mentions[1]: missing 'id'"),
        (lambda m: m[0].pop("text"), "mentions[0]: missing 'text'"),
        (lambda m: m[0].update(text={"en": "hi"}), "mentions[0].text: expected a string, got an object"),
        (
            lambda m: m[0]["author"].update(followers="many"),
            "mentions[0].author.followers: expected a whole number, got a string",
        ),
        (
            lambda m: m[0]["author"].update(followers=-5),
            "mentions[0].author.followers: expected a non-negative number, got -5",
        ),
        (
            lambda m: m[0]["author"].update(verified="true"),
            "mentions[0].author.verified: expected true or false, got a string",
        ),
        (lambda m: m[2].update(author="qs_deals_88213"), "mentions[2].author: expected an object, got a string"),
        (lambda m: m[3].update(timestamp=True), "mentions[3].timestamp: expected a timestamp, got a boolean"),
        (
            lambda m: m[3].update(expires_at="2026-03-03 09:20"),
            "mentions[3].expires_at: '2026-03-03 09:20' has no timezone",
        ),
        (lambda m: m[0].update(metrics=[1, 2]), "mentions[0].metrics: expected an object, got an array"),
        (lambda m: m.append(None), "mentions[7]: expected an object, got null"),
    ],
)
def test_unreadable_social_mentions_name_what_is_wrong(change, expected):
    payload = data("social_mentions.json")
    change(payload["mentions"])
    assert error_of("social", payload) == expected


def test_a_mentions_batch_that_is_not_an_array_is_an_adapter_error():
    assert error_of("social", {"mentions": {"id": 1}}) == "mentions: expected an array, got an object"


# --------------------------------------------------------------------------- reviews


def test_a_vendor_reply_is_a_second_agent_item_in_the_review_thread():
    items = by_id(adapt("review", raw("reviews_g2.json")))
    review, reply = items["g2-9183320"], items["g2-9183320/reply"]
    assert review["author"]["role"] == "customer"
    assert reply["author"] == {"role": "agent", "name": "Amira Haddad, Head of Customer Success"}
    assert reply["thread_id"] == review["thread_id"] == "g2-9183320"
    assert reply["metadata"]["in_reply_to"] == "g2-9183320"
    assert reply["platform"] == "g2"
    assert "rating" not in reply
    assert reply["text"].startswith("Thank you for the thoughtful review!")


def test_review_ratings_keep_their_scale_and_default_to_five():
    items = by_id(adapt("review", raw("reviews_g2.json")))
    assert items["g2-9183320"]["rating"] == {"value": 4.5, "scale_max": 5.0}
    # g2-9190457 gives no rating_max.
    assert items["g2-9190457"]["rating"] == {"value": 2.0, "scale_max": 5.0}
    ten = adapt("review", {"id": "r1", "rating": 9, "rating_max": 10, "body": "Great support"})[0]
    assert ten["rating"] == {"value": 9.0, "scale_max": 10.0}


def test_a_review_title_is_the_subject_and_its_body_the_text():
    item = by_id(adapt("review", raw("reviews_g2.json")))["g2-9190457"]
    assert item["subject"] == "Renewal price jumped 38% with two weeks notice"
    assert item["text"].startswith("The product is fine but the commercial side")
    assert item["metadata"]["product"] == "Quillstack Analytics"


def test_a_title_only_review_scores_the_title():
    item = adapt("review", {"id": "r1", "rating": 1, "title": "Outage again, no status page update"})[0]
    assert item["text"] == item["subject"] == "Outage again, no status page update"


def test_trustpilot_reviews_keep_their_languages_and_a_reply_without_author():
    items = by_id(adapt("review", raw("trustpilot_reviews.json")))
    languages = {key: item.get("language") for key, item in items.items() if not key.endswith("/reply")}
    assert languages == {
        "65e1f0a2c8b7d40012ab3301": "en",
        "65e2a119f4c3e50011bc9902": "de",
        "65e3c0d18a9f2b0013cd4413": "fr",
    }
    assert items["65e1f0a2c8b7d40012ab3301/reply"]["author"] == {"role": "agent"}
    assert items["65e2a119f4c3e50011bc9902"]["created_at"] == "2026-03-01T17:22:10+00:00"
    assert {item["platform"] for item in items.values()} == {"trustpilot"}


def test_a_review_without_a_platform_leaves_it_to_the_source():
    assert "platform" not in adapt("review", {"id": "r1", "rating": 4, "body": "Solid exports"})[0]


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (lambda r: r[0].pop("id"), "reviews[0]: missing 'id'"),
        (lambda r: r[1].update(rating=7), "reviews[1].rating: 7 is outside 0..5"),
        (lambda r: r[1].update(rating=True), "reviews[1].rating: expected a number, got a boolean"),
        (lambda r: r[1].update(rating="four"), "reviews[1].rating: expected a number, got 'four'"),
        (lambda r: r[2].update(rating_max=0), "reviews[2].rating_max: must be above 0, got 0"),
        (lambda r: r[2].update(body=None, title=None), "reviews[2]: missing 'body' (or 'title')"),
        (lambda r: r[0]["reply"].pop("body"), "reviews[0].reply: missing 'body'"),
        (lambda r: r[0].update(reply="Thanks!"), "reviews[0].reply: expected an object, got a string"),
        (lambda r: r[0].update(created_at=1e20), "reviews[0].created_at: epoch 1e+17 is out of range"),
    ],
)
def test_unreadable_reviews_name_what_is_wrong(change, expected):
    payload = data("reviews_g2.json")
    change(payload["reviews"])
    assert error_of("review", payload) == expected


# --------------------------------------------------------------------------- forum


def forum() -> dict[str, dict]:
    return by_id(adapt("forum", raw("forum_posts.json")))


def test_a_staff_forum_post_is_an_agent_item():
    posts = forum()
    assert posts["51230"]["author"]["role"] == "agent"
    assert posts["51207"]["author"]["role"] == "customer"
    assert posts["51288"]["author"]["role"] == "customer"


def test_forum_posts_are_threaded_by_topic_with_the_topic_title_as_subject():
    posts = forum()
    assert {post["thread_id"] for post in posts.values()} == {"8841"}
    assert {post["subject"] for post in posts.values()} == {"CSV export times out for workspaces over 50k rows"}
    assert posts["51214"]["metadata"]["reply_to_post_number"] == 1
    assert posts["51207"]["metadata"]["post_number"] == 1


def test_forum_author_details_come_from_the_post():
    assert forum()["51207"]["author"] == {
        "role": "customer",
        "email": "lena.wagner@fjordfreight.no",
        "handle": "lwagner",
        "external_id": "3310",
        "name": "Lena Wagner",
    }


def test_forum_prefers_the_raw_markdown_and_falls_back_to_cooked_html():
    posts = forum()
    assert posts["51207"]["text"].startswith("Since Friday every CSV export")
    assert "body_format" not in posts["51207"]["metadata"]
    assert posts["51214"]["text"].startswith("<p>Same here")
    assert posts["51214"]["metadata"]["body_format"] == "html"


def test_a_discourse_whisper_is_a_private_agent_item():
    whisper = forum()["51231"]
    assert whisper["is_private"] is True
    assert whisper["author"]["role"] == "agent"


def test_a_discourse_small_action_is_a_system_item():
    action = forum()["51290"]
    assert action["author"]["role"] == "system"
    assert action["metadata"]["action_code"] == "closed.enabled"
    assert action["text"] == ""


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (lambda p: p[0].pop("topic_id"), "posts[0]: missing 'topic_id'"),
        (lambda p: p[4].pop("id"), "posts[4]: missing 'id'"),
        (lambda p: [p[1].pop(key) for key in ("cooked",)], "posts[1]: missing 'body' (or 'raw', 'cooked')"),
        (lambda p: p[2].update(staff="yes"), "posts[2].staff: expected true or false, got a string"),
        (lambda p: p[0].update(post_number=1.5), "posts[0].post_number: expected a whole number, got a number"),
        (
            lambda p: p[0].update(topic_id={"id": 8841}),
            "posts[0].topic_id: expected an id (string or integer), got an object",
        ),
    ],
)
def test_unreadable_forum_posts_name_what_is_wrong(change, expected):
    payload = data("forum_posts.json")
    change(payload["posts"])
    assert error_of("forum", payload) == expected


# --------------------------------------------------------------------------- email


def test_a_plain_email_becomes_one_customer_item():
    [item] = adapt("email", raw("email_plain.eml"))
    assert item["external_id"] == "CAF8w2kX0-renewal-7731@mail.helsinkicargo.fi"
    assert item["thread_id"] == item["external_id"]
    assert item["subject"] == "Renewal quote for Helsinki Cargo - SSO now Enterprise only?"
    assert item["author"] == {
        "role": "customer",
        "email": "jonas.lindqvist@helsinkicargo.fi",
        "name": "Jonas Lindqvist",
    }
    assert item["created_at"] == "2026-03-03T07:41:02+00:00"
    assert item["language"] == "en"
    assert item["metadata"] == {
        "to": ["renewals@quillstack.io"],
        "cc": ["mikko.aalto@helsinkicargo.fi", "finance@helsinkicargo.fi"],
    }
    assert item["text"].startswith("Hello,\n\nWe received the renewal quote")
    assert item["text"].endswith("Head of IT, Helsinki Cargo Oy")


def test_a_multipart_reply_uses_the_plain_part_and_cuts_the_quoted_history():
    [item] = adapt("email", raw("email_multipart_reply.eml"))
    text = item["text"]
    assert text.startswith("Hi Marco,")
    assert text.endswith("Amélie")
    assert "À défaut" in text
    assert ">" not in text
    assert "wrote:" not in text
    assert "nightly scheduled export to Snowflake" not in text
    assert item["metadata"]["quoted_text_removed"] is True
    assert "body_format" not in item["metadata"]
    assert item["author"]["name"] == "Amélie Laurent"


def test_a_fresh_email_has_no_quoted_text_flag():
    [item] = adapt("email", raw("email_plain.eml"))
    assert "quoted_text_removed" not in item["metadata"]


def test_an_email_reply_is_threaded_on_the_root_of_its_references():
    [item] = adapt("email", raw("email_multipart_reply.eml"))
    assert item["thread_id"] == "CAJx7Lp1a8b3@mail.solvia-health.fr"
    assert item["metadata"]["in_reply_to"] == "support-48377-reply-2@quillstack.io"


def test_in_reply_to_threads_an_email_without_references():
    message = mail(BASE_HEADERS + "In-Reply-To: <parent-9@quillstack.io>\n")
    assert adapt("email", message)[0]["thread_id"] == "parent-9@quillstack.io"


def test_mail_from_an_agent_domain_or_its_subdomain_is_an_agent_item():
    agent = mail(BASE_HEADERS.replace("Ana Costa <ana.costa@example.pt>", "Marco <marco@quillstack.io>"))
    assert adapt("email", agent, agent_domains={"quillstack.io"})[0]["author"]["role"] == "agent"
    assert adapt("email", agent, agent_domains="QuillStack.io")[0]["author"]["role"] == "agent"
    assert adapt("email", agent)[0]["author"]["role"] == "customer"
    sub = agent.replace("marco@quillstack.io", "marco@eu.quillstack.io")
    assert adapt("email", sub, agent_domains={"quillstack.io"})[0]["author"]["role"] == "agent"
    lookalike = agent.replace("marco@quillstack.io", "marco@notquillstack.io")
    assert adapt("email", lookalike, agent_domains={"quillstack.io"})[0]["author"]["role"] == "customer"
    [customer] = adapt("email", raw("email_multipart_reply.eml"), agent_domains={"quillstack.io"})
    assert customer["author"]["role"] == "customer"


def test_an_html_only_email_is_used_with_its_quoted_history_cut():
    headers = BASE_HEADERS + 'Content-Type: text/html; charset="utf-8"\n'
    body = '<p>Still broken.</p><div class="gmail_quote">On Tue, Support wrote:<blockquote>old</blockquote></div>'
    [item] = adapt("email", mail(headers, body))
    assert item["text"] == "<p>Still broken.</p>"
    assert item["metadata"]["body_format"] == "html"
    assert item["metadata"]["quoted_text_removed"] is True


def test_an_auto_reply_is_a_system_item():
    message = mail(BASE_HEADERS + "Auto-Submitted: auto-replied\n", "I am out of the office until Monday.")
    [item] = adapt("email", message)
    assert item["author"]["role"] == "system"
    assert item["metadata"]["auto_submitted"] == "auto-replied"


def test_email_accepts_text_bytes_and_a_raw_wrapper():
    as_bytes = adapt("email", raw("email_plain.eml"))
    assert adapt("email", raw("email_plain.eml").decode()) == as_bytes
    assert adapt("email", {"raw": raw("email_plain.eml").decode()}) == as_bytes


def test_an_email_without_message_id_is_an_adapter_error():
    message = raw("email_plain.eml").replace(b"Message-ID: <CAF8w2kX0-renewal-7731@mail.helsinkicargo.fi>\n", b"")
    assert error_of("email", message) == "email: missing Message-ID header"


@pytest.mark.parametrize(
    ("payload", "expected"),
    [
        ("just some words, not a message", "email: missing Message-ID header"),
        ("", "email: empty message"),
        (b"   ", "email: empty message"),
        ({"body": "hi"}, "payload: missing 'raw'"),
        ({"raw": 42}, "raw: expected a string, got a number"),
        (42, "payload: expected a raw RFC 822 message (string or bytes) or {'raw': ...}, got a number"),
        (mail(BASE_HEADERS.replace("From: Ana Costa <ana.costa@example.pt>\n", "")), "email: missing From header"),
        (
            mail(BASE_HEADERS.replace("ana.costa@example.pt", "ana")),
            "email: From header has no address: 'Ana Costa <ana>'",
        ),
        (
            mail(BASE_HEADERS.replace("<abc-123@mail.example.pt>", "abc 123")),
            "email: unreadable Message-ID header 'abc 123'",
        ),
    ],
)
def test_unreadable_emails_are_adapter_errors(payload, expected):
    assert error_of("email", payload) == expected


def test_an_email_with_only_an_attachment_is_an_adapter_error():
    headers = BASE_HEADERS + 'Content-Type: multipart/mixed; boundary="b"\n'
    body = '--b\nContent-Type: application/pdf\nContent-Disposition: attachment; filename="i.pdf"\n\nJVBERi0=\n--b--\n'
    assert error_of("email", mail(headers, body)) == "email: no text/plain or text/html body"


def test_an_unparseable_date_header_is_kept_in_metadata_not_guessed():
    message = mail(BASE_HEADERS.replace("Wed, 04 Mar 2026 10:00:00 +0000", "sometime on Wednesday"))
    [item] = adapt("email", message)
    assert "created_at" not in item
    assert item["metadata"]["date_header"] == "sometime on Wednesday"


def test_an_email_date_with_an_offset_is_converted_to_utc():
    message = mail(BASE_HEADERS.replace("+0000", "-0500"))
    assert adapt("email", message)[0]["created_at"] == "2026-03-04T15:00:00+00:00"


@pytest.mark.parametrize(
    ("reply", "new_words"),
    [
        ("Works now, thanks!\n\nOn Tue, 3 Mar 2026, Support <s@q.io> wrote:\n> Try again", "Works now, thanks!"),
        ("Works now.\n\n-----Original Message-----\nFrom: Support\nSent: Monday\n\nTry again", "Works now."),
        ("Works now.\n\n________________________________\nFrom: Support <s@q.io>\nSent: Monday\nTo: me", "Works now."),
        ("Merci !\n\nLe lun. 2 mars 2026 à 17:04, Support <s@q.io> a écrit :\n> Essayez", "Merci !"),
        ("Danke!\n\nAm Mo., 2. März 2026 um 17:04 Uhr schrieb Support <s@q.io>:\n> Bitte", "Danke!"),
        (
            "> Is the export fixed?\nYes, but only for CSV.\n> And XLSX?\nStill broken.",
            "Yes, but only for CSV.\nStill broken.",
        ),
    ],
)
def test_strip_quoted_text_keeps_only_the_new_words(reply, new_words):
    assert strip_quoted_text(reply) == (new_words, True)


def test_strip_quoted_text_leaves_a_message_without_history_alone():
    text = "On Monday our exports failed twice.\nPlease call me back."
    assert strip_quoted_text(text) == (text, False)


# --------------------------------------------------------------------------- generic


def test_the_generic_batch_passes_every_item_through_for_the_service_to_validate():
    items = adapt("generic", raw("generic_batch.json"))
    assert len(items) == 10
    assert items == data("generic_batch.json")["messages"]


def test_item_problems_finds_exactly_the_three_bad_items_of_the_generic_batch():
    problems = {index: item_problems(item) for index, item in enumerate(adapt("generic", raw("generic_batch.json")))}
    bad = {index: found for index, found in problems.items() if found}
    assert bad == {
        5: ["external_id: missing"],
        6: ["text: expected a string, got a number"],
        7: ["created_at: 'last Tuesday' is not ISO 8601"],
    }


def test_generic_accepts_a_single_canonical_item_or_a_bare_array():
    item = data("generic_batch.json")["messages"][0]
    assert adapt("generic", item) == [item]
    assert adapt("generic", [item, item]) == [item, item]
    assert adapt("generic", {"messages": []}) == []


def test_generic_returns_copies_the_service_may_change():
    payload = data("generic_batch.json")
    items = adapt("generic", payload)
    items[0]["metadata"]["survey"] = "changed"
    assert payload["messages"][0]["metadata"]["survey"] == "nps-2026q1"


@pytest.mark.parametrize(
    ("payload", "expected"),
    [
        ({"messages": {"external_id": "1"}}, "messages: expected an array, got an object"),
        ({"messages": [{"external_id": "1"}, "hello"]}, "messages[1]: expected an object, got a string"),
        ([{"external_id": "1"}, 7], "[1]: expected an object, got a number"),
        (
            {"ticket": {"id": 1}},
            "payload: expected a canonical item or {'messages': [...]}, got an object with keys ticket",
        ),
    ],
)
def test_a_generic_payload_with_a_broken_envelope_is_an_adapter_error(payload, expected):
    assert error_of("generic", payload) == expected


@pytest.mark.parametrize(
    ("item", "problem"),
    [
        (
            {"external_id": "1", "author": {"role": "employee"}},
            "author.role: 'employee' is not one of customer, agent, system",
        ),
        ({"external_id": "1", "author": {"followers": True}}, "author.followers: expected a non-negative whole number"),
        ({"external_id": "1", "rating": {"value": 6, "scale_max": 5}}, "rating: 6 is outside 0..5"),
        ({"external_id": "1", "platform": "myspace"}, "platform: 'myspace' is not a known platform"),
        ({"external_id": "1", "language": "en-US"}, "language: 'en-US' is not a lowercase ISO 639-1 code"),
        (
            {"external_id": "1", "created_at": "2026-03-01T10:00:00"},
            "created_at: '2026-03-01T10:00:00' has no timezone",
        ),
        ({"external_id": "x" * 201}, "external_id: longer than 200 characters"),
        ({"external_id": "1", "sentiment": "angry"}, "sentiment: not a canonical key"),
        ({"external_id": "1", "is_private": "no"}, "is_private: expected true or false, got a string"),
        ({"external_id": "1", "journey_stage": "honeymoon"}, "journey_stage: 'honeymoon' is not a journey stage"),
        ({"external_id": "1", "journey_stage": "renewal", "self_reported": {"nps": 9}}, None),
    ],
)
def test_item_problems_names_each_kind_of_bad_field(item, problem):
    assert item_problems(item) == ([problem] if problem else [])
