"""Data for the plain-language crawl: every kind of page with something on it (run in the
server's environment by ``tests/e2e/test_plain_language.py``; idempotent)."""

from __future__ import annotations

from datetime import timedelta


def main() -> None:
    from lawdesk.cases.models import Case
    from lawdesk.core.clock import utcnow
    from lawdesk.demo.cases import seed_cases
    from lawdesk.demo.history import seed_history

    now = utcnow()
    seed_history(now)
    seed_cases(now)
    if not Case.objects.filter(instrument_reference="PLAIN-1").exists():
        _make(now)
    ids = {c.instrument_reference: c.pk for c in Case.objects.filter(
        instrument_reference__in=["PLAIN-1", "PLAIN-2"])}
    print("PLAIN-IDS", ids["PLAIN-1"], ids["PLAIN-2"])


def _make(now) -> None:
    from django.core.files.uploadedfile import SimpleUploadedFile

    from lawdesk.accounts.models import User
    from lawdesk.cases import analysis, attachments, disclosure, services, submission
    from lawdesk.collection.services import run_collection

    julien = User.objects.get(email="julien.moreau@justice-paris.example")
    reviewer = User.objects.get(email="reviewer@platform.example")
    approver = User.objects.get(email="approver@platform.example")
    pdf = (b"%PDF-1.4\n1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\n"
           b"2 0 obj << /Type /Pages /Kids [] /Count 0 >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n")

    def submit(ref: str, **extra):
        payload = {"kind": "production", "instrument_type": "epoc", "instrument_reference": ref,
                   "instrument_date": f"{now:%Y-%m-%d}", "issuer_name": "Anne Roussel",
                   "issuer_role": "prosecutor", "authority_file_number": f"J3-{ref}",
                   "offence_category": "fraud", "offence_description": "Phishing campaign.",
                   "max_sentence_years": 7, "user_named_as_suspect": True,
                   "categories": ["subscriber", "identification", "traffic", "content"],
                   "targets": [{"identifier": "+33 6 12 34 56 78"}],
                   "window_start": "2025-09-10T00:00:00Z", "window_end": "2025-09-20T00:00:00Z",
                   **extra}
        upload = attachments.Upload(name="order.pdf",
                                    content=SimpleUploadedFile("order.pdf", pdf, "application/pdf"))
        return submission.submit_request(actor=julien, now=now, payload=payload, uploads=[upload])

    # An override (the audit and the desk say it in words), then approval and delivery.
    case = submit("PLAIN-1")
    services.start_review(case=case, actor=reviewer, now=now)
    # Prefer what the issue saw: "needs further process" overridden to "allowed".
    outcomes = {c.value: r.outcome.value for c, r in case.legal.categories.items()}
    category = next((c for c, o in outcomes.items() if o == "needs_further_process"),
                    next((c for c, o in outcomes.items() if o == "not_allowed"), next(iter(outcomes))))
    target_outcome = "allowed" if outcomes[category] == "needs_further_process" \
        else "needs_further_process"
    try:
        analysis.override_category(case=case, actor=reviewer, now=now, category=category,
                                   outcome=target_outcome, reason="Checked with counsel.")
    except Exception as exc:
        print("override skipped:", exc)
    case.refresh_from_db()
    allowed = sorted(analysis.allowed_categories(case))
    if allowed:
        proposal = disclosure.propose_disclosure(
            case=case, actor=reviewer, now=now, categories=allowed,
            target_ids=[t.pk for t in case.targets.all()], legal_basis="EPOC, Art. 4(1)")
        disclosure.approve_proposal(proposal=proposal, actor=approver, now=now + timedelta(minutes=1))
        run_collection(case.pk, clock=lambda: now + timedelta(minutes=2))
    # A refusal on the ground "other".
    refused = submit("PLAIN-2")
    services.start_review(case=refused, actor=reviewer, now=now)
    services.refuse(case=refused, actor=reviewer, now=now, ground="other",
                    text="The order names no person or account on this platform.")


main()
