"""Forms of the public opt-out portal."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from apps.consent.choices import ALL_CHANNELS

SCOPE_ALL = "all"
SCOPE_SOME = "some"


class OptOutRequestForm(forms.Form):
    email = forms.EmailField(
        label=_("Your email address"),
        max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "email", "autofocus": True}),
    )


class OptOutConfirmForm(forms.Form):
    """All analysis, or only some channels (the ones we receive messages from)."""

    scope = forms.ChoiceField(
        label=_("What should we stop analysing?"),
        choices=[(SCOPE_ALL, _("All analysis of my messages")), (SCOPE_SOME, _("Only the channels I choose below"))],
        initial=SCOPE_ALL,
        widget=forms.RadioSelect,
    )
    channels = forms.MultipleChoiceField(
        label=_("Channels"), required=False, choices=[], widget=forms.CheckboxSelectMultiple
    )

    def __init__(self, *args, channels: list[tuple[str, str]], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["channels"].choices = channels
        if not channels:
            self.fields["scope"].choices = self.fields["scope"].choices[:1]

    def clean(self):
        data = super().clean()
        if data.get("scope") == SCOPE_SOME and not data.get("channels"):
            self.add_error("channels", _("Choose at least one channel, or choose all analysis."))
        return data

    def chosen_channels(self) -> list[str]:
        if self.cleaned_data["scope"] == SCOPE_ALL:
            return [ALL_CHANNELS]
        return list(self.cleaned_data["channels"])
