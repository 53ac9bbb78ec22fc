"""The signed-in user's own API tokens: create (the key is shown once), list, revoke one or all.

Creating a token needs a session or another token, never a password sent to the API. Every
operation is on the caller's own tokens: another user's token is a 404, like one that does not
exist.
"""

from __future__ import annotations

from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import mixins, status
from rest_framework.decorators import action
from rest_framework.response import Response
from rest_framework.viewsets import GenericViewSet

from portal import services
from portal.api.serializers import ApiTokenCreatedSerializer, ApiTokenSerializer
from portal.selectors import TOKEN_PREFIX_PATTERN, token_list


class ApiTokenViewSet(mixins.ListModelMixin, GenericViewSet):
    """Your API tokens. Use one as `Authorization: Token <key>`; it expires after the configured
    number of days, and dies when your password changes."""

    serializer_class = ApiTokenSerializer
    lookup_field = "token_key"
    lookup_url_kwarg = "prefix"
    lookup_value_regex = TOKEN_PREFIX_PATTERN

    def get_queryset(self):
        return token_list(user=self.request.user)

    @extend_schema(request=None, responses={201: ApiTokenCreatedSerializer})
    def create(self, request, *args, **kwargs):
        token, key = services.token_create(actor=request.user)
        token.key = key
        return Response(ApiTokenCreatedSerializer(token).data, status=status.HTTP_201_CREATED)

    @extend_schema(responses={204: None})
    def destroy(self, request, *args, **kwargs):
        services.token_revoke(actor=request.user, prefix=self.kwargs[self.lookup_url_kwarg])
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(
        request=None, responses={204: OpenApiResponse(description="Every token of yours is revoked.")}
    )
    @action(detail=False, methods=["post"], url_path="revoke-all")
    def revoke_all(self, request, *args, **kwargs):
        services.token_revoke_all(actor=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)
