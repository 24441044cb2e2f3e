"""The decision table: request facts → outcome per category, rule id, deadline, duties."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pytest

from lawdesk.law.config import DEFAULT_CONFIG, DeploymentConfig, PlatformPolicy
from lawdesk.law.engine import decide
from tests.law.conftest import EPOC_FR, LAW_ONLY, NOW, make_facts

# Baselines for the other regimes.
FR_DOMESTIC = {
    "authority_country": "FR",
    "authority_kind": "police",
    "issuer_role": "police_officer",
    "instrument": "police_requisition",
    "flagrante_delicto": True,
    "offence_category": "threats",
    "max_sentence_months": 36,
    "user_named_as_suspect": True,
    "categories": ["subscriber"],
    "establishment": {"eu_member_state": "FR", "us_entity": True},
}
US = {
    "authority_country": "US",
    "authority_kind": "police",
    "issuer_role": "prosecutor",
    "instrument": "us_subpoena",
    "offence_category": "fraud",
    "user_named_as_suspect": True,
    "categories": ["subscriber"],
}
DSA = {
    "authority_country": "DE",
    "authority_kind": "administrative_authority",
    "issuer_role": "administrative",
    "instrument": "dsa_art9_order",
}
TCO = {
    "authority_country": "DE",
    "authority_kind": "police",
    "issuer_role": "police_officer",
    "instrument": "tco_removal_order",
}
INDIA = {
    "authority_country": "IN",
    "authority_kind": "police",
    "issuer_role": "police_officer",
    "instrument": "police_requisition",
    "categories": ["subscriber", "identification"],
}
NO_US = {"eu_member_state": "IE", "us_entity": False}


@dataclass
class S:
    """One row of the table."""

    name: str
    facts: dict[str, Any]
    # category -> (outcome, a rule id among its reasons)
    outcomes: dict[str, tuple[str, str]] = field(default_factory=dict)
    regime: str | None = None
    deadline: tuple[str, int, str] | None = None  # (unit, amount, rule)
    duties: set[str] = field(default_factory=set)  # duty rule ids that must be present
    absent_duties: set[str] = field(default_factory=set)
    action: tuple[str, str] | None = None
    config: DeploymentConfig = LAW_ONLY
    fields: dict[str, list[str] | None] = field(default_factory=dict)
    scope: dict[str, str] = field(default_factory=dict)


def epoc(**changes: Any) -> dict[str, Any]:
    return {**EPOC_FR, **changes}


def judge(**changes: Any) -> dict[str, Any]:
    return epoc(authority_kind="investigating_judge", issuer_role="investigating_judge", **changes)


def with_(base: dict[str, Any], **changes: Any) -> dict[str, Any]:
    return {**base, **changes}


A, N, F, H = "allowed", "not_allowed", "needs_further_process", "not_held"

SCENARIOS = [
    # --- EU e-Evidence -----------------------------------------------------------------------
    S("fr_prosecutor_epoc_subscriber_allowed", epoc(),
      {"subscriber": (A, "eevidence.art4_1.subscriber_prosecutor")}, regime="eu_eevidence",
      deadline=("days", 10, "eevidence.art10_2.production"),
      duties={"eevidence.art10_1.preserve_on_receipt", "eevidence.art13_4.confidentiality"}),
    S("fr_prosecutor_epoc_identification_allowed", epoc(categories=["identification"]),
      {"identification": (A, "eevidence.art4_1.subscriber_prosecutor")}),
    S("fr_prosecutor_epoc_content_needs_judge", epoc(categories=["content"]),
      {"content": (F, "eevidence.art4_2.needs_judge")}),
    S("fr_prosecutor_epoc_traffic_needs_judge", epoc(categories=["traffic"]),
      {"traffic": (F, "eevidence.art4_2.needs_judge")}),
    S("judge_content_two_year_offence_not_allowed",
      judge(categories=["content"], max_sentence_months=24),
      {"content": (N, "eevidence.art5_4.below_threshold")}),
    S("judge_content_two_year_child_abuse_allowed",
      judge(categories=["content"], max_sentence_months=24, offence_category="child_sexual_abuse"),
      {"content": (A, "eevidence.art5_4.traffic_content_judge")}),
    S("judge_traffic_two_year_terrorism_allowed",
      judge(categories=["traffic"], max_sentence_months=24, offence_category="terrorism"),
      {"traffic": (A, "eevidence.art5_4.traffic_content_judge")}),
    S("judge_traffic_payment_fraud_allowed",
      judge(categories=["traffic"], max_sentence_months=12, offence_category="payment_fraud"),
      {"traffic": (A, "eevidence.art5_4.traffic_content_judge")}),
    S("judge_traffic_three_years_allowed", judge(categories=["traffic"], max_sentence_months=36),
      {"traffic": (A, "eevidence.art5_4.traffic_content_judge")}),
    S("judge_content_sentence_unknown_asks",
      judge(categories=["content"], max_sentence_months=None),
      {"content": (F, "eevidence.art5_4.threshold_unknown")}),
    S("emergency_epoc_eight_hours", epoc(emergency=True),
      {"subscriber": (A, "eevidence.art4_1.subscriber_prosecutor")},
      deadline=("hours", 8, "eevidence.art10_4.emergency")),
    S("police_epoc_without_validation_needs_validation",
      epoc(authority_kind="police", issuer_role="police_officer"),
      {"subscriber": (F, "eevidence.art4_1.issuer_not_validated")}),
    S("police_epoc_validated_by_prosecutor_allowed",
      epoc(authority_kind="police", issuer_role="police_officer", validator_role="prosecutor"),
      {"subscriber": (A, "eevidence.art4_1.subscriber_prosecutor")}),
    S("police_emergency_epoc_without_validation_allowed_with_48h_validation",
      epoc(authority_kind="police", issuer_role="police_officer", emergency=True,
           categories=["subscriber", "identification"]),
      {"subscriber": (A, "eevidence.art4_5.emergency_without_validation"),
       "identification": (A, "eevidence.art4_5.emergency_without_validation")},
      deadline=("hours", 8, "eevidence.art10_4.emergency"),
      duties={"eevidence.art4_5.ex_post_validation"}),
    S("police_emergency_epoc_content_still_needs_judge",
      epoc(authority_kind="police", issuer_role="police_officer", emergency=True,
           categories=["content"]),
      {"content": (F, "eevidence.art4_2.needs_judge")}),
    S("police_epoc_traffic_validated_by_judge_allowed",
      epoc(authority_kind="police", issuer_role="police_officer", validator_role="judge",
           categories=["traffic"], max_sentence_months=48),
      {"traffic": (A, "eevidence.art5_4.traffic_content_judge")}),
    S("police_epoc_traffic_validated_by_prosecutor_needs_judge",
      epoc(authority_kind="police", issuer_role="police_officer", validator_role="prosecutor",
           categories=["traffic"]),
      {"traffic": (F, "eevidence.art4_2.needs_judge")}),
    S("epoc_pr_prosecutor_preserves_everything_60_days",
      epoc(instrument="epoc_pr", categories=["subscriber", "traffic", "content"]),
      {"subscriber": (A, "eevidence.art6.preservation"),
       "traffic": (A, "eevidence.art6.preservation"),
       "content": (A, "eevidence.art6.preservation")},
      deadline=("days", 60, "eevidence.art11_1.preservation_period"),
      duties={"eevidence.art11_1.preserve"},
      absent_duties={"eevidence.art10_1.preserve_on_receipt"}),
    S("epoc_pr_police_without_validation_needs_validation",
      epoc(instrument="epoc_pr", authority_kind="police", issuer_role="police_officer"),
      {"subscriber": (F, "eevidence.art4_3.preservation_issuer")}),
    S("epoc_pr_police_emergency_allowed_with_validation_duty",
      epoc(instrument="epoc_pr", authority_kind="police", issuer_role="police_officer",
           emergency=True, categories=["content"]),
      {"content": (A, "eevidence.art6.preservation")},
      duties={"eevidence.art4_5.ex_post_validation"}),
    S("german_prosecutor_epoc_allowed", epoc(authority_country="DE"),
      {"subscriber": (A, "eevidence.art4_1.subscriber_prosecutor")}),
    S("danish_epoc_needs_mla", epoc(authority_country="DK"),
      {"subscriber": (F, "eevidence.denmark_not_bound")}),
    S("irish_epoc_to_irish_establishment_is_domestic", epoc(authority_country="IE"),
      {"subscriber": (F, "eevidence.art1_1.domestic_order")}),
    S("epoc_before_18_august_2026_not_applicable", epoc(received_at="2026-07-01T10:00:00Z"),
      {"subscriber": (F, "eevidence.art34.not_yet_applicable")}),
    S("epoc_without_eu_establishment", epoc(establishment={"eu_member_state": None}),
      {"subscriber": (F, "eevidence.art7.no_eu_addressee")}),
    S("french_requisition_to_irish_establishment_needs_epoc",
      epoc(instrument="prosecutor_requisition"),
      {"subscriber": (F, "eevidence.art1_1.national_order_cross_border")},
      regime="eu_eevidence"),
    S("secret_chat_content_not_held_annex_iii",
      judge(categories=["content"], secret_chat_content=True),
      {"content": (H, "eevidence.annex3.secret_chat_content_not_held")},
      duties={"eevidence.annex3.de_facto_impossibility"}),
    S("incomplete_epoc_asks_for_clarification", epoc(formally_complete=False),
      {"subscriber": (F, "eevidence.art10_6.incomplete_order")},
      duties={"eevidence.art10_6.request_clarification"}),
    S("content_for_person_abroad_without_notification_asks",
      judge(categories=["content"], person_residence="DE"),
      {"content": (F, "eevidence.art8_1.notification_missing")},
      duties={"eevidence.art10_6.request_clarification"}),
    S("content_with_enforcing_authority_notified_waits_10_days",
      judge(categories=["content"], person_residence="DE", enforcing_authority_notified=True),
      {"content": (A, "eevidence.art5_4.traffic_content_judge")},
      duties={"eevidence.art10_2.enforcing_authority"}),
    S("emergency_content_notified_enforcing_authority_96_hours",
      judge(categories=["content"], emergency=True, enforcing_authority_notified=True),
      {"content": (A, "eevidence.art5_4.traffic_content_judge")},
      deadline=("hours", 8, "eevidence.art10_4.emergency"),
      duties={"eevidence.art10_4.enforcing_authority_emergency"}),
    S("epoc_outside_criminal_proceedings_not_allowed", epoc(criminal_proceedings=False),
      {"subscriber": (N, "eevidence.art2.criminal_proceedings_only")}),
    S("epoc_executing_sentence_allowed", epoc(criminal_proceedings=False,
                                              sentence_to_execute_months=6),
      {"subscriber": (A, "eevidence.art4_1.subscriber_prosecutor")}),
    S("content_for_offence_abroad_without_notification_asks",
      judge(categories=["traffic"], person_residence="FR", offence_country="BE"),
      {"traffic": (F, "eevidence.art8_1.notification_missing")}),
    S("content_with_person_and_offence_in_issuing_state_needs_no_notification",
      judge(categories=["traffic"], person_residence="FR", offence_country="FR"),
      {"traffic": (A, "eevidence.art5_4.traffic_content_judge")},
      absent_duties={"eevidence.art10_2.enforcing_authority"}),
    S("immunity_or_press_freedom_goes_to_the_authorities",
      judge(categories=["subscriber"], immunity_or_press_freedom=True),
      {"subscriber": (F, "eevidence.annex3.immunities_or_press_freedom")},
      duties={"eevidence.annex3.immunities_notice"}),
    S("conflicting_third_country_law_reasoned_objection",
      epoc(conflicting_third_country_law=True),
      {"subscriber": (F, "eevidence.art17.conflicting_obligations")},
      duties={"eevidence.art17.reasoned_objection"}),
    S("emergency_epoc_must_be_verified_by_call_back",
      epoc(emergency=True), duties={"policy.verify_emergency"}),
    # --- EU DSA -------------------------------------------------------------------------------
    S("dsa_art9_order_act_and_report_effect", DSA, regime="eu_dsa",
      action=(A, "dsa.art9_1.act_against_content"),
      deadline=("hours", 72, "dsa.without_undue_delay"),
      duties={"dsa.art9_1.report_effect", "dsa.art9_5.inform_uploader",
              "dsa.art15.transparency_report"}),
    S("dsa_art9_incomplete_order_asks", with_(DSA, formally_complete=False),
      action=(F, "dsa.art9_2.incomplete_order"), absent_duties={"dsa.art9_1.report_effect"}),
    S("dsa_art9_order_is_no_basis_for_data",
      with_(DSA, categories=["subscriber"]),
      {"subscriber": (F, "dsa.art9.no_data_disclosure")}),
    S("dsa_art10_information_already_collected",
      with_(DSA, instrument="dsa_art10_order", categories=["subscriber", "identification"]),
      {"subscriber": (A, "dsa.art10_1.information_already_collected"),
       "identification": (A, "dsa.art10_1.information_already_collected")},
      scope={"subscriber": "already_collected"},
      duties={"dsa.art10_1.confirm_and_report_effect", "dsa.art10_5.inform_user"}),
    S("dsa_art10_content_needs_production_order",
      with_(DSA, instrument="dsa_art10_order", categories=["content"]),
      {"content": (F, "dsa.art10.content_needs_production_order")}),
    S("dsa_art10_secret_chat_content_not_held",
      with_(DSA, instrument="dsa_art10_order", categories=["content"], secret_chat_content=True),
      {"content": (H, "dsa.secret_chat_content_not_held")}),
    S("dsa_order_from_us_authority_has_no_channel", with_(DSA, authority_country="US"),
      regime="mla"),
    # --- EU TCO -------------------------------------------------------------------------------
    S("tco_removal_one_hour", TCO, regime="eu_tco", action=(A, "tco.art3_3.remove"),
      deadline=("hours", 1, "tco.art3_3.one_hour"),
      duties={"tco.art3_6.report_effect", "tco.art6.preserve_removed_content",
              "tco.art11.inform_content_provider"}),
    S("tco_manifest_error_asks", with_(TCO, formally_complete=False),
      action=(F, "tco.art3_8.manifest_error"), absent_duties={"tco.art3_6.report_effect"}),
    S("tco_order_from_denmark_applies", with_(TCO, authority_country="DK"), regime="eu_tco",
      action=(A, "tco.art3_3.remove")),
    S("tco_order_from_uk_has_no_channel", with_(TCO, authority_country="GB"), regime="mla"),
    # --- US Stored Communications Act --------------------------------------------------------
    S("us_subpoena_subscriber_allowed", US,
      {"subscriber": (A, "sca.2703_c2.subpoena_basic_subscriber")}, regime="us_sca",
      deadline=("days", 14, "sca.2703.return_date"),
      duties={"sca.2705_b.user_notice_permitted"}),
    S("us_subpoena_ip_address_allowed", with_(US, categories=["identification"]),
      {"identification": (A, "sca.2703_c2.subpoena_basic_subscriber")}),
    S("us_subpoena_message_metadata_needs_2703d", with_(US, categories=["traffic"]),
      {"traffic": (F, "sca.2703_d.traffic_needs_d_order")}),
    S("us_subpoena_content_needs_warrant", with_(US, categories=["content"]),
      {"content": (F, "sca.2703_b.content_needs_warrant")}),
    S("us_2703d_order_traffic_allowed",
      with_(US, instrument="us_2703d_order", issuer_role="judge", categories=["traffic"]),
      {"traffic": (A, "sca.2703_d.non_content")}),
    S("us_2703d_order_content_needs_warrant",
      with_(US, instrument="us_2703d_order", issuer_role="judge", categories=["content"]),
      {"content": (F, "sca.2703_b.content_needs_warrant")}),
    S("us_warrant_content_allowed",
      with_(US, instrument="search_warrant", issuer_role="judge", categories=["content"]),
      {"content": (A, "sca.2703_a_b.warrant")}),
    S("us_emergency_voluntary_relating_to_emergency",
      with_(US, instrument="emergency_request", issuer_role="police_officer",
            categories=["subscriber", "traffic", "content"]),
      {"subscriber": (A, "sca.2702_c4.emergency_non_content"),
       "traffic": (A, "sca.2702_c4.emergency_non_content"),
       "content": (A, "sca.2702_b8.emergency_content")},
      scope={"subscriber": "relating_to_emergency", "content": "relating_to_emergency"},
      deadline=("hours", 8, "sca.2702.emergency_response"),
      duties={"sca.2702.verify_emergency", "sca.2702.limit_to_emergency"},
      absent_duties={"policy.verify_emergency"}),
    S("us_preservation_90_days",
      with_(US, instrument="other", request_kind="preservation", categories=["content"]),
      {"content": (A, "sca.2703_f.preservation")},
      deadline=("days", 90, "sca.2703_f_2.preservation_period"),
      duties={"sca.2703_f.preserve"}),
    S("us_nondisclosure_order_blocks_user_notice",
      with_(US, nondisclosure_order=True, nondisclosure_until="2027-06-01"),
      {"subscriber": (A, "sca.2703_c2.subpoena_basic_subscriber")},
      duties={"sca.2705_b.nondisclosure_order"},
      absent_duties={"sca.2705_b.user_notice_permitted"}),
    S("us_warrant_secret_chat_content_not_held",
      with_(US, instrument="search_warrant", categories=["content"], secret_chat_content=True),
      {"content": (H, "sca.secret_chat_content_not_held")}),
    S("us_authority_without_us_entity_needs_mla", with_(US, establishment=NO_US),
      {"subscriber": (F, "sca.no_us_entity")}),
    S("us_unrecognised_process", with_(US, instrument="court_order"),
      {"subscriber": (F, "sca.unrecognised_process")}),
    S("csam_case_triggers_ncmec_report",
      with_(US, instrument="search_warrant", offence_category="child_sexual_abuse"),
      duties={"sca.2258a.report_to_ncmec"}),
    S("csam_via_epoc_also_triggers_ncmec_report_for_us_entity",
      judge(categories=["content"], offence_category="child_sexual_abuse"),
      regime="eu_eevidence", duties={"sca.2258a.report_to_ncmec"}),
    S("french_police_emergency_to_us_entity_voluntary",
      {"authority_country": "FR", "authority_kind": "police", "issuer_role": "police_officer",
       "instrument": "emergency_request", "categories": ["identification"]},
      {"identification": (A, "sca.2702_c4.emergency_non_content")}, regime="us_sca"),
    S("us_subpoena_in_emergency_metadata_voluntary",
      with_(US, emergency=True, categories=["subscriber", "traffic"]),
      {"subscriber": (A, "sca.2703_c2.subpoena_basic_subscriber"),
       "traffic": (A, "sca.2702_c4.emergency_non_content")},
      scope={"traffic": "relating_to_emergency"},
      deadline=("hours", 8, "sca.2702.emergency_response")),
    S("foreign_search_warrant_is_not_us_process",
      with_(INDIA, authority_country="GB", instrument="search_warrant", issuer_role="judge",
            emergency=True, categories=["content"]),
      {"content": (A, "sca.2702_b8.emergency_content")}, regime="us_sca"),
    # --- No channel: mutual legal assistance -------------------------------------------------
    S("indian_police_to_us_entity_needs_mla_or_cloud_act", INDIA,
      {"subscriber": (F, "mla.foreign_authority_us_entity")}, regime="mla",
      deadline=("days", 10, "mla.default_response")),
    S("indian_police_without_us_entity_needs_mla", with_(INDIA, establishment=NO_US),
      {"identification": (F, "mla.no_channel")}),
    S("indian_emergency_to_us_entity_voluntary",
      with_(INDIA, instrument="emergency_request"),
      {"subscriber": (A, "sca.2702_c4.emergency_non_content")}, regime="us_sca"),
    S("indian_emergency_without_us_entity_needs_mla",
      with_(INDIA, instrument="emergency_request", establishment=NO_US),
      {"subscriber": (F, "mla.no_channel")}, regime="mla"),
    S("eu_emergency_without_us_entity_needs_emergency_epoc",
      {"authority_country": "FR", "authority_kind": "police", "issuer_role": "police_officer",
       "instrument": "emergency_request", "categories": ["subscriber"], "establishment": NO_US},
      {"subscriber": (F, "mla.eu_emergency_needs_emergency_epoc")}, regime="mla"),
    S("indian_court_order_in_emergency_voluntary",
      with_(INDIA, instrument="court_order", issuer_role="judge", emergency=True),
      {"subscriber": (A, "sca.2702_c4.emergency_non_content")}, regime="us_sca"),
    S("uk_court_order_needs_mla_or_cloud_act",
      with_(INDIA, authority_country="GB", instrument="court_order", issuer_role="judge"),
      {"subscriber": (F, "mla.foreign_authority_us_entity")}),
    S("brazilian_epoc_not_available", with_(INDIA, authority_country="BR", instrument="epoc"),
      {"subscriber": (F, "mla.eu_instrument_from_outside_eu")},
      regime="mla"),
    S("danish_requisition_abroad_needs_mla",
      with_(INDIA, authority_country="DK", instrument="prosecutor_requisition",
            issuer_role="prosecutor"),
      {"subscriber": (F, "mla.outside_eevidence_area")}),
    S("irish_national_order_needs_review_under_irish_law",
      with_(INDIA, authority_country="IE", instrument="court_order", issuer_role="judge"),
      {"subscriber": (F, "mla.national_law_not_encoded")}),
    S("secret_chat_content_not_held_even_without_channel",
      with_(INDIA, categories=["content"], secret_chat_content=True),
      {"content": (H, "mla.secret_chat_content_not_held")}),
    # --- France --------------------------------------------------------------------------------
    S("fr_flagrance_requisition_subscriber_allowed", FR_DOMESTIC,
      {"subscriber": (A, "fr.art60_1.subscriber")}, regime="fr",
      deadline=("days", 10, "fr.art60_1.requisition_deadline")),
    S("fr_preliminary_requisition_needs_prosecutor", with_(FR_DOMESTIC, flagrante_delicto=False),
      {"subscriber": (F, "fr.art77_1_1.prosecutor_authorisation")}),
    S("fr_authorised_requisition_ip_three_years_allowed",
      with_(FR_DOMESTIC, flagrante_delicto=False, validator_role="prosecutor",
            categories=["identification"]),
      {"identification": (A, "fr.art60_1_2.serious_offence")}),
    S("fr_ip_one_year_online_offence_allowed",
      with_(FR_DOMESTIC, max_sentence_months=12, offence_committed_online=True,
            categories=["identification"]),
      {"identification": (A, "fr.art60_1_2.online_offence_identification")}),
    S("fr_traffic_one_year_online_offence_not_allowed",
      with_(FR_DOMESTIC, max_sentence_months=12, offence_committed_online=True,
            categories=["traffic"]),
      {"traffic": (N, "fr.art60_1_2.below_threshold")}),
    S("fr_ip_two_years_offline_not_allowed",
      with_(FR_DOMESTIC, max_sentence_months=24, categories=["identification"]),
      {"identification": (N, "fr.art60_1_2.below_threshold")}),
    S("fr_ip_sentence_unknown_asks",
      with_(FR_DOMESTIC, max_sentence_months=None, categories=["identification"]),
      {"identification": (F, "fr.art60_1_2.sentence_unknown")}),
    S("fr_requisition_content_needs_judge", with_(FR_DOMESTIC, categories=["content"]),
      {"content": (F, "fr.art706_95_1.content_needs_judge")}),
    S("fr_investigating_judge_content_allowed",
      with_(FR_DOMESTIC, instrument="investigating_judge_order", issuer_role="investigating_judge",
            authority_kind="investigating_judge", categories=["content"]),
      {"content": (A, "fr.art99_3.content_judge")}),
    S("fr_preservation_requisition",
      with_(FR_DOMESTIC, request_kind="preservation", categories=["traffic"]),
      {"traffic": (A, "fr.art60_2.preservation")}, duties={"fr.art60_2.preserve"}),
    # --- Platform policy (the default deployment policy) -------------------------------------
    S("policy_discloses_phone_number_and_ip_only",
      epoc(categories=["subscriber", "identification"]),
      {"subscriber": (A, "eevidence.art4_1.subscriber_prosecutor"),
       "identification": (A, "eevidence.art4_1.subscriber_prosecutor")},
      config=DEFAULT_CONFIG,
      fields={"subscriber": ["phone_number"],
              "identification": ["ip_address", "source_port", "timestamp"]},
      duties={"policy.narrows_binding_order"}),
    S("policy_needs_user_named_as_suspect", epoc(user_named_as_suspect=False),
      {"subscriber": (F, "policy.named_suspect_required")}, config=DEFAULT_CONFIG),
    S("policy_never_discloses_content_even_when_law_allows",
      judge(categories=["content", "traffic"]),
      {"content": (N, "policy.category_never_disclosed"),
       "traffic": (N, "policy.category_never_disclosed")}, config=DEFAULT_CONFIG),
    S("policy_needs_judicial_order_for_unvalidated_emergency",
      epoc(authority_kind="police", issuer_role="police_officer", emergency=True),
      {"subscriber": (F, "policy.judicial_order_required")}, config=DEFAULT_CONFIG),
    S("policy_leaves_preservation_to_the_law", epoc(instrument="epoc_pr", categories=["content"]),
      {"content": (A, "eevidence.art6.preservation")}, config=DEFAULT_CONFIG,
      fields={"content": None}, absent_duties={"policy.narrows_binding_order"}),
    S("policy_with_emergency_disclosure_answers_emergencies_narrowly",
      with_(US, instrument="emergency_request", issuer_role="police_officer",
            user_named_as_suspect=False, categories=["subscriber", "content"]),
      {"subscriber": (A, "policy.emergency_disclosure"),
       "content": (N, "policy.category_never_disclosed")},
      config=DeploymentConfig(policy=PlatformPolicy(emergency_disclosure=True)),
      fields={"subscriber": ["phone_number"]},
      absent_duties={"policy.narrows_binding_order"}),
    S("policy_keeps_not_held", judge(categories=["content"], secret_chat_content=True),
      {"content": (H, "eevidence.annex3.secret_chat_content_not_held")}, config=DEFAULT_CONFIG),
    S("policy_needs_judicial_order_for_administrative_dsa_art10",
      with_(DSA, instrument="dsa_art10_order", categories=["subscriber"],
            user_named_as_suspect=True),
      {"subscriber": (F, "policy.judicial_order_required")}, config=DEFAULT_CONFIG),
    S("policy_only_in_criminal_cases",
      with_(DSA, instrument="dsa_art10_order", categories=["subscriber"], issuer_role="judge",
            user_named_as_suspect=True, criminal_proceedings=False),
      {"subscriber": (N, "policy.criminal_cases_only")}, config=DEFAULT_CONFIG),
]


def test_table_has_at_least_60_scenarios() -> None:
    assert len(SCENARIOS) >= 60
    assert len({s.name for s in SCENARIOS}) == len(SCENARIOS)


@pytest.mark.parametrize("s", SCENARIOS, ids=[s.name for s in SCENARIOS])
def test_scenario(s: S) -> None:
    decision = decide(make_facts(s.facts), config=s.config, now=NOW)
    if s.regime:
        assert decision.regime.value == s.regime
    for category, (outcome, rule) in s.outcomes.items():
        result = decision.categories[category]  # type: ignore[index]
        assert result.outcome.value == outcome, result.reasons
        assert rule in [r.rule for r in result.reasons], result.reasons
        assert all(r.article and r.explanation for r in result.reasons)
    for category, fields in s.fields.items():
        got = decision.categories[category].fields  # type: ignore[index]
        assert (list(got) if got is not None else None) == fields
    for category, scope in s.scope.items():
        assert decision.categories[category].scope == scope  # type: ignore[index]
    if s.deadline:
        unit, amount, rule = s.deadline
        assert decision.deadline is not None
        assert decision.deadline.to_dict()[unit] == amount
        assert decision.deadline.reason.rule == rule
    duty_rules = {d.reason.rule for d in decision.duties}
    assert s.duties <= duty_rules, duty_rules
    assert not (s.absent_duties & duty_rules), duty_rules
    if s.action:
        assert decision.action is not None
        assert (decision.action.outcome.value, decision.action.reasons[0].rule) == s.action
