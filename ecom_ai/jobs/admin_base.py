"""Pieces the feature admins share."""
from django.contrib import admin


class ReadOnlyTabularInline(admin.TabularInline):
    """Rows written by the AI pipelines: shown, never added, changed or deleted here."""

    extra = 0
    max_num = 0
    can_delete = False
    show_change_link = False

    def get_readonly_fields(self, request, obj=None):
        return self.fields
