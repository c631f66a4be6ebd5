"""The audit log in the admin (read-only, filterable by application, person and action), and
``AuditedAdmin``: the base of every admin page that edits data, so that an administrator's
edits are recorded like everyone else's (``admin.created`` / ``admin.changed`` /
``admin.deleted``, with the fields before and after).

The admin wraps each save and delete in a transaction (``changeform_view``, ``delete_view``),
so the record commits with the edit.  One event per object changed: the edited object when its
own fields (or many-to-many choices) changed, and each inline row added, changed or deleted.
"""

from __future__ import annotations

from django.contrib import admin
from django.db.models import Q
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from .actions import AuditAction
from .models import AuditEvent
from .services import audit_record, changes, field_values


def _application_and_person(obj):
    """What to file an admin edit under: its application (and that applicant), or the account."""
    if obj._meta.label == "applications.Application":
        return obj, None
    if obj._meta.label == "accounts.User":
        return None, obj
    return None, None


def _m2m_values(obj, names) -> dict:
    if obj is None or obj.pk is None:
        return {}
    return {name: sorted(getattr(obj, name).values_list("pk", flat=True)) for name in names}


class AuditedAdmin(admin.ModelAdmin):
    """Records every add, change and delete made through this admin page (and its inlines)."""

    def _m2m_names(self, form) -> list[str]:
        return [f.name for f in self.model._meta.many_to_many if f.name in form.changed_data]

    def save_model(self, request, obj, form, change):
        m2m = self._m2m_names(form)
        stored = type(obj)._default_manager.filter(pk=obj.pk).first() if change else None
        # Read before saving (``obj`` already holds the form's values); kept on the form, which
        # belongs to this request (the ModelAdmin instance is shared by every request).
        form._audit_before = ({**field_values(stored, [f for f in form.changed_data if f not in m2m]),
                               **_m2m_values(stored, m2m)} if stored is not None else {})
        super().save_model(request, obj, form, change)

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        obj = form.instance
        m2m = self._m2m_names(form)
        fields = [f for f in form.changed_data if f not in m2m]
        if change and not form.changed_data:
            return
        after = {**field_values(obj, fields if change else None), **_m2m_values(obj, m2m)}
        before, after = changes(getattr(form, "_audit_before", {}), after) if change else ({}, after)
        if change and not (before or after):
            return
        application, person = _application_and_person(obj)
        audit_record(action=AuditAction.ADMIN_CHANGED if change else AuditAction.ADMIN_CREATED,
                     actor=request.user, obj=obj, application=application, person=person, before=before,
                     after=after)

    def save_formset(self, request, form, formset, change):
        stored = {}
        for inline_form in formset.initial_forms:
            instance = inline_form.instance
            if instance.pk is not None and inline_form.has_changed():
                stored[instance.pk] = field_values(type(instance)._default_manager.get(pk=instance.pk))
        super().save_formset(request, form, formset, change)
        for obj in formset.new_objects:
            audit_record(action=AuditAction.ADMIN_CREATED, actor=request.user, obj=obj, after=field_values(obj))
        for obj, _changed in formset.changed_objects:
            before, after = changes(stored.get(obj.pk, {}), field_values(obj))
            audit_record(action=AuditAction.ADMIN_CHANGED, actor=request.user, obj=obj, before=before, after=after)
        for obj in formset.deleted_objects:
            audit_record(action=AuditAction.ADMIN_DELETED, actor=request.user, obj=obj, before=field_values(obj))

    def delete_model(self, request, obj):
        application, person = _application_and_person(obj)
        audit_record(action=AuditAction.ADMIN_DELETED, actor=request.user, obj=obj, application=application,
                     person=person, before=field_values(obj))
        super().delete_model(request, obj)

    def delete_queryset(self, request, queryset):
        for obj in queryset:
            application, person = _application_and_person(obj)
            audit_record(action=AuditAction.ADMIN_DELETED, actor=request.user, obj=obj, application=application,
                         person=person, before=field_values(obj))
        super().delete_queryset(request, queryset)


class TextFilter(admin.SimpleListFilter):
    """A filter with a text box instead of a list of choices (applications and people are too
    many to list)."""

    template = "admin/audit/text_filter.html"

    def lookups(self, request, model_admin):
        return [("", "")]  # one (hidden) choice, so that the admin shows the filter

    def choices(self, changelist):
        yield {"selected": self.value() is None,
               "query_string": changelist.get_query_string(remove=[self.parameter_name]),
               "display": _("全部"), "parameter": self.parameter_name, "value": self.value() or "",
               "others": [(k, v) for k, values in changelist.get_filters_params().items()
                          if k != self.parameter_name for v in values]}


class ApplicationFilter(TextFilter):
    title = _("申报编号")
    parameter_name = "application_code"

    def queryset(self, request, queryset):
        value = (self.value() or "").strip()
        return queryset.filter(application__code__iexact=value) if value else queryset


class PersonFilter(TextFilter):
    """The person as actor or as the one the change concerns: login, ID number or name."""

    title = _("人员（操作人或申报人）")
    parameter_name = "person"

    def queryset(self, request, queryset):
        value = (self.value() or "").strip()
        if not value:
            return queryset
        match = Q()
        for who in ("actor", "person"):
            match |= (Q(**{f"{who}__username__iexact": value}) | Q(**{f"{who}__id_number__iexact": value})
                      | Q(**{f"{who}__real_name": value}))
        return queryset.filter(match)


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    list_display = ("created_at", "action", "actor_label", "object_repr", "application_link", "person")
    list_filter = (ApplicationFilter, PersonFilter, "action", "actor_role")
    list_select_related = ("actor", "person", "application")
    search_fields = ("object_repr", "application__code", "actor__username", "actor__real_name",
                     "person__real_name", "person__id_number")
    date_hierarchy = "created_at"

    class Media:
        css = {"all": ["css/audit_admin.css"]}  # no inline styles under the CSP

    readonly_fields = ("created_at", "actor", "actor_role", "action", "object_type", "object_id", "object_repr",
                       "application", "person", "before", "after")

    @admin.display(description=_("操作人"), ordering="actor")
    def actor_label(self, event: AuditEvent) -> str:
        return f"{event.actor.real_name or event.actor.username}" if event.actor else _("系统")

    @admin.display(description=_("申报"), ordering="application")
    def application_link(self, event: AuditEvent):
        if event.application is None:
            return "—"
        return format_html('<a href="?application_code={}">{}</a>', event.application.code, event.application.code)

    # Append-only: administrators read the log, nobody edits it.
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
