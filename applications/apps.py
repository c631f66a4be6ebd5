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
