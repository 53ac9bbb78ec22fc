"""The base of the apps' API viewsets: the write permission and the parse/respond helpers.

A write needs the role's grant for that action on the model (``view.write_grants``); the services
re-check the row-level scope inside their transaction. Reads pass: the selectors scope them.
"""

from __future__ import annotations

from rest_framework import status
from rest_framework.permissions import SAFE_METHODS, BasePermission, IsAuthenticated
from rest_framework.response import Response
from rest_framework.viewsets import GenericViewSet

from portal.permissions import may


class WriteGrant(BasePermission):
    """A write needs the role's grant for that action on the model (``view.write_grants``);
    an action without an entry is refused. Reads pass: the selectors scope them, and so does a
    method the route does not offer (``view.action`` None), which then gets its 405."""

    def has_permission(self, request, view) -> bool:
        if request.method in SAFE_METHODS or view.action is None:
            return True
        grant = view.write_grants.get(view.action)
        return grant is not None and may(request.user, *grant)


class PortalViewSet(GenericViewSet):
    """Thin views: ``parse`` the input serializer, call the service, ``respond`` with the output
    serializer."""

    permission_classes = [IsAuthenticated, WriteGrant]
    # Ids only: anything else is a 404 from the URL resolver, never a database error.
    lookup_value_regex = "[0-9]{1,18}"
    write_grants: dict[str, tuple] = {}

    def parse(self, serializer_class, *, partial: bool = False) -> dict:
        serializer = serializer_class(
            data=self.request.data, partial=partial, context=self.get_serializer_context()
        )
        serializer.is_valid(raise_exception=True)
        return dict(serializer.validated_data)

    def respond(self, serializer_class, obj, code: int = status.HTTP_200_OK, **kwargs) -> Response:
        data = serializer_class(obj, context=self.get_serializer_context(), **kwargs).data
        return Response(data, status=code)
