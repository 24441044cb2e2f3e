"""A local stand-in for the DSA Transparency Database API, for tests and the benchmark.

Written by the project from the documented field list (INTEROP.md §3.1 and its appendix), on
purpose *independently* of ``fields.py``: its rules are a second reading of the same list, so a
test can check that what lawdesk's validator lets through this server accepts, and that what the
server refuses lawdesk refused first. Routes and answers as documented: ``POST
/api/v1/statement`` and ``/statements`` (1 to 100, one bad or duplicate statement fails the whole
batch with 422 and creates nothing; errors keyed ``statements.N.field``), ``GET
/api/v1/statement/{uuid}``, ``GET /api/v1/statement/existing-puid/{puid}`` (302 / 404), Bearer
token. Faults can be injected (``fail_next``, ``lose_next_answer``) and every request is logged.

Run by hand: ``python -m lawdesk.removal.tdb.local_server --port 8765 --token T``.
"""

from __future__ import annotations

import argparse
import json
import re
import threading
import uuid
from datetime import date
from socketserver import ThreadingMixIn
from typing import Any
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

from lawdesk.core.clock import utcnow

_EU_EEA = set(
    "AT BE BG HR CY CZ DK EE FI FR DE GR HU IE IT LV LT LU MT NL PL PT RO SK SI ES SE "  # noqa: SIM905
    "IS LI NO".split()
)
_ENUMS: dict[str, set[str]] = {
    "decision_visibility": {
        f"DECISION_VISIBILITY_{v}"
        for v in (
            "CONTENT_REMOVED",
            "CONTENT_DISABLED",
            "CONTENT_DEMOTED",
            "CONTENT_AGE_RESTRICTED",
            "CONTENT_INTERACTION_RESTRICTED",
            "CONTENT_LABELLED",
            "OTHER",
        )
    },
    "decision_monetary": {
        "DECISION_MONETARY_SUSPENSION",
        "DECISION_MONETARY_TERMINATION",
        "DECISION_MONETARY_OTHER",
    },
    "decision_provision": {
        "DECISION_PROVISION_PARTIAL_SUSPENSION",
        "DECISION_PROVISION_TOTAL_SUSPENSION",
        "DECISION_PROVISION_PARTIAL_TERMINATION",
        "DECISION_PROVISION_TOTAL_TERMINATION",
    },
    "decision_account": {"DECISION_ACCOUNT_SUSPENDED", "DECISION_ACCOUNT_TERMINATED"},
    "account_type": {"ACCOUNT_TYPE_BUSINESS", "ACCOUNT_TYPE_PRIVATE"},
    "decision_ground": {"DECISION_GROUND_ILLEGAL_CONTENT", "DECISION_GROUND_INCOMPATIBLE_CONTENT"},
    "content_type": {
        f"CONTENT_TYPE_{v}"
        for v in ("APP", "AUDIO", "IMAGE", "PRODUCT", "SYNTHETIC_MEDIA", "TEXT", "VIDEO", "OTHER")
    },
    "category": {
        f"STATEMENT_CATEGORY_{v}"
        for v in (
            "ANIMAL_WELFARE",
            "CONSUMER_INFORMATION",
            "CYBER_VIOLENCE",
            "CYBER_VIOLENCE_AGAINST_WOMEN",
            "DATA_PROTECTION_AND_PRIVACY_VIOLATIONS",
            "ILLEGAL_OR_HARMFUL_SPEECH",
            "INTELLECTUAL_PROPERTY_INFRINGEMENTS",
            "NEGATIVE_EFFECTS_ON_CIVIC_DISCOURSE_OR_ELECTIONS",
            "NOT_SPECIFIED_NOTICE",
            "OTHER_VIOLATION_TC",
            "PROTECTION_OF_MINORS",
            "RISK_FOR_PUBLIC_SECURITY",
            "SCAMS_AND_FRAUD",
            "SELF_HARM",
            "UNSAFE_AND_PROHIBITED_PRODUCTS",
            "VIOLENCE",
        )
    },
    "source_type": {
        "SOURCE_ARTICLE_16",
        "SOURCE_TRUSTED_FLAGGER",
        "SOURCE_TYPE_OTHER_NOTIFICATION",
        "SOURCE_VOLUNTARY",
    },
    "automated_decision": {
        "AUTOMATED_DECISION_FULLY",
        "AUTOMATED_DECISION_PARTIALLY",
        "AUTOMATED_DECISION_NOT_AUTOMATED",
    },
}
_TEXT = {
    "decision_facts": 5000,
    "illegal_content_legal_ground": 500,
    "illegal_content_explanation": 2000,
    "incompatible_content_ground": 500,
    "incompatible_content_explanation": 2000,
    "decision_visibility_other": 500,
    "decision_monetary_other": 500,
    "source_identity": 500,
    "content_type_other": 500,
    "category_specification_other": 500,
}


def _day(v: Any) -> date | None:
    try:
        return date.fromisoformat(v) if isinstance(v, str) and len(v) == 10 else None
    except ValueError:
        return None


def rules(s: dict[str, Any]) -> dict[str, list[str]]:
    """The documented rules for one statement: errors by field (empty: valid)."""
    e: dict[str, list[str]] = {}
    s = {k: v for k, v in s.items() if v is not None}

    def bad(f: str, m: str) -> None:
        e.setdefault(f, []).append(m)

    decisions = [
        f
        for f in ("decision_visibility", "decision_monetary", "decision_provision", "decision_account")
        if s.get(f)
    ]
    if not decisions:
        bad("decision_visibility", "At least one decision is required.")
    for f in (
        "decision_monetary",
        "decision_provision",
        "decision_account",
        "account_type",
        "decision_ground",
        "category",
        "source_type",
        "automated_decision",
    ):
        if f in s and s[f] not in _ENUMS[f]:
            bad(f, f"The selected {f} is invalid.")
    for f in ("decision_visibility", "content_type"):
        if f in s and (not isinstance(s[f], list) or not set(s[f]) <= _ENUMS[f]):
            bad(f, f"The selected {f} is invalid.")
    for f in (
        "decision_ground",
        "category",
        "source_type",
        "automated_decision",
        "decision_facts",
        "content_type",
        "content_date",
        "application_date",
        "puid",
        "automated_detection",
    ):
        if not s.get(f):
            bad(f, f"The {f} field is required.")
    if "DECISION_VISIBILITY_OTHER" in (s.get("decision_visibility") or []) and not s.get(
        "decision_visibility_other"
    ):
        bad("decision_visibility_other", "Required when decision_visibility is other.")
    if s.get("decision_monetary") == "DECISION_MONETARY_OTHER" and not s.get("decision_monetary_other"):
        bad("decision_monetary_other", "Required when decision_monetary is other.")
    if "CONTENT_TYPE_OTHER" in (s.get("content_type") or []) and not s.get("content_type_other"):
        bad("content_type_other", "Required when content_type is other.")
    illegal = s.get("decision_ground") == "DECISION_GROUND_ILLEGAL_CONTENT"
    for f in ("illegal_content_legal_ground", "illegal_content_explanation"):
        if illegal and not s.get(f):
            bad(f, f"The {f} field is required when decision ground is illegal content.")
        if not illegal and f in s:
            bad(f, f"The {f} field is prohibited unless decision ground is illegal content.")
    incompatible = s.get("decision_ground") == "DECISION_GROUND_INCOMPATIBLE_CONTENT"
    for f in (
        "incompatible_content_ground",
        "incompatible_content_explanation",
        "incompatible_content_illegal",
    ):
        if incompatible and not s.get(f):
            bad(f, f"The {f} field is required when decision ground is incompatible content.")
        if not incompatible and f in s:
            bad(f, f"The {f} field is prohibited unless decision ground is incompatible content.")
    if "incompatible_content_illegal" in s and s["incompatible_content_illegal"] not in ("Yes", "No"):
        bad("incompatible_content_illegal", "Must be Yes or No.")
    if s.get("automated_detection") not in (None, "Yes", "No"):
        bad("automated_detection", "Must be Yes or No.")
    for f, n in _TEXT.items():
        if f in s and (not isinstance(s[f], str) or len(s[f]) > n):
            bad(f, f"The {f} may not be greater than {n} characters.")
    if s.get("source_type") == "SOURCE_VOLUNTARY" and "source_identity" in s:
        bad("source_identity", "The source identity field is prohibited for voluntary decisions.")
    scope = s.get("territorial_scope")
    if scope is not None and (not isinstance(scope, list) or not set(scope) <= _EU_EEA):
        bad("territorial_scope", "The selected territorial scope is invalid.")
    lang = s.get("content_language")
    if lang is not None and not re.fullmatch(r"[A-Z]{2}", str(lang)):
        bad("content_language", "The selected content language is invalid.")
    for f, low in (("content_date", date(2000, 1, 1)), ("application_date", date(2020, 1, 1))):
        if f in s:
            d = _day(s[f])
            if d is None or not low <= d <= date(2038, 1, 1):
                bad(f, f"The {f} is not a valid date in range.")
    applied = _day(s.get("application_date"))
    for f in (
        "end_date_account_restriction",
        "end_date_monetary_restriction",
        "end_date_service_restriction",
        "end_date_visibility_restriction",
    ):
        if s.get(f):
            d = _day(s[f])
            if d is None or (applied and d < applied) or d > date(2038, 1, 1):
                bad(f, f"The {f} must be a date after or equal to application date.")
    puid = s.get("puid")
    if puid is not None and (
        not isinstance(puid, str) or len(puid) > 500 or not re.fullmatch(r"[a-zA-Z0-9\-_]+", puid)
    ):
        bad("puid", "The puid format is invalid.")
    return e


class LocalDatabase:
    """An in-memory database answering over HTTP on the loopback interface."""

    def __init__(self, token: str = "local-token", platform_name: str = "Msgr") -> None:  # noqa: S107 - a test stand-in
        self.token = token
        self.platform_name = platform_name
        self.statements: dict[str, dict[str, Any]] = {}  # puid -> stored statement
        self.by_uuid: dict[str, dict[str, Any]] = {}
        self.requests: list[tuple[str, str, int]] = []  # (method, path, statements in the body)
        self.fail_next: list[int] = []  # statuses answered before looking at the request
        self.lose_next_answer = 0  # store the batch, then answer 500 (the answer is "lost")
        self.refuse_puids: set[str] = set()  # statements refused as if a rule failed
        self._lock = threading.Lock()
        self._server: WSGIServer | None = None
        self.url = ""

    # --- HTTP -------------------------------------------------------------------------------
    def __call__(self, environ: dict[str, Any], start_response: Any) -> list[bytes]:
        method, path = environ["REQUEST_METHOD"], environ.get("PATH_INFO", "")
        length = int(environ.get("CONTENT_LENGTH") or 0)
        raw = environ["wsgi.input"].read(length) if length else b""
        status, body, headers = self.handle(method, path, raw, environ.get("HTTP_AUTHORIZATION", ""))
        data = json.dumps(body).encode()
        start_response(
            f"{status} {_REASONS.get(status, 'Status')}",
            [("Content-Type", "application/json"), ("Content-Length", str(len(data))), *headers],
        )
        return [data]

    def handle(self, method: str, path: str, raw: bytes, auth: str) -> tuple[int, Any, list[tuple[str, str]]]:
        with self._lock:
            return self._handle(method, path, raw, auth)

    def _handle(
        self, method: str, path: str, raw: bytes, auth: str
    ) -> tuple[int, Any, list[tuple[str, str]]]:
        try:
            payload = json.loads(raw) if raw else None
        except ValueError:
            payload = None
        count = (
            len(payload.get("statements") or [])
            if isinstance(payload, dict) and path.endswith("/statements")
            else (1 if payload else 0)
        )
        self.requests.append((method, path, count))
        if self.fail_next:
            return self.fail_next.pop(0), {"message": "injected failure"}, []
        if auth != f"Bearer {self.token}":
            return 401, {"message": "Unauthenticated."}, []
        if method == "GET" and path.startswith("/api/v1/statement/existing-puid/"):
            puid = path.rsplit("/", 1)[-1]
            found = self.statements.get(puid)
            if found is None:
                return 404, {"message": "statement of reason not found", "puid": puid}, []
            return (
                302,
                {"message": "statement exists", "puid": puid, "uuid": found["uuid"]},
                [("Location", f"{self.url}/api/v1/statement/{found['uuid']}")],
            )
        if method == "GET" and path.startswith("/api/v1/statement/"):
            found = self.by_uuid.get(path.rsplit("/", 1)[-1])
            return (200, found, []) if found else (404, {"message": "not found"}, [])
        if method == "POST" and path in ("/api/v1/statement", "/api/v1/statements"):
            if path.endswith("/statements"):
                batch = payload.get("statements") if isinstance(payload, dict) else None
                if not isinstance(batch, list) or not 1 <= len(batch) <= 100:
                    return (
                        422,
                        {
                            "message": "Between 1 and 100 statements.",
                            "errors": {"statements": ["The statements must have between 1 and 100 items."]},
                        },
                        [],
                    )
            else:
                batch = [payload] if isinstance(payload, dict) else []
            errors: dict[str, list[str]] = {}
            seen: set[str] = set()
            for i, s in enumerate(batch):
                prefix = f"statements.{i}." if path.endswith("/statements") else ""
                if not isinstance(s, dict):
                    errors[f"{prefix}statement"] = ["Not an object."]
                    continue
                for f, msgs in rules(s).items():
                    errors[prefix + f] = msgs
                given = s.get("puid")
                if given in self.refuse_puids:
                    errors.setdefault(prefix + "decision_facts", []).append("Refused on request.")
                if isinstance(given, str) and (given in self.statements or given in seen):
                    errors.setdefault(prefix + "puid", []).append("The puid has already been taken.")
                if isinstance(given, str):
                    seen.add(given)
            if errors or not batch:
                return (
                    422,
                    {"message": "The given data was invalid.", "errors": errors or {"statement": ["empty"]}},
                    [],
                )
            now = utcnow().isoformat()
            created = []
            for s in batch:
                sid = str(uuid.uuid4())
                stored = {
                    **s,
                    "uuid": sid,
                    "created_at": now,
                    "platform_name": self.platform_name,
                    "permalink": f"{self.url}/statement/{sid}",
                    "self": f"{self.url}/api/v1/statement/{sid}",
                }
                self.statements[s["puid"]] = stored
                self.by_uuid[sid] = stored
                created.append(
                    {
                        k: stored[k]
                        for k in ("uuid", "puid", "permalink", "self", "platform_name", "created_at")
                    }
                )
            if self.lose_next_answer:
                self.lose_next_answer -= 1
                return 500, {"message": "Server Error"}, []
            if path.endswith("/statements"):
                return 201, {"statements": created}, []
            return 201, created[0], []
        return 404, {"message": "Not Found"}, []

    # --- lifecycle ----------------------------------------------------------------------------
    def start(self, host: str = "127.0.0.1", port: int = 0) -> str:
        self._server = make_server(host, port, self, server_class=_ThreadingServer, handler_class=_Quiet)
        self.url = f"http://{host}:{self._server.server_port}"
        threading.Thread(target=self._server.serve_forever, daemon=True, name="local-tdb").start()
        return self.url

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    def count(self, path_end: str = "/statements") -> int:
        """How many statements were posted (including refused and failed posts)."""
        return sum(n for m, p, n in self.requests if m == "POST" and p.endswith(path_end))


_REASONS = {
    200: "OK",
    201: "Created",
    302: "Found",
    401: "Unauthorized",
    404: "Not Found",
    422: "Unprocessable Content",
    429: "Too Many Requests",
    500: "Internal Server Error",
    502: "Bad Gateway",
    503: "Service Unavailable",
}


class _ThreadingServer(ThreadingMixIn, WSGIServer):
    daemon_threads = True


class _Quiet(WSGIRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        pass


def main() -> None:  # pragma: no cover - a tool for trying the client by hand
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--token", default="local-token")
    args = parser.parse_args()
    db = LocalDatabase(args.token)
    print(db.start(port=args.port), flush=True)
    threading.Event().wait()


if __name__ == "__main__":  # pragma: no cover
    main()
