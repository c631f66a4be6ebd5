"""Reference data (SPEC §2): series, specialties, levels, title names, counties, units, committees.

Loaded by ``python manage.py load_reference`` from ``fixtures/reference.json``; extensible in the
admin (a 副高级 level is one row).
"""

from django.db import models
from django.utils.translation import gettext_lazy as _

from ..enums import UnitNature


class Series(models.Model):
    """系列, e.g. 工程系列.  A series without specialties has one specialty named after it."""

    name = models.CharField(_("名称"), max_length=50, unique=True)
    order = models.PositiveSmallIntegerField(_("排序"), default=0)

    class Meta:
        verbose_name = _("系列")
        verbose_name_plural = _("系列")
        ordering = ["order", "id"]

    def __str__(self) -> str:
        return self.name

    @property
    def short_name(self) -> str:
        """The name without 系列 (党干校教师系列 → 党干校教师)."""
        return self.name.removesuffix("系列")


class Specialty(models.Model):
    """专业 within a series.  ``name`` is written as the notice writes it (建筑, 化工（含制药）)."""

    series = models.ForeignKey(Series, on_delete=models.PROTECT, related_name="specialties", verbose_name=_("系列"))
    name = models.CharField(_("名称"), max_length=50)
    order = models.PositiveSmallIntegerField(_("排序"), default=0)
    # 国家以考代评: not determined by 初定 (002 二), no South-Xinjiang early year (000 五（一）12).
    # No seed notice names one; the administrator marks them.
    exam_only = models.BooleanField(_("国家以考代评专业"), default=False,
                                    help_text=_("以考代评的专业不能初次确定，南疆普通高校毕业生也不能提前申报"))

    class Meta:
        verbose_name = _("专业")
        verbose_name_plural = _("专业")
        ordering = ["series__order", "order", "id"]
        constraints = [models.UniqueConstraint(fields=["series", "name"], name="uniq_specialty_per_series")]

    def __str__(self) -> str:
        if self.name == self.series.short_name:
            return self.series.name
        return f"{self.series.name}·{self.name}"


class Level(models.Model):
    """级别: 初级, 中级 now; 副高级, 正高级 later.  ``rank`` orders promotions."""

    code = models.SlugField(_("代码"), max_length=20, unique=True)
    name = models.CharField(_("名称"), max_length=20, unique=True)
    rank = models.PositiveSmallIntegerField(_("级次"), unique=True)

    class Meta:
        verbose_name = _("级别")
        verbose_name_plural = _("级别")
        ordering = ["rank"]

    def __str__(self) -> str:
        return self.name


class TitleName(models.Model):
    """The title a series (or one specialty of it) confers at a level: 工程 × 中级 = 工程师."""

    series = models.ForeignKey(Series, on_delete=models.CASCADE, related_name="titles", verbose_name=_("系列"))
    specialty = models.ForeignKey(
        Specialty, on_delete=models.CASCADE, null=True, blank=True, related_name="titles",
        verbose_name=_("专业（仅当与系列通用名称不同）"),
    )
    level = models.ForeignKey(Level, on_delete=models.PROTECT, related_name="titles", verbose_name=_("级别"))
    name = models.CharField(_("职务名称"), max_length=50)

    class Meta:
        verbose_name = _("职务名称")
        verbose_name_plural = _("职务名称")
        ordering = ["series__order", "level__rank"]
        constraints = [
            models.UniqueConstraint(fields=["series", "specialty", "level"], name="uniq_title_per_level"),
        ]

    def __str__(self) -> str:
        return self.name


class County(models.Model):
    """县（市） of 巴州, plus 库尔勒经济技术开发区."""

    name = models.CharField(_("名称"), max_length=30, unique=True)
    order = models.PositiveSmallIntegerField(_("排序"), default=0)

    class Meta:
        verbose_name = _("县（市）")
        verbose_name_plural = _("县（市）")
        ordering = ["order", "id"]

    def __str__(self) -> str:
        return self.name


class Unit(models.Model):
    """An employer or recommending unit.  Enterprises belong to the county of their business
    licence.  ``competent_unit`` (主管单位), when set, takes the second review step instead of the
    county HR bureau.  A personnel agency (人事代理机构) recommends freelancers."""

    name = models.CharField(_("单位名称"), max_length=100, unique=True)
    nature = models.CharField(_("单位性质"), max_length=20, choices=UnitNature.choices)
    county = models.ForeignKey(County, on_delete=models.PROTECT, related_name="units", verbose_name=_("所在县（市）"))
    competent_unit = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="subordinate_units",
        verbose_name=_("主管单位"),
    )
    grassroots_below_county = models.BooleanField(_("县级以下基层单位"), default=False)
    is_personnel_agency = models.BooleanField(_("人事代理机构（为自由职业者推荐）"), default=False)

    class Meta:
        verbose_name = _("单位")
        verbose_name_plural = _("单位")
        ordering = ["county__order", "name"]

    def __str__(self) -> str:
        return self.name


class Committee(models.Model):
    """评审委员会 (or, for an initial-determination campaign, the HR bureau that decides)."""

    name = models.CharField(_("名称"), max_length=100, unique=True)
    short_name = models.CharField(_("简称"), max_length=40, blank=True)

    class Meta:
        verbose_name = _("评审委员会")
        verbose_name_plural = _("评审委员会")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.short_name or self.name
