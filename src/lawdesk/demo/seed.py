"""Seed the demo data. Running it twice changes nothing the second time."""

from __future__ import annotations

import base64
import os
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from allauth.account.models import EmailAddress
from allauth.mfa.adapter import get_adapter
from allauth.mfa.models import Authenticator
from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes
from allauth.mfa.totp.internal.auth import TOTP
from django.conf import settings
from django.db import transaction

from lawdesk.accounts import services
from lawdesk.accounts.models import Agency, Officer, User
from lawdesk.audit.actions import Action
from lawdesk.audit.services import record
from lawdesk.cases import lifecycle
from lawdesk.core.clock import utcnow
from lawdesk.demo.cases import seed_cases
from lawdesk.demo.history import seed_history

DEMO_PASSWORD = "demo-password-2026"


@dataclass(frozen=True)
class DemoUser:
    email: str
    full_name: str
    role: str  # a staff role, or "officer"
    agency: str = ""
    title: str = ""


AGENCIES: list[dict[str, Any]] = [
    {
        "name": "Office mineurs (OFMIN) — Police nationale",
        "country": "FR", "kind": Agency.Kind.POLICE, "domain": "police-nationale.example",
        "callback": "+33 1 99 00 10 10",
        "source": "Ministry of the Interior public directory, checked by phone on 2026-09-01",
        "supervisor": ("Commissaire Hélène Laurent", "helene.laurent@police-nationale.example"),
    },
    {
        "name": "Parquet de Paris — section J3 cybercriminalité",
        "country": "FR", "kind": Agency.Kind.PROSECUTOR, "domain": "justice-paris.example",
        "callback": "+33 1 99 00 20 20",
        "source": "Tribunal judiciaire de Paris switchboard, official court directory",
        "supervisor": ("Procureure adjointe Anne Roussel", "anne.roussel@justice-paris.example"),
    },
]

USERS = [
    DemoUser("admin@platform.example", "Alex Morgan", "admin"),
    # A second administrator: changes of an agency's domains or call-back number need two.
    DemoUser("admin2@platform.example", "Sam Okafor", "admin"),
    DemoUser("intake@platform.example", "Inès Garcia", "intake"),
    DemoUser("reviewer@platform.example", "Robert Klein", "reviewer"),
    DemoUser("approver@platform.example", "Amara Diallo", "approver"),
    DemoUser("approver2@platform.example", "Lukas Weber", "approver"),
    DemoUser("auditor@platform.example", "Petra Novak", "auditor"),
    DemoUser("claire.dubois@police-nationale.example", "Claire Dubois", "officer",
             AGENCIES[0]["name"], "Capitaine de police"),
    DemoUser("julien.moreau@justice-paris.example", "Julien Moreau", "officer",
             AGENCIES[1]["name"], "Vice-procureur"),
]


def _enrol_totp(user: User) -> None:
    if Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists():
        return
    secret = base64.b32encode(os.urandom(20)).decode().rstrip("=")
    TOTP.activate(user, secret)
    RecoveryCodes.activate(user)
    record(Action.MFA_ENROLLED, actor=user, target=user,
           params={"type": "totp", "by": "demo seed"})


def _verified_email(user: User) -> None:
    EmailAddress.objects.update_or_create(
        user=user, email=user.email, defaults={"verified": True, "primary": True}
    )


@transaction.atomic
def seed(now: datetime | None = None, *, with_cases: bool = True,
         with_history: bool = True) -> list[DemoUser]:
    """Create the demo agencies, officers and staff unless they exist; return the demo users."""
    if settings.PRODUCTION:
        raise RuntimeError("The demo data must not be seeded in production mode.")
    now = now or utcnow()
    admin = User.objects.filter(email=USERS[0].email).first()
    for spec in USERS:
        if spec.role == "officer" or User.objects.filter(email=spec.email).exists():
            continue
        services.create_staff_member(actor=None, now=now, email=spec.email,
                                     full_name=spec.full_name, roles=[spec.role],
                                     password=DEMO_PASSWORD)
    admin = User.objects.get(email=USERS[0].email)
    for data in AGENCIES:
        agency = Agency.objects.filter(name=data["name"]).first()
        if agency is None:
            agency = services.create_agency(actor=admin, now=now, name=data["name"],
                                            country=data["country"], kind=data["kind"])
            second = User.objects.get(email=USERS[1].email)
            for change in (
                services.propose_domain(actor=admin, now=now, agency=agency,
                                        domain=data["domain"],
                                        note="Demo: DNS TXT record checked"),
                services.propose_callback_number(actor=admin, now=now, agency=agency,
                                                 phone=data["callback"], source=data["source"]),
            ):
                services.approve_anchor_change(actor=second, now=now, change=change)
            services.set_agency_status(actor=admin, now=now, agency=agency,
                                       status=Agency.Status.ACTIVE, reason="Demo agency verified")
    for spec in USERS:
        if spec.role != "officer" or User.objects.filter(email=spec.email).exists():
            continue
        data = next(a for a in AGENCIES if a["name"] == spec.agency)
        agency = Agency.objects.get(name=spec.agency)
        user = User.objects.create_user(email=spec.email, password=DEMO_PASSWORD,
                                        full_name=spec.full_name)
        _verified_email(user)
        officer = services.register_officer(
            user=user, agency=agency, title=spec.title, supervisor_name=data["supervisor"][0],
            supervisor_email=data["supervisor"][1], now=now,
        )
        # Demo data: the supervisor's answer stands in for the click on the e-mailed link.
        services.answer_for_supervisor(officer=officer, confirmed=True, now=now)
        services.decide_officer(actor=admin, now=now, officer=officer,
                                status=Officer.Status.ACTIVE,
                                reason="Demo officer: supervisor confirmed, agency called back")
    for spec in USERS:
        user = User.objects.get(email=spec.email)
        _verified_email(user)
        _enrol_totp(user)
    with lifecycle.composed():  # the seed is all or nothing: one transaction
        if with_cases:
            seed_cases(now)
        if with_cases and with_history:
            seed_history(now)
    return USERS


def totp_secret(user: User) -> str:
    """The user's TOTP secret, decrypted (demo display only)."""
    auth = Authenticator.objects.get(user=user, type=Authenticator.Type.TOTP)
    return get_adapter().decrypt(auth.data["secret"])
