"""Domain errors that services raise; web views and the API map them to status codes."""

from __future__ import annotations


class PortalError(Exception):
    status_code = 400
    code = "error"

    def __init__(self, message: str, *, detail: dict | None = None):
        super().__init__(message)
        self.message = message
        self.detail = detail or {}


class NotFound(PortalError):
    """The object does not exist, or the user may not see it: the two are indistinguishable."""

    status_code = 404
    code = "not_found"


class Forbidden(PortalError):
    """The user may see the object but not do this to it."""

    status_code = 403
    code = "permission_denied"


class Conflict(PortalError):
    """The write lost a race or the object is in the wrong state; ``detail`` says what changed."""

    status_code = 409
    code = "conflict"
