"""The desk's removal forms: one screen, one confirmation."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _


class MeasureForm(forms.Form):
    measure = forms.ChoiceField(label=_("Measure"), widget=forms.RadioSelect, initial="remove",
                                choices=[("remove", _("Remove the content")),
                                         ("disable_eu", _("Disable access in all member states")),
                                         ("disable_some", _("Disable access in these countries only"))])
    countries = forms.CharField(label=_("Countries (ISO codes, e.g. FR DE)"), required=False,
                                max_length=200)
    confirm = forms.BooleanField(label=_("I have seen the content and confirm the measure"))
    note = forms.CharField(label=_("Note (optional)"), required=False, max_length=1000)

    def measure_args(self) -> tuple[str, list[str]]:
        choice = self.cleaned_data["measure"]
        if choice == "remove":
            return "remove", []
        if choice == "disable_eu":
            return "disable", ["EU"]
        codes = self.cleaned_data["countries"].replace(",", " ").split()
        if not codes:
            self.add_error("countries", _("Name the countries where access is disabled."))
        return "disable", codes


class ReviewForm(forms.Form):
    agrees = forms.TypedChoiceField(label=_("Your assessment of the measure"), widget=forms.RadioSelect,
                                    coerce=lambda v: v == "yes",
                                    choices=[("yes", _("I agree with the measure")),
                                             ("no", _("I disagree with the measure"))])
    note = forms.CharField(label=_("Note"), required=False, max_length=1000)


class RestoreForm(forms.Form):
    reason = forms.CharField(label=_("Why the content is reinstated"), max_length=1000)


class FactsForm(forms.Form):
    statement = forms.IntegerField(widget=forms.HiddenInput)
    facts = forms.CharField(label=_("Facts and circumstances (public: no names, numbers or addresses)"),
                            widget=forms.Textarea(attrs={"rows": 3}), max_length=5000)


class ScopeForm(forms.Form):
    countries = forms.CharField(
        label=_("Territorial scope stated in the order"), max_length=200,
        help_text=_("The states where the order has effect, as it says: ISO codes such as FR BE "
                    "(Greece is GR), EEA states too, or EU for every member state."))


class ImpossibilityForm(forms.Form):
    reason = forms.ChoiceField(label=_("Reason (Annex III, Section B)"), widget=forms.RadioSelect,
                               choices=[("force_majeure", _("Force majeure or de facto impossibility not "
                                                            "attributable to the provider")),
                                        ("manifest_errors", _("The order contains manifest errors")),
                                        ("insufficient_information",
                                         _("The order does not contain sufficient information"))])
    explanation = forms.CharField(label=_("Explanation"), widget=forms.Textarea(attrs={"rows": 3}),
                                  max_length=3000)
    clarification = forms.CharField(label=_("Clarification requested"), required=False,
                                    widget=forms.Textarea(attrs={"rows": 2}), max_length=3000)


class QuashForm(forms.Form):
    decision = forms.CharField(label=_("Reference of the host state's decision"), max_length=200)
