"""Pieces the feature admins share."""
from __future__ import annotations

from django.contrib import admin
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext_lazy as _


class ReadOnlyTabularInline(admin.TabularInline):
    """Rows written by the AI pipelines: shown, never added, changed or deleted here."""

    extra = 0
    max_num = 0
    can_delete = False
    show_change_link = False

    def get_readonly_fields(self, request, obj=None):
        return self.fields


def host_admin_url(model_path: str, object_id) -> str | None:
    """The admin page of one of the host shop's rows (``model_path`` is "app_label.ModelName"), or None."""
    if not model_path or object_id in (None, ""):
        return None
    app_label, _dot, model_name = model_path.partition(".")
    try:
        return reverse(f"admin:{app_label}_{model_name.lower()}_change", args=[object_id])
    except NoReverseMatch:
        return None


class AIPanelAdminMixin:
    """Adds read-only AI panels to a host shop's change page, in a fieldset of their own.

    A subclass lists its panels in ``ai_panels`` (names of methods that take the object and return
    HTML built with ``format_html``); the panels show on existing rows only.
    """

    ai_panels: tuple[str, ...] = ()
    ai_fieldset_title = _("AI")

    def get_readonly_fields(self, request, obj=None):
        fields = tuple(super().get_readonly_fields(request, obj))
        return fields + tuple(p for p in self.ai_panels if p not in fields) if obj is not None else fields

    def get_fieldsets(self, request, obj=None):
        fieldsets = super().get_fieldsets(request, obj)
        if obj is None or not self.ai_panels:
            return fieldsets
        panels = set(self.ai_panels)
        cleaned = [(name, {**opts, "fields": [f for f in opts["fields"] if f not in panels]})
                   for name, opts in fieldsets]
        return cleaned + [(self.ai_fieldset_title, {"fields": list(self.ai_panels)})]
