"""Serializer fields shared by the apps' APIs."""

from __future__ import annotations

from rest_framework import serializers
from rest_framework.fields import empty


class BlankAsNullMixin:
    """An optional text stored as "" (Django's blank) and shown as null.

    The schema then says ``nullable`` instead of advertising a format ("uri", a slug pattern)
    that "" does not have. On write, null and "" both store "".
    """

    def __init__(self, **kwargs):
        kwargs.setdefault("allow_null", True)
        kwargs.setdefault("allow_blank", True)
        kwargs.setdefault("required", False)
        super().__init__(**kwargs)

    def run_validation(self, data=empty):
        """Null means no value: store ""."""
        return super().run_validation("" if data is None else data)

    def to_representation(self, value):
        """ "" (no value) is null; anything else as the field shows it."""
        return super().to_representation(value) if value else None


class BlankAsNullURLField(BlankAsNullMixin, serializers.URLField):
    """An optional URL: null when there is none."""


class BlankAsNullSlugField(BlankAsNullMixin, serializers.SlugField):
    """An optional slug: null when there is none."""
