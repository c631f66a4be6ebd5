"""python manage.py render_review_form APPLICATION_ID --out FILE.pdf

Renders (or confirms) the application's current review form through the same service as the
worker, so the printout carries a registered verification code, and copies it to FILE.
"""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from applications.models import Application
from review.documents.services import DocumentRefused, review_form_render


class Command(BaseCommand):
    help = _("渲染申报的评审表（与系统生成的为同一文件，含验证码），写入 --out 指定的 PDF。")

    def add_arguments(self, parser):
        parser.add_argument("application_id", type=int)
        parser.add_argument("--out", required=True, help=_("输出的 PDF 文件路径"))

    def handle(self, *args, application_id: int, out: str, **options):
        if not Application.objects.filter(pk=application_id).exists():
            raise CommandError(_("申报 %s 不存在。") % application_id)
        try:
            document = review_form_render(application_id=application_id)
        except DocumentRefused as refused:
            raise CommandError(refused.message) from None
        target = Path(out)
        target.parent.mkdir(parents=True, exist_ok=True)
        with document.file.open("rb") as source:
            target.write_bytes(source.read())
        self.stdout.write(self.style.SUCCESS(
            _("%(file)s：%(pages)s 页，%(kb)s KB，第 %(version)s 版，验证码 %(code)s") % {
                "file": target, "pages": document.pages, "kb": document.size // 1024, "version": document.version,
                "code": document.display_verify_code}))
