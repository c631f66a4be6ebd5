from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AftercareConfig(AppConfig):
    """After acceptance: paper files, fees, defense, results, certificates, integrity records."""

    name = "review.aftercare"
    label = "aftercare"
    verbose_name = _("受理后管理")

    def ready(self) -> None:
        # Imported here, not at module level (all of them): an AppConfig module is imported before
        # the models are ready.  What the apps below need from this one, they receive through these
        # hooks.
        from applications.bans import ban_source_register
        from review.documents.exports import paid_source_register
        from review.documents.models import DocumentKind
        from review.documents.render import renderer_register

        from . import actions
        from .bans import integrity_bans
        from .conditions import paid_ids
        from .render import certificate_document, publicity_list_document, publicity_list_xlsx_document

        actions.register()  # the one door's after-acceptance actions
        ban_source_register(integrity_bans)  # the rules' bans come from the integrity records
        paid_source_register(paid_ids)  # the fee lists' "paid" column comes from the payments
        renderer_register(DocumentKind.CERTIFICATE, certificate_document)
        renderer_register(DocumentKind.PUBLICITY_LIST, publicity_list_document)
        renderer_register(DocumentKind.PUBLICITY_LIST_XLSX, publicity_list_xlsx_document)
