"""Categories of illegal content as the EU counts them: an order's offence family → the DSA
statement category (Transparency Database, 2025-07 enumeration) and keywords.

One table for the two places that count an order by category: the statement of reasons sent to
the DSA Transparency Database (``removal.tdb.statements``) and the IR 2024/2835 "Member States
orders" sheet (``transparency.eu_templates``, through the transparency log's leaves). An order is
a finding of illegality by an authority, so the ground is always illegal content.
"""

from __future__ import annotations

CATEGORIES: dict[str, tuple[str, list[str]]] = {
    "terrorism": ("STATEMENT_CATEGORY_RISK_FOR_PUBLIC_SECURITY", ["KEYWORD_TERRORIST_CONTENT"]),
    "child_sexual_abuse": (
        "STATEMENT_CATEGORY_PROTECTION_OF_MINORS",
        ["KEYWORD_CHILD_SEXUAL_ABUSE_MATERIAL"],
    ),
    "payment_fraud": ("STATEMENT_CATEGORY_SCAMS_AND_FRAUD", []),
    "fraud": ("STATEMENT_CATEGORY_SCAMS_AND_FRAUD", []),
    "attacks_on_information_systems": (
        "STATEMENT_CATEGORY_RISK_FOR_PUBLIC_SECURITY",
        ["KEYWORD_VIOLATION_NATIONAL_LAW"],
    ),
    "drug_trafficking": ("STATEMENT_CATEGORY_UNSAFE_AND_PROHIBITED_PRODUCTS", []),
    "homicide": ("STATEMENT_CATEGORY_VIOLENCE", []),
    "threats": ("STATEMENT_CATEGORY_CYBER_VIOLENCE", []),
    "harassment": ("STATEMENT_CATEGORY_CYBER_VIOLENCE", []),
}
OTHER_CATEGORY = ("STATEMENT_CATEGORY_ILLEGAL_OR_HARMFUL_SPEECH", ["KEYWORD_VIOLATION_NATIONAL_LAW"])
PREFIX = "STATEMENT_CATEGORY_"


def category_of(offence: str) -> str:
    """The statement category of an offence family, as a log leaf holds it: lower case, no prefix
    (``terrorism`` → ``risk_for_public_security``)."""
    return CATEGORIES.get(offence, OTHER_CATEGORY)[0].removeprefix(PREFIX).lower()
