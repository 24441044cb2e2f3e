from django.apps import AppConfig


class CasesConfig(AppConfig):
    name = "lawdesk.cases"
    label = "cases"
    verbose_name = "Cases"
