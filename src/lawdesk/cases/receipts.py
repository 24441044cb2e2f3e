"""The receipt of a request: what was received, in a canonical form whose SHA-256 the case keeps."""

from __future__ import annotations

from typing import Any

from lawdesk.cases.models import Attachment, Case, Target


def receipt_document(case: Case, targets: list[Target], attachments: list[Attachment]) -> dict[str, Any]:
    """What was received, in a canonical form whose SHA-256 goes on the receipt."""
    return {
        "case_number": case.number,
        "received_at": case.received_at.isoformat(),
        "agency": {"id": case.agency_id, "name": case.agency.name, "country": case.agency.country},
        "officer": case.officer.user.email,
        "kind": case.kind,
        "instrument": {"type": case.instrument_type, "reference": case.instrument_reference,
                       "date": case.instrument_date.isoformat(), "issuer": case.issuer_name,
                       "issuer_role": case.issuer_role, "validator": case.validator_name,
                       "validator_role": case.validator_role},
        "authority_file_number": case.authority_file_number,
        "offence": {"category": case.offence_category, "description": case.offence_description,
                    "max_sentence_years": case.max_sentence_years},
        "categories": list(case.categories),
        "targets": [{"kind": t.kind, "value": t.value, "port": t.port,
                     "at": t.at.isoformat() if t.at else None,
                     "window": [t.window_start.isoformat(), t.window_end.isoformat()]}
                    for t in targets],
        "emergency_threat": case.emergency_threat,
        "nondisclosure_order": case.nondisclosure_order,
        "nondisclosure_until": case.nondisclosure_until.isoformat() if case.nondisclosure_until else None,
        "content_locations": case.content_locations,
        "attachments": [{"name": a.original_name, "sha256": a.sha256, "size": a.size}
                        for a in attachments],
        "deadline_at": case.deadline_at.isoformat(),
        "deadline_basis": f"{case.deadline_article} ({case.deadline_rule})",
    } | ({"legal_facts": dict(case.law_facts)} if case.law_facts else {}) \
      | ({"territorial_scope": list(case.territorial_scope)} if case.territorial_scope else {})
