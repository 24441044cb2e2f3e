"""Number formats where lawdesk differs from Django's (settings.FORMAT_MODULE_PATH)."""
