"""Once after upgrading to masked PDFs (issue 12): rasterise the PDFs stored before, so that the
committee side gets their rasterised copy (``applications.processing.attachment_rasterise_legacy_pdf``)."""

from django.core.management.base import BaseCommand

from applications.models import Attachment
from applications.processing import attachment_rasterise_legacy_pdf


class Command(BaseCommand):
    help = "Rasterise PDF attachments stored before PDFs were masked (page images, and the copy for the committee)."

    def handle(self, *args, **options):
        done = failed = 0
        for pk in Attachment.objects.filter(content_type="application/pdf", pages=[]).values_list("pk", flat=True):
            attachment = attachment_rasterise_legacy_pdf(attachment_id=pk)
            if attachment is not None and attachment.pages:
                done += 1
            else:
                failed += 1
                self.stderr.write(f"attachment {pk}: could not be rasterised")
        self.stdout.write(self.style.SUCCESS(f"{done} PDF(s) rasterised, {failed} failed"))
