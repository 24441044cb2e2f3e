"""The officer's API-token page in the portal (the plaintext is shown once, never again)."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext
from django.views.decorators.http import require_http_methods

from lawdesk.accounts.http import AuthedRequest
from lawdesk.api import tokens
from lawdesk.core.clock import utcnow
from lawdesk.core.errors import DomainError
from lawdesk.core.origin import Origin
from lawdesk.core.views import apply_domain_error, require_perm


class TokenForm(forms.Form):
    name = forms.CharField(max_length=100, label="Name",
                           help_text="What will use it, e.g. “case management system”.")


@require_perm("portal:case:create")
@require_http_methods(["GET", "POST"])
def token_page(request: AuthedRequest) -> HttpResponse:
    """List, create and revoke the officer's API tokens."""
    action = request.POST.get("action") if request.method == "POST" else None
    form = TokenForm(request.POST if action == "create" else None)
    plaintext = None
    if action == "create" and form.is_valid():
        try:
            _, plaintext = tokens.create_token(officer_user=request.user,
                                               name=form.cleaned_data["name"], now=utcnow(),
                                               origin=Origin.from_request(request))
        except DomainError as exc:
            apply_domain_error(form, exc)
        else:
            form = TokenForm()
    elif action == "revoke":
        token = tokens.get_token_for(request.user, request.POST.get("token", ""))
        tokens.revoke_token(token=token, actor=request.user, now=utcnow(),
                            origin=Origin.from_request(request))
        messages.success(request, gettext("Token %(prefix)s… revoked.") % {"prefix": token.prefix})
        return redirect("portal:tokens")
    elif action == "renew":
        token = tokens.get_token_for(request.user, request.POST.get("token", ""))
        try:
            token = tokens.renew_token(token=token, actor=request.user, now=utcnow(),
                                       origin=Origin.from_request(request))
        except DomainError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, gettext("Token %(prefix)s… renewed: it now expires on "
                                        "%(date)s.") % {"prefix": token.prefix,
                                                        "date": f"{token.expires_at:%Y-%m-%d}"})
        return redirect("portal:tokens")
    return render(request, "api/tokens.html", {
        "form": form, "plaintext": plaintext, "tokens": tokens.tokens_for(request.user),
        "now": utcnow(), "lifetime_days": tokens.lifetime().days,
    })
