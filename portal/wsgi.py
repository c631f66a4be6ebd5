"""The WSGI application of every web node (gunicorn: ``portal/scripts/start-web.sh``, ``run.sh``).

Garbage collection is tuned here, once the application is loaded.  Measured with the scale
benchmark's heaviest clerk pages at 10,000 applications (180 requests in one process), the
collector took 23 % of the CPU and each full collection ~130 ms, landing on whichever request was
running (p95 of the results page 279 ms against a median of 122): it walked Django's ~150,000
loaded objects every time.  Frozen (``gc.freeze``), they are left out; a larger first generation
then collects the requests' short-lived objects in fewer passes.  Collector time on the same
requests: 2,394 ms → 636 ms (``PORTAL_GC_THRESHOLD`` "700,10,10" restores Python's default).

Before that, ``portal.warmup`` builds what the first requests would (every view imported, the
templates compiled, the translations and the ID-number table read): a new worker's first page cost
104–142 ms of CPU instead of 13–20, at every recycling (``max_requests``); now 29–31 ms.
"""

import gc
import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")

application = get_wsgi_application()

from portal.warmup import warm_up  # noqa: E402 - once Django is set up

warm_up()  # built once, before gunicorn forks: every worker starts warm (portal/warmup.py)

gc.collect()
gc.freeze()
gc.set_threshold(*(int(n) for n in os.environ.get("PORTAL_GC_THRESHOLD", "5000,10,10").split(",")))
