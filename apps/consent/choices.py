from django.db import models
from django.utils.translation import gettext_lazy as _


class ConsentStatus(models.TextChoices):
    OPTED_IN = "opted_in", _("Opted in")
    OPTED_OUT = "opted_out", _("Opted out")


class ConsentChannel(models.TextChoices):
    """A source kind, or every channel at once. An opt-out for "all" overrides everything."""

    ALL = "all", _("All channels")
    TICKETING = "ticketing", _("Support tickets")
    SOCIAL = "social", _("Social media")
    REVIEW = "review", _("Review sites")
    FORUM = "forum", _("Community forum")
    SURVEY = "survey", _("In-app surveys")
    EMAIL = "email", _("Email")
    CHAT = "chat", _("Live chat")


class ConsentOrigin(models.TextChoices):
    PORTAL = "portal", _("Opt-out portal")
    API = "api", _("API (forwarded by a CRM)")
    ADMIN = "admin", _("Admin")
    SURVEY = "survey", _("Survey answer")
    IMPORT = "import", _("Import")


class Verdict(models.TextChoices):
    """What the consent check allows for one message."""

    ANALYSE = "analyse", _("May be analysed")
    OPTED_OUT = "opted_out", _("Opted out: keep a tombstone only")
    NO_OPT_IN = "no_opt_in", _("Source needs opt-in and there is none")
