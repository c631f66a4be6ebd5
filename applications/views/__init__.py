"""The applicant's pages.  Views are thin: look the application up among the user's own, call a
service, render.  The pages that call the one door (submit, withdraw) or stream scans live in
``review.views`` under the same addresses and names (``portal.urls`` joins them)."""

from .apply import (
    application_checklist,
    application_new,
    application_overview,
    application_preview,
    section_autosave,
    section_edit,
)
from .files import attachment_delete, attachment_upload, masking_edit, masking_index, masking_page, masking_status
from .profile import profile, profile_section

__all__ = [
    "application_checklist", "application_new", "application_overview", "application_preview",
    "attachment_delete", "attachment_upload", "masking_edit", "masking_index", "masking_page", "masking_status",
    "profile",
    "profile_section", "section_autosave", "section_edit",
]
