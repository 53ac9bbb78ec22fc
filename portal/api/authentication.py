"""API token authentication: knox's, refusing a malformed key before knox or the database sees it.

Knox decodes the key as UTF-8 (a Latin-1 byte in the header would be a 500) and looks it up by
its first characters (a NUL byte is an error on PostgreSQL). A key knox issued is hex of a known
length, so anything else is simply an invalid token.
"""

from __future__ import annotations

import re

from django.utils.translation import gettext_lazy as _
from drf_spectacular.contrib.knox_auth_token import KnoxTokenScheme
from knox import auth
from knox.settings import knox_settings
from rest_framework.exceptions import AuthenticationFailed


class TokenAuthentication(auth.TokenAuthentication):
    """``Authorization: Token <key>``, for keys issued by ``portal.services.token_create``."""

    def authenticate_credentials(self, token: bytes):
        shape = re.escape(knox_settings.TOKEN_PREFIX.encode()) + rb"[0-9a-f]{%d}" % (
            knox_settings.AUTH_TOKEN_CHARACTER_LENGTH
        )
        if not re.fullmatch(shape, token):
            raise AuthenticationFailed(_("Invalid token."))
        return super().authenticate_credentials(token)


class TokenScheme(KnoxTokenScheme):
    """drf-spectacular matches authentication classes exactly, not their subclasses."""

    target_class = TokenAuthentication
