"""What a web process would otherwise build on the first request that needs it, built once before
it serves any: the URL patterns (and so every view module), the Chinese translation catalogues,
every template compiled (the pages' Django templates, their Jinja2 rows, the form renderer's
widgets), and the ID-number validator's table of region codes.

``portal/wsgi.py`` calls ``warm_up()`` once the application is loaded; under gunicorn that is in
the master (``preload_app``), before it forks, so every worker starts with all of it, shared
copy-on-write and frozen out of the garbage collector, and so does a worker that replaces one
recycled after ``max_requests``.  Without it each new worker paid for these on its first requests,
whichever page they were: 35–520 ms of CPU (an applicant's basic-information section: 517 ms, a
tenth of it stdnum's region table), landing on a page's p95 in the scale benchmark at every
recycling (issue 16).

Nothing here touches the database, the cache or the broker: connections opened in the master
would be shared by the forked workers.  A template that does not compile (a library's template
for a tag library not installed) is skipped: the page that uses it reports that, as before.
"""

from __future__ import annotations

import logging
import time
from pathlib import Path

from django.conf import settings
from django.forms.renderers import get_default_renderer
from django.template import engines
from django.urls import get_resolver
from django.utils import translation

logger = logging.getLogger(__name__)

TEMPLATE_SUFFIXES = (".html", ".txt", ".xml", ".svg")


def warm_up() -> dict[str, int | float]:
    """Build it all; returns what was compiled and how long it took (logged at INFO)."""
    began = time.perf_counter()
    with translation.override(settings.LANGUAGE_CODE):  # the catalogues of every installed app
        get_resolver().reverse_dict  # noqa: B018 - populated per language; it imports every view
    templates = sum(_compile_all(engine, _skipped_dirs(engine)) for engine in engines.all())
    templates += _compile_all(get_default_renderer().engine)
    _id_number_table()
    seconds = round(time.perf_counter() - began, 3)
    logger.info("warmed up: %d templates compiled in %.3f s", templates, seconds)
    return {"templates": templates, "seconds": seconds}


def _skipped_dirs(engine) -> tuple[Path, ...]:
    """The folders of other engines inside this one's (``templates/jinja2`` inside ``templates``)."""
    mine = [Path(folder) for folder in engine.template_dirs]
    theirs = {Path(folder) for other in engines.all() if other is not engine for folder in other.template_dirs}
    return tuple(folder for folder in theirs - set(mine) if any(folder.is_relative_to(m) for m in mine))


def _compile_all(engine, skipped: tuple[Path, ...] = ()) -> int:
    """``engine.get_template`` for every template file under its folders (a cached loader, or
    Jinja2's own cache, keeps each compiled); the number compiled."""
    compiled = 0
    for folder in map(Path, engine.template_dirs):
        for path in sorted(folder.rglob("*")):
            if path.suffix not in TEMPLATE_SUFFIXES or any(path.is_relative_to(s) for s in skipped):
                continue
            try:
                engine.get_template(path.relative_to(folder).as_posix())
            except Exception:  # noqa: BLE001 - not this engine's, or not compilable here: its page says so
                logger.debug("warm-up: %s not compiled", path, exc_info=True)
                continue
            compiled += 1
    return compiled


def _id_number_table() -> None:
    """stdnum reads its table of China's region codes from disk on the first ID number checked
    (~100 ms: ``portal.accounts.validators``)."""
    from stdnum import numdb

    numdb.get("cn/loc")
