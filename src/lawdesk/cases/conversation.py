"""Talking with the requester: the clarification question that pauses the legal clock and its
answer, the case's message thread (officers may attach PDFs; the desk writes text only), and
internal notes."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from django.utils.translation import gettext

from lawdesk.accounts.models import User
from lawdesk.audit.actions import Action
from lawdesk.audit.services import record
from lawdesk.cases.attachments import Upload, store_upload
from lawdesk.cases.intake import (
    CLARIFICATION_ANSWER,
    IntakeRefused,
)
from lawdesk.cases.lifecycle import (
    desk_action,
    lock,
    move,
    require,
    require_requester,
    use_case_transaction,
)
from lawdesk.cases.models import Case, Message, Status
from lawdesk.core.errors import DomainError
from lawdesk.core.origin import Origin


@desk_action("question")
def ask_clarification(*, case: Case, actor: User, now: datetime, question: str,
                      origin: Origin | None = None) -> Case:
    """Ask the requester a question; the legal clock stops until they answer (Art. 10(6))."""
    require(len(question.strip()) >= 10,
            gettext("Write the question for the requester (at least 10 characters)."),
            field="question", code="required")
    case = lock(case)
    Message.objects.create(case=case, kind=Message.Kind.CLARIFICATION_REQUEST, author=actor,
                           body=question.strip(), created_at=now)
    move(case, Status.AWAITING_CLARIFICATION, actor=actor, now=now,
         action=Action.CASE_CLARIFICATION_REQUESTED, origin=origin)
    return case


def answer_clarification(*, case: Case, actor: User, now: datetime, answer: str,
                         origin: Origin | None = None) -> Case:
    """The requester answers; the clock resumes with the time that was left."""
    require_requester(case, actor, now=now, origin=origin, attempted="answer")
    with use_case_transaction():
        return _answer(case=case, actor=actor, now=now, answer=answer, origin=origin)


def _answer(*, case: Case, actor: User, now: datetime, answer: str,
            origin: Origin | None) -> Case:
    case = lock(case)
    require(case.status == Status.AWAITING_CLARIFICATION,
            gettext("There is no open question on this request."), field="answer",
            code="invalid_transition")
    problem = CLARIFICATION_ANSWER.problem(answer)  # the API's schema says the same
    if problem is not None:
        raise DomainError(gettext("Write your answer: %(problem)s") % {"problem": problem.message()},
                          field="answer", code="required")
    Message.objects.create(case=case, kind=Message.Kind.CLARIFICATION_ANSWER, author=actor,
                           body=answer.strip(), created_at=now)
    move(case, Status.IN_REVIEW, actor=actor, now=now, action=Action.CASE_CLARIFICATION_ANSWERED,
         origin=origin)
    return case


MAX_MESSAGE_FILES = 5


def _message(case: Case, *, actor: User, now: datetime, body: str, side: str,
             uploads: Sequence[Upload] = (), origin: Origin | None) -> Message:
    """One message of the case's thread, its documents and its audit event (no body: the
    trail says who wrote to whom and which files, by hash)."""
    require(len(body.strip()) >= 2, gettext("Write the message."), field="body", code="required")
    require(len(body) <= 5000, gettext("A message has at most 5,000 characters; attach a PDF for more."),
            field="body", code="too_long")
    require(len(uploads) <= MAX_MESSAGE_FILES, gettext("Attach at most %(n)s documents to a message.")
            % {"n": MAX_MESSAGE_FILES},
            field="attachments", code="too_many")
    message = Message.objects.create(case=case, kind=Message.Kind.MESSAGE, author=actor,
                                     body=body.strip(), created_at=now)
    files = []
    for upload in uploads:
        try:
            attachment = store_upload(case, upload, actor=actor, now=now)
        except IntakeRefused as exc:
            raise DomainError(" ".join(exc.errors["attachments"]), field="attachments",
                              code="invalid_attachment") from None
        attachment.message = message
        attachment.save(update_fields=["message"])
        files.append({"name": attachment.original_name, "sha256": attachment.sha256})
    flag = "requester_message"
    if side == "requester" and flag not in case.flags:
        case.flags = [*case.flags, flag]
        case.save(update_fields=["flags"])
    elif side == "platform" and flag in case.flags:
        case.flags = [f for f in case.flags if f != flag]
        case.save(update_fields=["flags"])
    record(Action.MESSAGE_RECEIVED if side == "requester" else Action.MESSAGE_SENT, actor=actor,
           target=case, origin=origin, now=now,
           params={"number": case.number, "message": message.pk, "attachments": files})
    return message


def message_the_desk(*, case: Case, actor: User, now: datetime, body: str,
                     uploads: Sequence[Upload] = (), origin: Origin | None = None) -> Message:
    """An officer of the requesting agency writes to the platform on the case (any time, not
    only to answer a question), with PDF documents checked as at intake."""
    require_requester(case, actor, now=now, origin=origin, attempted="message")
    with use_case_transaction():
        return _message(lock(case), actor=actor, now=now, body=body, side="requester",
                        uploads=uploads, origin=origin)


@desk_action("message")
def message_the_requester(*, case: Case, actor: User, now: datetime, body: str,
                          origin: Origin | None = None) -> Message:
    """The desk answers in the case's thread. Text only: data about users never travels in
    a message; it is delivered in the signed evidence package, after four eyes."""
    return _message(lock(case), actor=actor, now=now, body=body, side="platform",
                    origin=origin)


@desk_action("note")
def add_note(*, case: Case, actor: User, now: datetime, body: str,
             origin: Origin | None = None) -> Message:
    """An internal note on the case (never shown to the requester)."""
    require(body.strip(), gettext("Write the note."), field="body", code="required")
    note = Message.objects.create(case=case, kind=Message.Kind.NOTE, author=actor,
                                  body=body.strip(), created_at=now)
    record(Action.NOTE_ADDED, actor=actor, target=case, origin=origin, now=now,
           params={"number": case.number})
    return note
