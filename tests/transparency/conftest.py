"""Case fixtures for the counting tests (shared with tests/cases)."""

from tests.cases.conftest import agency, approver, officer, reviewer, submit  # noqa: F401
