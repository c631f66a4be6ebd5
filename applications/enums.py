"""Closed vocabularies of the domain.  Values are stable identifiers stored in the database and
in fixtures; labels are what users see.  Open lists (series, specialties, levels, counties, units)
are models instead, so the administrator can extend them."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Kind(models.TextChoices):
    """申报类型."""

    REVIEW = "review", _("评审")
    INITIAL = "initial", _("初次确定")
    AWARD = "award", _("授予")


class UnitNature(models.TextChoices):
    """单位性质."""

    ORGAN = "organ", _("机关")
    INSTITUTION = "institution", _("事业单位")
    STATE_ENTERPRISE = "state_enterprise", _("国有企业")
    PRIVATE_ENTERPRISE = "private_enterprise", _("民营企业")
    FREELANCE = "freelance", _("自由职业")

    @classmethod
    def enterprises(cls) -> set[str]:
        return {cls.STATE_ENTERPRISE, cls.PRIVATE_ENTERPRISE}


class Education(models.TextChoices):
    """学历, in ascending order (the form requires entries 从低到高).  高中 is listed so a resume can
    start there (003 附件7 "简历从高中填起"); no rule counts it as a diploma."""

    HIGH_SCHOOL = "high_school", _("高中")
    SECONDARY = "secondary", _("中专")
    JUNIOR_COLLEGE = "junior_college", _("大专")
    BACHELOR = "bachelor", _("本科")
    MASTER = "master", _("硕士")
    DOCTOR = "doctor", _("博士")

    @classmethod
    def rank(cls, value: str) -> int:
        return list(cls.values).index(value)


class EvaluationResult(models.TextChoices):
    """年度考核结果."""

    EXCELLENT = "excellent", _("优秀")
    QUALIFIED = "qualified", _("合格（称职）")
    BASIC = "basic", _("基本合格")
    UNQUALIFIED = "unqualified", _("不合格")


class CECategory(models.TextChoices):
    """继续教育科目."""

    PUBLIC = "public", _("公需科目")
    PROFESSIONAL = "professional", _("专业科目")


class SpecialService(models.TextChoices):
    """Service that exempts from the defense (and may replace CE by the exemption form)."""

    FANGHUIJU = "fanghuiju", _("“访惠聚”驻村")
    TEMPLE = "temple", _("驻村管寺（寺管会）")
    PRESCHOOL = "preschool", _("南疆学前教育支教")
    INLAND = "inland", _("内地服务管理")
    FIRST_SECRETARY = "first_secretary", _("深度贫困村第一书记")


class Gender(models.TextChoices):
    MALE = "male", _("男")
    FEMALE = "female", _("女")


class PoliticalStatus(models.TextChoices):
    CPC = "cpc", _("中共党员")
    CPC_PROBATIONARY = "cpc_probationary", _("中共预备党员")
    CYL = "cyl", _("共青团员")
    DEMOCRATIC = "democratic", _("民主党派")
    NONE = "masses", _("群众")


class Section(models.TextChoices):
    """Sections of the application (SPEC §4), in the order the forms and the review form show them.

    Each section's data lives in ``ApplicationSection.data`` as JSON; the shape of each is
    documented in ``applications/sections.py``.
    """

    BASIC = "basic", _("基本信息")
    SOCIAL_INSURANCE = "social_insurance", _("社保缴费证明")
    EDUCATION = "education", _("学历学位")
    QUALIFICATION = "qualification", _("专业技术资格")
    WORK_HISTORY = "work_history", _("工作经历")
    ACHIEVEMENTS = "achievements", _("实践能力、业绩成果")
    AWARDS = "awards", _("获奖情况")
    IP = "ip", _("知识产权")
    PAPERS = "papers", _("论文著作")
    EVALUATIONS = "evaluations", _("年度考核")
    SUMMARY = "summary", _("个人工作总结")
    PROBATION = "probation", _("见习期工作情况")
    CE = "ce", _("继续教育")
    OTHER = "other", _("其他附件")
    COMMITMENT = "commitment", _("个人承诺书")


class Requirement(models.TextChoices):
    REQUIRED = "required", _("必须提供")
    OPTIONAL = "optional", _("如有则提供")


class MaterialCondition(models.TextChoices):
    """Conditions under which a checklist item applies to an applicant.  An item lists zero or more;
    it applies when all of them hold.  ``applications.materials`` evaluates them."""

    ENTERPRISE = "enterprise", _("企业专业技术人员")
    PRIVATE_ENTERPRISE = "private_enterprise", _("民营企业专业技术人员")
    NOT_PRIVATE_ENTERPRISE = "not_private_enterprise", _("非民营企业")
    FREELANCE = "freelance", _("自由职业者")
    AID_XINJIANG = "aid_xinjiang", _("援疆人员")
    TRANSFERRED_FROM_ORGAN = "transferred_from_organ", _("由机关调动到企事业单位")
    TITLE_ELSEWHERE = "title_elsewhere", _("现任职称在区外取得")
    HAS_TITLE = "has_title", _("已有专业技术资格")
    INITIAL = "initial", _("初次确定")
    NOT_INITIAL = "not_initial", _("评审或授予")
    JUNIOR = "junior", _("申报初级")
    INTERMEDIATE = "intermediate", _("申报中级")
    CE_EXEMPT = "ce_exempt", _("免除继续教育")
    NOT_CE_EXEMPT = "not_ce_exempt", _("不免除继续教育")
    SPECIAL_SERVICE = "special_service", _("参加“访惠聚”驻村等工作")
    GRASSROOTS = "grassroots", _("在县级以下基层单位工作")
    HAS_PAPERS = "has_papers", _("填写了论文著作")
    NOT_FREELANCE = "not_freelance", _("非自由职业者")
    SERVICE = "service", _("参加“访惠聚”驻村等工作或在县级以下基层单位工作")


class ChainStep(models.TextChoices):
    """The levels an application climbs (SPEC §5).  A campaign lists the ones it uses, in order."""

    UNIT = "unit", _("推荐单位")
    COUNTY = "county", _("县（市）人社局／主管单位")
    COMMITTEE = "committee", _("评审委员会")
