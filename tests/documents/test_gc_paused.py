"""``gc_paused``: the collector is off during a render, back on afterwards, and the render's own
reference cycles are freed before the next document."""

from __future__ import annotations

import gc
import weakref

from review.documents.engine import engine, gc_paused


class Node:
    def __init__(self):
        self.me = self  # a reference cycle: only the cyclic collector frees it


def test_collector_is_off_inside_and_cycles_are_freed_after():
    assert gc.isenabled()
    with gc_paused():
        assert not gc.isenabled()
        cycle = weakref.ref(Node())
        assert cycle() is not None
    assert gc.isenabled()
    assert cycle() is None


def test_a_caller_that_turned_the_collector_off_keeps_it_off():
    gc.disable()
    try:
        with gc_paused():
            assert not gc.isenabled()
        assert not gc.isenabled()
    finally:
        gc.enable()


def test_the_collector_is_back_on_after_a_failed_render():
    try:
        with gc_paused():
            raise RuntimeError("mid-render")
    except RuntimeError:
        pass
    assert gc.isenabled()


def test_rendering_leaves_the_collector_on():
    rendered = engine().render("<p>预热</p>")
    assert rendered.pages == 1 and rendered.content.startswith(b"%PDF")
    assert gc.isenabled()
