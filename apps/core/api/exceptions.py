"""One error shape for the whole API: ``{"detail": "...", "errors": {...}}`` with the right status."""

from __future__ import annotations

from django.core.exceptions import ValidationError as DjangoValidationError
from rest_framework import status
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler


def exception_handler(exc, context) -> Response | None:
    """DRF's handler, plus model ``full_clean()`` errors turned into a 400 instead of a 500."""
    if isinstance(exc, DjangoValidationError):
        exc = ValidationError(detail=exc.message_dict if hasattr(exc, "error_dict") else exc.messages)
    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    if isinstance(exc, ValidationError):
        response.data = {"detail": "The request is not valid; see errors.", "errors": response.data}
        response.status_code = status.HTTP_400_BAD_REQUEST
    return response
