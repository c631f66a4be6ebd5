"""The transactional outbox (issue 14, item 1): a task is recorded in the action's transaction,
published after commit with no retry, re-published by the sweep, and followed by the worker's
signals (done, dead letter, resend)."""

from __future__ import annotations

import datetime as dt
from unittest import mock

import pytest
from celery import current_app
from django.db import transaction
from django.utils import timezone

from portal.accounts.tasks import send_mail_task
from portal import dispatch
from portal.dispatch import enqueue_on_commit, outbox_id_of, publish, resend, sweep, task_id_of
from portal.dispatch import signals as outbox_signals
from portal.dispatch.models import Outbox, OutboxStatus

pytestmark = pytest.mark.django_db


class Broker:
    """Stands in for ``send_task``: records what was published, or fails like a broker that is down."""

    def __init__(self):
        self.up, self.sent = True, []

    def __call__(self, name, kwargs=None, task_id=None, retry=None, **options):
        assert retry is False  # never retried in the request
        if not self.up:
            raise ConnectionError("Error 111 connecting to 127.0.0.1:6379. Connection refused.")
        self.sent.append((name, kwargs, task_id, options.get("queue")))


@pytest.fixture
def broker(monkeypatch):
    fake = Broker()
    monkeypatch.setattr(current_app, "send_task", fake)
    monkeypatch.setattr(dispatch, "BROKER_DOWN_PAUSE", 0.0)
    return fake


def _mail(**kwargs):
    enqueue_on_commit(send_mail_task, subject="s", body="b", recipients=["a@example.com"], **kwargs)


def test_a_rolled_back_action_records_and_sends_nothing(broker, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(RuntimeError):
        with transaction.atomic():
            _mail()
            raise RuntimeError("the action failed")
    assert not Outbox.objects.exists() and broker.sent == []


def test_the_task_is_recorded_in_the_transaction_and_published_after_commit(broker,
                                                                             django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True) as callbacks, transaction.atomic():
        _mail(queue="mail")
        row = Outbox.objects.get()
        assert row.status == OutboxStatus.PENDING and broker.sent == []  # not before the commit
    assert callbacks[0].task_name == "accounts.send_mail" and callbacks[0].outbox_id == row.pk
    row.refresh_from_db()
    assert row.status == OutboxStatus.SENT and row.publications == 1
    assert broker.sent == [("accounts.send_mail", {"subject": "s", "body": "b", "recipients": ["a@example.com"]},
                            task_id_of(row.pk), "mail")]
    assert outbox_id_of(task_id_of(row.pk)) == row.pk and outbox_id_of("some-uuid") is None


def test_a_broker_that_is_down_leaves_the_task_pending_and_the_sweep_sends_it(broker,
                                                                               django_capture_on_commit_callbacks):
    broker.up = False
    with django_capture_on_commit_callbacks(execute=True):
        _mail()  # no exception reaches the caller
    row = Outbox.objects.get()
    assert row.status == OutboxStatus.PENDING and "Connection refused" in row.error
    assert sweep() == 0  # not yet due (a pause before the next attempt)
    Outbox.objects.update(due_at=timezone.now())
    assert sweep() == 0  # still down
    broker.up = True
    Outbox.objects.update(due_at=timezone.now())
    assert sweep() == 1
    row.refresh_from_db()
    assert row.status == OutboxStatus.SENT and [s[2] for s in broker.sent] == [task_id_of(row.pk)]
    assert sweep() == 0  # sent and not overdue: left alone


def test_a_task_sent_but_never_finished_is_sent_again_with_growing_pauses(broker):
    _mail()
    row = Outbox.objects.get()
    assert publish(row.pk) is True
    row.refresh_from_db()
    first_wait = row.due_at - row.published_at
    Outbox.objects.update(due_at=timezone.now() - dt.timedelta(seconds=1))
    assert sweep() == 1
    row.refresh_from_db()
    assert row.publications == 2 and row.due_at - row.published_at == 2 * first_wait
    Outbox.objects.update(due_at=timezone.now() - dt.timedelta(seconds=1), publications=8)
    assert sweep() == 0
    row.refresh_from_db()
    assert row.status == OutboxStatus.DEAD  # never completed: a dead letter for the administrator


def test_the_worker_signals_mark_running_done_and_dead_and_resend_revives(broker):
    _mail()
    row = Outbox.objects.get()
    task_id = task_id_of(row.pk)
    outbox_signals._started(task_id=task_id, task=send_mail_task)
    row.refresh_from_db()
    assert row.status == OutboxStatus.RUNNING and row.runs == 1
    outbox_signals._retrying(request=mock.Mock(id=task_id), reason=mock.Mock(when=120, exc=OSError("smtp down")),
                             sender=send_mail_task)
    row.refresh_from_db()
    assert row.status == OutboxStatus.SENT and "smtp down" in row.error
    assert row.due_at > timezone.now() + dt.timedelta(seconds=120)
    outbox_signals._finished(task_id=task_id, retval=OSError("smtp down"), state="FAILURE")
    row.refresh_from_db()
    assert row.status == OutboxStatus.DEAD and "smtp down" in row.error
    assert resend([row.pk]) == 1
    row.refresh_from_db()
    assert row.status == OutboxStatus.SENT and row.error == ""
    outbox_signals._finished(task_id=task_id, retval=1, state="SUCCESS")
    row.refresh_from_db()
    assert row.status == OutboxStatus.DONE
    assert publish(row.pk) is False  # done: never published again
    outbox_signals._finished(task_id="not-ours", retval=1, state="SUCCESS")  # ignored
    Outbox.objects.filter(pk=row.pk).update(finished_at=timezone.now() - dt.timedelta(days=31))
    sweep()
    assert not Outbox.objects.filter(pk=row.pk).exists()  # done long ago: pruned


def test_the_dead_letter_admin_resends(broker, admin_client):
    _mail()
    row = Outbox.objects.get()
    Outbox.objects.update(status=OutboxStatus.DEAD, error="SMTPServerDisconnected")
    page = admin_client.get("/admin/dispatch/outbox/")
    assert page.status_code == 200
    text = page.content.decode()
    assert "队列状态" in text and "最早未完成任务" in text and "重新发送" in text
    answer = admin_client.post("/admin/dispatch/outbox/", {"action": "resend_selected", "_selected_action": [row.pk]},
                               follow=True)
    assert "已重新发送 1 个任务" in answer.content.decode()
    row.refresh_from_db()
    assert row.status == OutboxStatus.SENT


def test_a_render_of_a_document_removed_meanwhile_is_not_a_failure():
    from review.documents.tasks import render_document_task

    assert render_document_task.run(document_id=987654321) == "gone"


def test_a_closed_broker_connection_inside_kombu_is_a_connection_error():
    """portal.celery: kombu's Redis channel reaching for a dropped connection raises a connection
    error (which Celery handles by reconnecting), not AttributeError (which stopped the worker)."""
    from kombu.transport import redis as kombu_redis
    from redis.exceptions import ConnectionError as RedisConnectionError

    channel = kombu_redis.Channel.__new__(kombu_redis.Channel)
    channel.connection = None
    with pytest.raises(RedisConnectionError):
        channel._connparams()


def test_eager_mode_runs_the_task_in_process_and_marks_its_row_done(broker, mailoutbox,
                                                                   django_capture_on_commit_callbacks):
    """``send_task`` ignores ``task_always_eager``; the outbox honours it (the demo walk renders so)."""
    before = current_app.conf.task_always_eager
    current_app.conf.task_always_eager = True
    try:
        with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
            _mail()
    finally:
        current_app.conf.task_always_eager = before
    assert broker.sent == []  # nothing went to the broker
    assert [m.subject for m in mailoutbox] == ["s"]
    assert Outbox.objects.get().status == OutboxStatus.DONE
