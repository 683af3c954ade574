"""The base API viewsets: the queryset is restricted to the user's permissions before any handler runs."""

from __future__ import annotations

from django.db.models import Q
from django.http import Http404
from rest_framework import exceptions, mixins, permissions
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

    Viewsets that return emotion data set ``emotion_data = True``: every read then states a purpose
    (``X-Purpose``), is refused and logged when the purpose is not permitted, has the rows a prohibited
    use covers withheld (``prohibited_rows``), and is written to the data-access log with whose data it was.
    """

    permission_classes = [permissions.IsAuthenticated, ModelActionPermission]
    emotion_data = False
    #: prohibited-use scope -> Q of the rows it covers in this viewset's model
    prohibited_rows: dict = {}

    #: the one purpose this viewset's data may be read for ("" = any purpose the user's role may use)
    only_purpose: str = ""
    #: actions reached by POST that only read (e.g. issuing a signed link to a view): restricted and purpose-bound
    #: as reads, not as writes
    read_actions: tuple[str, ...] = ()

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        reads = request.method in permissions.SAFE_METHODS or self.action in self.read_actions
        action = "view" if reads else HTTP_ACTIONS.get(request.method, "view")
        self.queryset = self.get_base_queryset().restrict(request.user, action)
        self.purpose_decision = None
        if self.emotion_data and reads:
            self._bind_purpose(request)

    def _bind_purpose(self, request) -> None:
        from apps.governance import services as governance

        decision = governance.purpose_decide(
            user=request.user, purpose_key=request.headers.get("X-Purpose", ""), only=self.only_purpose
        )
        resource = f"api:{self.basename}-{self.action}"
        if not decision.allowed:
            governance.access_record(user=request.user, decision=decision, resource=resource, request=request)
            raise exceptions.PermissionDenied(decision.reason)
        self.withheld = Q()
        for scope in decision.withheld_scopes:
            if scope in self.prohibited_rows:
                self.withheld |= self.prohibited_rows[scope]
        if self.withheld:
            self.queryset_before_withholding = self.queryset
            self.queryset = self.queryset.exclude(self.withheld)
        governance.access_record(user=request.user, decision=decision, resource=resource, request=request)
        self.purpose_decision = decision

    def get_object(self):
        try:
            return super().get_object()
        except Http404:
            decision = getattr(self, "purpose_decision", None)
            if decision is None or not getattr(self, "withheld", None):
                raise
            lookup = {self.lookup_field: self.kwargs[self.lookup_url_kwarg or self.lookup_field]}
            if not self.queryset_before_withholding.filter(**lookup).exists():
                raise
            from apps.governance import services as governance

            reason = f"Prohibited use: emotion data of this record may not be used for {decision.purpose!r}."
            governance.access_record(
                user=self.request.user,
                decision=decision,
                resource=f"api:{self.basename}-{self.action}",
                request=self.request,
                reason=reason,
                outcome="refused",
            )
            raise exceptions.PermissionDenied(reason) from None

    def finalize_response(self, request, response, *args, **kwargs):
        decision = getattr(self, "purpose_decision", None)
        if decision is not None and decision.log is not None and response.status_code < 400:
            from apps.governance import services as governance

            data = response.data if isinstance(response.data, dict) else {}
            paged = isinstance(data.get("results"), list)
            rows = [r for r in (data["results"] if paged else [data]) if isinstance(r, dict)]
            governance.access_update(
                log=decision.log,
                account_ids=[r.get("account") for r in rows],
                contact_ids=[r.get("contact") for r in rows],
                count=len(rows) if paged else int(bool(data)),
            )
        return super().finalize_response(request, response, *args, **kwargs)

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
