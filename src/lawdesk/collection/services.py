"""Collection use cases: queue a job, run it under a lease, deliver, issue download links."""

from __future__ import annotations

import logging
import os
import shutil
import time
import uuid
from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import F, Q
from django.utils import translation
from django.utils.translation import gettext

from lawdesk.accounts.models import User
from lawdesk.audit.actions import Action
from lawdesk.audit.services import record
from lawdesk.cases import services as case_services
from lawdesk.cases.models import Case, Status
from lawdesk.cases.policy import is_requester_of
from lawdesk.collection.collector import Scope, connector, record_sets
from lawdesk.collection.models import CollectionJob, DownloadLink, EvidencePackage
from lawdesk.collection.tasks import collect_case
from lawdesk.core.errors import DomainError, PermissionDenied
from lawdesk.core.locale import language_of_country
from lawdesk.core.origin import Origin
from lawdesk.core.permissions import may
from lawdesk.core.tasks import enqueue_on_commit
from lawdesk.evidence.package import Authority, Custodian, LegalInstrument, PackageDescription, build_package
from lawdesk.evidence.signing import PlatformSigner

log = logging.getLogger("lawdesk.collection")


def lease_duration() -> timedelta:
    """How long a worker owns a job without renewing it (renewed at every unit)."""
    return timedelta(seconds=settings.LAWDESK_COLLECTION_LEASE_SECONDS)


def package_dir() -> Path:
    """Where delivered packages are kept (one file per case)."""
    path = Path(settings.MEDIA_ROOT) / "packages"
    path.mkdir(parents=True, exist_ok=True)
    return path


def queue_collection(*, case: Case, now: datetime) -> CollectionJob:
    """Create the case's collection job (once) and wake a worker when the transaction commits."""
    job, created = CollectionJob.objects.get_or_create(case=case, defaults={"created_at": now})
    if created:
        record(Action.COLLECTION_QUEUED, actor=None, target=case, now=now,
               params={"number": case.number})
    enqueue_on_commit(collect_case, case.pk)
    return job


def _take_lease(job_id: int, owner: str, now: datetime) -> bool:
    """Atomically take the job if nobody holds a live lease on it."""
    taken = CollectionJob.objects.filter(
        Q(lease_until__isnull=True) | Q(lease_until__lt=now), pk=job_id,
        status__in=[CollectionJob.Status.QUEUED, CollectionJob.Status.RUNNING],
    ).update(lease_owner=owner, lease_until=now + lease_duration(),
             status=CollectionJob.Status.RUNNING, attempts=F("attempts") + 1, started_at=now)
    return taken == 1


def _renew(job_id: int, owner: str, now: datetime, **progress: Any) -> None:
    updated = CollectionJob.objects.filter(pk=job_id, lease_owner=owner).update(
        lease_until=now + lease_duration(), **progress)
    if updated != 1:
        raise LeaseLost(f"lost the lease on collection job {job_id}")


class LeaseLost(RuntimeError):
    """Another worker took the job over (this one was presumed dead): stop without writing."""


def run_collection(case_id: int, *, clock: Callable[[], datetime], owner: str | None = None,
                   pause: float = 0.0) -> bool:
    """Collect and package one approved case; True when this call delivered it.

    Safe to call any number of times, from any number of workers, after any crash: the lease
    lets one worker at a time build; the package is written under its final name only when
    complete; the delivery (package row, case status, audit) commits in one transaction that
    first checks the lease is still held. A crashed attempt leaves at most a stray temporary
    file, which the next attempt replaces.
    """
    owner = owner or f"{os.getpid()}-{uuid.uuid4().hex[:8]}"
    job = CollectionJob.objects.filter(case_id=case_id).select_related("case").first()
    if job is None or job.status in (CollectionJob.Status.DONE, CollectionJob.Status.FAILED):
        return False
    if not _take_lease(job.pk, owner, clock()):
        return False
    try:
        return _collect(job, case_id, owner=owner, clock=clock, pause=pause)
    except LeaseLost:
        raise
    except Exception as exc:
        _failed(job.pk, owner, clock(), exc)
        raise


MAX_ATTEMPTS = 3


def _failed(job_id: int, owner: str, now: datetime, exc: Exception) -> None:
    """Record the error; retry later (lease released) unless attempts are exhausted."""
    job = CollectionJob.objects.select_related("case").get(pk=job_id)
    if job.lease_owner != owner:
        return
    final = job.attempts >= MAX_ATTEMPTS
    CollectionJob.objects.filter(pk=job_id, lease_owner=owner).update(
        status=CollectionJob.Status.FAILED if final else CollectionJob.Status.QUEUED,
        lease_until=None if final else now + lease_duration(), lease_owner="",
        error=f"{type(exc).__name__}: {exc}"[:2000])
    record(Action.COLLECTION_FAILED, actor=None, target=job.case, now=now,
           params={"number": job.case.number, "attempt": job.attempts, "final": final,
                   "error": f"{type(exc).__name__}: {exc}"[:500]})
    log.error("collection of case %s failed (attempt %s): %s", job.case_id, job.attempts, exc)


def _collect(job: CollectionJob, case_id: int, *, owner: str, clock: Callable[[], datetime],
             pause: float) -> bool:
    case = Case.objects.select_related("agency", "officer__user").get(pk=case_id)
    case_services.start_collection(case=case, now=clock())
    scope = Scope.of(case)
    _renew(job.pk, owner, clock(), units_total=scope.units(), units_done=0, rows=0)
    done = {"units": 0}

    def on_unit(target: str, category: str) -> None:
        if pause:
            time.sleep(pause)  # operators can throttle collection against a busy store
        _renew(job.pk, owner, clock(), units_done=done["units"])
        done["units"] += 1

    language = language_of_country(case.agency.country) or "en"
    wording = {code: _order_words(case, code) for code in {language, "en"}}
    description = PackageDescription(
        case_number=case.number or str(case.pk),
        authority=Authority(case.agency.name, case.agency.country, case.authority_file_number),
        # In English: these also name the order in bag-info.txt, for machines.
        instrument=LegalInstrument(wording["en"]["instrument_type"], case.instrument_reference,
                                   case.instrument_date, wording["en"]["instrument_issuer"]),
        language=language,
        wording=wording,
        platform_name=settings.LAWDESK_PLATFORM_NAME,
        producer=_producer(scope.proposal),
        systems=scope.systems,  # filled as the record sets are collected: only what was queried
        records=record_sets(scope, connector(), on_unit),
        not_held=scope.not_held,
        custodian=custodian(),
    )
    for stale in package_dir().glob(f".work-{case.pk}-*"):
        shutil.rmtree(stale, ignore_errors=True)  # what a crashed attempt left behind
    work = package_dir() / f".work-{case.pk}-{owner}"
    work.mkdir(parents=True, exist_ok=True)
    try:
        built = build_package(description, now=clock(), signer=PlatformSigner(), dest_dir=work,
                              recipient=case.agency.age_public_key or None)
        final_name = f"{case.number}{''.join(built.path.suffixes)}"
        return _deliver(job.pk, owner, case, built, final_name, clock(),
                        accounts=sorted(scope.accounts))
    finally:
        shutil.rmtree(work, ignore_errors=True)


@transaction.atomic
def _deliver(job_id: int, owner: str, case: Case, built: Any, final_name: str,
             now: datetime, *, accounts: list[int]) -> bool:
    job = CollectionJob.objects.select_for_update().get(pk=job_id)
    if job.lease_owner != owner or job.status != CollectionJob.Status.RUNNING:
        raise LeaseLost(f"lost the lease on collection job {job_id}")
    # The final name is per case: a later attempt replaces, never duplicates, the file.
    os.replace(built.path, package_dir() / final_name)
    params = built.as_params()
    rows = sum(params.get("records", {}).values())
    params["accounts"] = accounts  # who is concerned: for the user notices
    package = EvidencePackage.objects.create(
        case=case, file_name=final_name, sha256=built.sha256, size=built.size,
        encrypted=built.encrypted, recipient=built.recipient or "", details=params, created_at=now)
    DownloadLink.objects.create(package=package, created_at=now,
                                expires_at=now + timedelta(days=settings.LAWDESK_DOWNLOAD_DAYS))
    job.status, job.finished_at, job.lease_until = CollectionJob.Status.DONE, now, None
    job.units_done, job.rows = job.units_total, rows
    job.save()
    case_services.mark_delivered(case=case, now=now, accounts_affected=len(accounts),
                                 params={"package_sha256": built.sha256, "rows": rows})
    record(Action.PACKAGE_BUILT, actor=None, target=case, now=now,
           params={"number": case.number,
                   **{k: v for k, v in params.items() if k not in ("records", "accounts")},
                   "rows": rows, "attempt": job.attempts})
    return True


def _order_words(case: Case, language: str) -> dict[str, str]:
    """The order's kind, its issuer's role and the custodian's title as ``language`` says them."""
    with translation.override(language):
        words = {"instrument_type": str(case.get_instrument_type_display()),
                 "instrument_issuer": f"{case.issuer_name} ({case.get_issuer_role_display()})"}
    title = settings.LAWDESK_CUSTODIAN_TITLES.get(language)
    return words | {"custodian_title": title} if title and language != "en" else words


def _producer(proposal: Any) -> str:
    """What made the package, for the bag's machine-readable tags (not the certifying person)."""
    return f"lawdesk collection (proposal {proposal.pk})"


def custodian() -> Any:
    """The deployment's custodian of records, who certifies every package (settings)."""
    name, title = settings.LAWDESK_CUSTODIAN_NAME, settings.LAWDESK_CUSTODIAN_TITLE
    if not name or not title:
        raise DomainError(gettext("No custodian of records is configured (LAWDESK_CUSTODIAN_NAME and "
                          "LAWDESK_CUSTODIAN_TITLE): a certificate must name who certifies it."),
                          code="no_custodian")
    return Custodian(name, title, settings.LAWDESK_CUSTODIAN_ORGANISATION)


def recover(*, now: datetime) -> int:
    """Wake the jobs nobody is running: queued ones, and running ones whose lease expired."""
    stale = CollectionJob.objects.filter(
        Q(status=CollectionJob.Status.QUEUED) | Q(status=CollectionJob.Status.RUNNING,
                                                  lease_until__lt=now))
    count = 0
    for job in stale:
        if job.status == CollectionJob.Status.QUEUED and job.lease_until is None \
                and job.created_at > now - lease_duration():
            continue  # just queued: its own task will run it
        collect_case.enqueue(job.case_id)
        count += 1
    return count


# --- Delivery --------------------------------------------------------------------------

def download(*, case: Case, link: DownloadLink, actor: User, now: datetime,
             origin: Origin | None = None) -> Path:
    """Check the link and the requester, audit the download, return the file to send."""
    if not is_requester_of(actor, case):
        raise PermissionDenied(gettext("Only officers of the requesting agency can download the package."))
    if link.package.case_id != case.pk:
        raise DomainError(gettext("No such link."), code="not_found")
    if link.revoked_at is not None or link.expires_at <= now:
        record(Action.PACKAGE_DOWNLOAD_REFUSED, actor=actor, target=case, origin=origin,
               now=now, params={"number": case.number, "link": link.pk,
                                "reason": "revoked" if link.revoked_at else "expired"})
        raise DomainError(gettext("This download link has expired. Ask the platform to issue a new one."),
                          code="link_expired")
    DownloadLink.objects.filter(pk=link.pk).update(downloads=F("downloads") + 1)
    record(Action.PACKAGE_DOWNLOADED, actor=actor, target=case, origin=origin, now=now,
           params={"number": case.number, "link": link.pk, "package_sha256": link.package.sha256})
    return Path(link.package.path)


@transaction.atomic
def reissue_link(*, case: Case, actor: User, now: datetime,
                 origin: Origin | None = None) -> DownloadLink:
    """Staff give the requester a fresh link (earlier links are revoked)."""
    if not may(actor, "reissue_link"):
        raise PermissionDenied(gettext("You cannot re-issue download links."))
    package = EvidencePackage.objects.filter(case=case).first()
    if package is None:
        raise DomainError(gettext("There is no package for this case yet."), field="link")
    package.links.filter(revoked_at__isnull=True).update(revoked_at=now)
    link = DownloadLink.objects.create(
        package=package, created_at=now, created_by=actor,
        expires_at=now + timedelta(days=settings.LAWDESK_DOWNLOAD_DAYS))
    record(Action.LINK_REISSUED, actor=actor, target=case, origin=origin, now=now,
           params={"number": case.number, "link": link.pk, "expires_at": link.expires_at.isoformat()})
    return link


def active_link(case: Case) -> DownloadLink | None:
    """The link the requester can use now, if any."""
    package = EvidencePackage.objects.filter(case=case).first()
    if package is None:
        return None
    return package.links.filter(revoked_at__isnull=True).order_by("-created_at").first()


def statuses_collecting() -> list[str]:
    """Case statuses in which collection may run."""
    return [Status.APPROVED, Status.PARTIALLY_APPROVED, Status.COLLECTING]
