"""Browser tests run without a Celery worker.  Uploads need the worker's pass (re-encoding,
thumbnail, a PDF's page images) before their page is complete, so here that one task runs at
once, in the live server's thread, when the upload commits: the same function the worker calls
(``applications.processing.attachment_process``), through the task's own ``apply``.  The page
still receives the upload's answer before it knows the result, and shows "正在处理" until its
poll sees the finished scan.  Other tasks (OCR, documents, mail) stay queued, as before."""

import pytest

from applications.tasks import process_upload_task


@pytest.fixture(autouse=True)
def uploads_processed_on_commit(monkeypatch):
    def apply_async(args=None, kwargs=None, **options):
        return process_upload_task.apply(args=args, kwargs=kwargs)

    monkeypatch.setattr(process_upload_task, "apply_async", apply_async)
