from django.db import models
from django.utils.translation import gettext_lazy as _

from apps.sources.choices import SourceKind


class ConsentStatus(models.TextChoices):
    OPTED_IN = "opted_in", _("Opted in")
    OPTED_OUT = "opted_out", _("Opted out")


#: An opt-out for every channel at once; it overrides any opt-in.
ALL_CHANNELS = "all"
#: A consent statement is for all channels or for one source kind.
CHANNEL_CHOICES = [(ALL_CHANNELS, _("All channels")), *SourceKind.choices]


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
