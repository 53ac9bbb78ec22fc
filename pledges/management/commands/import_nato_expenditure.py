"""``manage.py import_nato_expenditure PATH --edition 2026 --price-base 2021``."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from pledges.expenditure_import import read_edition
from pledges.models import ExpenditureDataset
from pledges.rules import MANAGE_EDITIONS
from pledges.services import nato_edition_import
from portal.exceptions import Forbidden
from portal.permissions import may
from portal.uploads import ImportRejected


class Command(BaseCommand):
    help = (
        "Import NATO's defence expenditure tables for one edition (a directory holding the edition's CSVs, "
        "or one of them). Idempotent: a re-run changes nothing; a changed file updates that edition only."
    )

    def add_arguments(self, parser):
        parser.add_argument("path", type=Path)
        parser.add_argument("--edition", type=int, required=True, help="Edition year, e.g. 2026")
        parser.add_argument(
            "--price-base", type=int, required=True, help="Constant-price base year, e.g. 2021"
        )
        parser.add_argument("--published", type=dt.date.fromisoformat, default=None, help="YYYY-MM-DD")
        parser.add_argument(
            "--as",
            dest="username",
            default=None,
            help="Secretariat user recorded in the audit trail (default: the first active superuser)",
        )

    def _actor(self, username: str | None):
        users = get_user_model().objects.filter(is_active=True)
        if username:
            actor = users.filter(username=username).first()
        else:
            # The first superuser, else the first user the rules let import editions.
            actor = users.filter(is_superuser=True).order_by("pk").first() or next(
                (u for u in users.order_by("pk") if may(u, ExpenditureDataset, MANAGE_EDITIONS)), None
            )
        if actor is None:
            raise CommandError(
                f"No active user {username!r}."
                if username
                else "No superuser or secretariat user; pass --as."
            )
        return actor

    def handle(self, *args, path: Path, edition: int, price_base: int, published, username, **options):
        actor = self._actor(username)
        try:
            read = read_edition(path, edition=edition, price_base=price_base)
            outcome = nato_edition_import(
                actor=actor,
                edition_year=edition,
                price_base_year=price_base,
                rows=read.rows,
                aggregates=read.aggregates,
                published_on=published,
                notes=f"Imported from {path.name} (constant {price_base} prices).",
            )
        except ImportRejected as exc:
            for error in exc.errors:
                self.stderr.write(str(error))
            raise CommandError(f"{path} was rejected; nothing was imported.") from exc
        except Forbidden as exc:
            raise CommandError(f"{actor.get_username()}: {exc.message}") from exc
        except ValidationError as exc:
            for field, messages in exc.message_dict.items():
                for message in messages:
                    self.stderr.write(f"{field}: {message}")
            raise CommandError("Nothing was imported.") from exc
        verdict = "updated" if outcome.changed else "unchanged"
        self.stdout.write(
            f"{outcome.dataset.title} (dataset {outcome.dataset.pk}) {verdict}: {outcome.created} created, "
            f"{outcome.updated} updated, {outcome.deleted} deleted, {outcome.unchanged} unchanged"
            + (
                f"; {outcome.aggregates_changed} of NATO's published aggregates written."
                if outcome.aggregates_changed
                else "."
            )
        )
