"""The base API viewsets: the queryset is restricted to the user's permissions before any handler runs."""

from __future__ import annotations

from rest_framework import mixins, permissions
from rest_framework.viewsets import GenericViewSet

from apps.core.permissions import HTTP_ACTIONS, permission_name


class ModelActionPermission(permissions.BasePermission):
    """Creating needs the model-wide ``add`` permission; every other action is settled by the
    restricted queryset (a row the user may not touch is simply not there: 404)."""

    message = "You do not have permission to create this kind of object."

    def has_permission(self, request, view) -> bool:
        if request.method != "POST" or getattr(view, "action", None) != "create":
            return True
        model = view.queryset.model
        return request.user.has_perm(permission_name(model, "add"))


class BaseViewSet(GenericViewSet):
    """Maps the HTTP method to an action and restricts the queryset for it in ``initial()``.

    Lists are filtered to what the user may see; a detail the user may not see is a 404, never
    a 403, so that its existence does not leak.
    """

    permission_classes = [permissions.IsAuthenticated, ModelActionPermission]

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        action = HTTP_ACTIONS.get(request.method, "view")
        self.queryset = self.get_base_queryset().restrict(request.user, action)

    def get_base_queryset(self):
        """The unrestricted queryset (with its joins); override to add select_related."""
        return self.__class__.queryset.all()

    def get_serializer_context(self):
        return {**super().get_serializer_context(), "user": getattr(self.request, "user", None)}


class BaseReadOnlyViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, BaseViewSet):
    """List and retrieve, restricted."""


class BaseModelViewSet(
    mixins.CreateModelMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.UpdateModelMixin,
    mixins.DestroyModelMixin,
    BaseViewSet,
):
    """Full CRUD, restricted. Writes go through ``perform_*`` hooks that subclasses point at services."""
