"""Property test: calls generated from the OpenAPI document, positive and negative, pass every
check schemathesis has (no 5xx; status, media type, headers and body as documented; valid data
accepted, invalid data refused; auth enforced)."""

from __future__ import annotations

import uuid
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

pytestmark = pytest.mark.django_db

EXAMPLES_PER_OPERATION = 40


@contextmanager
def in_process_wsgi() -> Iterator[object]:
    """The real Django WSGI app, in-process, sharing the test's database transaction.

    Enter it after any use of Django's test client, which reconnects the signal handlers.
    """
    from django.core.handlers.wsgi import WSGIHandler
    from django.core.signals import request_finished, request_started
    from django.db import close_old_connections

    # As Django's test client does: closing "old" connections would end the test transaction.
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield WSGIHandler()
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


def test_generated_calls_pass_every_check(api, token, settings):
    import schemathesis

    # The ignored_auth check repeats every call without a token; past 30 a minute the address
    # would get 429 (tested in test_tokens.py), which that check does not expect.
    settings.LAWDESK_API_AUTH_FAILURES_PER_MINUTE = 10**6

    for _ in range(2):  # some requests to look at, withdraw, answer
        assert api.submit().status_code == 201
    with in_process_wsgi() as app:
        tally = _fuzz(schemathesis.openapi.from_wsgi("/api/openapi.json", app), token)
    print(f"\nschemathesis: {len(all_checks())} checks, {sum(tally.calls.values())} calls")
    for (label, mode), count in sorted(tally.calls.items()):
        statuses = {status: n for (lb, md, status), n in sorted(tally.statuses.items())
                    if (lb, md) == (label, mode)}
        print(f"  {label} [{mode}]: {count} calls, statuses {statuses}")
    for skipped in tally.skipped:
        print(f"  stopped early by the generator: {skipped}")
    assert sum(tally.calls.values()) >= len(tally.calls) * 10, "too few generated calls ran"


class Tally:
    """What ran: calls per operation and generation mode, and failures (none allowed)."""

    def __init__(self) -> None:
        self.calls: Counter[tuple[str, str]] = Counter()
        self.statuses: Counter[tuple[str, str, int]] = Counter()
        self.failures: list[str] = []
        self.skipped: list[str] = []


def all_checks() -> list:
    """Every check schemathesis registers for OpenAPI (as ``--checks all`` runs them)."""
    from schemathesis.checks import CHECKS, load_all_checks

    load_all_checks()
    return list(CHECKS.get_all())


def _fuzz(schema, token: str) -> Tally:
    from schemathesis import GenerationMode
    from schemathesis.core.errors import InvalidSchema

    headers = {"Authorization": f"Bearer {token}"}
    checks = all_checks()
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) == 7  # + the acknowledgement PDF and its signature
    tally = Tally()

    for operation in operations:
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
            try:
                _runner(operation, mode, headers, checks, tally)()
            except InvalidSchema as exc:
                # schemathesis' negative mode mutates the schema with drawn values; now and then
                # (once in three full runs on 1 Dec 2026, never alone) its canonicaliser
                # (jsonschema_rs) cannot take a mutated schema and the library gives up on the
                # operation's remaining negative cases. That is the tool's limit, not an answer
                # of lawdesk's: it is reported, and tolerated only there — the positive cases, and
                # every negative case already run, still had every check.
                if mode != GenerationMode.NEGATIVE or "canonical form" not in str(exc):
                    raise
                tally.skipped.append(f"{operation.label} [negative]: {exc}")
    return tally


def _runner(operation, mode, headers: dict[str, str], checks: list, tally: Tally):
    from schemathesis import GenerationMode

    @given(case=operation.as_strategy(mode), small_id=st.integers(1, 3))
    @settings(max_examples=EXAMPLES_PER_OPERATION, deadline=None, database=None,
              suppress_health_check=list(HealthCheck), derandomize=True)
    def run(case, small_id):
        if (mode == GenerationMode.POSITIVE and case.path_parameters
                and "id" in case.path_parameters and small_id != 3):
            case.path_parameters["id"] = small_id  # reach real cases, not only 404s
        key = (case.headers or {}).get("Idempotency-Key")
        if key is not None and mode == GenerationMode.POSITIVE:
            # A key names one request: the same key with another request is refused by design
            # (422), which no schema can say. Keep the header, make each key unique.
            case.headers["Idempotency-Key"] = uuid.uuid4().hex
        selected = checks
        if operation.label == "POST /api/v1/requests" and mode == GenerationMode.POSITIVE:
            # Intake rules beyond JSON Schema (identifier grammar, window order and length, a
            # real PDF without markup): a schema-valid request can still be refused, field by
            # field. Every other check runs.
            selected = [c for c in checks if c.__name__ != "positive_data_acceptance"]
        response = case.call_and_validate(headers=headers, checks=selected)
        tally.calls[(operation.label, mode.value)] += 1
        tally.statuses[(operation.label, mode.value, response.status_code)] += 1

    return run
