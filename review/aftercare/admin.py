"""Admin for the after-acceptance records.  Administrators correct records here (a payment
entered against the wrong application, a ban lifted on appeal); state changes still go through
the one door, so the admin never edits an application's state.  Every edit is recorded in the
audit log (``AuditedAdmin``)."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from portal.audit.admin import AuditedAdmin

from .models import (
    Certificate,
    Decision,
    DefenseRecord,
    DefenseSession,
    FeeBatch,
    FeePayment,
    IntegrityRecord,
    PaperReceipt,
    ResultPublicity,
)


@admin.register(PaperReceipt)
class PaperReceiptAdmin(AuditedAdmin):
    list_display = ("application", "item_name", "received_on", "override_reason", "recorded_by", "recorded_at")
    search_fields = ("application__code", "item_name")
    raw_id_fields = ("application", "recorded_by")


class FeePaymentInline(admin.TabularInline):
    model = FeePayment
    extra = 0
    raw_id_fields = ("application", "recorded_by")


@admin.register(FeeBatch)
class FeeBatchAdmin(AuditedAdmin):
    list_display = ("unit", "campaign", "amount", "paid_on", "receipt_number", "recorded_by")
    list_filter = ("campaign",)
    search_fields = ("receipt_number", "unit__name")
    raw_id_fields = ("unit", "recorded_by")
    inlines = [FeePaymentInline]


@admin.register(FeePayment)
class FeePaymentAdmin(AuditedAdmin):
    list_display = ("application", "amount", "paid_on", "receipt_number", "batch", "override_reason", "recorded_by")
    search_fields = ("application__code", "receipt_number")
    raw_id_fields = ("application", "batch", "recorded_by")


@admin.register(DefenseSession)
class DefenseSessionAdmin(AuditedAdmin):
    list_display = ("campaign", "specialty", "date", "time_slot", "place")
    list_filter = ("campaign",)


@admin.register(DefenseRecord)
class DefenseRecordAdmin(AuditedAdmin):
    list_display = ("application", "exempt", "session", "score", "passed", "absent")
    list_filter = ("exempt", "absent")
    raw_id_fields = ("application", "session", "scored_by")


@admin.register(Decision)
class DecisionAdmin(AuditedAdmin):
    list_display = ("application", "result", "meeting_date", "defense_score", "recorded_by")
    list_filter = ("result",)
    raw_id_fields = ("application", "recorded_by")


@admin.register(ResultPublicity)
class ResultPublicityAdmin(AuditedAdmin):
    list_display = ("campaign", "start", "end", "working_days")
    readonly_fields = ("working_days",)


@admin.register(Certificate)
class CertificateAdmin(AuditedAdmin):
    list_display = ("number", "holder_name", "title", "committee", "issued_on", "file_status", "revoked_at")
    list_filter = ("campaign", "document__status")
    search_fields = ("number", "holder_name", "id_number")
    raw_id_fields = ("application", "issued_by")
    readonly_fields = ("token", "document")
    list_select_related = ("document",)

    @admin.display(description=_("生成状态"))
    def file_status(self, certificate: Certificate) -> str:
        return certificate.get_status_display()


@admin.register(IntegrityRecord)
class IntegrityRecordAdmin(AuditedAdmin):
    list_display = ("name", "id_number", "campaign", "person_banned_until", "unit", "unit_banned_until", "recorded_at")
    list_filter = ("campaign",)
    search_fields = ("name", "id_number", "unit__name")
    raw_id_fields = ("person", "unit", "application", "recorded_by")
