"""The project package and the shared core: users, nations, the audit trail, permissions, jobs,
and the machinery every app builds on (see ARCHITECTURE.md). Celery's app loads with Django."""

from .celery import app as celery_app

__all__ = ("celery_app",)
