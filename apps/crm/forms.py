"""Forms of the CRM workspace pages."""

from __future__ import annotations

from django import forms
from django.contrib.auth import get_user_model
from django.utils.translation import gettext_lazy as _

from apps.crm.choices import AccountTier, JourneyStage, Team
from apps.crm.selectors import WORKSPACE_SORTS


class WorkspaceFilterForm(forms.Form):
    """The filters and sort of "My accounts" (GET); anything unknown falls back to the default."""

    q = forms.CharField(label=_("Name contains"), required=False, max_length=100)
    stage = forms.ChoiceField(label=_("Journey stage"), required=False, choices=[("", _("Any")), *JourneyStage.choices])
    tier = forms.ChoiceField(label=_("Tier"), required=False, choices=[("", _("Any")), *AccountTier.choices])
    at_risk = forms.BooleanField(label=_("At risk only"), required=False)
    sort = forms.ChoiceField(required=False, choices=[(k, k) for k in WORKSPACE_SORTS])
    dir = forms.ChoiceField(required=False, choices=[("asc", "asc"), ("desc", "desc")])


class HandoffNoteForm(forms.Form):
    """A handoff note; ``new_owner`` is offered only to users who may reassign the account."""

    from_team = forms.ChoiceField(label=_("From"), choices=Team.choices)
    to_team = forms.ChoiceField(label=_("To"), choices=Team.choices)
    context = forms.CharField(
        label=_("Emotional context for the next owner"),
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("How the customer feels and why, what was promised, what to avoid."),
        error_messages={"required": _("Write the emotional context for the next owner.")},
    )
    new_owner = forms.ModelChoiceField(
        label=_("Reassign the account to (customer success or renewals only)"),
        queryset=get_user_model().objects.none(),
        required=False,
    )

    def __init__(self, *args, owners=None, **kwargs):
        super().__init__(*args, **kwargs)
        if owners is None:
            del self.fields["new_owner"]
        else:
            self.fields["new_owner"].queryset = owners
            self.fields["new_owner"].label_from_instance = lambda u: u.get_full_name() or u.get_username()
