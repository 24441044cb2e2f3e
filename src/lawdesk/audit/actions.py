"""Every action the audit trail knows, declared once (``source:subject:action``).

``audit.record`` refuses anything else, so a misspelt action fails where it is written, not
weeks later in a search of the trail. The stored values are the strings the trail has always
held: renaming a member is free, changing a value would split the history (and the chain hashes
the value, so old events keep theirs).

A member declared with ``refusal=True`` is a refused attempt: the desk lists those so staff see
attacks as they come.
"""

from __future__ import annotations

from enum import StrEnum


class Action(StrEnum):
    """One kind of audit event. ``Action.refusals()`` are the refused attempts."""

    refusal: bool

    def __new__(cls, value: str, refusal: bool = False) -> Action:
        member = str.__new__(cls, value)
        member._value_ = value
        member.refusal = refusal
        return member

    # --- accounts ------------------------------------------------------------------------
    AGENCY_CREATED = "accounts:agency:created"
    AGENCY_UPDATED = "accounts:agency:updated"
    AGENCY_STATUS_CHANGED = "accounts:agency:status_changed"
    AGENCY_ANCHOR_PROPOSED = "accounts:agency:anchor_proposed"
    AGENCY_ANCHOR_APPROVED = "accounts:agency:anchor_approved"
    AGENCY_ANCHOR_REJECTED = "accounts:agency:anchor_rejected"
    AGENCY_ANCHOR_REFUSED = "accounts:agency:anchor_refused", True
    EMAIL_VERIFIED = "accounts:email:verified"
    LOGIN_SUCCEEDED = "accounts:login:succeeded"
    LOGIN_FAILED = "accounts:login:failed"
    LOGIN_REFUSED = "accounts:login:refused", True
    LOGOUT_DONE = "accounts:logout:done"
    MFA_ENROLLED = "accounts:mfa:enrolled"
    MFA_REMOVED = "accounts:mfa:removed"
    MFA_RESET = "accounts:mfa:reset"
    MFA_FAILED = "accounts:mfa:failed", True
    OFFICER_SIGNED_UP = "accounts:officer:signed_up"
    OFFICER_SUPERVISOR_ASKED = "accounts:officer:supervisor_asked"
    OFFICER_SUPERVISOR_CONFIRMED = "accounts:officer:supervisor_confirmed"
    OFFICER_SUPERVISOR_DECLINED = "accounts:officer:supervisor_declined"
    OFFICER_APPROVED = "accounts:officer:approved"
    OFFICER_SUSPENDED = "accounts:officer:suspended"
    PASSWORD_CHANGED = "accounts:password:changed"
    PASSWORD_RESET = "accounts:password:reset"
    SIGNUP_REJECTED = "accounts:signup:rejected", True
    STAFF_CREATED = "accounts:staff:created"
    USER_PREFERENCES_CHANGED = "accounts:user:preferences_changed"

    # --- api -------------------------------------------------------------------------------
    API_AUTH_FAILED = "api:auth:failed", True
    API_AUTH_THROTTLED = "api:auth:throttled", True
    API_REQUEST_REFUSED = "api:request:refused"
    API_REQUEST_REPLAYED = "api:request:replayed"
    API_TOKEN_CREATED = "api:token:created"
    API_TOKEN_RENEWED = "api:token:renewed"
    API_TOKEN_REVOKED = "api:token:revoked"

    # --- audit -----------------------------------------------------------------------------
    ANCHOR_PUBLISHED = "audit:anchor:published"
    TRAIL_VIEWED = "audit:trail:viewed"

    # --- cases: intake, review, the case's life --------------------------------------------
    INTAKE_REFUSED = "cases:intake:refused", True
    CASE_RECEIVED = "cases:case:received"
    CASE_IMPORTED = "cases:case:imported"
    CASE_VIEWED = "cases:case:viewed"
    CASE_ASSIGNED = "cases:case:assigned"
    CASE_ESCALATED = "cases:case:escalated"
    CASE_REQUESTER_REFUSED = "cases:case:requester_refused", True
    CASE_ACTION_REFUSED = "cases:case:action_refused", True
    CASE_REVIEW_STARTED = "cases:case:review_started"
    CASE_CLARIFICATION_REQUESTED = "cases:case:clarification_requested"
    CASE_CLARIFICATION_ANSWERED = "cases:case:clarification_answered"
    CASE_APPROVED = "cases:case:approved"
    CASE_REFUSED = "cases:case:refused"
    CASE_WITHDRAWN = "cases:case:withdrawn"
    CASE_COLLECTION_STARTED = "cases:case:collection_started"
    CASE_DELIVERED = "cases:case:delivered"
    CASE_CLOSED = "cases:case:closed"
    CASE_PRESERVED = "cases:case:preserved"
    CASE_PRESERVATION_EXTENDED = "cases:case:preservation_extended"
    CASE_PRESERVATION_CONVERTED = "cases:case:preservation_converted"
    CASE_PRESERVATION_EXPIRED = "cases:case:preservation_expired"
    CASE_PRESERVATION_RELEASED = "cases:case:preservation_released"
    CASE_REMOVAL_ACTIONED = "cases:case:removal_actioned"
    CASE_EFFECT_REPORTED = "cases:case:effect_reported"
    PRESERVATION_INSTRUCTED = "cases:preservation:instructed"
    DISCLOSURE_PROPOSED = "cases:disclosure:proposed"
    DISCLOSURE_SENT_BACK = "cases:disclosure:sent_back"
    DISCLOSURE_FOUR_EYES_REFUSED = "cases:disclosure:four_eyes_refused", True
    LAW_OVERRIDDEN = "cases:law:overridden"
    LAW_REANALYSED = "cases:law:reanalysed"
    CALLBACK_CONFIRMED = "cases:callback:confirmed"
    MESSAGE_RECEIVED = "cases:message:received"
    MESSAGE_SENT = "cases:message:sent"
    NOTE_ADDED = "cases:note:added"
    ACKNOWLEDGEMENT_DOWNLOADED = "cases:acknowledgement:downloaded"
    ATTACHMENT_DOWNLOADED = "cases:attachment:downloaded"
    RECEIPT_DOWNLOADED = "cases:receipt:downloaded"

    # --- collection, holds, evidence, notices ------------------------------------------------
    COLLECTION_QUEUED = "collection:job:queued"
    COLLECTION_FAILED = "collection:job:failed"
    HOLD_PLACED = "platform:hold:placed"
    HOLD_EXTENDED = "platform:hold:extended"
    HOLD_RELEASED = "platform:hold:released"
    HOLD_TRANSFERRED = "platform:hold:transferred"
    PACKAGE_BUILT = "evidence:package:built"
    PACKAGE_DOWNLOADED = "evidence:package:downloaded"
    PACKAGE_DOWNLOAD_REFUSED = "evidence:package:download_refused", True
    LINK_REISSUED = "evidence:link:reissued"
    NOTICE_SENT = "notice:user:sent"
    NOTICE_DEFERRED = "notice:user:deferred"
    NOTICE_WITHHELD = "notice:user:withheld"
    NOTICE_DECISION_DUE = "notice:user:decision_due"
    NOTICE_SENT_BY_DECISION = "notice:user:sent_by_decision"
    NONDISCLOSURE_EXTENDED = "notice:nondisclosure:extended"

    # --- removal orders: measures, alarms, feedback ----------------------------------------
    REMOVAL_MEASURE_APPLIED = "removal:measure:applied"
    REMOVAL_MEASURE_RESTORED = "removal:measure:restored"
    REMOVAL_PRESERVATION_HELD = "removal:preservation:held"
    REMOVAL_REVIEW_RECORDED = "removal:review:recorded"
    REMOVAL_CLOCK_RESTARTED = "removal:clock:restarted"
    REMOVAL_ALARM_RAISED = "removal:alarm:raised"
    REMOVAL_FEEDBACK_DOWNLOADED = "removal:feedback:downloaded"
    REMOVAL_UPLOADER_INFORMED = "removal:uploader:informed"
    REMOVAL_STATEMENT_RECORDED = "removal:statement:recorded"
    REMOVAL_STATEMENT_REFUSED = "removal:statement:refused"
    REMOVAL_STATEMENT_SENT = "removal:statement:sent"
    REMOVAL_STATEMENT_REWRITTEN = "removal:statement:rewritten"
    REMOVAL_STATEMENTS_EXPORTED = "removal:statements:exported"
    REMOVAL_SCOPE_RECORDED = "removal:scope:recorded"
    REMOVAL_IMPOSSIBILITY_DECLARED = "removal:impossibility:declared"
    REMOVAL_ORDER_QUASHED = "removal:order:quashed"
    REMOVAL_EFFECT_REPORT_SENT = "removal:effectreport:sent"
    REMOVAL_EFFECT_REPORT_DOWNLOADED = "removal:effectreport:downloaded"

    # --- interop: ETSI HI-1 messages --------------------------------------------------------
    # (Refused senders and messages are not on the desk's list of refused attempts yet.)
    HI1_SENDER_REFUSED = "interop:hi1:sender_refused"
    HI1_MESSAGE_REFUSED = "interop:hi1:message_refused"
    HI1_RETRANSMISSION = "interop:hi1:retransmission"
    HI1_MESSAGE_RECEIVED = "interop:hi1:message_received"
    HI1_ANSWER_QUEUED = "interop:hi1:answer_queued"
    HI1_ANSWER_SENT = "interop:hi1:answer_sent"
    HI1_ANSWER_NOT_SENT = "interop:hi1:answer_not_sent"
    HI1_PACKAGE_FETCHED = "interop:hi1:package_fetched"
    HI1_PACKAGE_FETCH_REFUSED = "interop:hi1:package_fetch_refused"
    HI1_ANNEX_III_PRODUCED = "interop:hi1:annex_iii_produced"
    HI1_TAKEDOWN_DEADLINE = "interop:hi1:takedown_deadline"

    # --- core: signing keys ----------------------------------------------------------------
    KEYS_INITIALISED = "core:keys:initialised"
    KEY_ROTATED = "core:key:rotated"
    KEY_REVOKED = "core:key:revoked"

    # --- transparency ----------------------------------------------------------------------
    LEAF_APPENDED = "transparency:leaf:appended"
    CHECKPOINT_PUBLISHED = "transparency:checkpoint:published"
    PERIOD_PUBLISHED = "transparency:period:published"
    TRANSPARENCY_RECEIPT_DOWNLOADED = "transparency:receipt:downloaded"

    @classmethod
    def refusals(cls) -> list[Action]:
        """The refused attempts, in declaration order."""
        return [member for member in cls if member.refusal]

    @classmethod
    def of(cls, value: str) -> Action:
        """The member whose stored value is ``value``; ValueError for an unknown action."""
        try:
            return cls(value)
        except ValueError:
            raise ValueError(f"unknown audit action {value!r}: declare it in "
                             "lawdesk.audit.actions.Action") from None
