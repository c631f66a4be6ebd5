from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MeetingConfig(AppConfig):
    """评审会: the expert pool, drawn panels, recusal, blind expert review, the secret ballot, the
    minutes and the meeting's hash chain (issue 19)."""

    name = "review.meeting"
    label = "meeting"
    verbose_name = _("评审会")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from review.documents.models import DocumentKind
        from review.documents.render import renderer_register

        from .minutes import minutes_document

        renderer_register(DocumentKind.MINUTES, minutes_document)
