"""Builders of HI-1 request messages for the tests (plain strings, as an authority sends them)."""

from __future__ import annotations

import base64
import uuid

NS = ('xmlns="http://uri.etsi.org/03120/common/2019/10/Core" '
      'xmlns:common="http://uri.etsi.org/03120/common/2016/02/Common" '
      'xmlns:task="http://uri.etsi.org/03120/common/2020/09/Task" '
      'xmlns:auth="http://uri.etsi.org/03120/common/2020/09/Authorisation" '
      'xmlns:doc="http://uri.etsi.org/03120/common/2020/09/Document" '
      'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"')

SENDER = ("FR", "FR-PJJ-EEVIDENCE")
RECEIVER = ("IE", "msgr-lawdesk")


def header(*, tx: str | None = None, sender=SENDER, receiver=RECEIVER, etsi="V1.22.1",
           owner="EU", profile="v1.3.1", timestamp="2026-11-02T09:30:00.000000Z") -> str:
    return f"""<Header>
    <SenderIdentifier><CountryCode>{sender[0]}</CountryCode><UniqueIdentifier>{sender[1]}</UniqueIdentifier></SenderIdentifier>
    <ReceiverIdentifier><CountryCode>{receiver[0]}</CountryCode><UniqueIdentifier>{receiver[1]}</UniqueIdentifier></ReceiverIdentifier>
    <TransactionIdentifier>{tx or uuid.uuid4()}</TransactionIdentifier>
    <Timestamp>{timestamp}</Timestamp>
    <Version><ETSIVersion>{etsi}</ETSIVersion><NationalProfileOwner>{owner}</NationalProfileOwner><NationalProfileVersion>{profile}</NationalProfileVersion></Version>
  </Header>"""


def request(*actions: str, **header_args) -> bytes:
    body = "".join(f"<ActionRequest><ActionIdentifier>{i}</ActionIdentifier>{a}</ActionRequest>"
                   for i, a in enumerate(actions))
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<HI1Message {NS}>
  {header(**header_args)}
  <Payload><RequestPayload><ActionRequests>{body}</ActionRequests></RequestPayload></Payload>
</HI1Message>""".encode()


def dict_entry(tag: str, owner: str, name: str, value: str) -> str:
    return (f"<{tag}><common:Owner>{owner}</common:Owner><common:Name>{name}</common:Name>"
            f"<common:Value>{value}</common:Value></{tag}>")


def authorisation(oid: str, *, reference="FR-EPOC-2026-0042", emergency=False, status: str = "") -> str:
    flags = ("<auth:AuthorisationFlags>" + dict_entry("auth:AuthorisationFlag", "ETSI",
             "AuthorisationFlag", "IsEmergency") + "</auth:AuthorisationFlags>") if emergency else ""
    return f"""<CREATE><HI1Object xsi:type="auth:AuthorisationObject">
  <ObjectIdentifier>{oid}</ObjectIdentifier><CountryCode>FR</CountryCode><OwnerIdentifier>FR-PJJ-EEVIDENCE</OwnerIdentifier>
  <auth:AuthorisationReference>{reference}</auth:AuthorisationReference>
  {dict_entry("auth:AuthorisationLegalType", "ETSI", "EPOCLegalType", "EPOC")}
  {dict_entry("auth:AuthorisationStatus", "ETSI", "AuthorisationStatus", status) if status else ""}
  {dict_entry("auth:AuthorisationDesiredStatus", "ETSI", "AuthorisationStatus", "SubmittedToCSP")}
  <auth:AuthorisationApprovalDetails>
    {dict_entry("common:ApprovalType", "EU", "EPOCApprovalType", "IssuingAuthority")}
    <common:ApproverDetails><common:Name>Juge Anne Roussel</common:Name><common:Role>Judge</common:Role></common:ApproverDetails>
    <common:ApprovalTimestamp>2026-11-01T10:00:00Z</common:ApprovalTimestamp>
  </auth:AuthorisationApprovalDetails>
  {flags}
</HI1Object></CREATE>"""


def ld_task(oid: str, auth: str, *, identifier="+33612345678", fmt="InternationalE164",
            request_type="SubscriberData", ldid="FR-EPOC42-0001") -> str:
    return f"""<CREATE><HI1Object xsi:type="task:LDTaskObject">
  <ObjectIdentifier>{oid}</ObjectIdentifier><CountryCode>FR</CountryCode>
  <AssociatedObjects><AssociatedObject>{auth}</AssociatedObject></AssociatedObjects>
  <task:Reference>{ldid}</task:Reference>
  {dict_entry("task:DesiredStatus", "ETSI", "LDTaskDesiredStatus", "AwaitingDisclosure")}
  <task:RequestDetails>
    {dict_entry("task:Type", "ETSI", "RequestType", request_type)}
    <task:StartTime>2026-09-01T00:00:00Z</task:StartTime><task:EndTime>2026-10-01T00:00:00Z</task:EndTime>
    <task:RequestValues><task:RequestValue>
      <task:FormatType><task:FormatOwner>ETSI</task:FormatOwner><task:FormatName>{fmt}</task:FormatName></task:FormatType>
      <task:Value>{identifier}</task:Value>
    </task:RequestValue></task:RequestValues>
  </task:RequestDetails>
</HI1Object></CREATE>"""


def document(oid: str, auth: str, content: bytes, *, content_type="application/xml") -> str:
    return f"""<CREATE><HI1Object xsi:type="doc:DocumentObject">
  <ObjectIdentifier>{oid}</ObjectIdentifier>
  <AssociatedObjects><AssociatedObject>{auth}</AssociatedObject></AssociatedObjects>
  <doc:DocumentName>EPOC form (Annex I)</doc:DocumentName>
  {dict_entry("doc:DocumentType", "ETSI", "DocumentType", "Warrant")}
  <doc:DocumentBody><doc:Contents>{base64.b64encode(content).decode()}</doc:Contents><doc:ContentType>{content_type}</doc:ContentType></doc:DocumentBody>
</HI1Object></CREATE>"""


def ids(n: int = 3) -> list[str]:
    return [str(uuid.uuid4()) for _ in range(n)]


def lp_task(oid: str, auth: str, *, identifier="33612345678", fmt="InternationalE164",
            request_type="SubscriberData", ldid="FR-EPOCPR7-0001") -> str:
    return (ld_task(oid, auth, identifier=identifier, fmt=fmt, request_type=request_type, ldid=ldid)
            .replace("task:LDTaskObject", "task:LPTaskObject")
            .replace("LDTaskDesiredStatus", "LPTaskDesiredStatus")
            .replace("AwaitingDisclosure", "AwaitingPreservation"))


def td_authorisation(oid: str, *, reference="FR-TCO-2026-0007", legal_type="TCORemovalOrder",
                     type_of_case: str = "") -> str:
    """The Authorisation of a take-down: an administrative authority's removal order."""
    legal = dict_entry("auth:AuthorisationLegalType", "IE/msgr-lawdesk",
                       "LawdeskTakedownLegalType", legal_type) if legal_type else ""
    kind = dict_entry("auth:AuthorisationTypeOfCase", "ETSI", "AuthorisationTypeOfCase",
                      type_of_case) if type_of_case else ""
    return f"""<CREATE><HI1Object xsi:type="auth:AuthorisationObject">
  <ObjectIdentifier>{oid}</ObjectIdentifier><CountryCode>FR</CountryCode><OwnerIdentifier>FR-PJJ-EEVIDENCE</OwnerIdentifier>
  <auth:AuthorisationReference>{reference}</auth:AuthorisationReference>
  {legal}
  {dict_entry("auth:AuthorisationDesiredStatus", "ETSI", "AuthorisationDesiredStatus", "SubmittedToCSP")}
  <auth:AuthorisationApprovalDetails>
    {dict_entry("common:ApprovalType", "ETSI", "ApprovalType", "IssuingAuthority")}
    <common:ApproverDetails><common:Name>Sous-direction anti-terroriste</common:Name><common:Role>Police</common:Role></common:ApproverDetails>
    <common:ApprovalTimestamp>2026-11-02T09:00:00Z</common:ApprovalTimestamp>
  </auth:AuthorisationApprovalDetails>
  <auth:AuthorisationManualInformation>Instructions for making explosives posted in a public channel.</auth:AuthorisationManualInformation>
  {kind}
</HI1Object></CREATE>"""


def td_task(oid: str, auth: str, urls: list[str], *, deadline: str = "", status: str = "",
            owner="msgr-lawdesk", fmt="ContentURL", flags: list[str] = ()) -> str:
    values = "".join(
        f"<task:RequestValue><task:FormatType><task:FormatOwner>{owner}</task:FormatOwner>"
        f"<task:FormatName>{fmt}</task:FormatName></task:FormatType><task:Value>{u}</task:Value>"
        "</task:RequestValue>" for u in urls)
    deadlines = (f"<task:Deadlines><task:TakedownDeadline><task:DateTime>{deadline}</task:DateTime>"
                 "</task:TakedownDeadline></task:Deadlines>") if deadline else ""
    flag_xml = ("<task:Flags>" + "".join(dict_entry("task:TDTaskFlag", "EU", "TDTaskFlag", f)
                                         for f in flags) + "</task:Flags>") if flags else ""
    return f"""<CREATE><HI1Object xsi:type="task:TDTaskObject">
  <ObjectIdentifier>{oid}</ObjectIdentifier><CountryCode>FR</CountryCode>
  <AssociatedObjects><AssociatedObject>{auth}</AssociatedObject></AssociatedObjects>
  <task:RequesterReference>TCO-FR-2026-7</task:RequesterReference>
  {dict_entry("task:Status", "ETSI", "TDTaskStatus", status) if status else ""}
  {dict_entry("task:DesiredStatus", "ETSI", "TDTaskDesiredStatus", "Pending")}
  <task:RequestDetails>
    <task:RequestValues>{values}</task:RequestValues>
    <task:RequestValueRefinement>The two posts with the instructions, not the whole channel.</task:RequestValueRefinement>
  </task:RequestDetails>
  {flag_xml}
  {deadlines}
</HI1Object></CREATE>"""


def refinement(oid: str, auth: str, content: bytes) -> str:
    """The removal order as a TakedownRefinement document."""
    return (document(oid, auth, content, content_type="application/pdf")
            .replace("EPOC form (Annex I)", "TCO removal order (Annex I)")
            .replace(">Warrant<", ">TakedownRefinement<"))
