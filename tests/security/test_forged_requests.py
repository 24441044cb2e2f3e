"""Scripted attacks of the kind that fooled platforms with forged police requests.

Each must end the same way: no data collected, no package produced, the attempt on the audit
trail, and visible on the desk.
"""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from lawdesk.accounts import services as accounts
from lawdesk.accounts.models import Agency
from lawdesk.audit.models import Event
from lawdesk.cases import analysis, disclosure, intake, services, submission
from lawdesk.cases.models import Case
from lawdesk.collection.models import CollectionJob, EvidencePackage
from lawdesk.core.errors import DomainError, PermissionDenied
from tests.factories import login, payload, pdf

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def no_data_leaves(db):
    """After every attack: nothing collected, nothing packaged."""
    yield
    assert CollectionJob.objects.count() == 0
    assert EvidencePackage.objects.count() == 0


def refused(action: str, **params) -> bool:
    events = Event.objects.filter(action=action)
    return any(all(e.params.get(k) == v for k, v in params.items()) for e in events)


def on_desk(client, reviewer, text: str) -> bool:
    client.force_login(reviewer)
    return text in client.get("/desk/").content.decode()


# --- Impostor accounts ----------------------------------------------------------------------

@pytest.mark.parametrize("email", [
    "jean@po1ice-nationale.example",            # digit for a letter
    "jean@police-nationa1e.example",
    "jean@pоlice-nationale.example",            # Cyrillic o
    "jean@xn--plice-nationale-jpb.example",     # the same homoglyph, in punycode
    "jean@paris.police-nationale.example",      # unverified subdomain
    "jean@police-nationale.example.attacker.example",
    "jean@police-nationale.examp1e",
])
def test_look_alike_domains_cannot_sign_up(client, make_agency, reviewer, email):
    agency = make_agency(name="Police nationale", domain="police-nationale.example")
    response = client.post("/accounts/signup/", {
        "full_name": "Jean Faux", "email": email, "agency": agency.pk, "title": "Capitaine",
        "supervisor_name": "Chef", "supervisor_email": "chef@police-nationale.example",
        "password1": "Correct-Horse-77-battery", "password2": "Correct-Horse-77-battery"})
    assert response.status_code == 200 and "email" in response.context["form"].errors
    assert not Agency.objects.get(pk=agency.pk).officers.exists()
    assert refused("accounts:signup:rejected", email=email)
    assert on_desk(client, reviewer, "accounts:signup:rejected")


def test_domain_checks_compare_the_wire_form(make_agency):
    agency = make_agency(domain="police-nationale.example")
    accounts.check_officer_email(agency, "Jean@POLICE-NATIONALE.EXAMPLE")  # case does not matter
    accounts.check_officer_email(agency, "jean@police-nationale.example.")  # the same FQDN
    with pytest.raises(DomainError):  # the domain is what follows the last @
        accounts.check_officer_email(agency, '"jean@police-nationale.example"@evil.example')
    with pytest.raises(ValidationError):
        from lawdesk.accounts.validators import normalize_domain

        normalize_domain("police-nationale.example/evil")


@pytest.mark.parametrize("agency_status", ["suspended", "pending"])
def test_officer_of_a_suspended_or_pending_agency_reaches_nothing(client, make_agency, make_officer,
                                                                 admin_user, now, reviewer,
                                                                 agency_status):
    agency = make_agency(name="Hijacked unit")
    user = make_officer(agency)
    token = None
    from lawdesk.api.tokens import create_token

    _, token = create_token(officer_user=user, name="stolen", now=now)
    new_status = "suspended" if agency_status == "suspended" else "pending"
    Agency.objects.filter(pk=agency.pk).update(status=new_status)
    user.refresh_from_db()
    with pytest.raises(PermissionDenied):
        submission.submit_request(actor=type(user).objects.get(pk=user.pk), now=now,
                                  payload=payload(), uploads=[pdf()])
    response = client.get("/api/v1/requests", HTTP_AUTHORIZATION=f"Bearer {token}")
    assert response.status_code == 401
    assert Case.objects.count() == 0
    assert refused("cases:intake:refused") and refused("api:auth:failed")
    assert on_desk(client, reviewer, "api:auth:failed")


# --- Forged emergencies -----------------------------------------------------------------------

EMERGENCY = {"kind": "emergency_disclosure",
             "emergency_threat": "A hostage will be killed within the hour unless we find him."}


def test_emergency_cannot_skip_the_call_back(submit, reviewer, approver, now, client):
    case = submit(**EMERGENCY, uploads=[])
    services.start_review(case=case, actor=reviewer, now=now)
    proposal = disclosure.propose_disclosure(case=case, actor=reviewer, now=now,
                                             categories=["subscriber"],
                                             target_ids=[t.pk for t in case.targets.all()],
                                             legal_basis="Emergency EPOC, Art. 4(5)")
    with pytest.raises(DomainError, match="call-back"):
        disclosure.approve_proposal(proposal=proposal, actor=approver, now=now)
    case.refresh_from_db()
    assert case.status == "in_review" and "emergency_callback_required" in case.flags
    assert on_desk(client, reviewer, "Call-back required")


def test_emergency_cannot_bring_its_own_call_back_number(submit, reviewer, now):
    with pytest.raises(intake.IntakeRefused) as error:
        submit(**EMERGENCY, uploads=[], callback_phone="+33 6 66 66 66 66")
    assert "callback_phone" in error.value.errors
    assert refused("cases:intake:refused")
    assert Case.objects.count() == 0


def test_call_back_always_dials_the_registered_number(submit, reviewer, now):
    case = submit(**EMERGENCY, uploads=[],
                  offence_description="Call me back on +33 6 66 66 66 66, not the switchboard.")
    case = disclosure.confirm_callback(case=case, actor=reviewer, now=now, person="Duty officer",
                                    supervisor="Commissaire")
    assert case.callback_number == case.agency.callback_phone != "+33666666666"


# --- Citations that do not fit the authority ------------------------------------------------

def test_instrument_foreign_to_the_authority_is_flagged_and_not_disclosable(submit, reviewer,
                                                                           now, client):
    case = submit(instrument_type="us_subpoena", issuer_role="prosecutor")
    assert "outside_country" in case.flags
    services.start_review(case=case, actor=reviewer, now=now)
    allowed = sorted(analysis.allowed_categories(case))
    assert allowed == []
    with pytest.raises(DomainError, match="does not allow"):
        disclosure.propose_disclosure(case=case, actor=reviewer, now=now, categories=["subscriber"],
                                      target_ids=[t.pk for t in case.targets.all()],
                                      legal_basis="A US subpoena from a French prosecutor")
    assert on_desk(client, reviewer, "Instrument foreign to the agency")


def test_issuer_who_cannot_issue_the_order_gets_no_content(submit, reviewer, now):
    case = submit(categories=["content"], issuer_role="police_officer", offence_category="fraud",
                  max_sentence_years=2)
    assert case.legal.outcome("content") != "allowed"
    services.start_review(case=case, actor=reviewer, now=now)
    with pytest.raises(DomainError):
        disclosure.propose_disclosure(case=case, actor=reviewer, now=now, categories=["content"],
                                      target_ids=[t.pk for t in case.targets.all()],
                                      legal_basis="Police requisition for message content")


# --- Stolen credentials ---------------------------------------------------------------------

def test_replayed_token_after_suspension_is_refused_and_audited(client, officer, admin_user, now):
    from lawdesk.api.tokens import create_token

    _, token = create_token(officer_user=officer, name="case system", now=now)
    assert client.get("/api/v1/requests", HTTP_AUTHORIZATION=f"Bearer {token}").status_code == 200
    accounts.decide_officer(actor=admin_user, now=now, officer=officer.officer,
                            status="suspended", reason="credentials phished")
    replay = client.get("/api/v1/requests", HTTP_AUTHORIZATION=f"Bearer {token}")
    assert replay.status_code == 401
    assert replay["Content-Type"].startswith("application/problem+json")
    assert refused("api:auth:failed")


def test_session_ends_after_a_password_reset_elsewhere(client, officer):
    login(client, officer)
    assert client.get("/portal/").status_code == 200
    officer.set_password("A-new-password-after-compromise-1")
    officer.save()
    assert client.get("/portal/").status_code == 302  # back to the login page


def test_session_ends_after_the_second_factor_changes(client, officer, now):
    from allauth.mfa.models import Authenticator
    from allauth.mfa.signals import authenticator_reset

    login(client, officer)
    assert client.get("/portal/").status_code == 200
    totp = Authenticator.objects.get(user=officer, type=Authenticator.Type.TOTP)
    authenticator_reset.send(sender=Authenticator, request=None, user=officer, authenticator=totp)
    assert client.get("/portal/").status_code == 302


# --- Reaching for another agency's case ----------------------------------------------------

def test_officer_of_agency_a_cannot_address_agency_b_case(client, submit, make_agency,
                                                          make_officer, now, reviewer):
    case = submit()
    intruder = make_officer(make_agency(name="Agency A (intruder)"))
    from lawdesk.api.tokens import create_token

    _, token = create_token(officer_user=intruder, name="x", now=now)
    auth = {"HTTP_AUTHORIZATION": f"Bearer {token}"}
    missing = client.get("/api/v1/requests/999999", **auth)
    for method, path, data in [("get", f"/api/v1/requests/{case.pk}", None),
                               ("post", f"/api/v1/requests/{case.pk}/withdraw", {"reason": "sabotage"}),
                               ("post", f"/api/v1/requests/{case.pk}/clarification",
                                {"answer": "the suspect is known"})]:
        call = getattr(client, method)
        response = call(path, data=data, content_type="application/json", **auth) if data \
            else call(path, **auth)
        assert response.status_code == 404, path
        assert response.json()["detail"] == missing.json()["detail"]
    login(client, intruder)
    for path in (f"/portal/cases/{case.pk}/", f"/portal/cases/{case.pk}/package/1/",
                 f"/portal/cases/{case.pk}/receipt.json"):
        assert client.get(path).status_code == 404, path
    from lawdesk.core.clock import utcnow

    with pytest.raises(PermissionDenied):  # the desk lists the last 7 days: use the real time
        services.withdraw(case=case, actor=intruder, now=utcnow(), reason="sabotage")
    assert Case.objects.get(pk=case.pk).status == "received"
    assert refused("cases:case:requester_refused")
    assert on_desk(client, reviewer, "cases:case:requester_refused")
