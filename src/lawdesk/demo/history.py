"""A closed-case history for 2024, so the public transparency page shows a realistic year.

It reproduces the platform's published figures for France in 2024 (LEGAL_RULES.md): requests
fulfilled per quarter 4 / 6 / 210 / 673, users affected 17 / 37 / 632 / 1,386 — plus refused,
withdrawn and preservation requests, which those two numbers leave out. On the public page the
first two quarters' 4 and 6 requests appear as the band 1 to 9 (counts below
``LAWDESK_TRANSPARENCY_BAND_BELOW``, decision 0018); the log and ``report.json`` keep them exact.

Two paths, both through the same counting and log code (the ``cases`` signals):

- Refused, withdrawn and preservation requests go through the real services (intake, review,
  refusal, withdrawal, release), with ``now`` inside each quarter.
- The fulfilled disclosures are *imported* as closed records, as a platform moving its earlier
  records into lawdesk would: today's rule set (correctly) does not allow these 2024 disclosures,
  as the e-Evidence Regulation applies only from 18 August 2026 and the platform policy from
  September 2024, so they cannot be replayed through review and approval. Each imported case is
  audited (``cases:case:imported``) and then sent through ``case_received`` and
  ``case_status_changed`` inside its transaction, exactly as a live case is: the count tables,
  the duration samples and the log leaf come from the same receivers.
"""

from __future__ import annotations

import random
from datetime import UTC, date, datetime, timedelta
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction

from lawdesk.accounts.models import User
from lawdesk.audit.actions import Action
from lawdesk.audit.hashing import canonical_sha256
from lawdesk.audit.services import record
from lawdesk.cases import attachments, preservation, services, signals, submission
from lawdesk.cases.models import Case, Status
from lawdesk.cases.risk import clear_later_first_request_flags
from lawdesk.transparency.services import publish_checkpoint

YEAR = 2024
# The platform's published figures for France, 2024, per quarter.
FULFILLED = (4, 6, 210, 673)
USERS_AFFECTED = (17, 37, 632, 1386)
# Requests answered otherwise, for realism (not part of the published two numbers).
REFUSED = (2, 3, 9, 21)
WITHDRAWN = (1, 1, 4, 8)
PRESERVED = (1, 2, 3, 5)

OFFICERS = ("claire.dubois@police-nationale.example", "julien.moreau@justice-paris.example")
OFFENCES = ("child_sexual_abuse", "fraud", "terrorism", "drug_trafficking",
            "attacks_on_information_systems")
INSTRUMENTS = (("prosecutor_requisition", "prosecutor", "Parquet"),
               ("police_requisition", "police_officer", "OPJ"),
               ("investigating_judge_order", "investigating_judge", "Juge d'instruction"))
_PDF = (b"%PDF-1.4\n1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\n"
        b"2 0 obj << /Type /Pages /Kids [] /Count 0 >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n")


def _quarter_bounds(q: int) -> tuple[datetime, datetime]:
    start = datetime(YEAR, 3 * q - 2, 1, tzinfo=UTC)
    end = datetime(YEAR + (q == 4), 1 if q == 4 else 3 * q + 1, 1, tzinfo=UTC)
    return start, end


def _split(total: int, parts: int, rng: random.Random) -> list[int]:
    """``total`` accounts over ``parts`` cases, at least one each, a few large ones."""
    shares = [1] * parts
    for _ in range(total - parts):
        shares[min(int(rng.paretovariate(1.2)) - 1, parts - 1) if rng.random() < 0.3
               else rng.randrange(parts)] += 1
    rng.shuffle(shares)
    return shares


def seed_history(now: datetime) -> int:
    """Create the 2024 history unless cases from 2024 exist; return how many cases were made."""
    if Case.objects.filter(received_at__year=YEAR).exists():
        return 0
    rng = random.Random(2024)  # noqa: S311 - a reproducible demo, not a secret
    officers = [User.objects.get(email=e) for e in OFFICERS]
    reviewer = User.objects.get(email="reviewer@platform.example")
    made = 0
    for q in range(1, 5):
        start, end = _quarter_bounds(q)
        for accounts in _split(USERS_AFFECTED[q - 1], FULFILLED[q - 1], rng):
            _import_fulfilled(rng, officers[rng.randrange(2)], start, end, accounts)
            made += 1
        for i in range(REFUSED[q - 1] + WITHDRAWN[q - 1] + PRESERVED[q - 1]):
            how = ("refused" if i < REFUSED[q - 1] else
                   "withdrawn" if i < REFUSED[q - 1] + WITHDRAWN[q - 1] else "preserved")
            _through_services(rng, officers[rng.randrange(2)], reviewer, start, end, how)
            made += 1
    publish_checkpoint(now=now)
    return made


def _moments(rng: random.Random, start: datetime, end: datetime,
             urgent: bool = False) -> list[datetime]:
    """Received, acknowledged, decided, delivered, closed: increasing, all inside the quarter."""
    span = (end - start).total_seconds()
    received = start + timedelta(seconds=rng.uniform(0, span * 0.75))
    scale = 0.05 if urgent else 1.0
    ack = received + timedelta(hours=rng.uniform(0.5, 40) * scale)
    decided = ack + timedelta(hours=rng.uniform(4, 120) * scale)
    delivered = decided + timedelta(hours=rng.uniform(1, 72) * scale)
    closed = delivered + timedelta(hours=rng.uniform(1, 48))
    closed = min(closed, end - timedelta(minutes=5))
    moments = [received, ack, decided, delivered, closed]
    return [min(m, closed) for m in moments]


def _payload(rng: random.Random, n: int, received: datetime, **overrides: Any) -> dict[str, Any]:
    instrument, role, issuer = rng.choice(INSTRUMENTS)
    data: dict[str, Any] = {
        "kind": "production", "instrument_type": instrument,
        "instrument_reference": f"REQ-{YEAR}-{n:05d}",
        "instrument_date": (received - timedelta(days=rng.randint(1, 6))).date().isoformat(),
        "issuer_name": f"{issuer} {n:05d}", "issuer_role": role,
        "authority_file_number": f"PV-{YEAR}-{n:05d}", "offence_category": rng.choice(OFFENCES),
        "offence_description": "Historical request (demo history).", "max_sentence_years": 10,
        "user_named_as_suspect": True, "categories": ["subscriber", "identification"],
        "targets": [{"identifier": f"@suspect_{n:05d}"}],
        "window_start": f"{YEAR - 1}-06-01T00:00:00Z", "window_end": f"{YEAR - 1}-12-01T00:00:00Z",
    }
    data.update(overrides)
    return data


_counter = iter(range(1, 10**6))


@transaction.atomic
def _import_fulfilled(rng: random.Random, user: User, start: datetime, end: datetime,
                      accounts: int) -> Case:
    n = next(_counter)
    emergency = rng.random() < 0.04
    received, ack, decided, delivered, closed = _moments(rng, start, end, urgent=emergency)
    data = _payload(rng, n, received)
    officer = user.officer
    case = Case.objects.create(
        kind="emergency_disclosure" if emergency else "production", status=Status.CLOSED,
        agency=officer.agency, officer=officer, channel="import",
        supervisor_name=officer.supervisor_name, supervisor_email=officer.supervisor_email,
        language="fr", instrument_type=data["instrument_type"],
        instrument_reference=data["instrument_reference"],
        instrument_date=date.fromisoformat(data["instrument_date"]), issuer_name=data["issuer_name"],
        issuer_role=data["issuer_role"], authority_file_number=data["authority_file_number"],
        offence_category=data["offence_category"], offence_description=data["offence_description"],
        max_sentence_years=10, user_named_as_suspect=True, categories=data["categories"],
        nondisclosure_order=rng.random() < 0.15, received_at=received,
        deadline_at=received + timedelta(days=10), deadline_rule="national requisition (history)",
        deadline_article="Code de procédure pénale (history)", urgency="done",
        acknowledged_at=ack, decided_at=decided, delivered_at=delivered, closed_at=closed,
        accounts_affected=accounts, receipt_sha256="",
    )
    case.number = f"LD-{YEAR}-{case.pk:06d}"
    case.receipt = {"number": case.number, "imported": True}
    case.receipt_sha256 = canonical_sha256(case.receipt)
    case.save(update_fields=["number", "receipt", "receipt_sha256"])
    # An earlier request of this officer: the open cases are not their first any more.
    no_longer_first = clear_later_first_request_flags(case)
    record(Action.CASE_IMPORTED, actor=None, target=case, now=closed,
           params={"number": case.number, "status": case.status, "source": "demo history",
                   "accounts_affected": accounts}
           | ({"no_longer_first_request": no_longer_first} if no_longer_first else {}))
    # The same receivers as a live case: counts, duration samples, log leaf.
    signals.case_received.send(sender=Case, case=case, now=received)
    signals.case_status_changed.send(sender=Case, case=case, previous=Status.RECEIVED, now=closed)
    return case


def _through_services(rng: random.Random, user: User, reviewer: User, start: datetime,
                      end: datetime, how: str) -> Case:
    n = next(_counter)
    received, ack, _decided, _delivered, closed = _moments(rng, start, end)
    upload = attachments.Upload(name="requisition.pdf",
                                content=SimpleUploadedFile("requisition.pdf", _PDF, "application/pdf"))
    overrides: dict[str, Any] = {}
    if how == "preserved":
        overrides = {"kind": "preservation", "categories": ["subscriber", "identification", "traffic"]}
    case = submission.submit_request(actor=user, now=received,
                                     payload=_payload(rng, n, received, **overrides),
                                     uploads=[upload], channel="portal")
    if how == "preserved":
        preservation.release_preservation(case=case, actor=reviewer, now=closed,
                                          reason="No production order followed.")
    elif how == "withdrawn":
        services.withdraw(case=case, actor=user, now=ack, reason="The suspect was identified otherwise.")
    else:
        services.start_review(case=case, actor=reviewer, now=ack)
        ground, text = rng.choice([
            ("de_facto_impossibility", "No account matches the identifier given."),
            ("incomplete_or_manifest_error", "The requisition names no time window."),
            ("other", "The offence is not one for which the platform policy allows disclosure."),
        ])
        services.refuse(case=Case.objects.get(pk=case.pk), actor=reviewer, now=closed, ground=ground,
                        text=text)
    return case
