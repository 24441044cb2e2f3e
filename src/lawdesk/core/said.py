"""Sentences for people that are their English text and can be said in another language.

A ``Message`` is a ``str`` — the English, what tests compare, ``--json`` and logs write — that
keeps its catalogue message (marked with ``gettext_noop``) and its values apart, so a command
line says it in the language it runs in (decision 0020): ``say(message, catalogue)``, with the
catalogue of ``lawdesk.evidence.catalogue``. No Django: the verifiers run without it.
"""

from __future__ import annotations

from typing import Any, Protocol

__all__ = ["Figure", "Message", "gettext_noop", "say"]


def gettext_noop(text: str) -> str:
    """Mark a string for the catalogue (``makemessages`` extracts it); translated when said."""
    return text


class Catalogue(Protocol):
    """A translations object (``gettext.NullTranslations`` or one read from a catalogue)."""

    def gettext(self, message: str, /) -> str: ...

    def pgettext(self, context: str, message: str, /) -> str: ...


class Message(str):
    """A sentence for people that is its English text (what tests compare, ``--json`` and logs
    write) and keeps its catalogue message (marked with ``gettext_noop``) and values apart, so a
    command line can say it in its own language: ``say(message, environment_catalogue())``.

    The values are written with ``%(name)s``; a value that is itself a ``Message`` or a
    ``Figure`` is said in the same language.
    """

    template: str
    params: dict[str, Any]

    def __new__(cls, template: str, **params: Any) -> Message:
        self = super().__new__(cls, template % {k: str(v) for k, v in params.items()} if params else template)
        self.template, self.params = template, params
        return self

    def __reduce__(self) -> tuple[Any, ...]:  # pickled (worker processes) as what it says
        return (_message, (self.template, self.params))

    def said(self, cat: Catalogue) -> str:
        """The message in the language of ``cat``."""
        text = cat.gettext(self.template)
        return text % {k: say(v, cat) for k, v in self.params.items()} if self.params else text


def _message(template: str, params: dict[str, Any]) -> Message:
    return Message(template, **params)


class Figure(int):
    """A count a person reads: grouped as the language writes it (1,234 / 1\u202f234)."""

    def __str__(self) -> str:
        return f"{int(self):,}"

    __repr__ = int.__repr__


def say(value: Any, cat: Catalogue) -> str:
    """``value`` in the language of ``cat``: a ``Message`` or ``Figure`` translated, anything
    else (a file name, a hash, an English message from elsewhere) as it is."""
    if isinstance(value, Message):
        return value.said(cat)
    if isinstance(value, Figure):
        return str(value).replace(",", cat.pgettext("thousands separator", ","))
    if isinstance(value, BaseException) and value.args and isinstance(value.args[0], Message):
        return value.args[0].said(cat)
    return str(value)
