from django.apps import AppConfig


class CasesConfig(AppConfig):
    name = "lawdesk.cases"
    label = "cases"
    verbose_name = "Cases"

    def ready(self) -> None:
        # reason: receivers import models, which load only once the app registry is ready
        from lawdesk.cases import receivers  # noqa: F401  (connects them)
