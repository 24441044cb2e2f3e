"""One module per legal regime; lawdesk.law.archive.r2026_11_1.registry lists them."""
