"""URL matrix rows for API tokens (see tests/test_url_matrix.py): every signed-in user manages
their own; the secretariat's tokens are a 404 to everybody else, like a token that does not exist."""

from portal import services
from tests.matrix import ROLES, Row

OWNER_ONLY_API = {"anonymous": 401, **dict.fromkeys(ROLES, 404), "secretariat": 204}
OWNER_ONLY_PAGE = {"anonymous": 302, **dict.fromkeys(ROLES, 404), "secretariat": 302}


def _prefix(name):
    return lambda ctx: {"prefix": ctx[name].token_key}


# The matrix runs its rows in order: each single revoke has its own token, and each "revoke all"
# comes after a token the visitor just made (every signed-in user may make their own).
ROWS = [
    Row(
        "api-token-list",
        "GET",
        {"anonymous": 401, **dict.fromkeys(ROLES, 200)},
        queries={"director": 4, "nspa": 4},
    ),
    Row(
        "api-tokens",
        "GET",
        {"anonymous": 302, **dict.fromkeys(ROLES, 200)},
        queries={"director": 4, "nspa": 3},
    ),
    Row(
        "api-token-detail",
        "DELETE",
        OWNER_ONLY_API,
        kwargs=_prefix("tokens_for_api_revoke"),
        audit="api_token.revoked",
    ),
    Row(
        "api-token-revoke",
        "POST",
        OWNER_ONLY_PAGE,
        kwargs=_prefix("tokens_for_page_revoke"),
        audit="api_token.revoked",
    ),
    Row("api-token-list", "POST", {"anonymous": 401, **dict.fromkeys(ROLES, 201)}, audit="api_token.created"),
    Row(
        "api-token-revoke-all",
        "POST",
        {"anonymous": 401, **dict.fromkeys(ROLES, 204)},
        audit="api_token.revoked",
    ),
    # The page shows the new token once (200).
    Row("api-tokens", "POST", {"anonymous": 302, **dict.fromkeys(ROLES, 200)}, audit="api_token.created"),
    Row(
        "api-tokens-revoke-all",
        "POST",
        {"anonymous": 302, **dict.fromkeys(ROLES, 302)},
        audit="api_token.revoked",
    ),
]


def build_context(users_by_role) -> dict:
    secretariat = users_by_role["secretariat"]
    # A token of every visitor's own: an empty page skips its query, which would hide growth.
    for user in users_by_role.values():
        services.token_create(actor=user)
    return {
        "tokens_for_api_revoke": services.token_create(actor=secretariat)[0],
        "tokens_for_page_revoke": services.token_create(actor=secretariat)[0],
    }


def grow(context) -> None:
    """Two more tokens for every visitor: what the token list and page show."""
    for user in context["users"].values():
        services.token_create(actor=user)
        services.token_create(actor=user)
