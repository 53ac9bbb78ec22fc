"""How long a hostile delivery workbook holds a worker before it is refused.

    .venv/bin/python bench/xlsx_limits.py [--unpacked-mb 190]

The workbook passes every container check (about 13 MB, 190 MB unpacked, an ordinary compression
ratio, a handful of parts), has a valid header and far more rows than the import's 200,000, and
no <dimension> (as openpyxl's write-only mode writes them). The figure is the time the delivery
import's reading step takes to refuse it. Prints figures and asserts nothing (DESIGN.md, Testing);
needs no database.
"""

from __future__ import annotations

import argparse
import io
import os
import random
import sys
import time
import zipfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")

import django

django.setup()

from portal.tests.workbooks import row, xlsx  # noqa: E402
from portal.uploads import ImportRejected  # noqa: E402
from procurement import importers  # noqa: E402

HEADER = (
    "call_off_line",
    "delivered_on",
    "quantity_delivered",
    "quantity_accepted",
    "lot_number",
    "location",
)
LOCATIONS = ("Depot Bydgoszcz", "Depot Mourmelon", "Ramstein", "Depot Bydgoszcz")


def hostile_rows(unpacked: int):
    """Delivery rows, enough of them to unpack to ``unpacked`` bytes; random enough to compress
    the way real sheets do (about 15 to 1), not like a zip bomb."""
    rng = random.Random(13)  # noqa: S311 - reproducible bench data, not security
    yield row(1, *HEADER)
    written, number = 0, 2
    while written < unpacked:
        data = row(
            number,
            1,
            f"2024-0{number % 3 + 1}-{rng.randint(1, 28):02d}",
            rng.randint(1, 60),
            rng.randint(1, 60),
            f"LOT-{number:07d}-{rng.randint(0, 9)}",
            LOCATIONS[number % 4],
        )
        written += len(data)
        number += 1
        yield data


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--unpacked-mb", type=int, default=190)
    args = parser.parse_args()

    data = xlsx(hostile_rows(args.unpacked_mb * 1024 * 1024))
    entries = zipfile.ZipFile(io.BytesIO(data)).infolist()
    sheet = max(entries, key=lambda entry: entry.file_size)
    print(
        f"file: {len(data) / 2**20:.1f} MB, unpacks to {sum(e.file_size for e in entries) / 2**20:.0f} MB, "
        f"{len(entries)} parts, sheet compressed {sheet.file_size / sheet.compress_size:.1f} to 1"
    )
    start = time.perf_counter()
    try:
        importers.reader.parse_file(data, "hostile.xlsx")
        outcome = "accepted"
    except ImportRejected as exc:
        outcome = f"refused: {exc.errors[0].message}"
    print(f"delivery import, reading step: {time.perf_counter() - start:7.2f} s  {outcome}")


if __name__ == "__main__":
    main()
