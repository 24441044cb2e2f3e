"""A small client of the DSA Transparency Database API (v1), on the standard library.

Two calls: submit a batch (``POST /api/v1/statements``, 1 to 100 statements; a 422 creates
nothing) and ask whether a puid exists (``GET /api/v1/statement/existing-puid/{puid}``: 302
exists, 404 not). The client does not retry by itself: a POST whose answer was lost may have
created the statements, so the outbox retries later, after asking the database which puids it
already has (``outbox.send_due``).
"""

from __future__ import annotations

import http.client
import json
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any


class TdbError(Exception):
    """The database could not be reached or answered nothing usable (try again later)."""


@dataclass(frozen=True)
class Response:
    status: int
    body: Any
    location: str | None = None


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None


class TdbClient:
    def __init__(self, base_url: str, token: str, *, timeout: float = 20.0) -> None:
        self.base_url = base_url.rstrip("/")
        self.token = token
        self.timeout = timeout
        self._opener = urllib.request.build_opener(_NoRedirect)

    def _call(self, method: str, path: str, body: Any = None) -> Response:
        data = None if body is None else json.dumps(body, ensure_ascii=False).encode()
        if not self.base_url.startswith(("https://", "http://")):
            raise TdbError("the database URL must be http(s)")
        request = urllib.request.Request(  # noqa: S310 - the scheme is checked above
            self.base_url + path,
            data=data,
            method=method,
            headers={
                "Authorization": f"Bearer {self.token}",
                "Accept": "application/json",
                **({"Content-Type": "application/json"} if data is not None else {}),
            },
        )
        try:
            with self._opener.open(request, timeout=self.timeout) as answer:
                return Response(answer.status, _json(answer.read()), answer.headers.get("Location"))
        except urllib.error.HTTPError as exc:
            return Response(exc.code, _json(exc.read()), exc.headers.get("Location"))
        except (
            TimeoutError,
            urllib.error.URLError,
            ConnectionError,
            http.client.HTTPException,
            OSError,
        ) as exc:
            raise TdbError(f"the database did not answer: {exc}") from exc

    def submit(self, statements: Sequence[dict[str, Any]]) -> Response:
        return self._call("POST", "/api/v1/statements", {"statements": list(statements)})

    def existing(self, puid: str) -> str | None:
        """The database's uuid of the statement with this puid, or None if it has none."""
        answer = self._call("GET", "/api/v1/statement/existing-puid/" + urllib.parse.quote(puid, safe=""))
        if answer.status == 404:
            return None
        if answer.status == 302:
            if isinstance(answer.body, dict) and answer.body.get("uuid"):
                return str(answer.body["uuid"])
            return (answer.location or "").rstrip("/").rsplit("/", 1)[-1] or "unknown"
        raise TdbError(f"existing-puid answered {answer.status}")


def _json(raw: bytes) -> Any:
    try:
        return json.loads(raw) if raw else None
    except ValueError:
        return {"raw": raw[:500].decode(errors="replace")}
