"""The Celery app.  Broker and schedule come from Django settings (``CELERY_*``)."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")

def _closed_broker_connection_is_a_connection_error() -> None:
    """Kombu's Redis transport, after the broker went away while tasks were in flight
    (acks_late), may reach for a connection it has already dropped — to put unacknowledged
    messages back when closing the channel, or to acknowledge a task that finished meanwhile —
    and raise ``AttributeError`` (``'NoneType' object has no attribute 'hostname'`` / ``'client'``),
    which Celery treats as an "Unrecoverable error" and stops the whole worker (seen by
    tests/faults with kombu 5.7; cf. celery/kombu#582, #970).  Raised as a connection error
    instead, it is what Celery already handles: the worker reconnects; the messages stay in Redis's
    unacked set (redelivered after the visibility timeout) and the outbox publishes an overdue task
    again (portal.dispatch), so nothing is lost."""
    from kombu.transport import redis as kombu_redis
    from redis.exceptions import ConnectionError as RedisConnectionError

    original = kombu_redis.Channel._connparams

    def _connparams(self, asynchronous=False):
        if self.connection is None or self.connection.client is None:
            raise RedisConnectionError("the broker connection of this channel is closed")
        return original(self, asynchronous=asynchronous)

    kombu_redis.Channel._connparams = _connparams


_closed_broker_connection_is_a_connection_error()

app = Celery("portal")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

# Worker and beat: structured logs with the request id, task metrics, queue lengths (portal/deploy/).
from portal import logs, metrics  # noqa: E402 - after the app is configured: the signals are Celery's

logs.connect_celery()
metrics.connect_celery()
