"""The Defence Industrial Production Board, its working groups and the supply-chain risk register."""

from django.apps import AppConfig


class BoardsConfig(AppConfig):
    name = "boards"
    verbose_name = "Boards"

    def ready(self) -> None:
        from boards import demo  # noqa: F401 - registers the demo loader
        from boards.navigation import register_menu
        from boards.rules import register_rules
        from boards.workspace import register_panels

        register_rules()
        register_menu()
        register_panels()
