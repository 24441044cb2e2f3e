"""Desk forms for agency management (validation only; services do the writing)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from lawdesk.accounts.models import Agency
from lawdesk.accounts.validators import COUNTRY_CODES, validate_age_recipient


class AgencyForm(forms.Form):
    name = forms.CharField(max_length=200)
    country = forms.ChoiceField(choices=[(c, c) for c in sorted(COUNTRY_CODES)],
                                help_text=_("ISO 3166-1 alpha-2 code of the agency's state."))
    kind = forms.ChoiceField(choices=Agency.Kind.choices)
    age_public_key = forms.CharField(
        max_length=100, required=False, validators=[validate_age_recipient],
        label=_("age public key (optional)"),
        help_text=_("age1… — evidence packages will be encrypted to this key."),
    )


class DomainForm(forms.Form):
    domain = forms.CharField(max_length=253, help_text=_("Exact domain; subdomains are not included."))
    note = forms.CharField(max_length=300, label=_("How it was verified"),
                           help_text=_("E.g. DNS TXT record checked, official directory entry."))


class CallbackForm(forms.Form):
    phone = forms.CharField(max_length=30, label=_("Call-back number"),
                            help_text=_("International form, e.g. +33 1 49 27 49 27."))
    source = forms.CharField(max_length=300, label=_("Independent source"),
                             help_text=_("Where you found it — never a number given in a request."))


class RemoveDomainForm(forms.Form):
    domain = forms.CharField(max_length=253)


class AnchorDecisionForm(forms.Form):
    change = forms.IntegerField(widget=forms.HiddenInput)
    decision = forms.ChoiceField(choices=[("approve", _("Approve")), ("reject", _("Reject"))])
    reason = forms.CharField(max_length=500, required=False, label=_("Reason (to reject)"))


class StatusForm(forms.Form):
    status = forms.ChoiceField(choices=Agency.Status.choices)
    reason = forms.CharField(max_length=500)


class OfficerDecisionForm(forms.Form):
    decision = forms.ChoiceField(choices=[("approve", _("Approve")), ("suspend", _("Suspend")),
                                          ("ask_supervisor", _("Ask the supervisor again"))])
    reason = forms.CharField(
        max_length=500, required=False, label=_("Reason"),
        help_text=_("Required to approve or suspend: for an approval, how you checked this "
                    "officer (e.g. call to the agency's registered number)."))


class SupervisorAnswerForm(forms.Form):
    answer = forms.ChoiceField(choices=[("confirm", _("Yes, this is my officer")),
                                        ("decline", _("No, I do not confirm this person"))])
