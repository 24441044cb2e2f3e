from django.apps import AppConfig


class RemovalConfig(AppConfig):
    name = "lawdesk.removal"
    label = "removal"
    verbose_name = "Removal orders"

    def ready(self) -> None:
        # reason: models and receivers can be imported only once the app registry is ready
        from lawdesk.removal import case_pages, receivers  # noqa: F401  (listens to case signals)

        case_pages.register()
