from django.apps import AppConfig


class ProcurementConfig(AppConfig):
    name = "procurement"
    verbose_name = "Procurement"

    def ready(self) -> None:
        # demo registers the demo loader; notifications defines the kinds the services notify.
        from procurement import demo, notifications  # noqa: F401
        from procurement.navigation import register_menu
        from procurement.rules import register_audiences, register_rules
        from procurement.workspace import register_panels

        register_rules()
        register_audiences()
        register_menu()
        register_panels()
