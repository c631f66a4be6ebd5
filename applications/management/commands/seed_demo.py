from importlib import import_module

from django.conf import settings
from django.core.management.base import BaseCommand

from applications import demo

# Each app extends the demo with what it owns, lowest layer first.  The list is the composition
# root's (settings): this command, in the lowest app, never names the apps above it.


class Command(BaseCommand):
    help = "Load reference data, the five notices and the demo campaign (open today), demo units, logins and applications. Idempotent."

    def handle(self, *args, **options):
        context: dict = {}
        for path in settings.PORTAL_DEMO_BUILDERS:
            module = import_module(path)
            context.update(module.build(stdout=self.stdout, context=context) or {})
        self.stdout.write(self.style.SUCCESS("演示数据已就绪。演示账号（密码均为 %s）：" % demo.DEMO_PASSWORD))
        for username, name, role in demo.login_table():
            self.stdout.write(f"  {role:<16} {username:<20} {name}")
