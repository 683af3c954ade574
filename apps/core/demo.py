"""Deterministic demo data: the same accounts, people and messages every time it runs.

Everything is keyed on natural identifiers (usernames, external ids, slugs), so running it again
updates nothing that is already there and adds nothing twice.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone
from rest_framework.authtoken.models import Token

from apps.crm import services as crm_services
from apps.crm.choices import AccountTier, JourneyStage
from apps.crm.models import Account, Contact, Segment
from apps.sources.models import Message, Source

SEED = 2026


@dataclass(frozen=True)
class DemoUser:
    username: str
    password: str
    role: str
    group: str
    is_staff: bool = False
    is_superuser: bool = False


DEMO_USERS = (
    DemoUser("admin", "emotionhub-admin", "Admin", "Admin", is_staff=True, is_superuser=True),
    DemoUser("cx.lead", "emotionhub-cx", "CX lead", "CX Analyst", is_staff=True),
    DemoUser("privacy", "emotionhub-privacy", "Privacy officer", "Privacy Officer", is_staff=True),
    DemoUser("am.alice", "emotionhub-alice", "Account manager", "Account Manager"),
    DemoUser("am.bruno", "emotionhub-bruno", "Account manager", "Account Manager"),
    DemoUser("am.chen", "emotionhub-chen", "Account manager", "Account Manager"),
    DemoUser("agent.dana", "emotionhub-dana", "Support agent", "Support Agent"),
    DemoUser("agent.emil", "emotionhub-emil", "Support agent", "Support Agent"),
    DemoUser("supervisor.sam", "emotionhub-sam", "Support supervisor", "Support Supervisor"),
    DemoUser("integration", "emotionhub-integration", "Integration (API token)", "Integration"),
)

SEGMENTS = (
    ("Retail & e-commerce", "retail"),
    ("Financial services", "financial-services"),
    ("Healthcare", "healthcare"),
    ("Software & SaaS", "saas"),
    ("Public sector", "public-sector"),
    ("Logistics", "logistics"),
)

ADAPTERS = {"ticketing": "zendesk", "social": "social", "review": "review", "forum": "forum", "email": "email"}
SOURCES = (
    ("Zendesk support", "zendesk", "ticketing", "zendesk"),
    ("Live chat", "intercom-chat", "chat", "intercom"),
    ("Support mailbox", "support-email", "email", "email"),
    ("X mentions", "x-mentions", "social", "x"),
    ("LinkedIn mentions", "linkedin", "social", "linkedin"),
    ("Reddit r/ourproduct", "reddit", "social", "reddit"),
    ("G2 reviews", "g2-reviews", "review", "g2"),
    ("Trustpilot", "trustpilot", "review", "trustpilot"),
    ("Community forum", "community", "forum", "discourse"),
    ("In-app pulse survey", "in-app-pulse", "survey", "in_app"),
)

NAME_A = (
    "Northwind",
    "Bluepeak",
    "Harbor",
    "Cobalt",
    "Silverline",
    "Evergreen",
    "Summit",
    "Ironbridge",
    "Lumen",
    "Atlas",
    "Kestrel",
    "Meridian",
    "Orchid",
    "Pioneer",
    "Quartz",
    "Redwood",
    "Sable",
    "Tidewater",
    "Umber",
    "Vantage",
    "Willow",
    "Zephyr",
    "Granite",
    "Juniper",
    "Marlin",
)
NAME_B = (
    "Retail",
    "Bank",
    "Health",
    "Logistics",
    "Systems",
    "Foods",
    "Labs",
    "Insurance",
    "Energy",
    "Travel",
    "Pharma",
    "Media",
)
FIRST = (
    "Ana",
    "Ben",
    "Chloé",
    "David",
    "Elif",
    "Farah",
    "Grace",
    "Hugo",
    "Ines",
    "Jonas",
    "Kai",
    "Lena",
    "Marco",
    "Nadia",
    "Omar",
    "Priya",
    "Quinn",
    "Rosa",
    "Sven",
    "Tara",
    "Uma",
    "Victor",
    "Wen",
    "Yusuf",
    "Zoe",
)
LAST = (
    "Okafor",
    "Schmidt",
    "Rossi",
    "Novak",
    "Haddad",
    "Kowalski",
    "Silva",
    "Jensen",
    "Moreau",
    "Tanaka",
    "Ivanova",
    "García",
    "Nielsen",
    "Brennan",
    "Adeyemi",
    "Larsen",
)
TITLES = (
    "Head of Operations",
    "IT Manager",
    "CX Director",
    "Finance Lead",
    "Product Owner",
    "Store Manager",
    "Procurement",
    "CTO",
    "Office Manager",
)

FEATURES = (
    "the CSV export",
    "SSO login",
    "the billing portal",
    "the mobile app",
    "the dashboards",
    "the Salesforce sync",
    "invoice PDFs",
    "the API",
    "two-factor login",
    "the reporting module",
    "scheduled reports",
    "the onboarding checklist",
)

# Customer messages by the emotion they express (business emotions in brackets, for the reader).
CUSTOMER_LINES = {
    "anger": (  # frustration
        "This is the third time {feature} has broken this week. Absolutely unacceptable.",
        "I am furious. {feature} failed again right before our board meeting and nobody called us back.",
        "Your support is a joke. Ticket open for 9 days and {feature} still doesn't work.",
        "Great, another outage. {feature} down again and my team is sitting idle. Fix it.",
        "Why do I have to explain the same problem to a fourth agent? {feature} is still broken!",
        "We pay a lot of money for this and {feature} keeps timing out. I'm done being patient.",
    ),
    "sadness": (  # disappointment
        "Honestly disappointed. We were promised {feature} would be fixed in the last release.",
        "A bit let down by the renewal offer, and {feature} still isn't what we were sold.",
        "We expected more. {feature} was the main reason we chose you and it hasn't delivered.",
        "Sad to say our team has stopped using {feature}; it just never worked reliably.",
    ),
    "fear": (  # anxiety
        "I'm worried we'll miss payroll if {feature} doesn't work by Friday. Please help urgently.",
        "Is our data safe? We saw an error in {feature} showing someone else's invoice. Very concerned.",
        "Nervous about the migration next week. What happens to {feature} if it fails halfway?",
        "We're anxious about the audit: {feature} lost two weeks of records. Can they be recovered?",
    ),
    "surprise": (  # confusion
        "Wait, {feature} now needs a separate licence? That's news to us. Can someone explain?",
        "I'm confused: the docs say {feature} supports this, but the setting isn't there.",
        "Not sure what happened, {feature} suddenly shows different numbers than yesterday?",
        "Wow, didn't expect {feature} to change overnight. Where did the old options go?",
    ),
    "joy": (  # delight / gratitude
        "Thank you so much! {feature} works perfectly now and the team is thrilled.",
        "Huge thanks to Dana for sorting out {feature} so quickly. Really appreciate it.",
        "Loving the new {feature}. This update is sick, saves us hours every week!",
        "Just wanted to say your team has been fantastic during our rollout. {feature} is a hit.",
        "Renewed for three years. {feature} has been great and support is top notch.",
        "Brilliant release. {feature} finally does exactly what we need. Delighted.",
    ),
    "disgust": (
        "Frankly the way our complaint about {feature} was handled was disgusting.",
        "Appalling. Charged twice and {feature} shows nothing. This is shameful behaviour.",
    ),
    "neutral": (
        "Hi, could you tell me how to add a new user to {feature}?",
        "Please find attached the logs from {feature} as requested.",
        "What is the rate limit on {feature} for the enterprise plan?",
        "We'd like to schedule a call about {feature} next Tuesday.",
        "Can you confirm the maintenance window for {feature} this weekend?",
        "Forwarding this to our IT team, they'll follow up on {feature}.",
    ),
}
EMOTION_WEIGHTS = {"neutral": 34, "anger": 18, "joy": 20, "sadness": 10, "fear": 7, "surprise": 8, "disgust": 3}

AGENT_LINES = (
    "Thanks for reaching out, and I'm sorry for the trouble with {feature}. I've escalated this to engineering.",
    "I understand how frustrating this is. I've reproduced the issue with {feature} and a fix is scheduled.",
    "Thanks for your patience. {feature} should work again now; could you confirm on your side?",
    "Happy to help! Here's a step-by-step guide for {feature}.",
    "I apologise for the delay. I've credited your account and will update you daily on {feature}.",
)
SYSTEM_LINES = ("Ticket status changed to pending.", "Automated reminder: this ticket will close in 3 days.")


def _demo_users() -> dict[str, object]:
    from django.contrib.auth.models import Group

    User = get_user_model()
    users = {}
    for spec in DEMO_USERS:
        user, created = User.objects.get_or_create(
            username=spec.username,
            defaults={"email": f"{spec.username}@emotionhub.demo", "first_name": spec.username.split(".")[-1].title()},
        )
        if created or not user.check_password(spec.password):
            user.set_password(spec.password)
        user.is_staff, user.is_superuser = spec.is_staff, spec.is_superuser
        user.save()
        user.groups.add(Group.objects.get(name=spec.group))  # the roles come from a governance migration
        users[spec.username] = user
    Token.objects.get_or_create(user=users["integration"])
    return users


def _seed_governance(privacy_officer) -> None:
    """The privacy officer approved the DPIA; every purpose but marketing is switched on."""
    from apps.governance.models import Purpose
    from apps.governance.services import dpia_approve, purpose_switch

    for purpose in Purpose.objects.select_related("dpia"):
        if purpose.dpia and not purpose.dpia.is_valid:
            dpia_approve(
                dpia=purpose.dpia,
                reviewer=privacy_officer,
                next_review_date=timezone.localdate() + dt.timedelta(days=365),
            )
        if purpose.key != "marketing" and not purpose.is_active:
            purpose_switch(purpose=purpose, on=True)


def seed(*, accounts: int = 300, messages: int = 4000, now: dt.datetime | None = None) -> dict[str, int]:
    """Create (or leave in place) the demo data; returns counts of what exists afterwards."""
    # One generator per phase: what one phase draws never shifts what the next one gets.
    rngs = [random.Random(SEED + phase) for phase in range(3)]
    # Anchor on today's midnight so that a re-run on the same day is identical to the first.
    now = (now or timezone.now()).replace(hour=0, minute=0, second=0, microsecond=0)
    with transaction.atomic():
        users = _demo_users()
        _seed_governance(users["privacy"])
        managers = [users["am.alice"], users["am.bruno"], users["am.chen"]]
        segments = [Segment.objects.get_or_create(slug=slug, defaults={"name": name})[0] for name, slug in SEGMENTS]
        sources = [
            Source.objects.get_or_create(
                slug=slug,
                defaults={"name": name, "kind": kind, "platform": platform, "adapter": ADAPTERS.get(kind, "generic")},
            )[0]
            for name, slug, kind, platform in SOURCES
        ]
        _seed_survey(next(s for s in sources if s.kind == "survey"))
        account_rows = _seed_accounts(rngs[0], accounts, segments, managers, now)
        contacts = _seed_contacts(rngs[1], account_rows)
        _seed_messages(rngs[2], messages, account_rows, contacts, sources, now)
        _seed_lexicon()
    scored = _score_backlog()
    _seed_alerts()
    return {
        "users": len(users),
        "segments": Segment.objects.count(),
        "sources": Source.objects.count(),
        "accounts": Account.objects.count(),
        "contacts": Contact.objects.count(),
        "messages": Message.objects.count(),
        "newly scored messages": scored,
    }


#: The apps' own demo seeds, in order: each runs after the core data (and the ones before it) exists.
APP_SEEDS = (
    "apps.crm.demo",  # rollups, agents' grants, handoff notes
    "apps.responses.demo",  # the response template library
    "apps.coaching.demo",  # a support team, its agents' conversations and reviews
    "apps.validation.demo",  # annotators, a labelled batch, gold labels, an evaluation run
    "apps.monitoring.demo",  # outcomes, an outage week, drift reports, the model card's model
)


def seed_everything(*, accounts: int = 300, messages: int = 4000) -> dict[str, int]:
    """The core demo data, then every app's demo seed; returns the counts each reported."""
    from importlib import import_module

    counts = seed(accounts=accounts, messages=messages)
    for module in APP_SEEDS:
        counts.update(import_module(module).seed())
    return counts


def _seed_accounts(rng, count, segments, managers, now) -> list[Account]:
    existing = {a.external_id: a for a in Account.objects.filter(external_id__startswith="DEMO-")}
    tiers = (
        [AccountTier.STRATEGIC] * 1
        + [AccountTier.ENTERPRISE] * 3
        + [AccountTier.MID_MARKET] * 5
        + [AccountTier.SMB] * 6
    )
    stages = list(JourneyStage.values)
    rows = []
    for i in range(count):
        external_id = f"DEMO-{i:04d}"
        tier = rng.choice(tiers)
        name = f"{NAME_A[i % len(NAME_A)]} {NAME_B[(i // len(NAME_A)) % len(NAME_B)]}"
        if i >= len(NAME_A) * len(NAME_B):
            name = f"{name} {i}"
        fields = {
            "name": name,
            "domain": name.lower().replace(" ", "") + ".example",
            "tier": tier,
            "is_key_account": tier in (AccountTier.STRATEGIC, AccountTier.ENTERPRISE) and rng.random() < 0.6,
            "segment": segments[i % len(segments)],
            "journey_stage": rng.choice(stages),
            "renewal_date": (now + dt.timedelta(days=rng.randint(-30, 365))).date(),
            "arr": {"strategic": 900000, "enterprise": 250000, "mid_market": 60000, "smb": 9000}[tier]
            * rng.uniform(0.5, 1.6),
            "account_manager": managers[i % len(managers)] if i % 10 else None,
        }
        fields["arr"] = Decimal(f"{fields['arr']:.2f}")
        if external_id in existing:
            rows.append(existing[external_id])
        else:
            rows.append(crm_services.account_create(external_id=external_id, **fields))
    return rows


def _seed_contacts(rng, accounts) -> dict[int, list[Contact]]:
    by_account: dict[int, list[Contact]] = {}
    existing = {(c.account_id, c.email): c for c in Contact.objects.filter(account__in=accounts)}
    for account in accounts:
        people = []
        for j in range(1 + (account.pk * 7 + 3) % 4):
            first, last = FIRST[(account.pk + j * 5) % len(FIRST)], LAST[(account.pk * 3 + j) % len(LAST)]
            email = f"{first.lower()}.{last.lower()}@{account.domain}".replace("é", "e").replace("í", "i")
            contact = existing.get((account.pk, email))
            if contact is None:
                contact = crm_services.contact_save(
                    account=account,
                    name=f"{first} {last}",
                    email=email,
                    title=rng.choice(TITLES),
                    is_vulnerable=rng.random() < 0.03,
                )
            people.append(contact)
        by_account[account.pk] = people
    return by_account


def _seed_messages(rng, count, accounts, contacts, sources, now) -> None:
    emotions = list(EMOTION_WEIGHTS)
    weights = list(EMOTION_WEIGHTS.values())
    # Some accounts are unhappy: they draw more anger and sadness, so rollups differ between accounts.
    unhappy = {a.pk for a in accounts if a.pk % 9 == 0}
    rows = []
    thread = 0
    i = 0
    while i < count:
        account = accounts[rng.randrange(len(accounts))]
        source = sources[rng.randrange(len(sources))]
        contact = rng.choice(contacts[account.pk])
        feature = rng.choice(FEATURES)
        started = now - dt.timedelta(days=rng.uniform(0, 90))
        thread += 1
        turns = rng.choice((1, 1, 2, 3, 4)) if source.kind in ("ticketing", "chat", "email") else 1
        for turn in range(turns):
            if turn % 2 == 0:
                emotion = rng.choices(emotions, weights=weights)[0]
                if account.pk in unhappy and rng.random() < 0.5:
                    emotion = rng.choice(("anger", "sadness", "anger", "fear"))
                role, text = "customer", rng.choice(CUSTOMER_LINES[emotion])
                handle = (
                    contact.email
                    if source.kind in ("email", "ticketing", "chat")
                    else f"{contact.name.split()[0].lower()}{account.pk}"
                )
            else:
                role = "agent" if rng.random() < 0.9 else "system"
                text = rng.choice(AGENT_LINES if role == "agent" else SYSTEM_LINES)
                # Two demo agents, by thread (no draw from rng, so the rest of the seed is unchanged).
                handle = (
                    ("dana@emotionhub.demo", "emil@emotionhub.demo")[thread % 2]
                    if role == "agent"
                    else "support@emotionhub.demo"
                )
            rows.append(
                Message(
                    source=source,
                    external_id=f"demo-{i:06d}",
                    account=account,
                    contact=contact if role == "customer" else None,
                    author_role=role,
                    author_handle=handle,
                    text=text.format(feature=feature),
                    language="en",
                    journey_stage=account.journey_stage,
                    thread_id=f"demo-thread-{thread:05d}",
                    created_at_source=started + dt.timedelta(hours=turn * rng.uniform(0.5, 20)),
                    received_at=started + dt.timedelta(hours=turn * rng.uniform(0.5, 20), minutes=1),
                )
            )
            i += 1
            if i >= count:
                break
    Message.objects.bulk_create(rows, batch_size=1000, ignore_conflicts=True)


DEMO_LEXICON = (
    # term, kind, adjustments, note
    ("great, another outage", "sarcasm", {"joy": -0.8, "anger": 0.7}, "Sarcastic praise of an outage."),
    ("this update is sick", "slang", {"joy": 0.7, "disgust": -0.7}, "'Sick' is praise in social slang."),
    ("not bad", "other", {"joy": 0.3, "sadness": -0.3, "anger": -0.2}, "Understated approval."),
    ("issue", "jargon", {"sadness": -0.1, "fear": -0.1}, "Routine word in support tickets, not distress."),
    ("broken", "jargon", {"anger": 0.2}, "A broken feature frustrates."),
)


def _seed_lexicon() -> None:
    from apps.scoring.models import LexiconEntry

    for term, kind, adjustments, note in DEMO_LEXICON:
        if not LexiconEntry.objects.filter(term=term, platform="").exists():
            entry = LexiconEntry(term=term, kind=kind, adjustments=adjustments, note=note)
            entry.full_clean()
            entry.save()


def _score_backlog() -> int:
    """Score what has no current score yet, so every page has emotions to show."""
    from apps.scoring import services as scoring_services

    ids = list(Message.objects.filter(status="received").order_by("pk").values_list("pk", flat=True))
    scored = 0
    for start in range(0, len(ids), 1000):
        scored += scoring_services.messages_score(message_ids=ids[start : start + 1000])["scored"]
    return scored


def _seed_survey(source: Source) -> None:
    from django.conf import settings

    from apps.sources.models import Survey

    Survey.objects.get_or_create(
        public_key="srv_demo_pulse",
        defaults={
            "source": source,
            "name": "Product pulse",
            "ask_nps": True,
            "ask_csat": False,
            "allowed_origins": sorted({settings.SITE_URL.rstrip("/").lower(), "http://localhost:8000"}),
        },
    )


def _seed_alerts() -> None:
    """Two live rules, evaluated over the demo's last 30 days, so the account managers' inboxes have alerts."""
    from apps.alerts.models import AlertRule
    from apps.alerts.services import alerts_evaluate, baselines_recompute
    from apps.scoring.models import EmotionScore

    rules = (
        {
            "name": "Anger in a key account",
            "scope": "key_accounts",
            "condition": "threshold",
            "label": "anger",
            "threshold": 0.7,
            "severity": "high",
            "cooldown_minutes": 24 * 60,
        },
        {
            "name": "Frustration spike in a segment",
            "scope": "all",
            "condition": "spike",
            "label_kind": "business",
            "label": "frustration",
            "k_sigma": 3.0,
            "window_minutes": 24 * 60,
            "min_volume": 10,
            "severity": "medium",
        },
    )
    created = False
    for spec in rules:
        if not AlertRule.objects.filter(name=spec["name"]).exists():
            rule = AlertRule(is_active=True, **spec)
            rule.full_clean()
            rule.save()
            created = True
    if not created:
        return  # evaluated on the first seed; evaluation is idempotent anyway
    baselines_recompute()
    month = timezone.now() - dt.timedelta(days=30)
    ids = list(
        EmotionScore.objects.filter(is_current=True, message_created_at__gte=month)
        .order_by("message_created_at")
        .values_list("message_id", flat=True)
    )
    for start in range(0, len(ids), 500):
        alerts_evaluate(message_ids=ids[start : start + 500])
