"""Where other apps plug into the case pages, so that `cases` never imports them.

An app that builds on cases (collection, for one) registers, in its ``AppConfig.ready``:

* a **panel**: a function ``(case, now) -> Panel | None`` for the desk's or the portal's case
  page; the page includes ``panel.template`` with ``panel`` (its context) in place;
* a **desk action**: a name from ``core.permissions.DESK_ACTIONS``, the form class that carries
  its fields (or None) and a handler ``(case, data, actor, now, origin) -> message``. The
  desk's case page authorizes, validates and reports errors exactly as for its own actions.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Literal

from django import forms

from lawdesk.core.permissions import DESK_ACTIONS

Side = Literal["desk", "portal"]


@dataclass(frozen=True)
class Panel:
    """One section of a case page: a template and what it shows."""

    template: str
    context: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class DeskAction:
    """An action offered on the desk's case page by another app."""

    name: str
    handler: Callable[..., str]
    form: type[forms.Form] | None = None
    prefix: str = ""


_PANELS: dict[Side, list[Callable[[Any, datetime], Panel | None]]] = {"desk": [], "portal": []}
_ACTIONS: dict[str, DeskAction] = {}


def register_panel(side: Side, provider: Callable[[Any, datetime], Panel | None]) -> None:
    """Add a section to the desk's or the portal's case page (once per provider)."""
    if provider not in _PANELS[side]:
        _PANELS[side].append(provider)


def panels(side: Side, case: Any, now: datetime) -> list[Panel]:
    """The sections the registered apps show for this case, in registration order."""
    return [p for p in (provider(case, now) for provider in _PANELS[side]) if p is not None]


def register_action(action: DeskAction) -> None:
    """Offer an action on the desk's case page (its name must be a DESK_ACTIONS entry)."""
    if action.name not in DESK_ACTIONS:
        raise ValueError(f"{action.name!r} is not a desk action (core.permissions.DESK_ACTIONS).")
    _ACTIONS[action.name] = action


def desk_action(name: str) -> DeskAction | None:
    """The registered action of that name, if any."""
    return _ACTIONS.get(name)


def desk_actions() -> list[DeskAction]:
    """Every registered action."""
    return list(_ACTIONS.values())
