"""python manage.py export_roster --campaign CODE [--unit ID] --format xlsx|pdf --out FILE

The same roster as the web export (same selector, same renderer, same day → same bytes): the
whole campaign as its committee clerk exports it, or one unit as its officer does (``--unit``).  Rendered in this process, not through the worker.
"""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone
from django.utils.translation import gettext as _

from applications.models import Campaign, Unit
from review.documents.export_files import render_roster_pdf, render_roster_xlsx
from review.documents.exports import INCLUDE_ACCEPTED, INCLUDE_CHOICES, load_campaign, roster_for
from review.documents.scope import scope_for_command


class Command(BaseCommand):
    help = _("导出申报人员花名册（通知003附件8格式）为 XLSX 或 PDF，与网页导出内容相同。")

    def add_arguments(self, parser):
        parser.add_argument("--campaign", required=True, help=_("年度评审工作代码，例如 bz-2024-zhijian"))
        parser.add_argument("--unit", type=int, help=_("只导出该推荐单位（单位ID）"))
        parser.add_argument("--format", choices=("xlsx", "pdf"), required=True)
        parser.add_argument("--include", choices=tuple(INCLUDE_CHOICES), default=INCLUDE_ACCEPTED,
                            help=_("accepted：评审委员会已接收（默认）；submitted：全部已提交"))
        parser.add_argument("--out", required=True, help=_("输出文件路径"))

    def handle(self, *args, campaign: str, unit: int | None, format: str, include: str, out: str, **options):
        found = Campaign.objects.filter(code=campaign).values_list("pk", flat=True).first()
        if found is None:
            raise CommandError(_("年度评审工作 %s 不存在。") % campaign)
        if unit is not None and not Unit.objects.filter(pk=unit).exists():
            raise CommandError(_("单位 %s 不存在。") % unit)
        loaded = load_campaign(found)
        roster = roster_for(campaign=loaded, scope=scope_for_command(loaded, unit), include=include,
                            generated_on=timezone.localdate())
        data = roster.as_data()
        content = render_roster_xlsx(data) if format == "xlsx" else render_roster_pdf(data).content
        target = Path(out)
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(content)
        self.stdout.write(self.style.SUCCESS(_("%(file)s：%(rows)s 人，%(kb)s KB") % {
            "file": target, "rows": len(data["rows"]), "kb": len(content) // 1024}))
