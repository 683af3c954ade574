"""Signed, short-lived links to the embeddable panel, for CRMs on another site.

A CRM on another origin cannot rely on EmotionHub's session inside its iframe: browsers do not send a
``SameSite=Lax`` cookie to a cross-site frame, and the sign-in and purpose pages refuse to be framed. So the
CRM's server asks the API for a link (``POST /api/v1/accounts/<id>/embed-link/`` with ``X-Purpose``) and puts
it in the iframe. The link carries the requesting user, the account and the purpose, signed with the
``SECRET_KEY`` and valid for ``CRM_EMBED_LINK_SECONDS``; the panel then shows exactly what that user may see
for that purpose, and each view is checked and logged again.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core import signing
from django.urls import reverse
from django.utils import timezone

SALT = "emotionhub.crm.embed-link"


class EmbedLinkError(Exception):
    """A link that cannot open the panel; ``expired`` tells the CRM to ask for a new one."""

    def __init__(self, message: str, *, expired: bool = False):
        super().__init__(message)
        self.expired = expired


@dataclass(frozen=True)
class EmbedLink:
    url: str
    expires_at: dt.datetime
    purpose: str


@dataclass(frozen=True)
class EmbedGrant:
    user: object
    account_id: int
    purpose: str


def link_lifetime() -> int:
    return int(getattr(settings, "CRM_EMBED_LINK_SECONDS", 300))


def embed_link_create(*, user, account_id: int, purpose_key: str) -> EmbedLink:
    """A signed panel URL for ``user`` (who may see the account, for a purpose already decided as allowed)."""
    token = signing.dumps({"u": user.pk, "a": int(account_id), "p": purpose_key}, salt=SALT, compress=True)
    path = f"{reverse('crm:embed', args=[account_id])}?token={token}"
    return EmbedLink(
        url=f"{settings.SITE_URL.rstrip('/')}{path}",
        expires_at=timezone.now() + dt.timedelta(seconds=link_lifetime()),
        purpose=purpose_key,
    )


def embed_link_read(*, token: str, account_id: int) -> EmbedGrant:
    """The user, account and purpose a link grants, or ``EmbedLinkError`` saying why it cannot be used."""
    try:
        data = signing.loads(token, salt=SALT, max_age=link_lifetime())
    except signing.SignatureExpired as exc:
        raise EmbedLinkError("This panel link has expired: reload the CRM page for a new one.", expired=True) from exc
    except signing.BadSignature as exc:
        raise EmbedLinkError("This panel link is not valid.") from exc
    if data.get("a") != account_id:
        raise EmbedLinkError("This panel link is for another account.")
    user = get_user_model().objects.filter(pk=data.get("u"), is_active=True).first()
    if user is None:
        raise EmbedLinkError("The user this panel link was made for no longer has access.")
    return EmbedGrant(user=user, account_id=account_id, purpose=str(data.get("p", "")))
