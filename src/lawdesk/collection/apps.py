from django.apps import AppConfig


class CollectionConfig(AppConfig):
    name = "lawdesk.collection"
    label = "collection"
    verbose_name = "Collection and delivery"

    def ready(self) -> None:
        from lawdesk.collection import receivers  # noqa: F401  (listens to case signals)
