"""Steps of the crash test, run in subprocesses against a lawdesk database of their own."""

from __future__ import annotations

import json
import os
import sys

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "lawdesk.settings")


def approved_case() -> None:
    """Create and approve a case with several targets and categories; print its id."""
    import django

    django.setup()
    from lawdesk.accounts.models import User
    from lawdesk.cases import disclosure, services, submission
    from lawdesk.core.clock import utcnow
    from tests.factories import payload, pdf

    now = utcnow()
    officer = User.objects.get(email="julien.moreau@justice-paris.example")
    reviewer = User.objects.get(email="reviewer@platform.example")
    approver = User.objects.get(email="approver@platform.example")
    case = submission.submit_request(actor=officer, now=now, uploads=[pdf()], payload=payload(
        targets=[{"identifier": "+33 6 12 34 56 78"}, {"identifier": "1000002"},
                 {"identifier": "1000003"}, {"identifier": "203.0.113.7:2700 @ 2025-09-15T10:00:00Z"}],
        window_start="2025-09-01T00:00:00Z", window_end="2025-10-01T00:00:00Z"))
    services.start_review(case=case, actor=reviewer, now=now)
    proposal = disclosure.propose_disclosure(case=case, actor=reviewer, now=now,
                                             categories=["subscriber", "identification"],
                                             target_ids=[t.pk for t in case.targets.all()],
                                             legal_basis="EPOC by a prosecutor, Art. 4(1)")
    disclosure.approve_proposal(proposal=proposal, actor=approver, now=now)
    print(case.pk)


def state(case_id: str) -> None:
    """Print the job, the package rows and the files as JSON."""
    import django

    django.setup()
    from lawdesk.collection.models import CollectionJob, EvidencePackage
    from lawdesk.collection.services import package_dir

    job = CollectionJob.objects.filter(case_id=case_id).first()
    print(json.dumps({
        "status": job.status if job else None, "units_done": job.units_done if job else 0,
        "attempts": job.attempts if job else 0, "rows": job.rows if job else 0,
        "packages": [p.file_name for p in EvidencePackage.objects.filter(case_id=case_id)],
        "files": sorted(p.name for p in package_dir().iterdir()),
        "case_status": job.case.status if job else None,
    }))


if __name__ == "__main__":
    {"approved_case": approved_case, "state": state}[sys.argv[1]](*sys.argv[2:])
