"""Token authentication that names the token's user as the actor of audit entries."""

from rest_framework.authentication import TokenAuthentication

from apps.core.audit import record_actor


class AuditedTokenAuthentication(TokenAuthentication):
    """``Authorization: Token <key>``; the user becomes the audit actor for the request."""

    def authenticate(self, request):
        result = super().authenticate(request)
        if result is not None:
            record_actor(result[0])
        return result
