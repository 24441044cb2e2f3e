"""django-allauth adapters: officer sign-up rules and encrypted MFA secrets."""

from __future__ import annotations

import base64
import hashlib
import os

from allauth.account.adapter import DefaultAccountAdapter
from allauth.core import context
from allauth.mfa.adapter import DefaultMFAAdapter
from allauth.mfa.utils import is_mfa_enabled
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from django.conf import settings
from django.http import HttpRequest


class AccountAdapter(DefaultAccountAdapter):
    """Sign-up is open only to officers of active agencies (checked in the sign-up form)."""

    def is_open_for_signup(self, request: HttpRequest) -> bool:
        return True

    def is_reauthentication_required(self, *, app: str, **kwargs: object) -> bool:
        """Skip the password prompt for a user's very first second factor, right after login.

        Reauthentication protects an existing factor from a hijacked session; a user with no
        factor yet has nothing to protect and has just typed the password to get here.
        """
        request = context.request
        user = getattr(request, "user", None)
        if app == "allauth.mfa" and user is not None and user.is_authenticated \
                and not is_mfa_enabled(user):
            return False
        return super().is_reauthentication_required(app=app, **kwargs)


def _field_key() -> bytes:
    """The 256-bit key that encrypts MFA secrets at rest, derived from the field-key setting."""
    material = settings.LAWDESK_FIELD_KEY.encode()
    return hashlib.sha256(b"lawdesk:mfa:" + material).digest()


class MFAAdapter(DefaultMFAAdapter):
    """Keep TOTP seeds encrypted (AES-256-GCM) in the database, never in clear."""

    _prefix = "aesgcm1:"

    def encrypt(self, text: str) -> str:
        nonce = os.urandom(12)
        sealed = AESGCM(_field_key()).encrypt(nonce, text.encode(), b"mfa")
        return self._prefix + base64.urlsafe_b64encode(nonce + sealed).decode()

    def decrypt(self, encrypted_text: str) -> str:
        if not encrypted_text.startswith(self._prefix):
            raise ValueError("MFA secret is not encrypted with lawdesk's field key")
        blob = base64.urlsafe_b64decode(encrypted_text[len(self._prefix):])
        return AESGCM(_field_key()).decrypt(blob[:12], blob[12:], b"mfa").decode()
