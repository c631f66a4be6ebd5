"""Users and their roles.  A user has one role and, for officers, the scope it acts in:
unit HR officers their unit, county/competent-department officers their county or competent
unit, committee clerks their committee (SPEC §1).  Applicants log in with their ID number."""

from __future__ import annotations

from django.contrib.auth.models import AbstractUser, UserManager
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    APPLICANT = "applicant", _("申报人")
    UNIT_OFFICER = "unit_officer", _("推荐单位人事（职称）部门")
    COUNTY_OFFICER = "county_officer", _("县（市）人社局／主管单位")
    COMMITTEE_CLERK = "committee_clerk", _("评审委员会办公室")
    ADMIN = "admin", _("系统管理员")
    # A member of a committee's expert pool (review.meeting): staff, so the second factor applies.
    EXPERT = "expert", _("评审专家")


OFFICER_ROLES = (Role.UNIT_OFFICER, Role.COUNTY_OFFICER, Role.COMMITTEE_CLERK)


class User(AbstractUser):
    real_name = models.CharField(_("姓名"), max_length=50)
    id_number = models.CharField(_("身份证号码"), max_length=18, unique=True, null=True, blank=True)
    phone = models.CharField(_("手机号码"), max_length=20, blank=True)
    role = models.CharField(_("角色"), max_length=20, choices=Role.choices, default=Role.APPLICANT, db_index=True)
    unit = models.ForeignKey("applications.Unit", on_delete=models.PROTECT, null=True, blank=True,
                             related_name="officers", verbose_name=_("所属单位（推荐单位经办人）"))
    county = models.ForeignKey("applications.County", on_delete=models.PROTECT, null=True, blank=True,
                               related_name="officers", verbose_name=_("所属县（市）人社局"))
    competent_unit = models.ForeignKey("applications.Unit", on_delete=models.PROTECT, null=True, blank=True,
                                       related_name="competent_officers", verbose_name=_("所属主管单位"))
    committee = models.ForeignKey("applications.Committee", on_delete=models.PROTECT, null=True, blank=True,
                                  related_name="clerks", verbose_name=_("所属评审委员会"))

    objects = UserManager()

    class Meta:
        verbose_name = _("用户")
        verbose_name_plural = _("用户")

    def __str__(self) -> str:
        return self.real_name or self.username

    @property
    def is_applicant(self) -> bool:
        return self.role == Role.APPLICANT

    @property
    def is_officer(self) -> bool:
        return self.role in OFFICER_ROLES

    @property
    def scope_label(self) -> str:
        """Where the user acts, for the header: 'xx单位', 'xx县人社局', 'xx评委会'."""
        if self.role == Role.UNIT_OFFICER and self.unit:
            return self.unit.name
        if self.role == Role.COUNTY_OFFICER:
            if self.competent_unit:
                return self.competent_unit.name
            if self.county:
                return f"{self.county.name}人力资源和社会保障局"
        if self.role in (Role.COMMITTEE_CLERK, Role.EXPERT) and self.committee:
            return str(self.committee)
        return ""

    def clean(self) -> None:
        needs = {
            Role.UNIT_OFFICER: ("unit", _("推荐单位经办人必须指定所属单位。")),
            Role.COMMITTEE_CLERK: ("committee", _("评委会办公室用户必须指定评审委员会。")),
        }
        if self.role in needs:
            field, message = needs[self.role]
            if getattr(self, f"{field}_id") is None:
                raise ValidationError({field: message})
        if self.role == Role.COUNTY_OFFICER and not (self.county_id or self.competent_unit_id):
            raise ValidationError(_("县（市）/主管单位经办人必须指定所属县（市）或主管单位。"))
