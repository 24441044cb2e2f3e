"""Risk flags the desk sees on a new request: first-time requester, an instrument unusual for
the agency's country or kind, sudden volume, no legal channel, call-back needed, changed trust
anchors."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.conf import settings

from lawdesk.accounts.services import ANCHOR_FLAG, anchor_changed_recently
from lawdesk.cases.models import Case
from lawdesk.law.decision import Decision
from lawdesk.law.vocabulary import EU_MEMBER_STATES, Regime, RequestKind

_INSTRUMENT_COUNTRIES = {
    "us_subpoena": {"US"}, "us_2703d_order": {"US"},
}
_EU_INSTRUMENTS = {"epoc", "epoc_pr", "dsa_art9_order", "dsa_art10_order", "tco_removal_order"}
# Agency kinds that ordinarily send each kind of instrument (anything else is flagged).
_INSTRUMENT_KINDS = {
    "search_warrant": {"police", "gendarmerie", "customs", "prosecutor", "court",
                       "investigating_judge"},
    "investigating_judge_order": {"investigating_judge", "court", "police", "gendarmerie"},
    "prosecutor_requisition": {"prosecutor", "police", "gendarmerie", "customs"},
    "police_requisition": {"police", "gendarmerie", "customs"},
    "dsa_art9_order": {"administrative_authority", "court", "prosecutor", "police"},
    "dsa_art10_order": {"administrative_authority", "court", "prosecutor", "police"},
}


def _is_first_request(case: Case) -> bool:
    """No request of the same officer was received before this one."""
    return not Case.objects.filter(officer=case.officer, received_at__lte=case.received_at) \
        .exclude(pk=case.pk).exists()


def clear_later_first_request_flags(case: Case) -> list[str]:
    """A request received before requests already on file (an import of earlier records, a
    request entered late) means none of those is the officer's first any more: clear their
    flag and return their numbers."""
    cleared = []
    later = Case.objects.filter(officer=case.officer, received_at__gte=case.received_at) \
        .exclude(pk=case.pk).only("pk", "number", "flags")
    for other in later:
        if "first_time_requester" in other.flags:
            other.flags = [f for f in other.flags if f != "first_time_requester"]
            Case.objects.filter(pk=other.pk).update(flags=other.flags)
            cleared.append(other.number or str(other.pk))
    return cleared


def risk_flags(case: Case, decision: Decision, now: datetime) -> list[str]:
    """Risk flags for the desk: first-time requester, unusual country or kind, volume."""
    flags = []
    if _is_first_request(case):
        flags.append("first_time_requester")
    countries = _INSTRUMENT_COUNTRIES.get(case.instrument_type)
    if (countries and case.agency.country not in countries) or (
            case.instrument_type in _EU_INSTRUMENTS and case.agency.country not in EU_MEMBER_STATES):
        flags.append("outside_country")
    kinds = _INSTRUMENT_KINDS.get(case.instrument_type)
    if kinds and case.agency.kind not in kinds:
        flags.append("outside_kind")
    day_ago = now - timedelta(hours=24)
    officer_volume = Case.objects.filter(officer=case.officer, received_at__gte=day_ago).count()
    agency_volume = Case.objects.filter(agency=case.agency, received_at__gte=day_ago).count()
    if (officer_volume > settings.LAWDESK_VOLUME_PER_OFFICER_DAY
            or agency_volume > settings.LAWDESK_VOLUME_PER_AGENCY_DAY):
        flags.append("volume_spike")
    if decision.regime is Regime.MLA:
        flags.append("no_legal_channel")
    if case.kind == RequestKind.EMERGENCY_DISCLOSURE:
        flags.append("emergency_callback_required")
    if anchor_changed_recently(case.agency, now):
        flags.append(ANCHOR_FLAG)
    if case.language not in settings.LAWDESK_DECLARED_LANGUAGES:
        flags.append("translation_required")  # Directive (EU) 2023/1544 Art. 4: declared languages
    return flags
