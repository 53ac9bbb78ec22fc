from django.apps import AppConfig


class StandardsConfig(AppConfig):
    name = "standards"
    verbose_name = "Standards"

    def ready(self) -> None:
        # demo registers the demo loader; notifications defines the kinds and the reminder sources.
        from standards import demo, notifications  # noqa: F401
        from standards.navigation import register_menu
        from standards.rules import register_audiences, register_rules
        from standards.workspace import register_panels

        register_rules()
        register_audiences()
        register_menu()
        register_panels()
