"""The signal accounts sends (``trust_anchor_changed``), and the audit receivers for
authentication events raised by Django and django-allauth."""

from __future__ import annotations

from typing import Any

from allauth.account.internal.flows.login import record_authentication
from allauth.account.signals import email_confirmed, password_changed, password_reset
from allauth.mfa.signals import (
    authentication_failed,
    authenticator_added,
    authenticator_removed,
    authenticator_reset,
)
from django.contrib import messages
from django.contrib.auth import update_session_auth_hash
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.db.models import F
from django.dispatch import Signal, receiver
from django.utils.translation import gettext

from lawdesk.accounts.models import Officer, User
from lawdesk.audit.actions import Action
from lawdesk.audit.services import record
from lawdesk.core.clock import utcnow
from lawdesk.core.origin import Origin

# Sent, inside the approving transaction, when an approved change of an agency's verified
# domains or call-back number applies while the agency has cases. Arguments: agency, flag.
# A receiver returns how many cases it flagged (the approval's audit event counts them).
trust_anchor_changed = Signal()


@receiver(user_logged_in, dispatch_uid="audit_login")
def _logged_in(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    record(Action.LOGIN_SUCCEEDED, actor=user, target=user, origin=Origin.of(request))


@receiver(user_login_failed, dispatch_uid="audit_login_failed")
def _login_failed(sender: Any, credentials: dict[str, Any], request: Any = None, **kw: Any) -> None:
    # Django has already replaced the password in ``credentials`` with asterisks; keep only
    # the identifier that was tried.
    tried = str(credentials.get("email") or credentials.get("username") or "")[:254]
    record(Action.LOGIN_FAILED, actor=getattr(request, "user", None), origin=Origin.of(request),
           params={"email": tried})


@receiver(user_logged_out, dispatch_uid="audit_logout")
def _logged_out(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    if user is not None:
        record(Action.LOGOUT_DONE, actor=user, target=user, origin=Origin.of(request))


@receiver(email_confirmed, dispatch_uid="audit_email_confirmed")
def _email_confirmed(sender: Any, request: Any, email_address: Any, **kwargs: Any) -> None:
    user = email_address.user
    record(Action.EMAIL_VERIFIED, actor=user, target=user,
           origin=Origin.of(request), params={"email": email_address.email})
    officer = user.officer_or_none
    # Only once the officer has proved their own address is their supervisor asked: nobody can
    # send mail to a supervisor merely by typing addresses into the sign-up form.
    if officer is not None and officer.supervisor_asked_at is None \
            and officer.status == Officer.Status.PENDING:
        # reason: import cycle: accounts.services imports this module
        from lawdesk.accounts.services import ask_supervisor

        ask_supervisor(officer=officer, now=utcnow(), origin=Origin.of(request),
                       base_url=request.build_absolute_uri("/") if request is not None else None,
                       visitor=getattr(request, "user", None))


@receiver(password_changed, dispatch_uid="audit_password_changed")
def _password_changed(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    record(Action.PASSWORD_CHANGED, actor=user, target=user, origin=Origin.of(request))


@receiver(password_reset, dispatch_uid="audit_password_reset")
def _password_reset(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    record(Action.PASSWORD_RESET, actor=user, target=user, origin=Origin.of(request))


def _mfa_event(action: Action, request: Any, user: Any, authenticator: Any) -> None:
    record(action, actor=user, target=user, origin=Origin.of(request),
           params={"type": authenticator.type})
    if action in (Action.MFA_ENROLLED, Action.MFA_REMOVED, Action.MFA_RESET):
        _end_other_sessions(request, user)
    if action is Action.MFA_ENROLLED and _is_own_session(request, user):
        # The code just typed on the activation page proves the new factor: that is a fresh
        # authentication, so the recovery codes made with it can be shown without asking
        # for the password again.

        record_authentication(request, user, "mfa", id=authenticator.pk,
                              type=authenticator.type, reauthenticated=True)


def _is_own_session(request: Any, user: Any) -> bool:
    current = getattr(request, "user", None) if request is not None else None
    return current is not None and current.is_authenticated and current.pk == user.pk


def _end_other_sessions(request: Any, user: Any) -> None:
    """A changed second factor ends every session but the one that changed it."""
    # One change can add two authenticators (TOTP and its recovery codes): end sessions once.
    if getattr(request, "_lawdesk_other_sessions_ended", False):
        return
    # ``user`` is often ``request.user``, a lazy wrapper whose type is not the model: name the
    # model itself.
    User.objects.filter(pk=user.pk).update(security_version=F("security_version") + 1)
    user.refresh_from_db(fields=["security_version"])
    if request is not None:
        request._lawdesk_other_sessions_ended = True
    if _is_own_session(request, user):
        update_session_auth_hash(request, user)
        messages.info(request, gettext("Every other session of your account has been signed "
                                       "out: your second factor changed."), fail_silently=True)


@receiver(authenticator_added, dispatch_uid="audit_mfa_added")
def _mfa_added(sender: Any, request: Any, user: Any, authenticator: Any, **kw: Any) -> None:
    _mfa_event(Action.MFA_ENROLLED, request, user, authenticator)


@receiver(authenticator_removed, dispatch_uid="audit_mfa_removed")
def _mfa_removed(sender: Any, request: Any, user: Any, authenticator: Any, **kw: Any) -> None:
    _mfa_event(Action.MFA_REMOVED, request, user, authenticator)


@receiver(authenticator_reset, dispatch_uid="audit_mfa_reset")
def _mfa_reset(sender: Any, request: Any, user: Any, authenticator: Any, **kw: Any) -> None:
    _mfa_event(Action.MFA_RESET, request, user, authenticator)


@receiver(authentication_failed, dispatch_uid="audit_mfa_failed")
def _mfa_failed(sender: Any, request: Any, user: Any, authenticator: Any, **kw: Any) -> None:
    _mfa_event(Action.MFA_FAILED, request, user, authenticator)
