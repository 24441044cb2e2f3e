"""Desk forms of the HI-1 channel (validation only; the services do the writing)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from lawdesk.accounts.models import Officer


class OfficerChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj: Officer) -> str:
        return f"{obj.user.full_name} <{obj.user.email}> — {obj.agency.name}"


class EndpointForm(forms.Form):
    officer = OfficerChoice(
        queryset=Officer.objects.filter(status=Officer.Status.ACTIVE)
        .select_related("user", "agency").order_by("agency__name", "user__full_name"),
        label=_("Liaison officer"),
        help_text=_("Orders from this endpoint are filed on this officer's account; the "
                    "endpoint belongs to the officer's agency."))
    country_code = forms.CharField(max_length=2, label=_("Country code"),
                                   help_text=_("The endpoint's CountryCode, e.g. FR."))
    unique_identifier = forms.CharField(max_length=255, label=_("Unique identifier"),
                                        help_text=_("The endpoint's UniqueIdentifier, as in "
                                                    "SenderIdentifier."))
    fingerprint = forms.CharField(max_length=200, label=_("Certificate fingerprint (SHA-256)"),
                                  help_text=_("Of the client certificate, e.g. from openssl x509 "
                                              "-noout -fingerprint -sha256."))
    delivery_url = forms.CharField(
        max_length=500, required=False, label=_("Address of the authority's HI-1 server"),
        help_text=_("Where lawdesk sends the status of the orders and the evidence packages "
                    "(https://…). Empty: nothing is sent back over HI-1."))
    evidence = forms.CharField(max_length=300, label=_("How it was checked"),
                               help_text=_("E.g. handed over at the onboarding meeting, compared "
                                           "by phone with the ministry."))


class RevokeForm(forms.Form):
    endpoint = forms.IntegerField(widget=forms.HiddenInput)
    reason = forms.CharField(max_length=300, label=_("Reason"))
