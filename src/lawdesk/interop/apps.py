from django.apps import AppConfig


class InteropConfig(AppConfig):
    name = "lawdesk.interop"
    label = "interop"
    verbose_name = "Standard channels (HI-1)"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # reason: receivers and models load only once the app registry is ready
        from lawdesk.interop import case_pages, receivers  # noqa: F401 (connects them)
        from lawdesk.interop.services import register_anchor_kinds

        register_anchor_kinds()
        case_pages.register()
