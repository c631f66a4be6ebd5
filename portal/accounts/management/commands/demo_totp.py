from django.core.management.base import BaseCommand
from django_otp.oath import totp

from portal.accounts.demo import DEMO_TOTP_SECRET, demo_totp_key


class Command(BaseCommand):
    help = "Print the current code of the published demo TOTP secret (demo logins only)."

    def handle(self, *args, **options):
        code = totp(bytes.fromhex(demo_totp_key()))
        self.stdout.write(f"{code:06d}")
        self.stderr.write(f"(demo secret {DEMO_TOTP_SECRET}; codes change every 30 s)")
