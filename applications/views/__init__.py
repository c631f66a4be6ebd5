"""The applicant's pages.  Views are thin: look the application up through the scope rule, call a
service or the one door, render."""

from .apply import (
    application_checklist,
    application_new,
    application_overview,
    application_preview,
    application_submit,
    application_withdraw,
    section_autosave,
    section_edit,
)
from .files import attachment_delete, attachment_file, attachment_upload, masking_edit, masking_index, masking_status
from .profile import profile, profile_section

__all__ = [
    "application_checklist", "application_new", "application_overview", "application_preview",
    "application_submit", "application_withdraw", "attachment_delete", "attachment_file", "attachment_upload",
    "masking_edit", "masking_index", "masking_status", "profile", "profile_section", "section_autosave",
    "section_edit",
]
