"""The Defence Industrial Production Board, its working groups and the supply-chain risk register."""

from django.apps import AppConfig


class BoardsConfig(AppConfig):
    name = "boards"
    verbose_name = "Boards"

    def ready(self) -> None:
        # demo registers the demo loader; notifications defines the kinds and the reminders.
        from boards import demo, notifications  # noqa: F401
        from boards.navigation import register_menu
        from boards.rules import register_audiences, register_rules
        from boards.workspace import register_panels

        register_rules()
        register_audiences()
        register_menu()
        register_panels()
