from importlib import import_module

from django.core.management.base import BaseCommand

from applications import demo

# Each app extends the demo with what it owns, in dependency order.
DEMO_BUILDERS = ["applications.demo", "portal.accounts.demo", "review.demo"]


class Command(BaseCommand):
    help = "Load reference data, the five notices and the demo campaign (open today), demo units, logins and applications. Idempotent."

    def handle(self, *args, **options):
        context: dict = {}
        for path in DEMO_BUILDERS:
            try:
                module = import_module(path)
            except ModuleNotFoundError as exc:
                if exc.name != path:
                    raise
                continue
            context.update(module.build(stdout=self.stdout) or {})
        self.stdout.write(self.style.SUCCESS("演示数据已就绪。演示账号（密码均为 %s）：" % demo.DEMO_PASSWORD))
        for username, name, role in demo.login_table():
            self.stdout.write(f"  {role:<16} {username:<20} {name}")
