"""Bounds of the masking boxes a page posts (信息遮盖): the JSON text, then the numbers.

Kept apart from ``masking.py`` (which burns the boxes) and small: ``parse_boxes`` reads the posted
text, ``bounded_boxes`` checks the boxes against the image.  Every refusal is a ``BoxesRefused``
(400, Chinese); nothing is parsed beyond the bounds, so deep nesting never reaches the JSON parser.
"""

from __future__ import annotations

import json
import math

from django.utils.translation import gettext as _

from portal.errors import Refused

MAX_BOXES = 50
MAX_BOXES_CHARS = 8_000  # 50 boxes of four numbers with decimals fit in under 3,000
_ALLOWED = frozenset("0123456789.-+eE[], \t\r\n")


class BoxesRefused(Refused):
    code = "bad_boxes"


def _format_refused() -> BoxesRefused:
    return BoxesRefused(_("遮盖区域格式不正确，请重新框选。"))


def _too_many() -> BoxesRefused:
    return BoxesRefused(_("遮盖区域过多（最多%d处），请合并或删去一些后重试。") % MAX_BOXES)


def parse_boxes(text: str) -> list:
    """``[[x, y, w, h], …]`` from the posted JSON text: numbers and brackets only, at most two
    levels deep, at most ``MAX_BOXES_CHARS`` characters and ``MAX_BOXES`` boxes."""
    text = text or "[]"
    if len(text) > MAX_BOXES_CHARS:
        raise _too_many()
    if not set(text) <= _ALLOWED:
        raise _format_refused()
    depth = 0
    for char in text:
        if char == "[":
            depth += 1
            if depth > 2:
                raise _format_refused()
        elif char == "]":
            depth -= 1
    try:
        boxes = json.loads(text)
    except ValueError:
        raise _format_refused() from None
    if not isinstance(boxes, list):
        raise _format_refused()
    if len(boxes) > MAX_BOXES:
        raise _too_many()
    return boxes


def bounded_boxes(boxes, width: int, height: int) -> list[tuple[float, float, float, float]]:
    """The boxes as four finite numbers each, within reach of a ``width`` × ``height`` image
    (a box may overhang the edge: the caller clips it; one far outside is refused)."""
    if not isinstance(boxes, (list, tuple)):
        raise _format_refused()
    if len(boxes) > MAX_BOXES:
        raise _too_many()
    reach = 2 * max(width, height, 1)
    out = []
    for box in boxes:
        if not isinstance(box, (list, tuple)) or len(box) != 4:
            raise _format_refused()
        numbers = []
        for value in box:
            if isinstance(value, bool) or not isinstance(value, (int, float)):
                raise _format_refused()
            if not (isinstance(value, int) or math.isfinite(value)):
                raise _format_refused()
            if abs(value) > reach:  # before float(): a huge int would overflow it
                raise BoxesRefused(_("遮盖区域超出图片范围，请在图片上重新框选。"))
            numbers.append(float(value))
        out.append(tuple(numbers))
    return out
