"""The demo seed: everything a new user needs, and nothing duplicated on a second run."""

from __future__ import annotations

import pyotp
import pytest

from lawdesk.accounts.models import Agency, Officer, StaffMember, User
from lawdesk.audit.models import Event
from lawdesk.audit.verify import verify_chain
from lawdesk.cases.models import Case
from lawdesk.demo.seed import USERS, seed, totp_secret

pytestmark = pytest.mark.django_db


def _counts():
    return (User.objects.count(), Agency.objects.count(), Officer.objects.count(),
            StaffMember.objects.count(), Case.objects.count(), Event.objects.count())


def test_seed_twice_creates_everything_once(now):
    # The 2024 history (953 closed cases) is seeded, twice, in tests/transparency.
    seed(now, with_history=False)
    first = _counts()
    seed(now, with_history=False)
    assert _counts() == first
    assert first[1] == 2 and first[2] == 2
    assert Case.objects.count() == 4
    assert verify_chain().intact


def test_every_demo_user_has_a_working_totp_and_the_right_role(now):
    from lawdesk.core.permissions import roles_of

    seed(now, with_cases=False)
    for spec in USERS:
        user = User.objects.get(email=spec.email)
        assert len(pyotp.TOTP(totp_secret(user)).now()) == 6
        assert spec.role in roles_of(user)
    agencies = {a.name: a for a in Agency.objects.all()}
    ofmin = agencies["Office mineurs (OFMIN) — Police nationale"]
    assert ofmin.status == "active" and ofmin.callback_phone and ofmin.verified_domains()
    assert agencies["Parquet de Paris — section J3 cybercriminalité"].kind == "prosecutor"
