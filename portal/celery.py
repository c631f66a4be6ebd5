"""The Celery app.  Broker and schedule come from Django settings (``CELERY_*``)."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")

def _survive_restore_on_lost_connection() -> None:
    """Kombu's Redis transport, closing a channel after the broker went away while tasks were in
    flight (acks_late), tries to put the unacknowledged messages back through a connection it has
    already dropped and raises ``AttributeError: 'NoneType' object has no attribute 'hostname'``
    — which stops the whole worker ("Unrecoverable error"; seen by tests/faults with kombu 5.7,
    cf. celery/kombu#582, #970).  Here a failed restore is logged instead: the messages stay in
    Redis's unacked set (redelivered after the visibility timeout) and the outbox publishes the
    task again when it is overdue (portal.dispatch), so nothing is lost and the worker reconnects."""
    import logging

    from kombu.transport import redis as kombu_redis

    original = kombu_redis.QoS.restore_unacked

    def restore_unacked(self, client=None):
        try:
            return original(self, client)
        except AttributeError:
            logging.getLogger(__name__).warning("unacked messages not restored: the broker connection is gone; "
                                                "the visibility timeout and the outbox recover them")
            return None

    kombu_redis.QoS.restore_unacked = restore_unacked


_survive_restore_on_lost_connection()

app = Celery("portal")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

# Worker and beat: structured logs with the request id, task metrics, queue lengths (portal/deploy/).
from portal import logs, metrics  # noqa: E402 - after the app is configured: the signals are Celery's

logs.connect_celery()
metrics.connect_celery()
