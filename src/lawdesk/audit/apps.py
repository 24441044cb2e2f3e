from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "lawdesk.audit"
    label = "audit"
    verbose_name = "Audit trail"
