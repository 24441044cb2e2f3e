from django.apps import AppConfig


class CollectionConfig(AppConfig):
    name = "lawdesk.collection"
    label = "collection"
    verbose_name = "Collection and delivery"

    def ready(self) -> None:
        # reason: models and receivers can be imported only once the app registry is ready
        from lawdesk.collection import case_pages, receivers  # noqa: F401  (listens to case signals)

        case_pages.register()
