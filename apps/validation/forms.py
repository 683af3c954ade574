"""Forms of the validation pages and admin: they validate input and hand it to one service."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from apps.scoring.models import ScoringModel
from apps.sources.choices import Platform
from apps.validation.choices import SkipReason, Strategy
from apps.validation.templatetags.validation_tags import base_emotions


def emotion_choices() -> list[tuple[str, str]]:
    return base_emotions()


class BatchForm(forms.Form):
    """Draw a new annotation batch."""

    name = forms.CharField(label=_("Name"), max_length=120)
    strategy = forms.ChoiceField(label=_("Strategy"), choices=Strategy.choices)
    size = forms.IntegerField(label=_("How many messages"), min_value=1, max_value=5000, initial=50)
    annotators_required = forms.IntegerField(label=_("Annotators per message"), min_value=1, max_value=10, initial=2)
    seed = forms.IntegerField(label=_("Seed"), initial=0, help_text=_("The same seed draws the same sample."))
    platform = forms.ChoiceField(
        label=_("Platform"), choices=[("", "—"), *Platform.choices], required=False, help_text=_("For “One platform”.")
    )

    def clean(self):
        data = super().clean()
        if data.get("strategy") == Strategy.PLATFORM and not data.get("platform"):
            self.add_error("platform", _("Choose the platform to sample from."))
        return data


class AnnotationForm(forms.Form):
    """One annotator's answer for one item: labels (with the main one), or a skip with its reason."""

    item = forms.IntegerField(widget=forms.HiddenInput)
    action = forms.ChoiceField(choices=[("label", "label"), ("skip", "skip")], initial="label")
    labels = forms.MultipleChoiceField(
        label=_("Emotions"), choices=emotion_choices, required=False, widget=forms.CheckboxSelectMultiple
    )
    primary = forms.ChoiceField(label=_("Main emotion"), choices=emotion_choices, required=False)
    skip_reason = forms.ChoiceField(label=_("Why skip?"), choices=SkipReason.choices, required=False)
    skip_note = forms.CharField(label=_("Details"), max_length=300, required=False)
    duration_ms = forms.IntegerField(min_value=0, required=False, widget=forms.HiddenInput)

    def ordered_labels(self) -> list[str]:
        """The ticked labels with the main one first (the first ticked when none was named)."""
        labels = list(self.cleaned_data.get("labels") or [])
        primary = self.cleaned_data.get("primary")
        if primary and primary in labels:
            labels.remove(primary)
            labels.insert(0, primary)
        return labels


class GoldForm(forms.Form):
    """An adjudicator's decision."""

    action = forms.ChoiceField(choices=[("decide", "decide"), ("discard", "discard")], initial="decide")
    labels = forms.MultipleChoiceField(
        label=_("Gold emotions"), choices=emotion_choices, required=False, widget=forms.CheckboxSelectMultiple
    )
    primary = forms.ChoiceField(label=_("Main emotion"), choices=emotion_choices, required=False)
    note = forms.CharField(label=_("Note"), max_length=500, required=False)

    ordered_labels = AnnotationForm.ordered_labels


class FeedbackForm(forms.Form):
    """A frontline "wrong emotion" report."""

    message = forms.IntegerField(widget=forms.HiddenInput)
    correct_labels = forms.MultipleChoiceField(
        label=_("The right emotion(s)"), choices=emotion_choices, widget=forms.CheckboxSelectMultiple
    )
    note = forms.CharField(label=_("Note"), max_length=1000, required=False)


class EvaluationForm(forms.Form):
    scoring_model = forms.ModelChoiceField(
        label=_("Model"),
        queryset=ScoringModel.objects.all(),
        required=False,
        empty_label=_("The active model"),
    )


class CalibrationForm(forms.Form):
    tolerance = forms.FloatField(
        label=_("Tolerance (macro-F1)"),
        min_value=0,
        max_value=1,
        required=False,
        help_text=_("How much lower the candidate may score and still be activated. Blank: the configured default."),
    )


class RollbackForm(forms.Form):
    scoring_model = forms.ModelChoiceField(
        label=_("Version to roll back to"), queryset=ScoringModel.objects.filter(is_active=False)
    )
    note = forms.CharField(label=_("Why"), max_length=500)
