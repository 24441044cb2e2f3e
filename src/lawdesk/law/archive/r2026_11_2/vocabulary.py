"""Shared vocabulary of the rule engine; the cases app builds its TextChoices from these enums."""

from __future__ import annotations

from enum import StrEnum


class DataCategory(StrEnum):
    """Data categories of e-Evidence Art. 3(9)-(12), in order of sensitivity."""

    SUBSCRIBER = "subscriber"
    IDENTIFICATION = "identification"
    TRAFFIC = "traffic"
    CONTENT = "content"


class RequestKind(StrEnum):
    """What the authority asks the platform to do."""

    PRODUCTION = "production"
    PRESERVATION = "preservation"
    EMERGENCY_DISCLOSURE = "emergency_disclosure"
    REMOVAL = "removal"


class InstrumentType(StrEnum):
    """The legal instrument the request rests on."""

    COURT_ORDER = "court_order"
    SEARCH_WARRANT = "search_warrant"
    INVESTIGATING_JUDGE_ORDER = "investigating_judge_order"
    PROSECUTOR_REQUISITION = "prosecutor_requisition"
    POLICE_REQUISITION = "police_requisition"
    EPOC = "epoc"
    EPOC_PR = "epoc_pr"
    US_SUBPOENA = "us_subpoena"
    US_2703D_ORDER = "us_2703d_order"
    EMERGENCY_REQUEST = "emergency_request"
    DSA_ART9_ORDER = "dsa_art9_order"
    DSA_ART10_ORDER = "dsa_art10_order"
    TCO_REMOVAL_ORDER = "tco_removal_order"
    # An order under a CLOUD Act executive agreement (18 U.S.C. 2523), e.g. a UK overseas
    # production order under the US-UK agreement.
    EXECUTIVE_AGREEMENT_ORDER = "executive_agreement_order"
    OTHER = "other"


class AuthorityKind(StrEnum):
    """The kind of public authority that sends the request."""

    POLICE = "police"
    GENDARMERIE = "gendarmerie"
    CUSTOMS = "customs"
    PROSECUTOR = "prosecutor"
    INVESTIGATING_JUDGE = "investigating_judge"
    COURT = "court"
    ADMINISTRATIVE_AUTHORITY = "administrative_authority"
    INTELLIGENCE_SERVICE = "intelligence_service"


class IssuerRole(StrEnum):
    """The role of the person who issued (or validated) the instrument."""

    JUDGE = "judge"
    COURT = "court"
    INVESTIGATING_JUDGE = "investigating_judge"
    PROSECUTOR = "prosecutor"
    POLICE_OFFICER = "police_officer"
    ADMINISTRATIVE = "administrative"
    OTHER = "other"


class ProtectedStatus(StrEnum):
    """Privileges and immunities of the person whose data is sought."""

    NONE = "none"  # none known to the platform or stated in the order
    LAWYER = "lawyer"
    JOURNALIST = "journalist"
    DOCTOR = "doctor"
    MEMBER_OF_PARLIAMENT = "member_of_parliament"
    DIPLOMATIC_OR_OTHER_IMMUNITY = "diplomatic_or_other_immunity"
    UNKNOWN = "unknown"  # there is an indication, and nobody has established it


PROTECTED: frozenset[ProtectedStatus] = frozenset(ProtectedStatus) - {
    ProtectedStatus.NONE,
    ProtectedStatus.UNKNOWN,
}


class EmergencyKind(StrEnum):
    """The kind of emergency claimed (e-Evidence Art. 3(18); 18 U.S.C. 2702(b)(8), (c)(4))."""

    THREAT_TO_LIFE_OR_PHYSICAL_INTEGRITY = "threat_to_life_or_physical_integrity"
    CRITICAL_INFRASTRUCTURE = "critical_infrastructure"
    OTHER = "other"  # e.g. a threat to property only: no emergency in either law


class CallbackResult(StrEnum):
    """The result of calling the agency back on its independently sourced number."""

    CONFIRMED = "confirmed"
    FAILED = "failed"


class ExPostValidation(StrEnum):
    """Ex-post validation of an emergency order issued without it (e-Evidence Art. 4(5))."""

    PENDING = "pending"
    OBTAINED = "obtained"
    REFUSED = "refused"


class EnforcingGround(StrEnum):
    """A ground for refusal raised by the enforcing authority (e-Evidence Art. 12(1)(a)-(d))."""

    IMMUNITIES_OR_PRIVILEGES = "immunities_or_privileges"
    FUNDAMENTAL_RIGHTS = "fundamental_rights"
    NE_BIS_IN_IDEM = "ne_bis_in_idem"
    DOUBLE_CRIMINALITY = "double_criminality"


class DataHolder(StrEnum):
    """Which entity of the platform holds the data asked for."""

    EU_ESTABLISHMENT = "eu_establishment"
    US_ENTITY = "us_entity"
    BOTH = "both"


class Outcome(StrEnum):
    """The answer for one data category (or for a removal action)."""

    ALLOWED = "allowed"
    NOT_ALLOWED = "not_allowed"
    NEEDS_FURTHER_PROCESS = "needs_further_process"
    NOT_HELD = "not_held"


class RefusalGround(StrEnum):
    """Grounds of the e-Evidence Annex III form for non-execution or partial execution."""

    INCOMPLETE_OR_MANIFEST_ERROR = "incomplete_or_manifest_error"
    IMMUNITIES_OR_PRESS_FREEDOM = "immunities_or_press_freedom"
    DE_FACTO_IMPOSSIBILITY = "de_facto_impossibility"
    CONFLICTING_OBLIGATIONS = "conflicting_obligations"
    OTHER = "other"


class OffenceCategory(StrEnum):
    """Offence families; the first four are listed offences of e-Evidence Art. 5(4)(b)-(c)."""

    CHILD_SEXUAL_ABUSE = "child_sexual_abuse"
    PAYMENT_FRAUD = "payment_fraud"
    ATTACKS_ON_INFORMATION_SYSTEMS = "attacks_on_information_systems"
    TERRORISM = "terrorism"
    FRAUD = "fraud"
    DRUG_TRAFFICKING = "drug_trafficking"
    HOMICIDE = "homicide"
    THREATS = "threats"
    HARASSMENT = "harassment"
    OTHER = "other"


class Regime(StrEnum):
    """A body of rules; each has one module under lawdesk.law.archive.r2026_11_2.regimes and one docs page."""

    ROUTING = "routing"
    EU_EEVIDENCE = "eu_eevidence"
    EU_DSA = "eu_dsa"
    EU_TCO = "eu_tco"
    US_SCA = "us_sca"
    FR = "fr"
    MLA = "mla"
    NON_CRIMINAL = "non_criminal"
    PLATFORM_POLICY = "platform_policy"


class Duty(StrEnum):
    """Duties a request triggers for the platform, beyond answering it."""

    PRESERVE_ON_RECEIPT = "preserve_on_receipt"
    PRESERVE = "preserve"
    AWAIT_ENFORCING_AUTHORITY = "await_enforcing_authority"
    EX_POST_VALIDATION = "ex_post_validation"
    KEEP_CONFIDENTIAL = "keep_confidential"
    USER_NOTICE = "user_notice"
    NO_USER_NOTICE = "no_user_notice"
    REPORT_TO_NCMEC = "report_to_ncmec"
    REPORT_EFFECT = "report_effect"
    CONFIRM_RECEIPT = "confirm_receipt"
    INFORM_UPLOADER = "inform_uploader"
    PRESERVE_REMOVED_CONTENT = "preserve_removed_content"
    ANNEX_III_NOTICE = "annex_iii_notice"
    REQUEST_CLARIFICATION = "request_clarification"
    VERIFY_EMERGENCY = "verify_emergency"
    LIMIT_TO_EMERGENCY = "limit_to_emergency"
    TRANSPARENCY_REPORT = "transparency_report"
    POLICY_CONFLICT_REVIEW = "policy_conflict_review"
    COUNSEL_REVIEW = "counsel_review"
    STOP_EXECUTION = "stop_execution"

# Duties that tell the user (or the uploader) about the request; a confidentiality duty beats them.
NOTICE_DUTIES: frozenset[Duty] = frozenset({Duty.USER_NOTICE, Duty.INFORM_UPLOADER})
CONFIDENTIALITY_DUTIES: frozenset[Duty] = frozenset({Duty.KEEP_CONFIDENTIAL, Duty.NO_USER_NOTICE})


# e-Evidence Art. 5(4)(b): offences for which traffic and content data may be ordered below the
# 3-year threshold only "if they are wholly or partly committed by means of an information
# system" (Dir. (EU) 2019/713 Art. 3-8, Dir. 2011/93/EU Art. 3-7, Dir. 2013/40/EU Art. 3-8).
LISTED_IF_ONLINE: frozenset[OffenceCategory] = frozenset(
    {
        OffenceCategory.CHILD_SEXUAL_ABUSE,
        OffenceCategory.PAYMENT_FRAUD,
        OffenceCategory.ATTACKS_ON_INFORMATION_SYSTEMS,
    }
)
# e-Evidence Art. 5(4)(c): terrorism offences of Dir. (EU) 2017/541 Art. 3-12 and 14, whatever
# the means.
LISTED_ALWAYS: frozenset[OffenceCategory] = frozenset({OffenceCategory.TERRORISM})
LISTED_OFFENCES: frozenset[OffenceCategory] = LISTED_IF_ONLINE | LISTED_ALWAYS

# States with a CLOUD Act executive agreement in force with the United States (18 U.S.C. 2523):
# the United Kingdom (in force 3 October 2022) and Australia (in force 31 January 2024).
EXECUTIVE_AGREEMENT_PARTNERS: frozenset[str] = frozenset({"GB", "AU"})

EU_MEMBER_STATES: frozenset[str] = frozenset(
    "AT BE BG HR CY CZ DK EE FI FR DE GR HU IE IT LV LT LU MT NL PL PT RO SK SI ES SE".split()  # noqa: SIM905 - readable as a table
)

# Denmark does not take part in measures under Title V TFEU (Protocol No 22), so it is not bound
# by the e-Evidence Regulation, which rests on Art. 82(1) TFEU.
EEVIDENCE_STATES: frozenset[str] = EU_MEMBER_STATES - {"DK"}

ISO_3166_ALPHA2: frozenset[str] = frozenset(
    """
    AD AE AF AG AI AL AM AO AQ AR AS AT AU AW AX AZ BA BB BD BE BF BG BH BI BJ BL BM BN BO BQ BR
    BS BT BV BW BY BZ CA CC CD CF CG CH CI CK CL CM CN CO CR CU CV CW CX CY CZ DE DJ DK DM DO DZ
    EC EE EG EH ER ES ET FI FJ FK FM FO FR GA GB GD GE GF GG GH GI GL GM GN GP GQ GR GS GT GU GW
    GY HK HM HN HR HT HU ID IE IL IM IN IO IQ IR IS IT JE JM JO JP KE KG KH KI KM KN KP KR KW KY
    KZ LA LB LC LI LK LR LS LT LU LV LY MA MC MD ME MF MG MH MK ML MM MN MO MP MQ MR MS MT MU MV
    MW MX MY MZ NA NC NE NF NG NI NL NO NP NR NU NZ OM PA PE PF PG PH PK PL PM PN PR PS PT PW PY
    QA RE RO RS RU RW SA SB SC SD SE SG SH SI SJ SK SL SM SN SO SR SS ST SV SX SY SZ TC TD TF TG
    TH TJ TK TL TM TN TO TR TT TV TW TZ UA UG UM US UY UZ VA VC VE VG VI VN VU WF WS YE YT ZA ZM
    ZW
    """.split()  # noqa: SIM905 - readable as a table
)

# Codes people commonly type that are not ISO 3166-1 alpha-2; the error message suggests the fix.
COUNTRY_CODE_HINTS: dict[str, str] = {"UK": "GB", "EL": "GR"}

# Which request kind an instrument implies when the facts do not say.
DEFAULT_REQUEST_KIND: dict[InstrumentType, RequestKind] = {
    InstrumentType.EPOC_PR: RequestKind.PRESERVATION,
    InstrumentType.EMERGENCY_REQUEST: RequestKind.EMERGENCY_DISCLOSURE,
    InstrumentType.DSA_ART9_ORDER: RequestKind.REMOVAL,
    InstrumentType.TCO_REMOVAL_ORDER: RequestKind.REMOVAL,
}

NATIONAL_INSTRUMENTS: frozenset[InstrumentType] = frozenset(
    {
        InstrumentType.COURT_ORDER,
        InstrumentType.SEARCH_WARRANT,
        InstrumentType.INVESTIGATING_JUDGE_ORDER,
        InstrumentType.PROSECUTOR_REQUISITION,
        InstrumentType.POLICE_REQUISITION,
    }
)

EU_INSTRUMENTS: frozenset[InstrumentType] = frozenset(
    {
        InstrumentType.EPOC,
        InstrumentType.EPOC_PR,
        InstrumentType.DSA_ART9_ORDER,
        InstrumentType.DSA_ART10_ORDER,
        InstrumentType.TCO_REMOVAL_ORDER,
    }
)
