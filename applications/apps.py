from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ApplicationsConfig(AppConfig):
    name = "applications"
    verbose_name = _("职称申报")

    def ready(self) -> None:
        from portal.accounts.services import reset_scope_register  # registries are filled once apps load

        from .models import Application

        def unit_applicants(unit_id: int):
            return Application.objects.filter(unit_id=unit_id).values("applicant_id")

        reset_scope_register(unit_applicants)  # a unit officer resets the passwords of their applicants

        # The campaigns' settings are kept in the cache until one of these rows changes (portal.tallies).
        from django.db.models.signals import m2m_changed, post_delete, post_save

        from portal.tallies import settings_changed

        from .models import Campaign, CampaignFee, Committee, County, Level, PaperItem, Series, Specialty

        for model in (Campaign, CampaignFee, PaperItem, Committee, County, Level, Series, Specialty):
            post_save.connect(settings_changed, sender=model, dispatch_uid=f"settings-changed-save-{model.__name__}")
            post_delete.connect(settings_changed, sender=model,
                                dispatch_uid=f"settings-changed-delete-{model.__name__}")
        for through in (Campaign.specialties.through, Campaign.exempt_counties.through):
            m2m_changed.connect(settings_changed, sender=through, dispatch_uid=f"settings-changed-{through.__name__}")
