"""A few open demo cases so the desk and the portal have something to show (idempotent)."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile

from lawdesk.accounts.models import User
from lawdesk.cases import attachments, conversation, disclosure, services, submission
from lawdesk.cases.models import Case

# A minimal valid PDF standing in for a scanned, signed order.
DEMO_PDF = (b"%PDF-1.4\n1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\n"
            b"2 0 obj << /Type /Pages /Kids [] /Count 0 >> endobj\n"
            b"trailer << /Root 1 0 R >>\n%%EOF\n")


def _pdf(name: str) -> attachments.Upload:
    return attachments.Upload(name=name, content=SimpleUploadedFile(name, DEMO_PDF, "application/pdf"))


def _base(**overrides: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "kind": "production", "instrument_type": "epoc", "instrument_date": "2026-11-20",
        "issuer_name": "Anne Roussel", "issuer_role": "prosecutor",
        "offence_category": "child_sexual_abuse", "max_sentence_years": 10,
        "user_named_as_suspect": True, "categories": ["subscriber", "identification"],
        "window_start": "2025-09-01T00:00:00Z", "window_end": "2025-10-01T00:00:00Z",
    }
    data.update(overrides)
    return data


def seed_cases(now: datetime) -> int:
    """Create the demo's open cases unless cases exist already; return how many were made."""
    if Case.objects.exists():
        return 0
    claire = User.objects.get(email="claire.dubois@police-nationale.example")
    julien = User.objects.get(email="julien.moreau@justice-paris.example")
    reviewer = User.objects.get(email="reviewer@platform.example")
    made = [
        submission.submit_request(actor=julien, now=now - timedelta(days=8),
                                  uploads=[_pdf("epoc-0871.pdf")],
                                  payload=_base(instrument_reference="EPOC-FR-2026-0871",
                                                authority_file_number="J3-2026-0871",
                                                offence_category="fraud",
                                                offence_description="Phishing campaign impersonating a bank; "
                                                "proceeds laundered through mule accounts.",
                                                targets=[{"identifier": "@night_owl"},
                                                         {"identifier": "https://msgr.example/cheap_deals"}])),
        submission.submit_request(actor=claire, now=now - timedelta(hours=2), uploads=[],
                                  payload=_base(kind="emergency_disclosure",
                                                instrument_reference="EPOC-URG-2026-112",
                                                authority_file_number="OFMIN-2026-3310",
                                                offence_description="Grooming of a 13-year-old; the suspect "
                                                "arranged a meeting for tonight.",
                                                emergency_threat="A 13-year-old girl agreed to meet the "
                                                "suspect tonight at 20:00 at an unknown address.",
                                                targets=[{"identifier": "+33 6 12 34 56 78"}])),
        submission.submit_request(actor=claire, now=now - timedelta(days=3), uploads=[_pdf("epoc-pr-77.pdf")],
                                  payload=_base(kind="preservation", instrument_type="epoc_pr",
                                                instrument_reference="EPOC-PR-2026-0077",
                                                authority_file_number="OFMIN-2026-2981",
                                                offence_description="Sextortion of minors "
                                                "through a group chat.",
                                                categories=["subscriber", "identification", "traffic"],
                                                targets=[{"identifier": "1000001"}])),
        submission.submit_request(actor=julien, now=now - timedelta(days=1), uploads=[_pdf("req-4410.pdf")],
                                  payload=_base(instrument_reference="EPOC-FR-2026-4410",
                                                authority_file_number="J3-2026-4410",
                                                offence_category="attacks_on_information_systems",
                                                offence_description="Ransomware affiliate recruiting on a "
                                                "public channel.",
                                                targets=[{"identifier": "203.0.113.7:2100",
                                                          "at": "2025-09-15T10:00:00Z"}])),
    ]
    # The emergency waits for its call-back: the reviewer has proposed a disclosure, and no
    # one can approve it before the call-back on the agency's registered number is recorded.
    services.start_review(case=made[1], actor=reviewer, now=now - timedelta(hours=1, minutes=50))
    disclosure.propose_disclosure(case=made[1], actor=reviewer, now=now - timedelta(hours=1, minutes=40),
                                  categories=["subscriber"],
                                  target_ids=[t.pk for t in made[1].targets.all()],
                                  legal_basis="Emergency EPOC issued by a prosecutor: Art. 4(5) "
                                              "and Art. 10(4) e-Evidence.")
    services.start_review(case=made[3], actor=reviewer, now=now - timedelta(hours=20))
    conversation.ask_clarification(case=made[3], actor=reviewer, now=now - timedelta(hours=19),
                                   question="The order names the IP address but not the time zone of "
                                            "the timestamp. Is 10:00:00 UTC or Paris time?")
    services.escalate(now=now)
    return len(made)
