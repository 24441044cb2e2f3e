"""Forms of the officer portal and the staff desk (rendering and simple validation)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.conf.locale import LANG_INFO
from django.http import QueryDict
from django.utils.translation import get_language, gettext
from django.utils.translation import gettext_lazy as _

from lawdesk.cases.models import (
    CATEGORY_CHOICES,
    INSTRUMENT_CHOICES,
    ISSUER_ROLE_CHOICES,
    KIND_CHOICES,
    OFFENCE_CHOICES,
    REFUSAL_CHOICES,
    Status,
)

_BLANK: list[tuple[str, Any]] = [("", "—")]
PROCEEDINGS_CHOICES = [("criminal", _("Criminal proceedings")),
                       ("non_criminal", _("Civil or administrative matter"))]
ONLINE_CHOICES = [("", _("Not known")), ("yes", _("Yes")), ("no", _("No"))]
PROTECTED_CHOICES = [
    ("none", _("None known")), ("lawyer", _("Lawyer")), ("journalist", _("Journalist")),
    ("doctor", _("Doctor")), ("member_of_parliament", _("Member of parliament")),
    ("diplomatic_or_other_immunity", _("Diplomatic or other immunity")),
    ("unknown", _("Possibly protected, not established")),
]
EMERGENCY_KIND_CHOICES = [
    ("threat_to_life_or_physical_integrity", _("Threat to life or physical integrity")),
    ("critical_infrastructure", _("Threat to critical infrastructure")),
    ("other", _("Other (e.g. property only)")),
]
DATA_HOLDER_CHOICES = [("eu_establishment", _("Its EU establishment")),
                       ("us_entity", _("Its US entity")), ("both", _("Both"))]
EX_POST_CHOICES = [("pending", _("Requested, pending")), ("obtained", _("Obtained")),
                   ("refused", _("Refused"))]
ENFORCING_GROUND_CHOICES = [
    ("immunities_or_privileges", _("Immunities, privileges or press freedom (Art. 12(1)(a))")),
    ("fundamental_rights", _("Manifest breach of a fundamental right (Art. 12(1)(b))")),
    ("ne_bis_in_idem", _("Ne bis in idem (Art. 12(1)(c))")),
    ("double_criminality", _("Not an offence in the enforcing state (Art. 12(1)(d))")),
]

# The official languages of the Union: the languages an order may be written in.
EU_LANGUAGES = ("bg", "cs", "da", "de", "el", "en", "es", "et", "fi", "fr", "ga", "hr", "hu", "it",
                "lt", "lv", "mt", "nl", "pl", "pt", "ro", "sk", "sl", "sv")
_MORE_NAMES = {"mt": (_("Maltese"), "Malti")}  # Django has no locale for Maltese


def language_name(code: str) -> str:
    """A language's name in the page's language, and in its own when that differs."""
    if code in _MORE_NAMES:
        name, own = _MORE_NAMES[code]
    else:
        name, own = LANG_INFO[code]["name"], LANG_INFO[code]["name_local"]
    here = str(gettext(str(name)))  # Django's catalogue names the languages
    return here if here.lower() == own.lower() else f"{here} ({own})"


def order_language_choices() -> list[tuple[str, str]]:
    """The languages an order may be in, by name in the page's language (sorted by it)."""
    return sorted(((code, language_name(code)) for code in EU_LANGUAGES), key=lambda c: c[1].lower())


class RequestForm(forms.Form):
    """The officer's request form. Validation happens in ``intake.validate_intake``."""

    kind = forms.ChoiceField(choices=_BLANK + KIND_CHOICES, label=_("Type of request"))
    instrument_type = forms.ChoiceField(choices=_BLANK + INSTRUMENT_CHOICES, label=_("Legal instrument"))
    instrument_reference = forms.CharField(label=_("Instrument reference"),
                                           help_text=_("The number printed on the order."))
    instrument_date = forms.DateField(label=_("Date of the instrument"),
                                      widget=forms.DateInput(attrs={"type": "date"}))
    issuer_name = forms.CharField(label=_("Issued by (name)"))
    issuer_role = forms.ChoiceField(choices=_BLANK + ISSUER_ROLE_CHOICES, label=_("Issuer's role"))
    validator_name = forms.CharField(required=False, label=_("Validated by (if any)"))
    validator_role = forms.ChoiceField(choices=_BLANK + ISSUER_ROLE_CHOICES, required=False,
                                       label=_("Validator's role"))
    authority_file_number = forms.CharField(label=_("Your file number"))
    offence_category = forms.ChoiceField(choices=_BLANK + OFFENCE_CHOICES, label=_("Offence"))
    offence_description = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}),
                                          label=_("Description of the offence"))
    max_sentence_years = forms.IntegerField(required=False, min_value=0, max_value=100,
                                            label=_("Maximum sentence (years)"))
    user_named_as_suspect = forms.BooleanField(required=False,
                                               label=_("The order names the user as a suspect"))
    categories = forms.MultipleChoiceField(choices=CATEGORY_CHOICES, required=False,
                                           widget=forms.CheckboxSelectMultiple,
                                           label=_("Data categories asked"))
    targets = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 4, "spellcheck": "false"}), label=_("Targets"),
        help_text=_("One per line: +33 6 12 34 56 78 · @username · 1000001 (account id) · "
                  "https://msgr.example/name · 203.0.113.7:4711 @ 2026-10-01T10:00:00Z"))
    window_start = forms.DateTimeField(required=False, label=_("Window start (UTC)"),
                                       widget=forms.DateTimeInput(attrs={"type": "datetime-local"}))
    window_end = forms.DateTimeField(required=False, label=_("Window end (UTC)"),
                                     widget=forms.DateTimeInput(attrs={"type": "datetime-local"}))
    emergency_threat = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 3}),
                                       label=_("Imminent threat (emergencies only)"),
                                       help_text=_("Who is in danger, what threat, how imminent."))
    content_locations = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 3}),
                                        label=_("Content to remove (removal orders only)"),
                                        help_text=_("One URL or identifier per line."))
    territorial_scope = forms.CharField(
        required=False, max_length=200,
        label=_("Territorial scope of the order (DSA Art. 9 orders only)"),
        help_text=_("The states where the order has effect, as it says: ISO codes such as FR BE "
                    "(Greece is GR), EEA states too, or EU for every member state. Empty if the "
                    "order does not say."))
    nondisclosure_order = forms.BooleanField(required=False,
                                             label=_("A non-disclosure order forbids telling the user"))
    nondisclosure_until = forms.DateField(required=False, label=_("Non-disclosure order ends"),
                                          widget=forms.DateInput(attrs={"type": "date"}))
    attachments = forms.FileField(required=False, label=_("Signed legal instrument (PDF)"),
                                  widget=forms.ClearableFileInput(attrs={"accept": "application/pdf"}))
    language = forms.ChoiceField(choices=order_language_choices, required=False,
                                 label=_("Language of the order"))
    # Facts the rule engine needs (docs/law/input-format.md); all optional.
    proceedings = forms.ChoiceField(
        choices=PROCEEDINGS_CHOICES, required=False, initial="criminal",
        label=_("Nature of the proceedings"))
    offence_committed_online = forms.ChoiceField(
        choices=ONLINE_CHOICES, required=False, label=_("Committed by means of an information system"),
        help_text=_("Wholly or partly online. For child sexual abuse, payment fraud and attacks on "
                    "information systems below 3 years, this decides whether traffic or content "
                    "data may be ordered (e-Evidence Art. 5(4)(b))."))
    protected_status = forms.ChoiceField(
        choices=PROTECTED_CHOICES, required=False, initial="none",
        label=_("Protected status of the person concerned"),
        help_text=_("Lawyers, journalists, doctors, members of parliament and persons with "
                    "immunity need a special process."))
    emergency_kind = forms.ChoiceField(
        choices=[*_BLANK, *EMERGENCY_KIND_CHOICES], required=False,
        label=_("Kind of emergency (emergencies only)"))
    ex_post_validation = forms.ChoiceField(
        choices=[*_BLANK, *EX_POST_CHOICES], required=False,
        label=_("Ex-post validation of an emergency order issued without it"),
        help_text=_("e-Evidence Art. 4(5): validation must follow within 48 hours."))
    user_notice_not_before = forms.DateField(
        required=False, label=_("The user may be informed from"),
        help_text=_("The time your order sets for informing the user, if any."),
        widget=forms.DateInput(attrs={"type": "date"}))
    enforcing_authority_notified = forms.BooleanField(
        required=False, label=_("The enforcing authority was notified (e-Evidence Art. 8)"))
    enforcing_authority_ground = forms.ChoiceField(
        choices=[*_BLANK, *ENFORCING_GROUND_CHOICES], required=False,
        label=_("Ground for refusal raised by the enforcing authority"))
    victim_own_device = forms.BooleanField(
        required=False, label=_("French requisition: the victim's own device, at their request "
                                "(CPP art. 60-1-2 3°)"))
    missing_person_search = forms.BooleanField(
        required=False, label=_("French requisition: search for a missing person "
                                "(CPP art. 60-1-2 4°)"))
    data_held_by = forms.ChoiceField(
        choices=[*_BLANK, *DATA_HOLDER_CHOICES], required=False,
        label=_("Which of the platform's entities holds the data, if you know"))
    user_location = forms.CharField(
        required=False, max_length=2, label=_("Where the user is located (country code)"),
        help_text=_("Two letters, e.g. FR; leave empty if not known."))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # The order is most often written in the language the officer works in.
        self.fields["language"].initial = (get_language() or "en").split("-")[0]
        self.fields["language"].help_text = gettext(
            "The language the signed order is written in. The platform has declared that it "
            "accepts orders in: %(languages)s. An order in another language is still received, "
            "and the platform may ask you for a translation.") % {"languages": ", ".join(
                language_name(code) for code in settings.LAWDESK_DECLARED_LANGUAGES
                if code in LANG_INFO or code in _MORE_NAMES)}


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
    payload.update(_law_facts_from_post(post))
    scope = text("territorial_scope").replace(",", " ").split()
    if scope:
        payload["territorial_scope"] = scope
    payload["categories"] = post.getlist("categories")
    payload["targets"] = [{"identifier": line.strip()} for line in text("targets").splitlines()
                          if line.strip()]
    for name in ("window_start", "window_end"):
        value = _utc(text(name))
        if value:
            payload[name] = value
    if text("language"):
        payload["language"] = text("language")
    return payload


def _law_facts_from_post(post: QueryDict) -> dict[str, Any]:
    """The rule-engine facts of the portal form, as the intake payload spells them."""
    def text(name: str) -> str:
        return str(post.get(name, "")).strip()

    facts: dict[str, Any] = {}
    if text("proceedings") == "non_criminal":
        facts["criminal_proceedings"] = False
    online = text("offence_committed_online")
    if online in ("yes", "no"):
        facts["offence_committed_online"] = online == "yes"
    elif online:
        facts["offence_committed_online"] = online  # refused by the intake, naming the field
    for name in ("protected_status", "emergency_kind", "ex_post_validation",
                 "enforcing_authority_ground", "user_notice_not_before", "user_location",
                 "data_held_by"):
        if text(name):
            facts[name] = text(name)
    for name in ("enforcing_authority_notified", "victim_own_device", "missing_person_search"):
        if post.get(name):
            facts[name] = True
    return facts


class QuestionForm(forms.Form):
    question = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}),
                               label=_("Question to the requester"))


class AnswerForm(forms.Form):
    answer = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), label=_("Your answer"))


class WithdrawForm(forms.Form):
    reason = forms.CharField(max_length=500, label=_("Why is the request withdrawn?"))


class NoteForm(forms.Form):
    body = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}), label=_("Internal note"))


class CallbackForm(forms.Form):
    person = forms.CharField(max_length=200, label=_("Who confirmed on the call"))
    supervisor = forms.CharField(max_length=200, label=_("Supervisor who confirmed the emergency"))


class ProposalForm(forms.Form):
    categories = forms.MultipleChoiceField(choices=CATEGORY_CHOICES,
                                           widget=forms.CheckboxSelectMultiple,
                                           label=_("Categories to disclose"))
    target_ids = forms.TypedMultipleChoiceField(coerce=int, widget=forms.CheckboxSelectMultiple,
                                                label=_("Targets"))
    legal_basis = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}),
                                  label=_("Legal basis of the disclosure"))

    def __init__(self, *args: Any, targets: list[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["target_ids"].choices = targets  # type: ignore[attr-defined]


class DecisionForm(forms.Form):
    note = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 2}),
                           label=_("Note (required to send back)"))


class RefuseForm(forms.Form):
    ground = forms.ChoiceField(choices=_BLANK + REFUSAL_CHOICES, label=_("Ground (Annex III)"))
    text = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 2}),
                           label=_("Explanation to the authority"),
                           help_text=_("Required for the ground \"Other ground\": say which."))


class AssignForm(forms.Form):
    assignee = forms.TypedChoiceField(coerce=int, required=False, label=_("Assign to"))

    def __init__(self, *args: Any, staff: list[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["assignee"].choices = [("", _("— nobody —")), *staff]  # type: ignore[attr-defined]


class ReasonForm(forms.Form):
    reason = forms.CharField(max_length=500, label=_("Reason"))


class RemovalForm(forms.Form):
    action = forms.ChoiceField(choices=[("removed", _("Content removed")),
                                        ("restricted", _("Access restricted"))])
    note = forms.CharField(required=False, max_length=1000, label=_("Note"))


class OverrideForm(forms.Form):
    category = forms.ChoiceField(choices=CATEGORY_CHOICES, label=_("Category"))
    outcome = forms.ChoiceField(choices=[("allowed", _("Allowed")), ("not_allowed", _("Not allowed")),
                                         ("needs_further_process", _("Needs further process"))],
                                label=_("New outcome"))
    reason = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}), label=_("Written reason"),
                             help_text=_("Shown to the approver and kept in the audit trail."))


class ConvertForm(forms.Form):
    production_number = forms.CharField(max_length=20, label=_("Production request number"),
                                        help_text=_("The follow-up production order, e.g. LD-2026-000123."))


class MessageForm(forms.Form):
    """A message in the case's thread (the desk's side: text only)."""

    body = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), max_length=5000,
                           label=_("Message"))


class PortalMessageForm(MessageForm):
    """A message from the requesting officer, with PDF documents if needed."""

    attachments = forms.FileField(required=False, label=_("Documents (PDF, optional)"),
                                  widget=forms.ClearableFileInput(attrs={"accept": "application/pdf"}))


class SearchForm(forms.Form):
    """Search and filters of the officer's dashboard (GET)."""

    q = forms.CharField(required=False, max_length=100, label=_("Search"),
                        widget=forms.TextInput(attrs={"placeholder": _("LD-…, your file, a target")}),
                        help_text=_("Case number, your file number, the order's reference or a "
                                    "target (phone, username, link, IP)."))
    status = forms.ChoiceField(required=False, label=_("Status"),
                               choices=[("", _("any")), *Status.choices])
    since = forms.DateField(required=False, label=_("Received from"),
                            widget=forms.DateInput(attrs={"type": "date"}))
    until = forms.DateField(required=False, label=_("Received until"),
                            widget=forms.DateInput(attrs={"type": "date"}))
