"""One module per legal regime; lawdesk.law.archive.r2026_11_2.registry lists them."""
