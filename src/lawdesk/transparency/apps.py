from django.apps import AppConfig


class TransparencyConfig(AppConfig):
    name = "lawdesk.transparency"
    label = "transparency"
    verbose_name = "Transparency log"

    def ready(self) -> None:
        # reason: receivers and models load only once the app registry is ready
        from lawdesk.cases import signals
        from lawdesk.transparency import receivers

        signals.case_received.connect(receivers.on_case_received,
                                      dispatch_uid="transparency.case_received")
        signals.case_status_changed.connect(receivers.on_case_status_changed,
                                            dispatch_uid="transparency.case_status_changed")
