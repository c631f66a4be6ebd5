"""Admin for the meeting: the committee's numbers and the expert pool are edited here (audited,
``AuditedAdmin``); meetings and their chain are read-only (they change only through the services,
which keep the hash chain).  Ballots have no admin page at all: nobody browses choices."""

from django.contrib import admin

from portal.audit.admin import AuditedAdmin

from .models import CommitteeRules, Expert, Meeting, MeetingRecord


@admin.register(CommitteeRules)
class CommitteeRulesAdmin(AuditedAdmin):
    list_display = ("committee", "quorum_numerator", "quorum_denominator", "pass_numerator", "pass_denominator",
                    "max_term_years")


@admin.register(Expert)
class ExpertAdmin(AuditedAdmin):
    list_display = ("name", "unit_name", "committee", "title", "term_start", "term_end", "status")
    list_filter = ("committee", "status")
    search_fields = ("name", "unit_name")
    raw_id_fields = ("user", "unit")


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Meeting)
class MeetingAdmin(ReadOnlyAdmin):
    list_display = ("title", "campaign", "date", "status", "chair")
    list_filter = ("status",)


@admin.register(MeetingRecord)
class MeetingRecordAdmin(ReadOnlyAdmin):
    list_display = ("meeting", "seq", "kind", "ref", "hash")
    list_filter = ("kind",)
