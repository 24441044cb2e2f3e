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
from django.utils.translation import gettext

from lawdesk.core.problems import problem_response


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
            response = problem_response("payload_too_large", detail)
        else:
            response = HttpResponse(f"Request too large. {detail}\n", status=413,
                                    content_type="text/plain; charset=utf-8")
        response["Connection"] = "close"  # do not wait for the rest of the body
        return response


# --- What an uploaded PDF may contain ----------------------------------------------------
#
# A legal instrument arrives as a PDF. A file that starts with ``%PDF-`` can still be something
# else as well: an HTML page (a browser that sniffs it renders it, scripts included), a ZIP
# archive (the same bytes open as an archive), or a PDF with anything appended. The whole file
# is read, in chunks, with memory bounded by the chunk size whatever the file's size.

PDF_MAGIC = b"%PDF-"
CHUNK_BYTES = 64 * 1024
HTML_MARKERS = (b"<html", b"<script", b"<!doctype", b"<body", b"<svg", b"<iframe")
ZIP_EOCD = b"PK\x05\x06"
ZIP_TAIL = 22 + 65_535  # end-of-central-directory record plus its longest comment
_KEEP = 16  # bytes carried between chunks: longer than any marker or keyword
_DICT_CONTEXT = 4096  # bytes before ``stream`` searched for the stream's dictionary


class _MarkupScanner:
    """Find HTML or script markup in a PDF's syntax, reading it chunk by chunk.

    The policy: markup in the PDF's syntax (header, objects, dictionaries, strings, comments,
    cross-reference table, trailer — everything a PDF reader reads as text) is refused. Inside
    the data of a *filtered* stream (``/Filter``: compressed text, images, fonts) it is not
    looked for: those bytes are binary, and four random bytes read ``<svg`` often enough that
    a large scanned order would be refused by chance. Inside an *unfiltered* stream (plain
    text) markup is refused too. Only markup outside a filtered stream can be shown as text.
    """

    def __init__(self) -> None:
        self.carry = b""
        self.context = b""  # the last _DICT_CONTEXT bytes already scanned
        self.in_stream = False
        self.filtered = False

    def feed(self, chunk: bytes, *, final: bool = False) -> bool:
        """Scan the next chunk; True as soon as markup is found where it is refused."""
        buf = self.carry + chunk
        lowered = buf.lower()
        limit = len(buf) if final else max(0, len(buf) - _KEEP)
        pos = 0
        while pos < limit:
            if self.in_stream:
                end = buf.find(b"endstream", pos)
                stop = end if end != -1 and end < limit else limit
                if not self.filtered and self._markup(lowered, pos, stop):
                    return True
                if stop == limit and end != stop:
                    pos = limit
                    break
                self.in_stream, pos = False, end + len(b"endstream")
                continue
            start = self._stream_keyword(buf, pos, limit)
            stop = start if start != -1 else limit
            if self._markup(lowered, pos, stop):
                return True
            if start == -1:
                pos = limit
                break
            head = (self.context + buf[:start])[-_DICT_CONTEXT:]
            dictionary = head[head.rfind(b"obj") + 3:] if b"obj" in head else head
            self.filtered = b"/Filter" in dictionary
            self.in_stream = True
            pos = start + len(b"stream") + (2 if buf[start + 6:start + 8] == b"\r\n" else 1)
        done = min(pos, len(buf))
        self.context = (self.context + buf[:done])[-_DICT_CONTEXT:]
        self.carry = buf[done:]
        return False

    def _stream_keyword(self, buf: bytes, pos: int, limit: int) -> int:
        """Where the next ``stream`` keyword (not ``endstream``, then an EOL) starts, or -1."""
        at = buf.find(b"stream", pos)
        while at != -1 and at < limit:
            before = (self.context + buf[:at])[-3:]
            after = buf[at + 6:at + 7]
            if before != b"end" and after in (b"\r", b"\n"):
                return at
            at = buf.find(b"stream", at + 1)
        return -1

    @staticmethod
    def _markup(lowered: bytes, start: int, stop: int) -> bool:
        # A marker that begins before ``stop`` counts, even if it runs past it.
        return any(lowered.find(m, start, stop + len(m) - 1) > -1 for m in HTML_MARKERS)


def pdf_problem(content: IO[bytes], size: int | None = None) -> str | None:
    """Why an uploaded file is not (only) a whole PDF document, or None.

    Refused: a file that does not start with ``%PDF-``; HTML or script markup anywhere in the
    PDF's syntax (see :class:`_MarkupScanner`), not only in its first kilobyte; a ZIP
    end-of-central-directory record that ends the file (a PDF/ZIP polyglot); a file without
    ``%%EOF`` in its last kilobyte (truncated, or with something else appended). The file is
    read once from the start in ``CHUNK_BYTES`` chunks, then its tail once more.
    """
    content.seek(0)
    head = content.read(len(PDF_MAGIC))
    if head != PDF_MAGIC:
        return gettext("is not a PDF document (it does not start with %PDF-).")
    scanner = _MarkupScanner()
    total = len(head)
    if scanner.feed(head):
        return gettext("contains HTML or script markup; send the PDF document itself.")
    while True:
        chunk = content.read(CHUNK_BYTES)
        total += len(chunk)
        if scanner.feed(chunk, final=not chunk):
            return gettext("contains HTML or script markup; send the PDF document itself.")
        if not chunk:
            break
    size = total if size is None else size
    content.seek(max(0, size - ZIP_TAIL))
    tail = content.read(ZIP_TAIL)
    at = tail.rfind(ZIP_EOCD)
    while at != -1:
        comment = int.from_bytes(tail[at + 20:at + 22], "little")
        if at + 22 + comment == len(tail):
            return gettext("is also a ZIP archive (a polyglot file); send the PDF document itself.")
        at = tail.rfind(ZIP_EOCD, 0, at)
    if b"%%EOF" not in tail[-1024:]:
        return gettext("is not a complete PDF document (no %%EOF at its end).")
    return None
