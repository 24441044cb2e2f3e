"""What changed between rule-set releases, for docs/law/index.md (hand-written summary)."""

from __future__ import annotations

# release -> (previous release, summary lines). The rule ids added, removed or re-cited are
# computed by lawdesk.law.docs from the archived rule set, so they cannot drift.
CHANGES: dict[str, tuple[str, tuple[str, ...]]] = {
    "2026.11.3": (
        "2026.11.2",
        (
            "An instrument that by its text orders data to be produced cannot carry another kind "
            "of request: an EPOC (Reg. (EU) 2023/1543 Art. 3(1)) or a DSA Art. 10 order (Reg. "
            "(EU) 2022/2065 Art. 10(1)) with `request_kind` preservation or removal is refused "
            "as facts, naming the field. Before, a DSA Art. 10 order labelled a preservation "
            "was decided by the DSA rule for providing information and skipped the platform "
            "policy, which the property 'a label never widens the law' found.",
            "The platform policy's own duties (the call-back of an emergency) cite the policy "
            "by the source this deployment published, as its category outcomes already did.",
        ),
    ),
    "2026.11.2": (
        "2026.11.1",
        (
            "A label never widens the law: a DSA Art. 9 or 10 order asking for data in criminal "
            "matters passes the gates of its underlying basis (an EPOC's issuer and threshold "
            "gates across borders, the national procedure at home) and is never more permissive "
            "than that basis; outside criminal matters a lawyer reviews the legal basis it cites.",
            "e-Evidence Art. 5(4)(b): child sexual abuse, non-cash payment fraud and attacks on "
            "information systems count below the 3-year threshold only if committed by means of "
            "an information system; `offence_committed_online` is now true / false / unknown "
            "(null, the default), and unknown asks for clarification (also in France, CPP art. "
            "60-1-2 2°).",
            "Intelligence services, and civil or administrative requests without a legal "
            "channel, are refused (new regime `non_criminal`) citing GDPR Art. 48, 18 U.S.C. "
            "2702(a), e-Evidence Art. 2(2) and 18 U.S.C. 2523(b)(4)(D)(i), instead of being "
            "sent to mutual legal assistance.",
            "Domestic is not cross-border: a request from the establishment's own member state "
            "follows that state's procedure, emergencies included (France: CPP art. 60-1, "
            "77-1-1, 99-3, 60-1-2); an emergency EPOC is named only across borders.",
            "A foreign authority's emergency: non-content records may be given voluntarily "
            "under 18 U.S.C. 2702(c)(6) (a foreign authority is not a 'governmental entity', "
            "2711(4)); content is barred by 2702(a)(1)-(2) and needs an executive-agreement "
            "order or mutual legal assistance (it was wrongly allowed under 2702(b)(8)).",
            "Confidentiality beats notice: no user or uploader notice while an order or the law "
            "keeps the matter confidential (e-Evidence Art. 13, DSA Art. 9(5)/10(5) in criminal "
            "matters, TCO Art. 11(3), 18 U.S.C. 2705(b), CPP art. 11); `user_notice_not_before` "
            "carries the time the authority set.",
            "The policy-conflict review is raised only when the platform policy really lets "
            "less through than a binding order (a field list naming every field of a category "
            "is the whole category).",
            "Privileges and immunities (new fact `protected_status`): a lawyer's, journalist's, "
            "doctor's, member of parliament's or immune person's data is never allowed; the "
            "outcome names the process (e-Evidence Art. 5(9), 10(5), 12(1)(a), Annex III; CPP "
            "art. 56-1 to 56-3, 60-1 al. 3, 60-1-1 — the juge des libertés et de la détention "
            "for a lawyer's connection data —, law of 29 July 1881 art. 2; 28 C.F.R. 50.10) and a "
            "`counsel_review` duty is raised; an unknown status asks.",
            "Emergencies: `emergency_kind` (Art. 3(18); 'danger of death or serious physical "
            "injury' for 2702) and `callback_result` (a failed call-back refuses a voluntary "
            "disclosure); `ex_post_validation` (Art. 4(5): refused stops everything, with what to "
            "do about data already produced).",
            "`enforcing_authority_ground` (Art. 10(2), 10(4), 12(1)): not_allowed, with the "
            "suspensive effect outside emergencies.",
            "Orders under CLOUD Act executive agreements (`executive_agreement_order`, 18 U.S.C. "
            "2523, 2702(b)(9), (c)(7)); France, CPP art. 60-1-2 3° (victim's own device) and 4° "
            "(missing person); `data_held_by` and `user_location`.",
            "Citations made precise: no '(check paragraph)' left.",
            "e-Evidence decisions without a time of receipt ask for it; `lawdesk law check` "
            "takes `--now` and never uses today's date silently.",
        ),
    ),
}
