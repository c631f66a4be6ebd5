from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DocumentsConfig(AppConfig):
    """Documents rendered by the worker: review form, rosters, fee lists, pre-filled templates, and
    the kinds the apps above register (certificates, the results publicity list)."""

    name = "review.documents"
    label = "documents"
    verbose_name = _("生成文件")

    def ready(self) -> None:
        # Imported here, not at module level (both): an AppConfig module is imported before the
        # models are ready.  Once the committee accepts, the door's after-commit effects render
        # the form.
        from review.effects import transition_effect_register

        from .services import review_form_after_transition

        transition_effect_register(review_form_after_transition)
