"""Serializer building blocks shared by every app's API."""

from __future__ import annotations

from django.db.models import ManyToManyField as _M2M
from rest_framework import serializers


class RestrictedPrimaryKeyRelatedField(serializers.PrimaryKeyRelatedField):
    """A foreign key the user may only point at objects they can see (else: "does not exist")."""

    def get_queryset(self):
        queryset = super().get_queryset()
        user = self.context.get("user") or getattr(self.context.get("request"), "user", None)
        return queryset.restrict(user, "view")


class ValidatedModelSerializer(serializers.ModelSerializer):
    """Runs the model's ``full_clean()`` during validation, so model rules give a 400, not a 500."""

    serializer_related_field = RestrictedPrimaryKeyRelatedField

    def validate(self, attrs):
        attrs = super().validate(attrs)
        model = self.Meta.model
        plain = {k: v for k, v in attrs.items() if not isinstance(model._meta.get_field(k), _M2M)}
        instance = model(**plain) if self.instance is None else self._copy_with(plain)
        instance.full_clean(exclude=self._unvalidated_fields(), validate_unique=True)
        return attrs

    def _copy_with(self, attrs):
        instance = self.instance.__class__.objects.get(pk=self.instance.pk)
        for key, value in attrs.items():
            setattr(instance, key, value)
        return instance

    def _unvalidated_fields(self) -> list[str]:
        # Fields the client cannot send are the server's to fill; don't demand them here.
        writable = {name for name, field in self.fields.items() if not field.read_only}
        return [f.name for f in self.Meta.model._meta.concrete_fields if f.name not in writable]
