from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "lawdesk.core"
    label = "core"
    verbose_name = "lawdesk core"
