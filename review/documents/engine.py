"""WeasyPrint, loaded once per process, with fast CJK fonts.

Importing WeasyPrint and building a ``FontConfiguration`` costs about a second; the worker does it
once (``tasks.warm_up`` on ``worker_process_init``), never per task; the web process never loads
WeasyPrint (this module imports it on the first render only, and views only queue work).

Fonts.  The system Noto CJK fonts are 19–27 MB collections.  WeasyPrint copies the whole face
into Python for every font of every document and, because it keeps glyph ids, writes a subset
whose glyph index spans the whole 65,000-glyph font: ~100 KB per face and ~0.15 s per document.
So we derive, once and cached on disk, a *portal subset* of Noto Serif CJK SC (body, 宋体 look)
and Noto Sans CJK SC Bold (headings, 黑体 look) holding GB 2312 plus ASCII, Latin-1, punctuation
and the symbols the forms use (~8,200 characters, 2 MB).  Documents then embed a few tens of KB
of font and render several times faster.  Every font stack ends with the full system font, so a
rare character in a name (喆, 玥, 𠮷 …) falls back to the full Noto CJK face, and one beyond Noto
(𪚥, CJK Ext-B) to 花园明朝 HanaMin, instead of printing tofu; ``tests/documents/test_fonts.py``
checks that, and ``portal.fonts`` warns the applicant of a character no font has.
"""

from __future__ import annotations

import contextlib
import gc
import hashlib
import io
import logging
import os
import threading
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from django.conf import settings

from portal.fonts import FALLBACK_FAMILIES

logger = logging.getLogger(__name__)

NOTO_DIR = Path("/usr/share/fonts/opentype/noto")
# (portal family, source collection, face index of "SC" in the collection, weight)
SUBSET_FONTS = (
    ("Portal Serif", "NotoSerifCJK-Regular.ttc", 2, "normal"),
    ("Portal Sans", "NotoSansCJK-Bold.ttc", 2, "bold"),
)
# Full system families: the fallback for characters outside the subset, then 花园明朝 (HanaMin A/B,
# fonts-hanazono) for CJK Ext-B and beyond (𪚥), which Noto CJK does not cover (``portal.fonts``).
SERIF_STACK = f'"Portal Serif", "Noto Serif CJK SC", "Noto Sans CJK SC", {FALLBACK_FAMILIES}, serif'
SANS_STACK = f'"Portal Sans", "Noto Sans CJK SC", "Noto Serif CJK SC", {FALLBACK_FAMILIES}, sans-serif'
SUBSET_VERSION = "1"


def subset_characters() -> str:
    """GB 2312 (6,763 hanzi and its symbols) plus the Latin and punctuation blocks forms use."""
    chars = set()
    for high in range(0xA1, 0xF8):
        for low in range(0xA1, 0xFF):
            try:
                chars.add(bytes((high, low)).decode("gb2312"))
            except UnicodeDecodeError:
                continue
    blocks = [(0x20, 0x7F), (0xA0, 0x180), (0x2000, 0x2070), (0x2100, 0x2200), (0x2460, 0x2500),
              (0x2500, 0x2600), (0x3000, 0x3040), (0xFF00, 0xFFF0)]
    for start, end in blocks:
        chars.update(chr(c) for c in range(start, end))
    return "".join(sorted(chars))


def fonts_dir() -> Path:
    return Path(settings.DATA_DIR) / "fonts"


def _subset_path(family: str, source: Path) -> Path:
    stat = source.stat()
    tag = hashlib.sha256(f"{SUBSET_VERSION}:{source}:{stat.st_size}:{stat.st_mtime_ns}".encode()).hexdigest()[:12]
    return fonts_dir() / f"{family.replace(' ', '')}-{tag}.otf"


def _build_subset(source: Path, index: int, target: Path) -> None:
    # Heavy, and needed once per machine: fontTools is loaded only when a subset is built.
    from fontTools import subset
    from fontTools.ttLib import TTFont

    options = subset.Options()
    options.layout_features = []  # horizontal CJK text needs no GSUB/GPOS features
    options.hinting = False
    options.desubroutinize = True
    options.notdef_outline = True
    options.name_IDs = ["*"]
    options.drop_tables += ["GSUB", "GPOS", "BASE", "VORG", "vhea", "vmtx"]
    font = TTFont(str(source), fontNumber=index)
    subsetter = subset.Subsetter(options)
    subsetter.populate(unicodes=[ord(c) for c in subset_characters()])
    subsetter.subset(font)
    target.parent.mkdir(parents=True, exist_ok=True)
    # Write then rename: another process building the same subset never sees half a font.
    tmp = target.with_suffix(f".{os.getpid()}.{threading.get_ident()}.tmp")
    font.save(str(tmp))
    os.replace(tmp, target)


@lru_cache(maxsize=1)
def subset_fonts() -> tuple[tuple[str, Path, str], ...]:
    """Build (once, cached on disk under ``DATA_DIR/fonts``) and return the portal subsets.

    Missing system fonts are skipped: the stacks then fall through to whatever fontconfig has.
    """
    found = []
    for family, filename, index, weight in SUBSET_FONTS:
        source = NOTO_DIR / filename
        if not source.exists():
            logger.warning("font %s not found; documents use the system fallback", source)
            continue
        target = _subset_path(family, source)
        if not target.exists():
            logger.info("building font subset %s from %s", target.name, source.name)
            _build_subset(source, index, target)
        found.append((family, target, weight))
    return tuple(found)


def font_face_css() -> str:
    rules = []
    for family, path, weight in subset_fonts():
        rules.append(f'@font-face {{ font-family: "{family}"; src: url("{path.as_uri()}"); '
                     f"font-weight: {weight}; }}")
    return "\n".join(rules)


def css_string(value: str) -> str:
    """A quoted CSS string for ``content:`` in a <style> block, where HTML escaping does not apply
    (a raw-text element): escape backslashes and quotes, flatten newlines."""
    text = str(value).replace("\\", "\\\\").replace('"', '\\"').replace("\n", " ").replace("<", "\\3c ")
    return f'"{text}"'


@contextlib.contextmanager
def gc_paused():
    """The cyclic garbage collector off while a document is laid out and written.

    A layout allocates hundreds of thousands of long-lived boxes, so the collector runs over and
    over on objects that are all still in use: about a quarter of a review form's render time
    (0.51 s → 0.39 s median, measured with ``tests/bench/documents.py``).  Afterwards one
    young-generation pass frees the render's own reference cycles, so memory does not creep from
    one document to the next.  Nested use, or a caller that already turned the collector off,
    leaves it as it was.
    """
    if not gc.isenabled():
        yield
        return
    gc.disable()
    try:
        yield
    finally:
        gc.enable()
        gc.collect(0)


@dataclass(frozen=True)
class RenderedPDF:
    content: bytes
    pages: int


class Engine:
    """WeasyPrint plus one ``FontConfiguration`` and the shared stylesheet, for this process."""

    def __init__(self) -> None:
        # Heavy (about a second): WeasyPrint is loaded by the worker on its first render, never by
        # the web process, which imports this module only to queue work.
        from PIL import ImageFile

        import weasyprint
        from weasyprint.text.fonts import FontConfiguration

        # Importing WeasyPrint sets Pillow's process-wide LOAD_TRUNCATED_IMAGES, which would let
        # the upload checks in this process accept truncated scans.  Our documents only embed
        # images Pillow has already re-encoded, so the strict default is set again (whoever
        # imported WeasyPrint first: the value found here may already be WeasyPrint's).
        ImageFile.LOAD_TRUNCATED_IMAGES = False

        self._weasyprint = weasyprint
        self.font_config = FontConfiguration()
        self.fonts_css = weasyprint.CSS(string=font_face_css(), font_config=self.font_config)
        # Documents embed their images as data: URIs; nothing is ever fetched from a file path or
        # the network while rendering (the HTML carries applicant-typed text).
        self.url_fetcher = weasyprint.urls.URLFetcher(allowed_protocols={"data"})
        # WeasyPrint's layout keeps per-FontConfiguration caches that are not thread-safe.
        self.lock = threading.Lock()

    def render(self, html: str, *, on_layout_done=None) -> RenderedPDF:
        with self.lock, gc_paused():
            document = self._weasyprint.HTML(string=html, url_fetcher=self.url_fetcher).render(
                font_config=self.font_config, stylesheets=[self.fonts_css])
            if on_layout_done:
                on_layout_done(len(document.pages))
            # Deterministic bytes (no creation date, content-derived /ID): a re-run of the same
            # data yields the same file, which is what makes retries idempotent.
            content = document.write_pdf()
        return RenderedPDF(content=content, pages=len(document.pages))


def render_parts(htmls: list[str]) -> list[RenderedPDF]:
    """Render several documents at once: the first here, each other one in a forked child.

    Fork rather than a process pool: the child starts with WeasyPrint and the fonts already
    loaded (no import, no font set-up), and Celery's prefork children may not start
    ``multiprocessing`` children of their own.  The child only lays out HTML and writes bytes to a
    pipe, then leaves with ``os._exit`` (no atexit hooks, no database connection closed behind the
    parent's back).  A child that fails is redone here, so the result never depends on it.
    """
    if len(htmls) <= 1 or not hasattr(os, "fork"):
        return [engine().render(html) for html in htmls]
    children = []
    for html in htmls[1:]:
        read_fd, write_fd = os.pipe()
        pid = os.fork()
        if pid == 0:  # the child
            os.close(read_fd)
            status = 1
            try:
                rendered = engine().render(html)
                with os.fdopen(write_fd, "wb") as out:
                    out.write(rendered.pages.to_bytes(4, "big") + rendered.content)
                status = 0
            finally:
                os._exit(status)
        os.close(write_fd)
        children.append((pid, read_fd))
    results = [engine().render(htmls[0])]
    for (pid, read_fd), html in zip(children, htmls[1:]):
        with os.fdopen(read_fd, "rb") as pipe:
            payload = pipe.read()
        _pid, status = os.waitpid(pid, 0)
        if status == 0 and len(payload) > 4:
            results.append(RenderedPDF(content=payload[4:], pages=int.from_bytes(payload[:4], "big")))
        else:
            logger.warning("a document part failed in its child process (status %s); rendering it here", status)
            results.append(engine().render(html))
    return results


def join_pdfs(parts: list[bytes]) -> bytes:
    """One PDF of ``parts`` in order; deterministic (same parts, same bytes)."""
    import pypdf  # only long rosters are rendered in parts: loaded when one is


    writer = pypdf.PdfWriter()
    for part in parts:
        writer.append(pypdf.PdfReader(io.BytesIO(part)))
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def body_font_path() -> Path | None:
    """The serif subset the listings' body text is set in (for ``paginate.TextMeasure``)."""
    for family, path, _weight in subset_fonts():
        if family == "Portal Serif":
            return path
    return None


_engine: Engine | None = None
_engine_lock = threading.Lock()


def engine() -> Engine:
    global _engine
    if _engine is None:
        with _engine_lock:
            if _engine is None:
                _engine = Engine()
    return _engine


def warm_up() -> None:
    """Import WeasyPrint, build the font subsets and lay out one page so Pango has loaded the
    fonts before the first real task arrives."""
    engine().render('<p style="font-family: ' + SERIF_STACK.replace('"', "'") + '">预热 warm-up</p>')
