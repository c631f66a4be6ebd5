"""Pages of the review chain: queues (``queue``), the application as a reviewer reads it
(``application``), scans streamed after a scope check (``files``), the applicant's submit and
withdraw (``applicant``), and notifications.

Views are thin: they parse, ask ``review.selectors`` what the user may see (404 for everything
else, existing or not), call the one door; refusals are ``portal.errors.Refused``.
"""

from .applicant import application_submit, application_withdraw
from .application import act, application_detail, history
from .files import attachment, attachment_file
from .notifications import notifications
from .queue import batch_approve, queue

__all__ = ["act", "application_detail", "application_submit", "application_withdraw", "attachment",
           "attachment_file", "batch_approve", "history", "notifications", "queue"]
