"""Purpose binding of the annotation and adjudication pages: they show customers' messages, and always for
the "quality_assurance" purpose (whatever the session's chosen purpose), so the log says why."""

from __future__ import annotations

import functools

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _

from apps.governance import services as governance

QA_PURPOSE = "quality_assurance"


def quality_assurance_bound(resource: str, *, perm: str):
    """Decorator: the user needs ``perm`` (else 403, nothing read or logged); then the read is decided and
    logged for ``quality_assurance``, refused (403, saying why) when the user's role may not use it or it is
    switched off. The view may set ``request.accessed`` = (account_ids, contact_ids) to have whose messages it
    showed logged."""

    def decorator(view):
        @functools.wraps(view)
        def wrapped(request, *args, **kwargs):
            if not request.user.has_perm(perm):
                raise PermissionDenied(_("Your role does not include this page."))
            decision = governance.purpose_decide(user=request.user, purpose_key=QA_PURPOSE)
            governance.access_record(user=request.user, decision=decision, resource=resource, request=request)
            if not decision.allowed:
                raise PermissionDenied(decision.reason)
            response = view(request, *args, **kwargs)
            accounts, contacts = ({x for x in ids if x is not None} for ids in getattr(request, "accessed", ((), ())))
            if decision.log is not None and (accounts or contacts):
                governance.access_update(
                    log=decision.log,
                    account_ids=accounts,
                    contact_ids=contacts,
                    count=len(accounts) + len(contacts),
                )
            return response

        return wrapped

    return decorator
