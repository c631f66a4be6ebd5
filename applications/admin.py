"""Admin of the applicant's data and the campaigns.  Every edit is recorded in the audit log
(``AuditedAdmin``); the history of an application is read-only (the one door writes it)."""

from django.contrib import admin
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from portal.audit.admin import AuditedAdmin

from .clause_register import STATUSES, load_register, register_path
from .models import (
    AccessEvent,
    Application,
    ApplicationSection,
    Attachment,
    Campaign,
    CampaignContact,
    CampaignFee,
    Committee,
    ContinuingEducationRule,
    County,
    Level,
    MaterialRequirement,
    PaperItem,
    ReturnNote,
    Series,
    Specialty,
    StateChange,
    TitleName,
    Unit,
)


class SpecialtyInline(admin.TabularInline):
    model = Specialty
    extra = 0


class TitleNameInline(admin.TabularInline):
    model = TitleName
    extra = 0


@admin.register(Series)
class SeriesAdmin(AuditedAdmin):
    list_display = ("name", "order")
    inlines = [SpecialtyInline, TitleNameInline]


@admin.register(Specialty)
class SpecialtyAdmin(AuditedAdmin):
    list_display = ("name", "series", "exam_only")
    list_filter = ("series", "exam_only")
    search_fields = ("name", "series__name")


@admin.register(Level)
class LevelAdmin(AuditedAdmin):
    list_display = ("name", "code", "rank")


@admin.register(County)
class CountyAdmin(AuditedAdmin):
    list_display = ("name", "order")


@admin.register(Unit)
class UnitAdmin(AuditedAdmin):
    list_display = ("name", "nature", "county", "competent_unit", "grassroots_below_county", "is_personnel_agency")
    list_filter = ("nature", "county", "grassroots_below_county")
    search_fields = ("name",)
    list_select_related = ("county", "competent_unit")
    autocomplete_fields = ("competent_unit",)


@admin.register(Committee)
class CommitteeAdmin(AuditedAdmin):
    list_display = ("name", "short_name")
    search_fields = ("name",)


class FeeInline(admin.TabularInline):
    model = CampaignFee
    extra = 0


class CERuleInline(admin.TabularInline):
    model = ContinuingEducationRule
    extra = 0


class MaterialInline(admin.TabularInline):
    model = MaterialRequirement
    extra = 0
    fields = ("order", "code", "name", "section", "requirement", "conditions", "min_count", "allow_pdf", "note")


class PaperItemInline(admin.TabularInline):
    model = PaperItem
    extra = 0


class ContactInline(admin.TabularInline):
    model = CampaignContact
    extra = 0


@admin.register(Campaign)
class CampaignAdmin(AuditedAdmin):
    list_display = ("code", "year", "title", "committee", "online_start", "online_end")
    list_filter = ("year", "committee")
    search_fields = ("code", "title", "issuer")
    filter_horizontal = ("specialties", "exempt_counties")
    inlines = [FeeInline, CERuleInline, MaterialInline, PaperItemInline, ContactInline]
    fieldsets = (
        (_("通知"), {"fields": ("code", "title", "issuer", "committee", "committee_note", "year", "published_on", "source",
                               "series", "specialties", "levels", "kinds")}),
        (_("时间安排"), {"fields": (("online_start", "online_end"), ("initial_start", "initial_end"),
                                  ("material_review_start", "material_review_end"), ("paper_start", "paper_end"),
                                  ("fee_start", "fee_end"), ("defense_start", "defense_end"), "defense_place")}),
        (_("审核流程"), {"fields": ("chain", "return_hours", "max_submissions", "publicity_working_days",
                                  "unit_opinion_text", "commitment_text", "summary_max_chars",
                                  "unit_recommendation_required", "competent_recommendation_required",
                                  "copy_certification", "paper_by_unit_only")}),
        (_("资格条件"), {"fields": ("years_in_grade", "grade_count_to", "initial_work_years", "evaluation_years",
                                  "evaluation_basic_delay", "evaluation_unqualified_delay",
                                  "private_enterprise_no_evaluation", "south_xinjiang_early_years",
                                  "title_docs_in_xinjiang", "title_docs_elsewhere", "junior_review_work_years",
                                  "unit_natures_by_kind")}),
        (_("答辩"), {"fields": ("defense_scored", "exempt_junior", "exempt_special_service", "exempt_counties",
                              "exempt_grassroots", "exempt_private_and_freelance")}),
        (_("诚信与收费"), {"fields": ("person_ban_years", "unit_ban_years", "fee_clause")}),
        (_("通知原文依据"), {"fields": ("clauses",)}),
        (_("联系"), {"fields": ("office_address",)}),
        (_("通知条款登记"), {"fields": ("clause_register",), "classes": ("wide",)}),
    )
    readonly_fields = ("clause_register",)

    class Media:
        css = {"all": ["css/clause_register.css"]}  # no inline styles under the CSP

    @admin.display(description=_("逐条对照"))
    def clause_register(self, obj):
        """The clause register beside the campaign's fixture (``applications.clause_register``),
        read-only: it is kept as data in the repository, next to the notice it describes."""
        if obj is None or not obj.code:
            return "—"
        register = load_register(obj.code)
        counts = register.counts() if register else {}
        return render_to_string("admin/applications/campaign/clause_register.html", {
            "register": register, "file": f"fixtures/campaigns/{register_path(obj.code).name}",
            "counts": [(status, label, counts.get(status, 0)) for status, label in STATUSES.items()],
            "campaign_source": obj.source, "source_mismatch": bool(register and obj.source and register.source != obj.source),
        })


class SectionInline(admin.TabularInline):
    model = ApplicationSection
    extra = 0
    readonly_fields = ("key", "is_complete", "updated_at")
    fields = ("key", "is_complete", "updated_at")
    can_delete = False


@admin.register(Application)
class ApplicationAdmin(AuditedAdmin):
    list_display = ("code", "applicant", "campaign", "specialty", "level", "kind", "state", "submission_count")
    list_filter = ("campaign", "state", "level", "kind")
    search_fields = ("code", "applicant__real_name", "applicant__id_number")
    list_select_related = ("applicant", "campaign", "specialty__series", "level")
    readonly_fields = ("code", "state", "submission_count", "submitted_at", "returned_at", "return_deadline")
    raw_id_fields = ("applicant",)
    inlines = [SectionInline]
    # The list reads neither the snapshot (~6.5 KB of JSON a row) nor a second count of the whole
    # table for "全部" (issue 16: 88 ms of CPU a page at 10,000 applications), and of the related
    # rows only what their names print: not the campaign's clauses and texts (several KB of JSON
    # repeated on every row) nor the applicant's account.  25 rows a page: the admin's table
    # templates cost ~0.4 ms a row (half the page's CPU at 50 rows), and the administrator finds an
    # application by its code, name or ID number (search) or the filters, not by paging.
    list_per_page = 25
    show_full_result_count = False
    changelist_fields = ("id", "code", "applicant", "campaign", "specialty", "level", "kind", "state",
                         "submission_count", "applicant__real_name", "applicant__username", "campaign__year",
                         "campaign__title", "specialty__name", "specialty__series", "level__name")

    def get_queryset(self, request):
        qs = super().get_queryset(request)
        match = getattr(request, "resolver_match", None)
        if match is not None and match.url_name == "applications_application_changelist":
            qs = qs.only(*self.changelist_fields)
        return qs

    @admin.display(description=_("审计记录"))
    def audit_link(self, application: Application):
        url = reverse("admin:audit_auditevent_changelist") + f"?application_code={application.code}"
        return format_html('<a href="{}">{}</a>', url, _("查看此申报的审计记录"))

    def get_readonly_fields(self, request, obj=None):
        return (*super().get_readonly_fields(request, obj), "audit_link")


@admin.register(Attachment)
class AttachmentAdmin(AuditedAdmin):
    list_display = ("application", "section", "slot", "content_type", "size", "needs_masking", "created_at")
    list_filter = ("section", "needs_masking")
    raw_id_fields = ("application",)


@admin.register(StateChange)
class StateChangeAdmin(admin.ModelAdmin):
    list_display = ("application", "action", "from_state", "to_state", "actor", "actor_role", "created_at")
    list_filter = ("to_state", "actor_role")
    raw_id_fields = ("application", "actor")

    # Append-only history: visible to administrators, never edited.
    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def has_add_permission(self, request):
        return False


@admin.register(ReturnNote)
class ReturnNoteAdmin(admin.ModelAdmin):
    list_display = ("application", "section", "attachment", "text")
    raw_id_fields = ("change", "application", "attachment")


@admin.register(AccessEvent)
class AccessEventAdmin(admin.ModelAdmin):
    """查阅记录: who opened which application's page, scan, document or export; filtered by role,
    kind and day, searched by application code or the viewer's login or name.  Read only."""

    list_display = ("created_at", "application", "actor", "role", "scope_label", "what", "detail")
    list_filter = ("role", "what", ("created_at", admin.DateFieldListFilter))
    search_fields = ("application__code", "actor__username", "actor__real_name", "scope_label")
    raw_id_fields = ("application", "actor")
    list_select_related = ("application", "actor")
    date_hierarchy = "created_at"

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def has_add_permission(self, request):
        return False
