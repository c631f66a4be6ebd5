"""The actions the one door knows, as data: ``ACTIONS`` maps each name to its ``Action``.

The chain's own actions (submit … abandon) are registered by ``review.services``; the apps built
on review register theirs when Django loads them (``review.aftercare`` its after-acceptance
actions, in ``AftercareConfig.ready``).  The door reads this table and nothing else, so it never
imports the apps above it.

An ``Action`` says who may fire it (``predicate``), which django-fsm transition it fires
(``method``; ``None``: chosen from the current state, see ``review.services``), what it checks
and records under the row lock besides (``prepare``), and what the applicant reads afterwards
(``applicant_text``; ``None``: the chain's own texts in ``review.notifications``).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class Action:
    name: str
    label: str
    predicate: Callable  # (user, application, now) -> review.permissions.Decision
    method: str | None = None
    prepare: Callable | None = None  # (application, request, now) -> None; raises TransitionRefused
    applicant_text: Callable | None = None  # (change, application) -> (title, body)


ACTIONS: dict[str, Action] = {}


def action_register(action: Action) -> None:
    """Add ``action`` to the door's table.  Registering the same name twice is a mistake (two apps
    claiming one action), unless it is the very same action again (a module reloaded)."""
    known = ACTIONS.get(action.name)
    if known is not None and known != action:
        raise ValueError(f"the door already has an action named {action.name!r}")
    ACTIONS[action.name] = action


def action_named(name: str) -> Action:
    try:
        return ACTIONS[name]
    except KeyError:
        raise ValueError(f"unknown action {name!r}") from None

