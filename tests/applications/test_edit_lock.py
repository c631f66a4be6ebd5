"""Issue 13 item 7: applicant edits lock the application row.  An autosave sent together with the
submit either lands before the submission's checklist (and is part of what was submitted) or is
refused after it; the submitted application never changes.  Real concurrent requests: two
threads, each with its own database connection, on PostgreSQL (SQLite has no row locks)."""

import random
import threading

import pytest
from django.db import connection
from django.test import Client
from django.urls import reverse

from applications.models import ApplicationSection, StateChange
from applications.samples import fill_sample_application
from applications.states import State
from tests.factories import ApplicationFactory

TRIALS = 20


@pytest.fixture
def postgres_only():
    if connection.vendor != "postgresql":
        pytest.skip("row locks (select_for_update) need PostgreSQL; SQLite serialises whole transactions")


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _race(*requests) -> list:
    """Run the requests at (nearly) the same instant, each in its own thread and connection."""
    barrier = threading.Barrier(len(requests))
    answers = [None] * len(requests)

    def run(index, request):
        try:
            barrier.wait()
            threading.Event().wait(random.random() * 0.004)  # either may start first
            answers[index] = request()
        except Exception as exc:  # noqa: BLE001 - reported by the assertion below
            answers[index] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i, r)) for i, r in enumerate(requests)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return answers


def _changed_after_submission(app) -> bool:
    """The submitted round's sections differ from the sections now, or one was written after it."""
    change = StateChange.objects.filter(application=app, action="submit").latest("created_at")
    submitted = change.data["round"]["sections"]
    for section in ApplicationSection.objects.filter(application=app):
        if section.updated_at > change.created_at:
            return True
        if section.is_complete and submitted.get(section.key) != section.data:
            return True
    return False


def _trial(app, n):
    editor, submitter = _client(app.applicant), _client(app.applicant)
    autosave_url = reverse("applications:autosave", args=[app.code, "summary"])
    submit_url = reverse("applications:submit", args=[app.code])
    text = f"第{n}次并发修改：" + "任现职以来，本人认真履行岗位职责。" * 6
    return _race(
        lambda: editor.post(autosave_url, {"summary-text": text}, HTTP_X_REQUESTED_WITH="XMLHttpRequest"),
        lambda: submitter.post(submit_url, {"state": State.DRAFT}),
    )


def test_autosave_raced_with_submit_never_changes_the_submission(transactional_db, postgres_only, reference,
                                                                 private_storage):
    apps = [fill_sample_application(ApplicationFactory()) for _ in range(TRIALS)]
    changed, saved_first, refused = 0, 0, 0
    for n, app in enumerate(apps):
        autosave, submit = _trial(app, n)
        assert not isinstance(autosave, Exception) and not isinstance(submit, Exception), (autosave, submit)
        app.refresh_from_db()
        assert app.state == State.UNIT_REVIEW and submit.status_code == 302, submit
        assert autosave.status_code in (200, 409), autosave.content
        if autosave.status_code == 200:
            saved_first += 1
        else:
            refused += 1
            assert "不能修改" in autosave.json()["message"]
        changed += _changed_after_submission(app)
    print(f"\n{TRIALS} trials: {changed} changed submissions; autosave first {saved_first}, refused {refused}")
    assert changed == 0


def test_a_scan_deleted_during_the_submit_is_never_missing_from_the_submission(transactional_db, postgres_only,
                                                                              reference, private_storage):
    """Deletion takes the same lock: either the scan goes first (and the checklist refuses the
    submission) or the submission goes first (and the deletion is refused)."""
    outcomes = set()
    for _n in range(8):
        app = fill_sample_application(ApplicationFactory())
        scan = app.attachments.order_by("pk").first()
        deleter, submitter = _client(app.applicant), _client(app.applicant)
        delete, submit = _race(
            lambda: deleter.post(reverse("applications:attachment_delete", args=[app.code, scan.uid]),
                                 HTTP_X_REQUESTED_WITH="XMLHttpRequest"),
            lambda: submitter.post(reverse("applications:submit", args=[app.code]), {"state": State.DRAFT}),
        )
        assert not isinstance(delete, Exception) and not isinstance(submit, Exception), (delete, submit)
        app.refresh_from_db()
        deleted = not app.attachments.filter(pk=scan.pk).exists()
        if app.state == State.UNIT_REVIEW:
            assert not deleted and delete.status_code == 409
            round_ids = {a["id"] for a in StateChange.objects.get(application=app, action="submit")
                         .data["round"]["attachments"]}
            assert round_ids <= set(app.attachments.values_list("pk", flat=True))
        else:
            assert app.state == State.DRAFT and deleted and delete.status_code == 200
        outcomes.add((app.state, deleted))
    print(f"\noutcomes: {sorted(outcomes)}")
