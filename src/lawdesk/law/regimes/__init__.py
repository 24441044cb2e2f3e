"""One module per legal regime; lawdesk.law.registry lists them."""
