"""Time is read only through ``lawdesk.core.clock`` (issue 14 item 8): services take ``now``, and
the entry points (views, the worker, the command line, the simulators) read it with
``clock.utcnow()``. A direct read of the wall clock anywhere else fails here. Timers that measure
a duration (``time.monotonic``, ``time.perf_counter``) are not the wall clock and stay allowed."""

from __future__ import annotations

import ast
from pathlib import Path

import lawdesk

SRC = Path(lawdesk.__file__).resolve().parent

# Each module allowed to read the wall clock directly, with the reason.
ALLOWED = {
    "core/clock.py": "the one place that reads the clock",
}

_CLOCK_ATTRS = {"now", "utcnow", "today"}
_CLOCK_MODULES = {"datetime", "date", "timezone", "dt"}
_TIME_READS = {"time", "time_ns", "gmtime", "localtime", "ctime", "asctime"}


def clock_reads(source: str) -> list[str]:
    """Calls that read the wall clock: ``datetime.now()``, ``datetime.utcnow()``,
    ``date.today()``, ``timezone.now()`` / ``localtime()`` / ``localdate()`` without a time,
    ``time.time()``, ``time.gmtime()`` …, and any ``….now()`` (``pyotp.TOTP(s).now()``)."""
    found: list[str] = []
    for node in ast.walk(ast.parse(source)):
        if not isinstance(node, ast.Call) or not isinstance(node.func, ast.Attribute):
            continue
        attr, owner = node.func.attr, node.func.value
        owner_name = owner.id if isinstance(owner, ast.Name) else \
            owner.attr if isinstance(owner, ast.Attribute) else ""
        reads = (
            (attr in _CLOCK_ATTRS and owner_name in _CLOCK_MODULES)
            or (attr == "now" and not node.args and owner_name != "clock")
            or (owner_name == "time" and attr in _TIME_READS and not node.args)
            or (owner_name == "timezone" and attr in {"localtime", "localdate"} and not node.args)
        )
        if reads:
            found.append(f"{node.lineno}: {ast.unparse(node)}")
    return found


def test_the_wall_clock_is_read_only_through_core_clock() -> None:
    offenders = [f"{rel}:{read}"
                 for path in sorted(SRC.rglob("*.py"))
                 if (rel := path.relative_to(SRC).as_posix()) not in ALLOWED
                 and "/migrations/" not in rel
                 for read in clock_reads(path.read_text("utf-8"))]
    assert not offenders, ("read the time with lawdesk.core.clock.utcnow() (or take `now`): "
                           + ", ".join(offenders))


def test_the_allowed_modules_exist() -> None:
    assert all((SRC / rel).exists() for rel in ALLOWED)


def test_the_check_sees_each_kind_of_read() -> None:
    for read in ("datetime.now(UTC)", "datetime.datetime.now(tz=UTC)", "datetime.utcnow()",
                 "date.today()", "timezone.now()", "timezone.localtime()", "time.time()",
                 "time.gmtime()", "pyotp.TOTP(secret).now()"):
        assert clock_reads(f"x = {read}\n"), read
    for fine in ("utcnow()", "clock.utcnow()", "time.monotonic()", "time.perf_counter()",
                 "timezone.localtime(value)", "time.gmtime(0)", "pyotp.TOTP(secret).at(now)",
                 "datetime.fromisoformat(text)"):
        assert not clock_reads(f"x = {fine}\n"), fine
