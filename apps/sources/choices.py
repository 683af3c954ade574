"""Fixed vocabularies of the sources app."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class SourceKind(models.TextChoices):
    TICKETING = "ticketing", _("Support tickets")
    SOCIAL = "social", _("Social media")
    REVIEW = "review", _("Review site")
    FORUM = "forum", _("Community forum")
    SURVEY = "survey", _("In-app survey")
    EMAIL = "email", _("Email")
    CHAT = "chat", _("Live chat")


class Platform(models.TextChoices):
    ZENDESK = "zendesk", "Zendesk"
    FRESHDESK = "freshdesk", "Freshdesk"
    INTERCOM = "intercom", "Intercom"
    X = "x", "X"
    TIKTOK = "tiktok", "TikTok"
    LINKEDIN = "linkedin", "LinkedIn"
    INSTAGRAM = "instagram", "Instagram"
    FACEBOOK = "facebook", "Facebook"
    REDDIT = "reddit", "Reddit"
    TRUSTPILOT = "trustpilot", "Trustpilot"
    G2 = "g2", "G2"
    APP_STORE = "app_store", "App Store"
    GOOGLE_PLAY = "google_play", "Google Play"
    DISCOURSE = "discourse", "Discourse"
    EMAIL = "email", _("Email")
    IN_APP = "in_app", _("In-app")
    OTHER = "other", _("Other")


class AuthorRole(models.TextChoices):
    """Who wrote a message. Only customers' words are scored for emotion."""

    CUSTOMER = "customer", _("Customer")
    AGENT = "agent", _("Agent")
    SYSTEM = "system", _("System")


class MessageStatus(models.TextChoices):
    RECEIVED = "received", _("Received, waiting to be scored")
    SCORED = "scored", _("Scored")
    NOT_SCORED = "not_scored", _("Not scored (not written by a customer)")
    UNSCORABLE = "unscorable", _("Unscorable")
    UNSUPPORTED_LANGUAGE = "unsupported_language", _("Language not supported")
    TOMBSTONE = "tombstone", _("Tombstone (opted out; no content kept)")
    NOISE = "noise", _("Noise (bot, spam, irrelevant)")
    NO_CONSENT = "no_consent", _("Not analysed (source needs opt-in)")


class Adapter(models.TextChoices):
    GENERIC = "generic", _("EmotionHub canonical JSON")
    ZENDESK = "zendesk", _("Zendesk-style ticket")
    SOCIAL = "social", _("Social listening mention")
    REVIEW = "review", _("Review site")
    FORUM = "forum", _("Community forum post")
    EMAIL = "email", _("Raw email (RFC 822)")


class Channel(models.TextChoices):
    """How a message reached us."""

    API = "api", _("API")
    WEBHOOK = "webhook", _("Signed webhook")
    CONNECTOR = "connector", _("Pull connector")
    SURVEY = "survey", _("Survey widget")
    ADMIN = "admin", _("Admin")
    DEMO = "demo", _("Demo data")


class DeadLetterStatus(models.TextChoices):
    NEW = "new", _("New")
    REPLAYED = "replayed", _("Replayed")
    DISCARDED = "discarded", _("Discarded")
