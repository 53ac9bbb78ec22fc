"""Time to build the daily notification digest for 1,000 users (issue 14: <= 2 s).

Each user has ``--per-user`` notifications waiting for the digest, of the kinds the apps define,
in English or French. The figure is ``portal.notifications.digest_messages()``: the read and the
rendering of every mail (text and HTML). Serialising each to MIME (what the SMTP connection does
when it sends) is printed beside it, and the whole job against Django's in-memory backend; the SMTP
round trips belong to the relay.

Prints figures, asserts nothing (DESIGN.md, Testing). Needs PostgreSQL:

    .venv/bin/python bench/digest.py [--users 1000] [--per-user 5] [--repeat 5]

Uses BENCH_DIGEST_DATABASE_URL, default postgres://postgres@127.0.0.1:5432/portal_bench_digest;
the rows are rebuilt on every run.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.pop("REDIS_URL", None)

from bench._common import migrate, setup_django

setup_django(
    os.environ.get("BENCH_DIGEST_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/portal_bench_digest")
)

from django.conf import settings  # noqa: E402
from django.contrib.contenttypes.models import ContentType  # noqa: E402
from django.db import connection, transaction  # noqa: E402

TARGET_SECONDS = 2.0


def build(users: int, per_user: int) -> None:
    from portal.models import Notification, User
    from portal.notifications import KINDS

    with transaction.atomic():
        Notification.objects.all().delete()
        User.objects.filter(username__startswith="digest-").delete()
        User.objects.bulk_create(
            User(
                username=f"digest-{i:04}",
                email=f"digest-{i:04}@example.org",
                first_name="Digest",
                last_name=f"Reader {i}",
                language="fr" if i % 3 == 0 else "",
                time_zone="Europe/Brussels" if i % 2 else "",
            )
            for i in range(users)
        )
        readers = list(User.objects.filter(username__startswith="digest-").order_by("pk"))
        content_type = ContentType.objects.get_for_model(User)
        kinds = sorted(KINDS)
        Notification.objects.bulk_create(
            Notification(
                recipient=user,
                kind=kinds[(user.pk + j) % len(kinds)],
                actor_name="Secretariat Reviewer",
                content_type=content_type,
                object_id=str(user.pk),
                params={"object": f"Plan {j} of {user.last_name}", "actor": "Secretariat Reviewer",
                        "due": "2026-12-15", "days": 12},
                url=f"/pledges/plans/{j}/",
                email_state=Notification.Email.DIGEST,
            )
            for user in readers
            for j in range(per_user)
        )  # fmt: skip
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE portal_notification")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, default=1000)
    parser.add_argument("--per-user", type=int, default=5)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    migrate()
    build(args.users, args.per_user)
    from portal.notifications import digest_messages

    samples, with_mime, queries = [], [], 0
    for _ in range(args.repeat):
        executed = []
        started = time.perf_counter()

        def counted(execute, sql, *rest, executed=executed):
            executed.append(sql)
            return execute(sql, *rest)

        with connection.execute_wrapper(counted):
            mails = digest_messages()
        samples.append(time.perf_counter() - started)
        bodies = [m.message().as_bytes() for m, _ids in mails]  # the MIME text a relay receives
        with_mime.append(time.perf_counter() - started)
        queries = len(executed)
    median = statistics.median(samples)
    size = sum(len(b) for b in bodies) / len(bodies)
    print(f"database: {settings.DATABASES['default']['NAME']}")
    print(
        f"  digest for {len(mails):,} users ({args.per_user} notifications each): built (read + text and "
        f"HTML rendered) median {median:.2f} s, max {max(samples):.2f} s, queries {queries}, n={args.repeat}"
    )
    print(
        f"  with each mail serialised to MIME as well: median {statistics.median(with_mime):.2f} s "
        f"(mean mail {size / 1024:.1f} KiB)"
    )
    print(
        f"  target <= {TARGET_SECONDS:.1f} s for building: ratio {median / TARGET_SECONDS:.2f} of the target"
    )

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    from portal.notifications import send_digests

    started = time.perf_counter()
    result = send_digests()
    print(f"  send_digests() to the in-memory backend: {time.perf_counter() - started:.2f} s, {result}")


if __name__ == "__main__":
    main()
