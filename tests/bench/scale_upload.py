"""Uploads in the scale benchmark: the A4 scan of the rush, where its web CPU goes, and cleaning up.

* ``a4_scan()``: a 2480×3508 (A4 at 300 dpi) JPEG of ~3.3 MB, sharp like a real scan (noise
  under text strokes, as ``tests/bench/applicant.py`` makes them);
* ``upload_page()``: the upload request as a page of the in-process benchmark (one rush applicant
  posts the scan, as the section page's script does);
* ``upload_breakdown()``: the steps of the upload pipeline timed one by one (CPU of this process),
  and the reduced checks a request could do instead (Pillow's JPEG draft mode);
* ``clear_uploads()``: removes what the rush uploaded, rows and files, so that runs repeat.
"""

from __future__ import annotations

import hashlib
import io
import random
import statistics
import time
from functools import lru_cache

from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image, ImageOps

from tests.bench.scale_data import import_first, model
from tests.bench.scale_pages import Page

# Slots every rush application has (continuing-education certificates, other evidence), alternated
# so that no slot reaches the portal's 30 files.
RUSH_SLOTS = (("ce", "ce_certificate"), ("other", "other_evidence"))


@lru_cache(maxsize=1)
def a4_scan() -> bytes:
    rng = random.Random(16)
    size = (2480, 3508)
    noise = Image.effect_noise(size, 40).convert("RGB")
    page = Image.blend(Image.new("RGB", size, (235, 232, 225)), noise, 0.25)
    strokes = Image.new("RGB", (size[0], 6), (30, 30, 30))
    for y in range(size[1] // 10, size[1] - size[1] // 10, 60):
        page.paste(strokes.crop((0, 0, rng.randint(size[0] // 3, size[0] * 4 // 5), 6)), (size[0] // 10, y))
    out = io.BytesIO()
    page.save(out, "JPEG", quality=91)
    return out.getvalue()


def purge_queued_tasks() -> int:
    """Drop the OCR tasks the uploads queued when no worker runs (this run's own broker, REDIS_URL)."""
    from portal.celery import app

    return app.control.purge() or 0


def clear_uploads(applications) -> int:
    """Delete every attachment of ``applications`` (the rush drafts start without scans)."""
    Attachment = model("Attachment")
    rows = list(Attachment.objects.filter(application__in=applications))
    for attachment in rows:
        for field in (attachment.file, attachment.thumbnail, attachment.masked):
            if field and not field.name.startswith("bench/"):
                default_storage.delete(field.name)
    Attachment.objects.filter(pk__in=[a.pk for a in rows]).delete()
    return len(rows)


def upload_page(rush: list) -> Page | None:
    """POST the A4 scan to the first rush application, as the section page's script does."""
    if not rush:
        return None
    application = rush[0]
    state = {"k": 0}

    def data() -> dict:
        section, slot = RUSH_SLOTS[state["k"] % 2]
        state["k"] += 1
        return {"file": SimpleUploadedFile("scan.jpg", a4_scan(), "image/jpeg"), "slot": slot, "section": section}

    return Page("applicant:upload_a4_scan", application.applicant, reverse("applications:upload", args=[application.code]),
                method="post", data=data, headers={"HTTP_X_REQUESTED_WITH": "XMLHttpRequest"},
                cleanup=lambda: (clear_uploads([application]), purge_queued_tasks()), serve=False)


def _cpu(fn, repeat: int = 5) -> tuple[object, float]:
    times, result = [], None
    for _ in range(repeat):
        began = time.process_time()
        result = fn()
        times.append(time.process_time() - began)
    return result, round(statistics.median(times) * 1000, 1)


def upload_breakdown(rush: list) -> dict:
    """CPU milliseconds of each step of one 3.3 MB upload (median of 5), as ``applications.uploads``
    does them, then the whole service call, then the checks a request could keep."""
    uploads = import_first("applications.uploads")
    data = a4_scan()
    steps: dict[str, float] = {}
    _, steps["sha256 of the upload"] = _cpu(lambda: hashlib.sha256(data).hexdigest())
    image, steps["decode (full)"] = _cpu(lambda: _decoded(data))
    upright, steps["exif_transpose + RGB"] = _cpu(lambda: ImageOps.exif_transpose(image).convert("RGB"))
    _, steps["sharpness (grey, 1000 px, Laplacian)"] = _cpu(lambda: uploads.sharpness_of(upright))
    encoded, steps["re-encode JPEG q88 optimize"] = _cpu(lambda: _jpeg(upright, quality=uploads.JPEG_QUALITY,
                                                                         optimize=True))
    _, steps["thumbnail 360 px + encode"] = _cpu(lambda: _thumbnail(upright))
    _, steps["sha256 of the re-encoded file"] = _cpu(lambda: hashlib.sha256(encoded).hexdigest())
    _, steps["storage writes (original + thumbnail)"] = _cpu(lambda: _store(encoded))
    _, whole = _cpu(lambda: uploads.accept_upload(SimpleUploadedFile("scan.jpg", data, "image/jpeg")))
    result = {"bytes_in": len(data), "bytes_out": len(encoded), "steps_cpu_ms": steps, "accept_upload_cpu_ms": whole}
    if rush:
        services = import_first("applications.services")
        application = model("Application").objects.select_related(
            "campaign__committee", "level", "specialty__series", "unit__county", "applicant").get(pk=rush[0].pk)
        k = {"n": 0}

        def service():
            _section, slot = RUSH_SLOTS[k["n"] % 2]
            k["n"] += 1
            return services.attachment_upload(application=application, slot=slot,
                                              upload=SimpleUploadedFile("scan.jpg", data, "image/jpeg"))
        _, result["attachment_upload_cpu_ms"] = _cpu(service)
        clear_uploads([application])
        purge_queued_tasks()
    # What a request could keep: type, size and dimensions from the header, damage and blur on a
    # reduced decode (JPEG DCT scaling: the whole entropy-coded stream is still read, so a truncated
    # file still fails), the raw bytes stored as they came; re-encoding and thumbnail in the worker.
    _, fast = _cpu(lambda: _reduced_checks(data, uploads))
    _, header = _cpu(lambda: Image.open(io.BytesIO(data)).size)
    _, half = _cpu(lambda: _draft(data, 1000))
    _, quarter = _cpu(lambda: _draft(data, 500))
    result["reduced_checks_cpu_ms"] = {"header only (type, dimensions)": header,
                                       "draft decode, grey, 1/2 scale (≥1000 px)": half,
                                       "draft decode, grey, 1/4 scale": quarter,
                                       "draft decode ≥1000 px + sharpness + sha256 + store raw": fast}
    result["reduced_sharpness"] = round(_reduced_sharpness(data, uploads), 1)
    result["full_sharpness"] = round(uploads.sharpness_of(upright), 1)
    return result


def _decoded(data: bytes) -> Image.Image:
    image = Image.open(io.BytesIO(data))
    image.load()
    return image


def _jpeg(image: Image.Image, **options) -> bytes:
    out = io.BytesIO()
    image.save(out, "JPEG", **options)
    return out.getvalue()


def _thumbnail(image: Image.Image) -> bytes:
    thumb = image.copy()
    thumb.thumbnail((360, 360))
    return _jpeg(thumb, quality=80)


def _store(content: bytes) -> None:
    from django.core.files.base import ContentFile

    names = [default_storage.save("bench/tmp-upload.jpg", ContentFile(content)),
             default_storage.save("bench/tmp-thumb.jpg", ContentFile(content[:30000]))]
    for name in names:
        default_storage.delete(name)


def _draft(data: bytes, side: int) -> Image.Image:
    image = Image.open(io.BytesIO(data))
    image.draft("L", (side, side))  # DCT scaling: decodes at 1/2, 1/4 or 1/8, never below ``side``
    image.load()
    return image


def _reduced_sharpness(data: bytes, uploads) -> float:
    return uploads.sharpness_of(_draft(data, 1000))


def _reduced_checks(data: bytes, uploads) -> None:
    _reduced_sharpness(data, uploads)
    hashlib.sha256(data).hexdigest()
    _store(data)


__all__ = ["RUSH_SLOTS", "a4_scan", "clear_uploads", "purge_queued_tasks", "upload_breakdown", "upload_page"]
