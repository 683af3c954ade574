"""Fixed vocabularies of the CRM app."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class AccountTier(models.TextChoices):
    STRATEGIC = "strategic", _("Strategic")
    ENTERPRISE = "enterprise", _("Enterprise")
    MID_MARKET = "mid_market", _("Mid-market")
    SMB = "smb", _("Small business")


class JourneyStage(models.TextChoices):
    """Where a customer is in their relationship with us; messages carry it too."""

    ONBOARDING = "onboarding", _("Onboarding")
    ADOPTION = "adoption", _("Adoption")
    SUPPORT = "support", _("Support")
    RENEWAL = "renewal", _("Renewal")
    EXPANSION = "expansion", _("Expansion")
    ADVOCACY = "advocacy", _("Advocacy")


class LifecycleStatus(models.TextChoices):
    PROSPECT = "prospect", _("Prospect")
    ACTIVE = "active", _("Active customer")
    CHURNED = "churned", _("Churned")


class IdentityKind(models.TextChoices):
    """The kinds of identifier by which a message's author is matched to a contact."""

    EMAIL = "email", _("Email address")
    HANDLE = "handle", _("Social handle")
    EXTERNAL_ID = "external_id", _("External system id")


class Team(models.TextChoices):
    """The departments an account moves between; a handoff note goes from one to another."""

    SUPPORT = "support", _("Support")
    SUCCESS = "success", _("Customer success")
    RENEWAL = "renewal", _("Renewals")
    SALES = "sales", _("Sales")
    ONBOARDING = "onboarding", _("Onboarding")


#: Handing off to these teams may also move the account to a new account manager.
REASSIGNING_TEAMS = (Team.SUCCESS, Team.RENEWAL)
