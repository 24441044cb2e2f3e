"""Refuse oversized request bodies before any byte of them is read.

Two layers, both keyed on the declared ``Content-Length`` (Django reads at most that many
bytes of a body, and reads nothing of a body sent without one):

* ``RequestSizeLimitMiddleware`` (first in ``MIDDLEWARE``) answers ``413`` before the CSRF
  middleware or a view parses the body — a problem document under ``/api/``, plain text
  elsewhere;
* ``SizeLimitUploadHandler`` (first in ``FILE_UPLOAD_HANDLERS``) refuses the same bodies if
  anything parses them anyway, before the multipart parser writes a temporary file.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import IO, Any

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.core.files.uploadhandler import FileUploadHandler
from django.http import HttpRequest, HttpResponse


class RequestTooLarge(RequestDataTooBig):
    """The declared body is larger than lawdesk accepts (Django answers 400 if uncaught)."""


def max_request_bytes() -> int:
    """The largest body accepted: two attachments at the limit plus the form or JSON."""
    default = settings.LAWDESK_MAX_ATTACHMENT_BYTES * 2 + settings.DATA_UPLOAD_MAX_MEMORY_SIZE
    return int(getattr(settings, "LAWDESK_MAX_REQUEST_BYTES", default))


def declared_length(meta: dict[str, Any]) -> int:
    """The request's ``Content-Length`` (0 when missing or unreadable, as Django reads it)."""
    try:
        return max(0, int(meta.get("CONTENT_LENGTH") or 0))
    except (TypeError, ValueError):
        return 0


class SizeLimitUploadHandler(FileUploadHandler):
    """Stop a multipart parse whose declared length is over the limit, before reading it."""

    def handle_raw_input(self, input_data: IO[bytes], META: dict[str, str], content_length: int,
                         boundary: str, encoding: str | None = None) -> None:
        """Raise ``RequestTooLarge`` before the parser reads the first chunk."""
        if content_length > max_request_bytes():
            raise RequestTooLarge(f"The request body ({content_length} bytes) is over the "
                                  f"limit of {max_request_bytes()} bytes.")

    def receive_data_chunk(self, raw_data: bytes, start: int) -> bytes:
        """Pass the chunk on to the next handler unchanged."""
        return raw_data

    def file_complete(self, file_size: int) -> None:
        """Let the next handler build the uploaded file."""
        return None


class RequestSizeLimitMiddleware:
    """Answer 413 to a body declared larger than the limit, without reading it."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        length, limit = declared_length(request.META), max_request_bytes()
        if length <= limit:
            return self.get_response(request)
        detail = (f"The request is {length // 1_000_000} MB; the limit is "
                  f"{limit // 1_000_000} MB.")
        response: HttpResponse
        if request.path.startswith("/api/"):
            from lawdesk.api.problems import problem_response

            response = problem_response("payload_too_large", detail)
        else:
            response = HttpResponse(f"Request too large. {detail}\n", status=413,
                                    content_type="text/plain; charset=utf-8")
        response["Connection"] = "close"  # do not wait for the rest of the body
        return response
