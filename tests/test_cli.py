"""The bootstrap command that creates the first staff login."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from lawdesk.accounts.models import StaffMember
from lawdesk.audit.models import Event
from lawdesk.cli import app

pytestmark = pytest.mark.django_db


def test_staff_create_makes_an_audited_staff_login():
    result = CliRunner().invoke(app, ["staff", "create", "first.admin@platform.example",
                                      "--name", "First Admin", "--role", "admin"],
                                input="Quiet-harbour-lamp-71\nQuiet-harbour-lamp-71\n")
    assert result.exit_code == 0, result.output
    staff = StaffMember.objects.get(user__email="first.admin@platform.example")
    assert staff.roles == ["admin"]
    assert Event.objects.filter(action="accounts:staff:created").exists()


@pytest.mark.parametrize(("args", "password", "message"), [
    (["--role", "admin"], "password", "password"),
    (["--role", "janitor"], "Quiet-harbour-lamp-71", "roles"),
])
def test_staff_create_refuses_bad_input(args, password, message):
    result = CliRunner().invoke(app, ["staff", "create", "x@platform.example", "--name", "X", *args],
                                input=f"{password}\n{password}\n")
    assert result.exit_code == 2
    assert message in result.output
    assert not StaffMember.objects.exists()
