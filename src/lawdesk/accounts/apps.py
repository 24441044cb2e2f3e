from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "lawdesk.accounts"
    label = "accounts"
    verbose_name = "Agencies, officers and staff"

    def ready(self) -> None:
        # reason: receivers and models load only once the app registry is ready
        from lawdesk.accounts import signals  # noqa: F401  (connects the audit receivers)
