"""Security tests use the case fixtures."""

from tests.cases.conftest import agency, approver, officer, reviewer, submit  # noqa: F401
