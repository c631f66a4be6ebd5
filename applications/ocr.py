"""Find the applicant's name and ID number on a scan with Tesseract (Debian ``tesseract-ocr`` +
``tesseract-ocr-chi-sim``, through pytesseract).

Used twice for blind review: to propose mask boxes on an original, and to warn when a masked copy
still shows the name or the number.  OCR is help, not a gate: where Tesseract is not installed
``OCRUnavailable`` is raised and the pages fall back to manual boxes with a notice.  A full page
takes about a second here, so callers run it in the Celery worker (``applications.tasks``).
"""

from __future__ import annotations

import re
import shutil
from dataclasses import dataclass

import pytesseract
from django.conf import settings
from PIL import Image

# Tesseract reads a 1000–2000 px page best; larger photos are scaled down (and boxes scaled back).
OCR_MAX_SIDE = 2000
_IGNORED = re.compile(r"[\s·•・.。:：,，\-_]")


class OCRUnavailable(Exception):
    """Tesseract (or its Chinese data) is not installed."""


@dataclass(frozen=True)
class Hit:
    what: str  # "name" | "id_number"
    text: str
    box: tuple[int, int, int, int]  # x, y, w, h in the image's pixels

    def as_json(self) -> dict:
        return {"what": self.what, "text": self.text, "box": list(self.box)}


def tesseract_cmd() -> str:
    return getattr(settings, "PORTAL_TESSERACT_CMD", "tesseract") or "tesseract"


def ocr_available() -> bool:
    return shutil.which(tesseract_cmd()) is not None


def _words(image: Image.Image) -> list[dict]:
    pytesseract.pytesseract.tesseract_cmd = tesseract_cmd()
    try:
        data = pytesseract.image_to_data(image, lang="chi_sim+eng", output_type=pytesseract.Output.DICT,
                                         timeout=60)
    except pytesseract.TesseractNotFoundError as exc:
        raise OCRUnavailable(str(exc)) from exc
    except pytesseract.TesseractError as exc:
        if "chi_sim" in str(exc) or "language" in str(exc).lower():
            raise OCRUnavailable(str(exc)) from exc
        raise
    words = []
    for i, text in enumerate(data["text"]):
        if text and text.strip():
            words.append({"text": text.strip(), "line": (data["block_num"][i], data["par_num"][i], data["line_num"][i]),
                          "box": (data["left"][i], data["top"][i], data["width"][i], data["height"][i])})
    return words


def _lines(words: list[dict]) -> list[list[dict]]:
    lines: dict[tuple, list[dict]] = {}
    for word in words:
        lines.setdefault(word["line"], []).append(word)
    return list(lines.values())


def _targets(name: str, id_number: str) -> list[tuple[str, str]]:
    targets = []
    whole = _IGNORED.sub("", name or "")
    if len(whole) >= 2:
        targets.append(("name", whole))
    # Uyghur and Kazakh names are long and written with "·": each part is searched on its own too.
    for part in re.split(r"[·•・]", name or ""):
        part = _IGNORED.sub("", part)
        if len(part) >= 2 and part != whole:
            targets.append(("name", part))
    number = _IGNORED.sub("", (id_number or "").upper())
    if number:
        targets.append(("id_number", number))
        # OCR often splits or misreads the first digits: the last 12 identify the person as well.
        if len(number) > 12:
            targets.append(("id_number", number[-12:]))
    return targets


def _char_boxes(line: list[dict]) -> tuple[str, list[tuple[int, int, int, int]]]:
    """The line's text without separators, and one box per character (a word's box split evenly)."""
    text, boxes = [], []
    for word in line:
        chars = [c for c in word["text"].upper() if not _IGNORED.match(c)]
        if not chars:
            continue
        x, y, w, h = word["box"]
        step = w / len(chars)
        for k, char in enumerate(chars):
            text.append(char)
            boxes.append((round(x + k * step), y, max(1, round(step)), h))
    return "".join(text), boxes


def _union(boxes: list[tuple[int, int, int, int]], pad: float = 0.25) -> tuple[int, int, int, int]:
    left = min(b[0] for b in boxes)
    top = min(b[1] for b in boxes)
    right = max(b[0] + b[2] for b in boxes)
    bottom = max(b[1] + b[3] for b in boxes)
    margin = round((bottom - top) * pad)
    return (max(0, left - margin), max(0, top - margin), right - left + 2 * margin, bottom - top + 2 * margin)


def find_identity(image: Image.Image, *, name: str, id_number: str) -> list[Hit]:
    """Where ``name`` or ``id_number`` appear on ``image``; boxes are padded to cover the ink."""
    image = image.convert("L")
    scale = min(1.0, OCR_MAX_SIDE / max(image.size))
    if scale < 1:
        image = image.resize((round(image.width * scale), round(image.height * scale)), Image.Resampling.LANCZOS)
    hits: list[Hit] = []
    targets = _targets(name, id_number)
    for line in _lines(_words(image)):
        text, boxes = _char_boxes(line)
        covered: set[int] = set()
        for what, target in targets:
            start = text.find(target)
            while start >= 0:
                span = range(start, start + len(target))
                if not covered.issuperset(span):
                    covered.update(span)
                    x, y, w, h = _union(boxes[start:start + len(target)])
                    hits.append(Hit(what, target, (round(x / scale), round(y / scale), round(w / scale),
                                                   round(h / scale))))
                start = text.find(target, start + 1)
    return hits
