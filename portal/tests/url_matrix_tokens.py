"""URL matrix rows for API tokens (see tests/test_url_matrix.py): every signed-in user manages
their own; the secretariat's tokens are a 404 to everybody else, like a token that does not exist."""

from portal import services

ROLES = ["director", "nspa", "secretariat", "board_member", "partner", "superuser", "no_role"]

OWNER_ONLY_API = {"anonymous": 401, **dict.fromkeys(ROLES, 404), "secretariat": 204}
OWNER_ONLY_PAGE = {"anonymous": 302, **dict.fromkeys(ROLES, 404), "secretariat": 302}


def _prefix(name):
    return lambda ctx: {"prefix": ctx[name].token_key}


# The matrix runs its rows in order: each single revoke has its own token, and "revoke all"
# comes after both.
MATRIX = {
    "api-token-list": (None, "get", {"anonymous": 401, **dict.fromkeys(ROLES, 200)}),
    "api-tokens": (None, "get", {"anonymous": 302, **dict.fromkeys(ROLES, 200)}),
    "api-token-detail": (_prefix("tokens_for_api_revoke"), "delete", OWNER_ONLY_API),
    "api-token-revoke": (_prefix("tokens_for_page_revoke"), "post", OWNER_ONLY_PAGE),
    "api-token-revoke-all": (None, "post", {"anonymous": 401, **dict.fromkeys(ROLES, 204)}),
    "api-tokens-revoke-all": (None, "post", {"anonymous": 302, **dict.fromkeys(ROLES, 302)}),
}


def build_context(users_by_role) -> dict:
    secretariat = users_by_role["secretariat"]
    return {
        "tokens_for_api_revoke": services.token_create(actor=secretariat)[0],
        "tokens_for_page_revoke": services.token_create(actor=secretariat)[0],
    }
