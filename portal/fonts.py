"""Which characters the portal's documents can print (issue 13 item 9).

The review form, the pre-filled templates and the certificate are set in Noto CJK (through a fast
subset, ``review.documents.engine``) with 花园明朝 HanaMin A/B (Debian ``fonts-hanazono``) as the
last fallback: together they cover CJK Unified Ideographs, Ext-A and Ext-B…F (𠮷, 𪚥 …).  A name
with a character none of them has would print as an empty box, so the applicant is warned when
typing it (registration and 基本信息), not when the form comes back blank.

``unprintable(text)`` answers from the union of the fonts' cmaps, read once with fontTools and
cached as code-point ranges (~9 KB) in Django's cache (keyed by the font files' size and mtime;
web nodes keep nothing in their data folder) and in the process: the first call of a fresh
deployment costs ~1.5 s, later ones a set lookup.
"""

from __future__ import annotations

import hashlib
import json
import logging
from functools import lru_cache
from pathlib import Path

from django.core.cache import cache
from django.utils.translation import gettext as _

logger = logging.getLogger(__name__)

# (file, face index) of every font the documents' stacks name, in stack order.
PRINT_FONTS = (
    ("/usr/share/fonts/opentype/noto/NotoSerifCJK-Regular.ttc", 2),
    ("/usr/share/fonts/opentype/noto/NotoSansCJK-Bold.ttc", 2),
    ("/usr/share/fonts/truetype/hanazono/HanaMinA.ttf", 0),
    ("/usr/share/fonts/truetype/hanazono/HanaMinB.ttf", 0),
)
# The CSS families of the fallback, appended to every document font stack.
FALLBACK_FAMILIES = '"HanaMinA", "HanaMinB"'
CACHE_VERSION = "1"


def _installed() -> list[tuple[Path, int]]:
    return [(Path(path), index) for path, index in PRINT_FONTS if Path(path).exists()]


def _cache_key(fonts: list[tuple[Path, int]]) -> str:
    key = ";".join(f"{p}:{i}:{p.stat().st_size}:{p.stat().st_mtime_ns}" for p, i in fonts)
    return "print-fonts:" + hashlib.sha256(f"{CACHE_VERSION}|{key}".encode()).hexdigest()[:16]


def _ranges(codepoints: set[int]) -> list[list[int]]:
    ranges: list[list[int]] = []
    for cp in sorted(codepoints):
        if ranges and ranges[-1][1] == cp - 1:
            ranges[-1][1] = cp
        else:
            ranges.append([cp, cp])
    return ranges


def _read_cmaps(fonts: list[tuple[Path, int]]) -> set[int]:
    from fontTools.ttLib import TTFont  # heavy: only when the disk cache is missing

    found: set[int] = set()
    for path, index in fonts:
        font = TTFont(str(path), fontNumber=index, lazy=True)
        try:
            found.update(font.getBestCmap() or {})
        finally:
            font.close()
    return found


@lru_cache(maxsize=1)
def printable_codepoints() -> frozenset[int]:
    """Every code point one of the installed print fonts has a glyph for."""
    fonts = _installed()
    if not fonts:
        logger.warning("none of the print fonts is installed; every name is reported as printable")
        return frozenset()
    key = _cache_key(fonts)
    try:
        stored = cache.get(key)
    except Exception:  # noqa: BLE001 - a cache outage only costs the cmap reading below
        stored = None
    if stored:
        try:
            return frozenset(cp for start, end in json.loads(stored) for cp in range(start, end + 1))
        except (TypeError, ValueError):
            pass
    codepoints = _read_cmaps(fonts)
    try:
        cache.set(key, json.dumps(_ranges(codepoints)), timeout=None)
    except Exception:  # noqa: BLE001
        logger.warning("could not cache the print fonts' coverage")
    return frozenset(codepoints)


def unprintable(text: str) -> list[str]:
    """The characters of ``text`` no print font has (each once, in order).  Empty when no print font
    is installed at all: then nothing can be judged and the documents fall back to fontconfig."""
    known = printable_codepoints()
    if not known:
        return []
    seen: list[str] = []
    for ch in text:
        if ch.isspace() or ord(ch) < 0x80:
            continue
        if ord(ch) not in known and ch not in seen:
            seen.append(ch)
    return seen


def name_warning(name: str) -> str:
    """The Chinese warning for a name with unprintable characters, or ``""``."""
    missing = unprintable(name or "")
    if not missing:
        return ""
    return _("姓名中的“%(chars)s”超出平台打印字库，评审表和证书上可能无法显示。请核对是否与身份证上的写法一致；"
             "如确为该字，请联系评委会办公室，纸质材料上手写补正。") % {"chars": "、".join(missing)}
