from django.core.management.base import BaseCommand

from applications.seeding import load_reference, load_seed_campaigns


class Command(BaseCommand):
    help = "Load reference data (series, specialties, levels, titles, counties) and the campaign fixtures."

    def handle(self, *args, **options):
        load_reference()
        campaigns = load_seed_campaigns()
        self.stdout.write(self.style.SUCCESS(
            f"reference data loaded; campaigns: {', '.join(c.code for c in campaigns)}"))
