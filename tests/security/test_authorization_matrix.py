"""Every page and endpoint, for every role, on the objects it addresses, checked against the
permission table. A URL that nobody classified fails the test."""

from __future__ import annotations

import re
from dataclasses import dataclass

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from lawdesk.core.permissions import has_perm

pytestmark = pytest.mark.django_db


@dataclass(frozen=True)
class Rule:
    """How a URL is protected: ``perm`` from the permission table, ``scope`` of its object."""

    kind: str  # public | authflow | portal | desk | api | anyuser
    perm: str = ""
    scope: str = ""  # "" (no object) | "agency" (the object belongs to agency A)
    method: str = "GET"


PORTAL_CASE = Rule("portal", "portal:case:view", "agency")
RULES: dict[str, Rule] = {
    "home": Rule("anyuser"),
    "portal:dashboard": Rule("portal", "portal:case:view"),
    "portal:case_new": Rule("portal", "portal:case:create"),
    "portal:tokens": Rule("portal", "portal:case:create"),
    "portal:case_validate": Rule("portal", "portal:case:create", method="POST"),
    "portal:case": PORTAL_CASE,
    "portal:receipt": PORTAL_CASE,
    "portal:acknowledgement": PORTAL_CASE,
    "portal:acknowledgement_sig": PORTAL_CASE,
    "portal:package": PORTAL_CASE,
    "portal:attachment": PORTAL_CASE,
    "portal:pending": Rule("anyuser"),
    "portal:agency": Rule("portal", "portal:agency:view", "agency"),
    "desk:home": Rule("desk", "desk:case:view"),
    "desk:case": Rule("desk", "desk:case:view"),
    "desk:reissue_link": Rule("desk", "desk:case:review", method="POST"),
    "desk:attachment": Rule("desk", "desk:case:view"),
    "desk:officers": Rule("desk", "desk:officer:view"),
    "desk:officer": Rule("desk", "desk:officer:view"),
    "desk:agencies": Rule("desk", "desk:agency:view"),
    "desk:agency_create": Rule("desk", "desk:agency:manage"),
    "desk:agency": Rule("desk", "desk:agency:view"),
    "desk:agency_edit": Rule("desk", "desk:agency:manage"),
    "desk:audit": Rule("desk", "desk:audit:view"),
    "evidence_key": Rule("public"),
    "favicon": Rule("public"),
    "supervisor_confirm": Rule("public"),  # the signed token is the credential
    "anchor_checkpoint": Rule("public"),
    "anchor_leaves": Rule("public"),
    "anchor_key": Rule("public"),
    "keys_document": Rule("public"),
    "key_pem": Rule("public"),
    "transparency:receipt": Rule("portal", "portal:case:view", "agency"),
    "api:openapi-json": Rule("public"),
    "api:submit_request": Rule("api", method="POST"),
    "api:list_requests": Rule("api"),
    "api:get_request": Rule("api", scope="agency"),
    "api:get_acknowledgement": Rule("api", scope="agency"),
    "api:get_acknowledgement_signature": Rule("api", scope="agency"),
    "api:answer_clarification": Rule("api", scope="agency", method="POST"),
    "api:withdraw_request": Rule("api", scope="agency", method="POST"),
    "api:api-root": Rule("apiroot"),
}
PUBLIC_PREFIXES = ("transparency:",)
AUTHFLOW_PREFIXES = ("account_", "mfa_")
ROLES = ["anonymous", "officer_a", "officer_b", "intake", "reviewer", "approver", "admin", "auditor"]


def _walk(patterns, ns=None):
    for p in patterns:
        if isinstance(p, URLResolver):
            inner = f"{ns}:{p.namespace}" if ns and p.namespace else (p.namespace or ns)
            yield from _walk(p.url_patterns, inner)
        elif isinstance(p, URLPattern) and p.name:
            yield f"{ns}:{p.name}" if ns else p.name, p


def rule_for(name: str) -> Rule | None:
    if name in RULES:
        return RULES[name]
    if name.startswith(PUBLIC_PREFIXES):
        return Rule("public")
    if name.startswith(AUTHFLOW_PREFIXES):
        return Rule("authflow")
    return None


def test_every_url_is_classified():
    unclassified = [name for name, _ in _walk(get_resolver().url_patterns) if rule_for(name) is None]
    assert unclassified == [], f"classify these URLs in RULES: {unclassified}"


@pytest.fixture
def world(submit, officer, make_agency, make_officer, make_staff, reviewer, approver, now,
          platform):
    """Agency A with a delivered case; agency B with an officer; one user per staff role."""
    from lawdesk.cases import services
    from lawdesk.collection.services import active_link, run_collection
    from lawdesk.core.clock import utcnow

    case = submit(targets=[{"identifier": "+33 6 12 34 56 78"}],
                  window_start="2025-09-10T00:00:00Z", window_end="2025-09-20T00:00:00Z")
    services.start_review(case=case, actor=reviewer, now=now)
    proposal = services.propose_disclosure(case=case, actor=reviewer, now=now,
                                           categories=["subscriber"],
                                           target_ids=[t.pk for t in case.targets.all()],
                                           legal_basis="EPOC by a prosecutor, Art. 4(1)")
    services.approve_proposal(proposal=proposal, actor=approver, now=now)
    run_collection(case.pk, clock=utcnow)
    case = services.close_case(case=case, actor=reviewer, now=utcnow())
    from lawdesk.transparency.services import publish_checkpoint

    publish_checkpoint(now=utcnow())
    users = {
        "officer_a": officer,
        "officer_b": make_officer(make_agency(name="Agency B", domain="b-agency.example")),
        "intake": make_staff("intake"), "reviewer": reviewer, "approver": approver,
        "admin": make_staff("admin"), "auditor": make_staff("auditor"),
    }
    return {"case": case, "agency": case.agency, "users": users, "link": active_link(case),
            "attachment": case.attachments.get(), "officer": officer.officer}


def _url(name: str, pattern: URLPattern, world) -> str:
    params = set(pattern.pattern.converters) | set(re.findall(r"\(\?P<(\w+)>", str(pattern.pattern)))
    values = {"case_id": world["case"].pk, "agency_id": world["agency"].pk,
              "link_id": world["link"].pk, "attachment_id": world["attachment"].pk,
              "officer_id": world["officer"].pk, "id": world["case"].pk,
              "token": "not-a-signed-token", "purpose": "receipt"}
    return reverse(name, kwargs={p: values[p] for p in params})


def _expected(rule: Rule, role: str, user, agency_a: int) -> set[int]:
    if rule.kind == "apiroot":
        return {404}
    if rule.kind == "api":
        return {401}  # the API takes tokens only: no session, whoever holds it
    if role == "anonymous":
        return {302}
    if rule.kind == "anyuser":
        return {302, 200}
    allowed = has_perm(user, rule.perm)
    if rule.scope == "agency" and rule.kind == "portal":
        allowed = allowed and user.officer_or_none is not None \
            and user.officer.agency_id == agency_a
    if not allowed:
        return {404}
    return {200, 302, 400} if rule.method == "POST" else {200}


def test_authorization_matrix_has_no_leaks(client, world, settings):
    settings.LAWDESK_API_AUTH_FAILURES_PER_MINUTE = 100_000  # the matrix itself is no attack
    public_answers: dict[str, set[int]] = {}
    checked, leaks = 0, []
    case = world["case"]
    for name, pattern in _walk(get_resolver().url_patterns):
        rule = rule_for(name)
        assert rule is not None
        if rule.kind == "authflow" or "(?P<rest>" in str(pattern.pattern):
            continue
        url = _url(name, pattern, world)
        for role in ROLES:
            client.logout()
            user = world["users"].get(role)
            if user is not None:
                client.force_login(user)
            response = client.post(url, {}) if rule.method == "POST" else client.get(url)
            status = response.status_code
            if rule.kind == "public":  # the same answer, whoever asks (and never an error of ours)
                expected = public_answers.setdefault(url, {status} - {500})
            else:
                expected = _expected(rule, role, user, world["agency"].pk)
            body = b"" if getattr(response, "streaming", False) else response.content
            leaked_number = role in ("officer_b", "anonymous") and case.number.encode() in body
            if status not in expected or leaked_number:
                leaks.append(f"{role} {rule.method} {url} → {status} (expected {sorted(expected)})"
                             + (" and saw agency A's case number" if leaked_number else ""))
            checked += 1
    print(f"\nauthorization matrix: {checked} (endpoint × role) checks, {len(leaks)} leaks")
    assert leaks == [], "\n".join(leaks)
