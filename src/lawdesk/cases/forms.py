"""Forms of the officer portal and the staff desk (rendering and simple validation)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.http import QueryDict

from lawdesk.cases.models import (
    CATEGORY_CHOICES,
    INSTRUMENT_CHOICES,
    ISSUER_ROLE_CHOICES,
    KIND_CHOICES,
    OFFENCE_CHOICES,
    REFUSAL_CHOICES,
)

_BLANK: list[tuple[str, str]] = [("", "—")]


class RequestForm(forms.Form):
    """The officer's request form. Validation happens in ``intake.validate_intake``."""

    kind = forms.ChoiceField(choices=_BLANK + KIND_CHOICES, label="Type of request")
    instrument_type = forms.ChoiceField(choices=_BLANK + INSTRUMENT_CHOICES, label="Legal instrument")
    instrument_reference = forms.CharField(label="Instrument reference",
                                           help_text="The number printed on the order.")
    instrument_date = forms.DateField(label="Date of the instrument",
                                      widget=forms.DateInput(attrs={"type": "date"}))
    issuer_name = forms.CharField(label="Issued by (name)")
    issuer_role = forms.ChoiceField(choices=_BLANK + ISSUER_ROLE_CHOICES, label="Issuer's role")
    validator_name = forms.CharField(required=False, label="Validated by (if any)")
    validator_role = forms.ChoiceField(choices=_BLANK + ISSUER_ROLE_CHOICES, required=False,
                                       label="Validator's role")
    authority_file_number = forms.CharField(label="Your file number")
    offence_category = forms.ChoiceField(choices=_BLANK + OFFENCE_CHOICES, label="Offence")
    offence_description = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}),
                                          label="Description of the offence")
    max_sentence_years = forms.IntegerField(required=False, min_value=0, max_value=100,
                                            label="Maximum sentence (years)")
    user_named_as_suspect = forms.BooleanField(required=False,
                                               label="The order names the user as a suspect")
    categories = forms.MultipleChoiceField(choices=CATEGORY_CHOICES, required=False,
                                           widget=forms.CheckboxSelectMultiple,
                                           label="Data categories asked")
    targets = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 4, "spellcheck": "false"}), label="Targets",
        help_text="One per line: +33 6 12 34 56 78 · @username · 1000001 (account id) · "
                  "https://msgr.example/name · 203.0.113.7:4711 @ 2026-10-01T10:00:00Z")
    window_start = forms.DateTimeField(required=False, label="Window start (UTC)",
                                       widget=forms.DateTimeInput(attrs={"type": "datetime-local"}))
    window_end = forms.DateTimeField(required=False, label="Window end (UTC)",
                                     widget=forms.DateTimeInput(attrs={"type": "datetime-local"}))
    emergency_threat = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 3}),
                                       label="Imminent threat (emergencies only)",
                                       help_text="Who is in danger, what threat, how imminent.")
    content_locations = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 3}),
                                        label="Content to remove (removal orders only)",
                                        help_text="One URL or identifier per line.")
    nondisclosure_order = forms.BooleanField(required=False,
                                             label="A non-disclosure order forbids telling the user")
    nondisclosure_until = forms.DateField(required=False, label="Non-disclosure order ends",
                                          widget=forms.DateInput(attrs={"type": "date"}))
    attachments = forms.FileField(required=False, label="Signed legal instrument (PDF)",
                                  widget=forms.ClearableFileInput(attrs={"accept": "application/pdf"}))


def _utc(value: str) -> str | None:
    """A datetime-local value (no zone) read as UTC; values with a zone are kept."""
    value = value.strip()
    if not value:
        return None
    if value.endswith("Z") or "+" in value[10:]:
        return value
    return value + (":00Z" if len(value) == 16 else "Z")


def payload_from_post(post: QueryDict) -> dict[str, Any]:
    """Turn the portal form's fields into the intake payload (datetime-local inputs are UTC)."""
    def text(name: str) -> str:
        return str(post.get(name, "")).strip()

    payload: dict[str, Any] = {
        name: text(name) for name in (
            "kind", "instrument_type", "instrument_reference", "instrument_date", "issuer_name",
            "issuer_role", "validator_name", "authority_file_number", "offence_category",
            "offence_description", "emergency_threat", "content_locations")
    }
    for optional in ("instrument_date", "kind", "instrument_type", "issuer_role",
                     "offence_category"):
        if not payload[optional]:
            payload.pop(optional)
    if text("validator_role"):
        payload["validator_role"] = text("validator_role")
    if text("max_sentence_years"):
        payload["max_sentence_years"] = text("max_sentence_years")
    payload["user_named_as_suspect"] = bool(post.get("user_named_as_suspect"))
    payload["nondisclosure_order"] = bool(post.get("nondisclosure_order"))
    if text("nondisclosure_until"):
        payload["nondisclosure_until"] = text("nondisclosure_until")
    payload["categories"] = post.getlist("categories")
    payload["targets"] = [{"identifier": line.strip()} for line in text("targets").splitlines()
                          if line.strip()]
    for name in ("window_start", "window_end"):
        value = _utc(text(name))
        if value:
            payload[name] = value
    return payload


class QuestionForm(forms.Form):
    question = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}),
                               label="Question to the requester")


class AnswerForm(forms.Form):
    answer = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), label="Your answer")


class WithdrawForm(forms.Form):
    reason = forms.CharField(max_length=500, label="Why is the request withdrawn?")


class NoteForm(forms.Form):
    body = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}), label="Internal note")


class CallbackForm(forms.Form):
    person = forms.CharField(max_length=200, label="Who confirmed on the call")
    supervisor = forms.CharField(max_length=200, label="Supervisor who confirmed the emergency")


class ProposalForm(forms.Form):
    categories = forms.MultipleChoiceField(choices=CATEGORY_CHOICES,
                                           widget=forms.CheckboxSelectMultiple,
                                           label="Categories to disclose")
    target_ids = forms.TypedMultipleChoiceField(coerce=int, widget=forms.CheckboxSelectMultiple,
                                                label="Targets")
    legal_basis = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}),
                                  label="Legal basis of the disclosure")

    def __init__(self, *args: Any, targets: list[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["target_ids"].choices = targets  # type: ignore[attr-defined]


class DecisionForm(forms.Form):
    note = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 2}),
                           label="Note (required to send back)")


class RefuseForm(forms.Form):
    ground = forms.ChoiceField(choices=_BLANK + REFUSAL_CHOICES, label="Ground (Annex III)")
    text = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 2}),
                           label="Explanation to the authority")


class AssignForm(forms.Form):
    assignee = forms.TypedChoiceField(coerce=int, required=False, label="Assign to")

    def __init__(self, *args: Any, staff: list[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["assignee"].choices = [("", "— nobody —"), *staff]  # type: ignore[attr-defined]


class ReasonForm(forms.Form):
    reason = forms.CharField(max_length=500, label="Reason")


class RemovalForm(forms.Form):
    action = forms.ChoiceField(choices=[("removed", "Content removed"),
                                        ("restricted", "Access restricted")])
    note = forms.CharField(required=False, max_length=1000, label="Note")


class OverrideForm(forms.Form):
    category = forms.ChoiceField(choices=CATEGORY_CHOICES, label="Category")
    outcome = forms.ChoiceField(choices=[("allowed", "Allowed"), ("not_allowed", "Not allowed"),
                                         ("needs_further_process", "Needs further process")],
                                label="New outcome")
    reason = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}), label="Written reason",
                             help_text="Shown to the approver and kept in the audit trail.")


class NondisclosureForm(forms.Form):
    until = forms.DateField(label="Order now ends", widget=forms.DateInput(attrs={"type": "date"}))
    reference = forms.CharField(max_length=100, label="Reference of the extension order")


class ConvertForm(forms.Form):
    production_number = forms.CharField(max_length=20, label="Production request number",
                                        help_text="The follow-up production order, e.g. LD-2026-000123.")
