"""The embedded demo: agencies, officers and staff with TOTP enrolled (idempotent)."""
