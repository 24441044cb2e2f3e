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
    "desk:eu_templates": Rule("desk", "desk:audit:view"),
    "desk:eu_template_download": Rule("desk", "desk:audit:view"),
    "desk:hi1_endpoints": Rule("desk", "desk:agency:view"),
    # POST declares (refuse permission, checked in the view); GET ?format= downloads the form.
    "desk:hi1_annex_iii": Rule("desk", "desk:case:refuse", method="POST"),
    "evidence_key": Rule("public"),
    "favicon": Rule("public"),
    "set_language": Rule("public", method="POST"),  # the header's language switcher
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
    "hi1": Rule("hi1", method="POST"),
    "hi1_delivery": Rule("hi1"),  # a DELIVER's URL: the registered client certificate only
    "removal:queue": Rule("desk", "desk:case:view"),
    "removal:case": Rule("desk", "desk:case:view"),
    "removal:feedback": Rule("desk", "desk:case:view"),
    "removal:statements_export": Rule("desk", "desk:case:view"),
    "removal:art9_report": Rule("desk", "desk:case:view"),
    "removal:annex_iii": Rule("desk", "desk:case:view"),
    "removal:portal_annex_iii": PORTAL_CASE,
    "removal:portal_art9_report": PORTAL_CASE,
    "removal:portal_feedback": PORTAL_CASE,  # the client certificate (via the TLS proxy) is the credential
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
    from lawdesk.cases import disclosure, services
    from lawdesk.collection.services import active_link, run_collection
    from lawdesk.core.clock import utcnow

    case = submit(targets=[{"identifier": "+33 6 12 34 56 78"}],
                  window_start="2025-09-10T00:00:00Z", window_end="2025-09-20T00:00:00Z")
    services.start_review(case=case, actor=reviewer, now=now)
    proposal = disclosure.propose_disclosure(case=case, actor=reviewer, now=now,
                                             categories=["subscriber"],
                                             target_ids=[t.pk for t in case.targets.all()],
                                             legal_basis="EPOC by a prosecutor, Art. 4(1)")
    disclosure.approve_proposal(proposal=proposal, actor=approver, now=now)
    run_collection(case.pk, clock=utcnow)
    case = services.close_case(case=case, actor=reviewer, now=utcnow())
    from lawdesk.transparency.services import publish_checkpoint

    publish_checkpoint(now=utcnow())
    # A TCO removal order of agency A, given effect (for the removal screens and Annex II).
    from lawdesk.removal import services as removal

    removal._connector.cache_clear()
    conn = removal.connector()
    window = conn.window("2025-01-01T00:00:00Z", "2025-12-31T00:00:00Z")
    message = next(iter(conn.content(window, chat_ids=[700_000_003])))
    removal_case = submit(kind="removal", instrument_type="tco_removal_order", categories=[],
                          offence_category="terrorism", max_sentence_years=None,
                          content_locations=f"https://msgr.example/c/700000003/{message.message_id}",
                          targets=[{"identifier": "https://msgr.example/demo_channel"}])
    removal.apply_measure(case=removal_case, actor=reviewer, now=utcnow(), measure="remove")
    # A DSA Art. 9 order of agency A, given effect in two countries (its effect report).
    second = list(conn.content(window, chat_ids=[700_000_003]))[1]
    art9_case = submit(kind="removal", instrument_type="dsa_art9_order", categories=[],
                       offence_category="threats", max_sentence_years=None,
                       content_locations=f"https://msgr.example/c/700000003/{second.message_id}",
                       targets=[{"identifier": "https://msgr.example/demo_channel"}])
    removal.apply_measure(case=art9_case, actor=reviewer, now=utcnow(), measure="disable",
                          countries=["FR", "BE"])
    # A TCO order of agency A that the platform cannot comply with yet (its Annex III).
    from lawdesk.removal import tco_annex_iii

    third = list(conn.content(window, chat_ids=[700_000_003]))[2]
    impossible_case = submit(kind="removal", instrument_type="tco_removal_order", categories=[],
                             offence_category="terrorism", max_sentence_years=None,
                             content_locations=f"https://msgr.example/c/700000003/{third.message_id}",
                             targets=[{"identifier": "https://msgr.example/demo_channel"}])
    tco_annex_iii.declare(case=impossible_case, actor=reviewer, now=utcnow(), reason="manifest_errors",
                          explanation="The URL names a message that is not in the channel.",
                          clarification="Please send the exact link of the post.")
    users = {
        "officer_a": officer,
        "officer_b": make_officer(make_agency(name="Agency B", domain="b-agency.example")),
        "intake": make_staff("intake"), "reviewer": reviewer, "approver": approver,
        "admin": make_staff("admin"), "auditor": make_staff("auditor"),
    }
    return {"case": case, "agency": case.agency, "users": users, "link": active_link(case),
            "removal_case": removal_case, "art9_case": art9_case, "impossible_case": impossible_case,
            "attachment": case.attachments.get(), "officer": officer.officer}


def _url(name: str, pattern: URLPattern, world) -> str:
    params = set(pattern.pattern.converters) | set(re.findall(r"\(\?P<(\w+)>", str(pattern.pattern)))
    values = {"case_id": world["case"].pk, "agency_id": world["agency"].pk,
              "link_id": world["link"].pk, "attachment_id": world["attachment"].pk,
              "officer_id": world["officer"].pk, "id": world["case"].pk,
              "token": "not-a-signed-token", "purpose": "receipt",
              "download_id": "5f0c7c5e-0000-4000-8000-000000000001", "which": "orders", "fmt": "json"}
    if name.startswith("removal:"):
        values["case_id"], values["fmt"] = world["removal_case"].pk, "json"
        if "art9" in name:
            values["case_id"] = world["art9_case"].pk
        if "annex_iii" in name:
            values["case_id"] = world["impossible_case"].pk
    return reverse(name, kwargs={p: values[p] for p in params})


def _expected(rule: Rule, role: str, user, agency_a: int) -> set[int]:
    if rule.kind == "apiroot":
        return {404}
    if rule.kind == "api":
        return {401}  # the API takes tokens only: no session, whoever holds it
    if rule.kind == "hi1":
        return {403}  # HI-1 takes a registered client certificate via the TLS proxy only
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


# --- Writes: every desk action by every role -------------------------------------------------

# Actions a desk case page carries out (the others in DESK_ACTIONS have their own URL or none).
NOT_ON_THE_CASE_PAGE = {"reissue_link", "close"}


def _desk_cases(submit, officer, reviewer, now):
    """One case per action, in the state the action applies to. Returns action -> (case, body)."""
    from lawdesk.cases import disclosure, services
    from lawdesk.collection.models import UserNotice
    from lawdesk.collection.notices import _record

    def production(**kw):
        return submit(**kw)

    def in_review(**kw):
        case = production(**kw)
        services.start_review(case=case, actor=reviewer, now=now)
        return case

    def proposed():
        case = in_review()
        disclosure.propose_disclosure(case=case, actor=reviewer, now=now, categories=["subscriber"],
                                      target_ids=[t.pk for t in case.targets.all()],
                                      legal_basis="EPOC by a prosecutor, Art. 4(1) e-Evidence")
        return case

    def preserved():
        return submit(kind="preservation", instrument_type="epoc_pr")

    def removal(actioned=False):
        case = submit(kind="removal", instrument_type="dsa_art9_order", categories=[],
                      content_locations="https://msgr.example/c/illegal_channel/42")
        services.start_review(case=case, actor=reviewer, now=now)
        if actioned:
            services.action_removal(case=case, actor=reviewer, now=now, action="removed", note="")
        return case

    def with_notice():
        case = production()
        case.delivered_at = now  # what a notice tells the account holder
        case.save(update_fields=["delivered_at"])
        _record(case, 1000001, UserNotice.Status.DECISION_DUE, "order ended", now)
        return case

    emergency = submit(kind="emergency_disclosure", uploads=[],
                       emergency_threat="A child agreed to meet the suspect tonight.")
    target = production()
    cases = {
        "start_review": (production(), {}),
        "assign": (production(), {"a-assignee": str(reviewer.pk)}),
        "question": (in_review(), {"q-question": "Is 10:00 UTC or Paris time?"}),
        "note": (production(), {"n-body": "Domain checked by DNS."}),
        "message": (production(), {"m-body": "Received; we look at it today."}),
        "callback": (emergency, {"cb-person": "Lt. Marc Colin", "cb-supervisor": "Cdt Laurent"}),
        "propose": (in_review(), {"p-categories": ["subscriber"], "p-legal_basis":
                                  "EPOC by a prosecutor, Art. 4(1) e-Evidence"}),
        "override": (in_review(), {"o-category": "subscriber", "o-outcome": "not_allowed",
                                   "o-reason": "The order is older than the account."}),
        "reanalyse": (in_review(), {}),
        "approve": (proposed(), {"d-note": ""}),
        "send_back": (proposed(), {"d-note": "Narrow the window to September."}),
        "refuse": (in_review(), {"r-ground": "other", "r-text": "The order names no offence."}),
        "extend": (preserved(), {"rs-reason": "The authority asked for 30 more days."}),
        "release": (preserved(), {"rs-reason": "The order was revoked."}),
        "convert": (preserved(), {"cv-production_number": target.number}),
        "removal": (removal(), {"rm-action": "removed", "rm-note": ""}),
        "report_effect": (removal(actioned=True), {}),
        "notify_now": (with_notice(), {}),
        "nondisclosure": (with_notice(), {"nd-until": "2099-01-01", "nd-reference": "ORD-2026-7"}),
    }
    case = cases["propose"][0]
    cases["propose"][1]["p-target_ids"] = [str(t.pk) for t in case.targets.all()]
    return cases


def _state(case):
    """Everything a desk action could change on a case."""
    case.refresh_from_db()
    return (case.status, case.assigned_to_id, case.callback_confirmed_at, case.deadline_at,
            case.law_record, case.flags, case.messages.count(), case.proposals.count(),
            list(case.proposals.values_list("outcome", flat=True)),
            list(case.notices.values_list("status", flat=True)))


def test_desk_write_matrix_every_role_every_action(client, submit, officer, reviewer, make_staff,
                                                   make_agency, make_officer, now):
    """Each role POSTs each desk action on a case in the state the action applies to. A role
    the table refuses gets 403 (an officer or a stranger 404/302), the case does not change
    and the refusal is audited; the first role the table allows carries the action out."""
    from lawdesk.audit.models import Event
    from lawdesk.core.permissions import DESK_ACTIONS, may

    proposer = make_staff("reviewer", email="proposer@platform.example")
    cases = _desk_cases(submit, officer, proposer, now)
    assert set(cases) == set(DESK_ACTIONS) - NOT_ON_THE_CASE_PAGE, "give each desk action a case"
    users = {"anonymous": None, "officer_a": officer,
             "officer_b": make_officer(make_agency(name="Agency B", domain="b-agency.example")),
             "intake": make_staff("intake"), "reviewer": reviewer,
             "approver": make_staff("approver"), "admin": make_staff("admin"),
             "auditor": make_staff("auditor")}
    # The auditor reads; it writes nothing, anywhere on a case.
    assert [a for a in DESK_ACTIONS if may(users["auditor"], a)] == []
    wrong, checked = [], 0
    for action, (case, body) in cases.items():
        done = False
        # Refused roles first, so the case is still in the state the action applies to.
        for role in sorted(users, key=lambda r: users[r] is not None and may(users[r], action)):
            user = users[role]
            client.logout()
            if user is not None:
                client.force_login(user)
            before = _state(case)
            refusals = Event.objects.filter(action__endswith="_refused").count()
            response = client.post(f"/desk/cases/{case.pk}/", {"action": action, **body})
            status, checked = response.status_code, checked + 1
            if user is None:
                expected = {302}
            elif user.officer_or_none is not None:
                expected = {404}
            elif not may(user, action):
                expected = {403}
                if Event.objects.filter(action__endswith="_refused").count() != refusals + 1:
                    wrong.append(f"{role} {action}: refusal not audited")
            elif not done:
                expected, done = {302}, True
            else:
                expected = {302, 400}  # allowed; the first allowed role already did it
            if status not in expected:
                wrong.append(f"{role} POST {action} → {status} (expected {sorted(expected)})")
            refused = 302 not in expected or user is None or user.officer_or_none is not None
            if refused and _state(case) != before:
                wrong.append(f"{role} {action}: refused, but the case changed")
        assert done, f"no role may {action}"
    print(f"\ndesk write matrix: {checked} (action × role) checks, {len(wrong)} wrong")
    assert wrong == [], "\n".join(wrong)
