"""Where communications come from, the messages themselves, and what could not be accepted."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from apps.core.models import BaseModel
from apps.crm.choices import JourneyStage
from apps.sources.choices import Adapter, AuthorRole, DeadLetterStatus, MessageStatus, Platform, SourceKind


class Source(BaseModel):
    """A channel we receive customer communications from (a helpdesk, a social listening feed, …)."""

    name = models.CharField(_("name"), max_length=120)
    slug = models.SlugField(_("slug"), max_length=80, unique=True, help_text=_("Used in webhook URLs."))
    kind = models.CharField(_("kind"), max_length=20, choices=SourceKind.choices)
    platform = models.CharField(_("platform"), max_length=20, choices=Platform.choices, default=Platform.OTHER)
    is_active = models.BooleanField(_("active"), default=True, help_text=_("Inactive sources refuse new messages."))
    description = models.TextField(_("description"), blank=True)
    adapter = models.CharField(
        _("payload adapter"),
        max_length=20,
        choices=Adapter.choices,
        default=Adapter.GENERIC,
        help_text=_("How this source's webhook and connector payloads are read."),
    )
    requires_opt_in = models.BooleanField(
        _("requires opt-in"),
        default=False,
        help_text=_("Analyse only contacts who opted in (e.g. passive email tone analysis)."),
    )
    agent_identities = models.JSONField(
        _("our own identities"),
        default=list,
        blank=True,
        help_text=_(
            'Our handles and email domains, e.g. ["@quillstackhelp", "quillstack.com"]: what they write '
            "is an agent's, never scored as customer voice."
        ),
    )
    brand_terms = models.JSONField(
        _("brand terms"),
        default=list,
        blank=True,
        help_text=_('Social mentions must name one of these to be relevant, e.g. ["emotionhub", "@emotionhub"].'),
    )
    webhook_secret = models.CharField(_("webhook secret"), max_length=128, blank=True, editable=False)
    previous_webhook_secret = models.CharField(_("previous webhook secret"), max_length=128, blank=True, editable=False)
    previous_secret_valid_until = models.DateTimeField(
        _("previous secret valid until"), null=True, blank=True, editable=False
    )

    class Meta:
        ordering = ["name"]
        verbose_name = _("source")
        verbose_name_plural = _("sources")

    def __str__(self) -> str:
        return self.name

    def adapter_options(self, adapter: str | None = None) -> dict:
        """What ``adapter`` (default: this source's) needs to tell our own staff from customers."""
        adapter = adapter or self.adapter
        identities = [i.strip().lower() for i in self.agent_identities or [] if isinstance(i, str) and i.strip()]
        if adapter == "email":
            return {"agent_domains": {i.lstrip("@") for i in identities if "." in i}}
        if adapter == "social":
            return {"agent_handles": {i.lstrip("@") for i in identities if "." not in i}}
        return {}

    def webhook_secrets(self, now=None) -> list[str]:
        """The secrets a webhook signature may be made with now: the current one, and the previous
        one while its rotation grace period lasts."""
        now = now or timezone.now()
        secrets = [self.webhook_secret] if self.webhook_secret else []
        if self.previous_webhook_secret and self.previous_secret_valid_until and now < self.previous_secret_valid_until:
            secrets.append(self.previous_webhook_secret)
        return secrets

    def clean(self) -> None:
        if not isinstance(self.brand_terms, list) or not all(
            isinstance(t, str) and t.strip() for t in self.brand_terms
        ):
            raise ValidationError({"brand_terms": _("Brand terms must be a list of non-empty strings.")})
        self.brand_terms = [t.strip().lower() for t in self.brand_terms]


class Message(BaseModel):
    """One communication: a ticket comment, a post, a review, an email, a survey answer.

    Visible with its account (``restrict_via``); a message with no account only to holders of the
    model-wide permission.
    """

    restrict_via = "account"

    source = models.ForeignKey(Source, verbose_name=_("source"), on_delete=models.PROTECT, related_name="messages")
    external_id = models.CharField(_("external id"), max_length=200, help_text=_("The id at the source."))
    account = models.ForeignKey(
        "crm.Account",
        verbose_name=_("account"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="messages",
    )
    contact = models.ForeignKey(
        "crm.Contact",
        verbose_name=_("contact"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="messages",
    )
    author_role = models.CharField(
        _("author role"), max_length=10, choices=AuthorRole.choices, default=AuthorRole.CUSTOMER
    )
    author_handle = models.CharField(_("author handle"), max_length=255, blank=True)
    text = models.TextField(_("text"), blank=True)
    language = models.CharField(_("language"), max_length=12, blank=True, help_text=_("ISO 639-1 code, if known."))
    journey_stage = models.CharField(_("journey stage"), max_length=20, choices=JourneyStage.choices, blank=True)
    thread_id = models.CharField(_("thread id"), max_length=200, blank=True, db_index=True)
    created_at_source = models.DateTimeField(_("created at source"), default=timezone.now)
    received_at = models.DateTimeField(_("received at"), default=timezone.now, editable=False)
    status = models.CharField(_("status"), max_length=24, choices=MessageStatus.choices, default=MessageStatus.RECEIVED)
    platform = models.CharField(
        _("platform"),
        max_length=20,
        choices=Platform.choices,
        blank=True,
        help_text=_("Where it was posted, when the source mixes platforms."),
    )
    subject = models.CharField(_("subject"), max_length=300, blank=True)
    url = models.URLField(_("URL"), max_length=500, blank=True)
    is_private = models.BooleanField(
        _("private note"), default=False, help_text=_("An internal note the customer never saw.")
    )
    rating = models.FloatField(_("rating"), null=True, blank=True)
    rating_max = models.FloatField(_("rating scale maximum"), null=True, blank=True)
    raw_signal = models.FloatField(
        _("raw signal"),
        null=True,
        blank=True,
        help_text=_("The platform's own signal on -1..1: a star rating, else the text's valence."),
    )
    normalized_signal = models.FloatField(
        _("normalised signal"),
        null=True,
        blank=True,
        help_text=_("The raw signal relative to its platform's baseline (standard deviations), so platforms compare."),
    )
    author_reach = models.PositiveIntegerField(
        _("author reach"), null=True, blank=True, help_text=_("Followers or audience of the author.")
    )
    is_influencer = models.BooleanField(_("influencer"), default=False, db_index=True)
    noise_reason = models.CharField(_("noise reason"), max_length=200, blank=True)
    content_hash = models.CharField(_("content hash"), max_length=64, blank=True, db_index=True)
    expires_at = models.DateTimeField(
        _("expires at"),
        null=True,
        blank=True,
        db_index=True,
        help_text=_("Ephemeral content (Stories): purged at this time."),
    )
    self_reported = models.JSONField(
        _("self-reported emotion"),
        default=dict,
        blank=True,
        help_text=_("Survey answers: the scale value and emotion the customer chose, NPS, CSAT."),
    )
    metadata = models.JSONField(_("metadata"), default=dict, blank=True)
    ingested_via = models.CharField(_("ingested via"), max_length=20, blank=True)
    is_sensitive = models.BooleanField(
        _("sensitive"),
        default=False,
        db_index=True,
        help_text=_("Hardship, health or bereavement cues, or very high-intensity distress: stricter retention."),
    )
    sensitivity_reason = models.CharField(_("why sensitive"), max_length=200, blank=True)

    class Meta:
        ordering = ["-created_at_source", "-id"]
        verbose_name = _("message")
        verbose_name_plural = _("messages")
        constraints = [
            models.UniqueConstraint(fields=["source", "external_id"], name="sources_message_unique_external_id"),
        ]
        indexes = [
            models.Index(fields=["account", "-created_at_source"], name="sources_msg_account_time"),
            models.Index(fields=["source", "-created_at_source"], name="sources_msg_source_time"),
            models.Index(fields=["status"], name="sources_msg_status"),
        ]

    def __str__(self) -> str:
        return f"{self.source.slug}:{self.external_id}"

    @property
    def is_customer_written(self) -> bool:
        return self.author_role == AuthorRole.CUSTOMER

    def clean(self) -> None:
        if self.contact_id and self.account_id and self.contact.account_id != self.account_id:
            raise ValidationError({"contact": _("The contact belongs to another account.")})
        if self.contact_id and not self.account_id:
            self.account_id = self.contact.account_id


class DeadLetter(BaseModel):
    """A payload we could not accept, kept with the reason so that nothing is lost silently."""

    source = models.ForeignKey(
        Source, verbose_name=_("source"), on_delete=models.SET_NULL, null=True, blank=True, related_name="dead_letters"
    )
    channel = models.CharField(_("channel"), max_length=40, help_text=_("How it arrived: api, webhook, connector, …"))
    payload = models.JSONField(
        _("payload"), null=True, blank=True, help_text=_("The item as received, when it was JSON.")
    )
    raw_body = models.TextField(
        _("raw body"), blank=True, help_text=_("The bytes as received, when they were not JSON.")
    )
    reason = models.CharField(_("reason"), max_length=255)
    errors = models.JSONField(_("errors"), default=dict, blank=True)
    status = models.CharField(
        _("status"), max_length=12, choices=DeadLetterStatus.choices, default=DeadLetterStatus.NEW
    )
    attempts = models.PositiveIntegerField(_("replay attempts"), default=0)
    replayed_at = models.DateTimeField(_("replayed at"), null=True, blank=True)

    class Meta:
        ordering = ["-created"]
        verbose_name = _("dead letter")
        verbose_name_plural = _("dead letters")
        indexes = [models.Index(fields=["status", "-created"], name="sources_dl_status_time")]

    def __str__(self) -> str:
        return f"{self.channel}: {self.reason}"


class NoisePolicy(BaseModel):
    """How bots, spam and irrelevant mentions are recognised; one default, optionally one per source."""

    source = models.OneToOneField(
        Source,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="noise_policy",
        help_text=_("Blank: the default policy for every source without its own."),
    )
    is_active = models.BooleanField(_("active"), default=True)
    max_posts_per_author_per_hour = models.PositiveIntegerField(
        _("max posts per author per hour"), default=20, help_text=_("More than this from one author is bot-like.")
    )
    swarm_min_authors = models.PositiveIntegerField(
        _("same text from this many authors"),
        default=5,
        help_text=_("Identical text from at least this many authors within the window is a swarm."),
    )
    swarm_window_minutes = models.PositiveIntegerField(_("swarm window (minutes)"), default=60)
    max_links = models.PositiveIntegerField(
        _("max links"), default=2, help_text=_("More links than this is link spam.")
    )
    max_hashtags = models.PositiveIntegerField(
        _("max hashtags"), default=5, help_text=_("More hashtags than this is hashtag stuffing.")
    )
    new_account_days = models.PositiveIntegerField(
        _("new account (days)"),
        default=7,
        help_text=_("An author account younger than this, with few followers, is bot-like."),
    )
    new_account_max_followers = models.PositiveIntegerField(_("few followers"), default=20)
    require_brand_terms = models.BooleanField(
        _("require brand terms on social"),
        default=True,
        help_text=_("Social mentions that name none of the source's brand terms are irrelevant."),
    )
    influencer_min_followers = models.PositiveIntegerField(
        _("influencer reach"), default=10000, help_text=_("Authors with at least this many followers are influencers.")
    )

    class Meta:
        verbose_name = _("noise policy")
        verbose_name_plural = _("noise policies")
        constraints = [
            models.UniqueConstraint(
                fields=["source"], condition=models.Q(source__isnull=True), name="sources_one_default_noise_policy"
            ),
        ]

    def __str__(self) -> str:
        return f"Noise policy: {self.source or 'default'}"


class IdempotencyKey(models.Model):
    """The first answer to a request sent with an ``Idempotency-Key``, replayed for a retry of it."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    key = models.CharField(max_length=255)
    request_hash = models.CharField(max_length=64)
    status_code = models.PositiveSmallIntegerField(null=True)
    response = models.JSONField(null=True)
    created = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = _("idempotency key")
        constraints = [models.UniqueConstraint(fields=["user", "key"], name="sources_idempotency_unique")]

    def __str__(self) -> str:
        return self.key


class PlatformBaseline(models.Model):
    """The typical raw signal on a platform, against which its messages are normalised."""

    platform = models.CharField(_("platform"), max_length=20, choices=Platform.choices, unique=True)
    mean = models.FloatField(_("mean"))
    std = models.FloatField(_("standard deviation"))
    count = models.PositiveIntegerField(_("messages"))
    window_days = models.PositiveSmallIntegerField(_("window (days)"), default=30)
    computed_at = models.DateTimeField(_("computed at"), auto_now=True)

    class Meta:
        ordering = ["platform"]
        verbose_name = _("platform baseline")
        verbose_name_plural = _("platform baselines")

    def __str__(self) -> str:
        return f"{self.platform}: {self.mean:+.2f} ± {self.std:.2f}"


class Connector(BaseModel):
    """A pull connector: polls a platform's API on a schedule, with a cursor and backoff."""

    source = models.ForeignKey(Source, on_delete=models.CASCADE, related_name="connectors")
    name = models.CharField(_("name"), max_length=120)
    base_url = models.URLField(_("endpoint URL"), help_text=_('GET, answering {"items": [...], "next_cursor": ...}.'))
    auth_token = models.CharField(_("API token"), max_length=255, blank=True)
    page_size = models.PositiveIntegerField(_("page size"), default=100)
    max_pages_per_run = models.PositiveIntegerField(_("max pages per run"), default=20)
    interval_seconds = models.PositiveIntegerField(_("poll every (seconds)"), default=300)
    is_active = models.BooleanField(_("active"), default=True)
    cursor = models.CharField(_("cursor"), max_length=500, blank=True)
    next_run_at = models.DateTimeField(_("next run at"), default=timezone.now, db_index=True)
    claimed_until = models.DateTimeField(_("claimed until"), null=True, blank=True, editable=False)
    consecutive_failures = models.PositiveIntegerField(_("consecutive failures"), default=0, editable=False)
    last_success_at = models.DateTimeField(_("last success"), null=True, blank=True, editable=False)
    last_error = models.TextField(_("last error"), blank=True, editable=False)
    last_error_at = models.DateTimeField(_("last error at"), null=True, blank=True, editable=False)
    runs_total = models.PositiveIntegerField(_("runs"), default=0, editable=False)
    errors_total = models.PositiveIntegerField(_("failed runs"), default=0, editable=False)
    items_total = models.PositiveIntegerField(_("items fetched"), default=0, editable=False)

    class Meta:
        ordering = ["name"]
        verbose_name = _("pull connector")
        verbose_name_plural = _("pull connectors")

    def __str__(self) -> str:
        return self.name

    @property
    def health(self) -> str:
        """healthy, degraded (recent failures), failing (three or more in a row), or paused."""
        if not self.is_active:
            return "paused"
        if self.consecutive_failures >= 3:
            return "failing"
        if self.consecutive_failures:
            return "degraded"
        return "healthy"


class Survey(BaseModel):
    """An in-app micro-survey: an emotion scale, optional NPS and CSAT, optional free text."""

    source = models.ForeignKey(
        Source, on_delete=models.PROTECT, related_name="surveys", limit_choices_to={"kind": "survey"}
    )
    name = models.CharField(_("name"), max_length=120)
    public_key = models.CharField(
        _("public key"),
        max_length=40,
        unique=True,
        editable=False,
        help_text=_("Goes in the widget's data-survey-key; not a secret."),
    )
    question = models.CharField(_("question"), max_length=200, default="How do you feel about the product today?")
    scale = models.JSONField(
        _("emotion scale"),
        default=list,
        blank=True,
        help_text=_(
            'Faces, left to right: [{"value": 1, "label": "Angry", "emoji": "😠", '
            '"emotion": "anger"}, …]. Blank: the default five faces.'
        ),
    )
    ask_nps = models.BooleanField(_("ask NPS (0–10)"), default=False)
    ask_csat = models.BooleanField(_("ask CSAT (1–5)"), default=False)
    free_text_prompt = models.CharField(
        _("free-text prompt"), max_length=200, blank=True, default="Anything you'd like to tell us?"
    )
    allowed_origins = models.JSONField(
        _("allowed origins"),
        default=list,
        blank=True,
        help_text=_('Pages that may show it, e.g. ["https://app.example.com"].'),
    )
    rate_limit_per_minute = models.PositiveIntegerField(_("answers per minute per visitor"), default=5)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("survey")
        verbose_name_plural = _("surveys")

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        if self.source_id and self.source.kind != "survey":
            raise ValidationError({"source": _("Choose a source of kind 'In-app survey'.")})
        origins = self.allowed_origins
        if not isinstance(origins, list) or not all(
            isinstance(o, str) and o.startswith(("http://", "https://")) and o.count("/") == 2 for o in origins
        ):
            raise ValidationError(
                {"allowed_origins": _("List origins like https://app.example.com (scheme and host, no path).")}
            )
        self.allowed_origins = [o.rstrip("/").lower() for o in origins]
        if self.scale:
            if not isinstance(self.scale, list) or not 2 <= len(self.scale) <= 7:
                raise ValidationError({"scale": _("Give between 2 and 7 faces.")})
            for face in self.scale:
                if not isinstance(face, dict) or not {"value", "label"} <= set(face):
                    raise ValidationError({"scale": _("Each face needs a value and a label.")})
