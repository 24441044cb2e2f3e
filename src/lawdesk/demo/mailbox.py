"""Read the demo's file mailbox (Django's file e-mail backend): the latest mails and their links."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime
from email import message_from_string, policy
from email.message import EmailMessage
from email.utils import parsedate_to_datetime
from pathlib import Path

# The file backend writes each message followed by a line of 79 dashes.
_SEPARATOR = re.compile(r"^-{79}$", re.MULTILINE)
_LINK = re.compile(r"https?://[^\s<>\"']+")


@dataclass(frozen=True)
class Mail:
    sent_at: datetime
    to: str
    subject: str
    links: list[str]
    path: Path
    order: tuple[int, int]  # when the file was written, and the place in it: finer than Date

    @property
    def kind(self) -> str:
        """What the mail asks of its reader, for a person scanning the list."""
        if any("/accounts/confirm-email/" in link for link in self.links):
            return "address verification"
        if any("/supervisor/" in link for link in self.links):
            return "supervisor confirmation"
        if any("/accounts/password/reset/" in link for link in self.links):
            return "password reset"
        return "notice"


def _parse(raw: str, path: Path, order: tuple[int, int]) -> Mail | None:
    message = message_from_string(raw.strip() + "\n", policy=policy.default)
    if not isinstance(message, EmailMessage) or not message["To"]:
        return None
    body = message.get_body(preferencelist=("plain", "html"))
    text = body.get_content() if body is not None else ""
    try:
        sent_at = parsedate_to_datetime(str(message["Date"])).astimezone(UTC)
    except (TypeError, ValueError):
        sent_at = datetime.fromtimestamp(path.stat().st_mtime, tz=UTC)
    links = list(dict.fromkeys(link.rstrip(".,);") for link in _LINK.findall(text)))
    return Mail(sent_at=sent_at, to=str(message["To"]), subject=str(message["Subject"] or ""),
                links=links, path=path, order=order)


def latest(mail_dir: Path, *, count: int = 10, to: str | None = None) -> list[Mail]:
    """The ``count`` most recent mails (to ``to`` only, if given), newest first."""
    if not mail_dir.is_dir():
        return []
    mails = []
    for path in mail_dir.iterdir():
        if not path.is_file():
            continue
        written = path.stat().st_mtime_ns
        for index, raw in enumerate(_SEPARATOR.split(path.read_text("utf-8", errors="replace"))):
            if raw.strip():
                mail = _parse(raw, path, (written, index))
                if mail is not None and (to is None or to.lower() in mail.to.lower()):
                    mails.append(mail)
    mails.sort(key=lambda m: (m.sent_at, m.order), reverse=True)
    return mails[:count]
