"""``manage.py verify_meeting MEETING``: recompute the meeting's hash chain and tallies; exit 1
naming the first record that does not match."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from review.meeting.chain import chain_verify
from review.meeting.models import Meeting


class Command(BaseCommand):
    help = "Verify a committee meeting's hash chain, stored ballots, opinions and tallies."

    def add_arguments(self, parser):
        parser.add_argument("meeting", type=int)

    def handle(self, *args, meeting: int, **options):
        found = Meeting.objects.filter(pk=meeting).first()
        if found is None:
            raise CommandError(f"meeting {meeting} does not exist")
        report = chain_verify(found)
        if not report.ok:
            raise CommandError(f"meeting {meeting}: {report}")
        self.stdout.write(f"meeting {meeting}: {report}")
