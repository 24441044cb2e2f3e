"""French: counts grouped with a narrow no-break space (2 072, U+202F), as the certificate and the
evidence command line write them; Django's own French formats give the other settings."""

THOUSAND_SEPARATOR = "\u202f"
