"""The registry of audit actions: one stable code per kind of change, with the label
administrators read.  Codes are stored in every ``AuditEvent``: never rename or reuse one; add
new ones at the end of their group.  (The after-acceptance and documents codes live here too,
although those apps sit above this one: the codes are plain strings, and one list keeps them
unique and greppable.)
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class AuditAction(models.TextChoices):
    # Accounts.
    ACCOUNT_REGISTERED = "account.registered", _("注册账号")
    PASSWORD_RESET_LINK_ISSUED = "account.password_reset_link_issued", _("生成一次性重设密码链接")
    PASSWORD_RESET_DONE = "account.password_reset_done", _("通过链接重设密码")
    LOGIN_LOCK_RELEASED = "account.login_lock_released", _("解除登录锁定")
    SECOND_FACTOR_RESET = "account.second_factor_reset", _("重置两步验证")
    SECOND_FACTOR_ENROLLED = "account.second_factor_enrolled", _("启用两步验证")
    # The applicant's data (applications.services).
    APPLICATION_CREATED = "application.created", _("新建申报")
    SECTION_SAVED = "application.section_saved", _("保存栏目")
    SECTION_DRAFT_SAVED = "application.section_draft_saved", _("自动保存草稿")
    SECTION_ROW_DELETED = "application.section_row_deleted", _("删除栏目中的一行")
    PROFILE_SECTION_SAVED = "profile.section_saved", _("保存个人档案栏目")
    ATTACHMENT_UPLOADED = "attachment.uploaded", _("上传附件")
    ATTACHMENT_DELETED = "attachment.deleted", _("删除附件")
    MASKING_ANSWERED = "attachment.masking_answered", _("信息遮盖")
    # State changes through the one door (review.services.application_transition).
    TRANSITION_SUBMIT = "transition.submit", _("提交")
    TRANSITION_RESUBMIT = "transition.resubmit", _("修改后重新提交")
    TRANSITION_WITHDRAW = "transition.withdraw", _("撤回")
    TRANSITION_APPROVE = "transition.approve", _("审核通过")
    TRANSITION_RETURN = "transition.return", _("退回")
    TRANSITION_ABANDON = "transition.abandon", _("视为放弃申报")
    TRANSITION_RECEIVE_PAPER = "transition.receive_paper", _("纸质材料已接收")
    TRANSITION_CONFIRM_FEE = "transition.confirm_fee", _("确认缴费")
    TRANSITION_EXEMPT_DEFENSE = "transition.exempt_defense", _("免于答辩")
    TRANSITION_SCHEDULE_DEFENSE = "transition.schedule_defense", _("安排答辩")
    TRANSITION_DECIDE = "transition.decide", _("记录评审结果")
    TRANSITION_CERTIFY = "transition.certify", _("发放电子证书")
    TRANSITION_CLOSE_FOR_FRAUD = "transition.close_for_fraud", _("弄虚作假，终止申报")
    # The review chain's own records (review).
    PUBLICITY_SCANS_ATTACHED = "review.publicity_scans_attached", _("上传推荐单位公示扫描件")
    # After acceptance (review.aftercare).
    PAPER_RECEIVED = "paper.received", _("登记纸质材料")
    PAPER_RECEIPT_REMOVED = "paper.receipt_removed", _("撤销纸质材料登记")
    FEE_RECORDED = "fee.recorded", _("登记缴费")
    FEE_BATCH_RECORDED = "fee.batch_recorded", _("登记单位批量缴费")
    DEFENSE_EVALUATED = "defense.evaluated", _("认定免答辩")
    DEFENSE_SESSION_CREATED = "defense.session_created", _("添加答辩场次")
    DEFENSE_SESSION_CHANGED = "defense.session_changed", _("修改答辩场次")
    DEFENSE_MOVED = "defense.moved", _("调整答辩场次")
    DEFENSE_OUTCOME_RECORDED = "defense.outcome_recorded", _("录入答辩情况")
    RESULT_PUBLICITY_SET = "results.publicity_set", _("设置评审结果公示期")
    INTEGRITY_RECORDED = "integrity.recorded", _("记入诚信档案")
    CERTIFICATE_REVOKED = "certificate.revoked", _("撤销证书")
    # Rendered files (review.documents).
    DOCUMENT_REQUESTED = "document.requested", _("请求生成文件")
    DOCUMENT_RENDERED = "document.rendered", _("生成文件")
    # The committee meeting (review.meeting).
    EXPERT_SAVED = "meeting.expert_saved", _("保存评审专家")
    EXPERTS_IMPORTED = "meeting.experts_imported", _("导入评审专家")
    MEETING_CREATED = "meeting.created", _("新建评审会")
    PANEL_GROUP_SAVED = "meeting.group_saved", _("设置学科组")
    AGENDA_SET = "meeting.agenda_set", _("安排评审事项")
    PANEL_DRAWN = "meeting.panel_drawn", _("抽取评审专家")
    RECUSAL_RECORDED = "meeting.recusal", _("记录回避")
    DECLARATION_MADE = "meeting.declaration", _("专家声明")
    MEETING_OPENED = "meeting.opened", _("开始评审会")
    ATTENDANCE_RECORDED = "meeting.attendance", _("记录出席")
    OPINION_RECORDED = "meeting.opinion", _("记录评审意见")
    PANEL_DEFENSE_SCORED = "meeting.defense_scored", _("专家答辩评分")
    BALLOT_OPENED = "meeting.ballot_opened", _("开始表决")
    BALLOT_CAST = "meeting.ballot_cast", _("投票（不含表决意见）")
    BALLOT_CLOSED = "meeting.ballot_closed", _("结束表决并计票")
    MEETING_CONFIRMED = "meeting.confirmed", _("主任委员确认评审结果")
    MEETING_OUTCOMES_APPLIED = "meeting.outcomes_applied", _("评审会结果记为评审结果")
    # The Django admin (portal.audit.admin.AuditedAdmin).
    ADMIN_CREATED = "admin.created", _("后台新增")
    ADMIN_CHANGED = "admin.changed", _("后台修改")
    ADMIN_DELETED = "admin.deleted", _("后台删除")


def transition_action(action: str) -> str:
    """The audit code of a door action (``"submit"`` → ``"transition.submit"``)."""
    code = f"transition.{action}"
    if code not in AuditAction.values:
        raise ValueError(f"no audit action for the transition {action!r}: add it to AuditAction")
    return code
