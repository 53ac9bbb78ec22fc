"""``manage.py import_deliveries FILE --as USERNAME``: the delivery file import from the shell."""

from __future__ import annotations

from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from portal.exceptions import Forbidden
from portal.uploads import ImportRejected
from procurement.importers import MAX_UPLOAD_BYTES, import_deliveries


class Command(BaseCommand):
    help = "Import a CSV or XLSX file of deliveries: every row is validated first, then all or none imported."

    def add_arguments(self, parser):
        parser.add_argument(
            "file",
            type=Path,
            help=(
                "CSV or XLSX file; each row names its call-off line as call_off with line_number (or "
                "item), or as call_off_line (the id); other columns: see procurement/importers/reader.py"
            ),
        )
        parser.add_argument(
            "--as", dest="username", required=True, help="NSPA user recorded as the importer (audit trail)"
        )

    def handle(self, *args, file: Path, username: str, **options):
        actor = get_user_model().objects.filter(username=username, is_active=True).first()
        if actor is None:
            raise CommandError(f"No active user {username!r}.")
        try:
            size = file.stat().st_size
        except OSError as exc:
            raise CommandError(f"Cannot read {file}: {exc.strerror}.") from exc
        if size > MAX_UPLOAD_BYTES:
            raise CommandError(f"{file} is {size:,} bytes; the limit is {MAX_UPLOAD_BYTES:,}.")
        try:
            result = import_deliveries(actor=actor, data=file.read_bytes(), file_name=file.name)
        except Forbidden as exc:
            raise CommandError(f"{username}: {exc.message}") from exc
        except ImportRejected as exc:
            for error in exc.errors:
                self.stderr.write(str(error))
            raise CommandError(f"{file.name} was rejected; nothing was imported.") from exc
        self.stdout.write(
            f"{file.name}: {result.rows} rows, {result.created} deliveries imported, "
            f"{result.skipped} already recorded."
        )
