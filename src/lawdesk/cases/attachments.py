"""Documents received with a request or a message: PDF uploads checked by their magic bytes
and size, hashed and kept with the case; an order delivered by a standard channel kept
byte-exact."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext

from lawdesk.accounts.models import User
from lawdesk.cases.intake import (
    IntakeRefused,
)
from lawdesk.cases.models import Attachment, Case
from lawdesk.core.uploads import pdf_problem


@dataclass(frozen=True)
class Upload:
    """A file received with a request (from a form or the API)."""

    name: str
    content: UploadedFile


@dataclass(frozen=True)
class OriginalOrder:
    """The order exactly as a standard channel delivered it (e.g. the EPOC form carried by an
    HI-1 DocumentObject): stored byte-exact as the case's instrument and hashed on the receipt,
    with where it came from (``origin``: channel, endpoint, transaction …). It is not a PDF
    upload, so it is not sniffed as one; the channel checked it."""

    name: str
    content: bytes
    content_type: str
    origin: dict[str, Any]


_ORIGINAL_SUFFIX = {"application/pdf": ".pdf", "application/xml": ".xml", "text/xml": ".xml"}


def store_upload(case: Case, upload: Upload, *, actor: User, now: datetime) -> Attachment:
    """Check that an upload is a PDF within the size limit, hash it, keep it with the case."""
    limit = settings.LAWDESK_MAX_ATTACHMENT_BYTES
    content = upload.content
    if content.size is not None and content.size > limit:
        raise IntakeRefused({"attachments": [
            gettext("%(name)s is %(size)s MB; the limit is %(limit)s MB.")
            % {"name": upload.name, "size": content.size // 1_000_000,
               "limit": limit // 1_000_000}]})
    problem = pdf_problem(content, content.size)
    if problem:
        raise IntakeRefused({"attachments": [f"{upload.name} {problem}"]})
    content.seek(0)
    digest, size = hashlib.sha256(), 0
    for chunk in content.chunks():
        digest.update(chunk)
        size += len(chunk)
        if size > limit:
            raise IntakeRefused({"attachments": [
                gettext("%(name)s is larger than the limit.") % {"name": upload.name}]})
    content.seek(0)
    safe_name = upload.name.replace("\\", "/").rsplit("/", 1)[-1][:200] or "document.pdf"
    attachment = Attachment(case=case, original_name=safe_name, sha256=digest.hexdigest(),
                            size=size, uploaded_at=now, uploaded_by=actor)
    attachment.file.save(f"{case.number}-{digest.hexdigest()[:16]}.pdf", content, save=False)
    attachment.save()
    return attachment


def store_original(case: Case, original: OriginalOrder, *, actor: User, now: datetime) \
        -> Attachment:
    """Keep the original order byte-exact with its SHA-256 (the receipt names both)."""
    if len(original.content) > settings.LAWDESK_MAX_ATTACHMENT_BYTES:
        raise IntakeRefused({"attachments": [gettext("%(name)s is larger than the limit.")
                            % {"name": original.name}]})
    digest = hashlib.sha256(original.content).hexdigest()
    suffix = _ORIGINAL_SUFFIX.get(original.content_type.split(";")[0].strip().lower(), ".bin")
    safe_name = original.name.replace("\\", "/").rsplit("/", 1)[-1][:200] or "order"
    if not safe_name.lower().endswith(suffix):
        safe_name += suffix
    attachment = Attachment(case=case, original_name=safe_name, sha256=digest,
                            size=len(original.content), uploaded_at=now, uploaded_by=actor)
    attachment.file.save(f"{case.number}-{digest[:16]}{suffix}", ContentFile(original.content),
                         save=False)
    attachment.save()
    return attachment
