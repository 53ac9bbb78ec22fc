from django.apps import AppConfig


class PledgesConfig(AppConfig):
    name = "pledges"
    verbose_name = "Pledges"

    def ready(self) -> None:
        # demo registers the demo loader; tasks registers the jobs, which services queue by name.
        from pledges import demo, notifications, tasks  # noqa: F401
        from pledges.navigation import register_menu
        from pledges.rules import register_audiences, register_rules
        from pledges.workspace import register_panels

        register_rules()
        register_audiences()
        register_menu()
        register_panels()
