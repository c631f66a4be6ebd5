"""What a section form needs to know beyond the typed values: who is filling it in and, inside an
application, for which campaign, level and kind (the profile has no campaign)."""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.functional import cached_property

from ..models import County


@dataclass(frozen=True)
class SectionContext:
    user: object
    application: object | None = None

    @property
    def campaign(self):
        return self.application.campaign if self.application is not None else None

    @property
    def kind(self) -> str | None:
        return self.application.kind if self.application is not None else None

    @property
    def level_code(self) -> str | None:
        return self.application.level.code if self.application is not None else None

    @cached_property
    def county_names(self) -> list[str]:
        return list(County.objects.order_by("order", "id").values_list("name", flat=True))
