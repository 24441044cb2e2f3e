"""Django app configuration for evidence packages."""

from __future__ import annotations

from django.apps import AppConfig


class EvidenceConfig(AppConfig):
    """Evidence packages: build, sign, encrypt, verify."""

    name = "lawdesk.evidence"
    label = "evidence"
    verbose_name = "Evidence packages"
