"""Browser tests run without a Celery worker.  Uploads need the worker's pass (re-encoding,
thumbnail, a PDF's page images) before their page is complete, so here that one task runs at
once, in the live server's thread, when the upload commits: the same function the worker calls
(``applications.processing.attachment_process``), through the task's own ``apply``, in place of
publishing its outbox row (``portal.dispatch.publish``).  The page still receives the upload's
answer before it knows the result, and shows "正在处理" until its poll sees the finished scan.
Other tasks (OCR, documents, mail) are published as usual and stay queued."""

import pytest

import portal.dispatch as dispatch
from applications.tasks import process_upload_task
from portal.dispatch.models import Outbox


@pytest.fixture(autouse=True)
def uploads_processed_on_commit(monkeypatch):
    publish = dispatch.publish

    def publish_or_process(outbox_id: int) -> bool:
        row = Outbox.objects.filter(pk=outbox_id, task=process_upload_task.name).first()
        if row is None:
            return publish(outbox_id)
        process_upload_task.apply(kwargs=row.kwargs, task_id=dispatch.task_id_of(row.pk))
        return True

    monkeypatch.setattr(dispatch, "publish", publish_or_process)
