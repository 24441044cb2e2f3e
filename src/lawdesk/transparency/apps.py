from django.apps import AppConfig


class TransparencyConfig(AppConfig):
    name = "lawdesk.transparency"
    label = "transparency"
    verbose_name = "Transparency log"
