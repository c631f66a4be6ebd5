"""Which applications an export covers, and who may download it.

An export is made *for a scope* (a unit, a competent unit, a county HR bureau, a committee, or the
whole campaign for administrators and command-line scripts), not for a person: two officers of the
same unit see the same exports.  The applications of a scope are always computed by
``review.selectors.applications_visible_to`` — the one scope rule — applied to a stand-in officer
holding exactly that scope, so exports can never drift from what the officer sees on screen.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import QuerySet
from django.utils.translation import gettext as _

from applications.models import Application, Unit
from portal.accounts.models import Role, User
from review.selectors import applications_visible_to

from .models import ScopeKind


@dataclass(frozen=True)
class ExportScope:
    kind: str
    id: int | None
    label: str

    @property
    def key(self) -> str:
        return f"{self.kind}:{self.id or 0}"

    def stand_in(self) -> User:
        """An unsaved officer holding exactly this scope (never saved, never logged in)."""
        if self.kind == ScopeKind.UNIT:
            return User(role=Role.UNIT_OFFICER, unit_id=self.id)
        if self.kind == ScopeKind.COMPETENT_UNIT:
            return User(role=Role.COUNTY_OFFICER, competent_unit_id=self.id)
        if self.kind == ScopeKind.COUNTY:
            return User(role=Role.COUNTY_OFFICER, county_id=self.id)
        if self.kind == ScopeKind.COMMITTEE:
            return User(role=Role.COMMITTEE_CLERK, committee_id=self.id)
        return User(role=Role.ADMIN)

    def applications(self) -> QuerySet[Application]:
        return applications_visible_to(self.stand_in())

    @property
    def seal_label(self) -> str:
        """The line above a roster: whose seal it carries (003 附件8: 主管单位（盖章）)."""
        return {
            ScopeKind.UNIT: _("推荐单位（盖章）"),
            ScopeKind.COMPETENT_UNIT: _("主管单位（盖章）"),
            ScopeKind.COUNTY: _("县（市）人社局（盖章）"),
            ScopeKind.COMMITTEE: _("评审委员会办公室（盖章）"),
        }.get(self.kind, _("报送单位（盖章）"))


def export_scope_of(user) -> ExportScope | None:
    """The scope a user exports for, or ``None`` (applicants, users without a scope)."""
    if not user.is_authenticated:
        return None
    if user.is_superuser or user.role == Role.ADMIN:
        return ExportScope(ScopeKind.CAMPAIGN, None, _("全部申报"))
    if user.role == Role.UNIT_OFFICER and user.unit_id:
        return ExportScope(ScopeKind.UNIT, user.unit_id, user.unit.name)
    if user.role == Role.COUNTY_OFFICER:
        if user.competent_unit_id:
            return ExportScope(ScopeKind.COMPETENT_UNIT, user.competent_unit_id, user.competent_unit.name)
        if user.county_id:
            return ExportScope(ScopeKind.COUNTY, user.county_id, _("%s人力资源和社会保障局") % user.county.name)
    if user.role == Role.COMMITTEE_CLERK and user.committee_id:
        return ExportScope(ScopeKind.COMMITTEE, user.committee_id, user.committee.name)
    return None


def scope_for_command(campaign, unit_id: int | None) -> ExportScope:
    """The command line's scope: ``--unit ID`` is that unit's officer's scope; without it, the
    campaign's committee (whose clerk's export covers the whole campaign) — so the file is the
    same as the one the corresponding officer downloads."""
    if unit_id is None:
        return ExportScope(ScopeKind.COMMITTEE, campaign.committee_id, campaign.committee.name)
    unit = Unit.objects.get(pk=unit_id)
    return ExportScope(ScopeKind.UNIT, unit.pk, unit.name)


def scope_from_document(document) -> ExportScope:
    return ExportScope(document.scope_kind, document.scope_id, document.scope_label)

