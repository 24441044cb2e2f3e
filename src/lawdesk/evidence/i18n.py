"""The evidence documents' languages, without Django (decision 0020).

The certificate is written in the requesting authority's language and in English, one
version after the other in one PDF, by the worker — and by scripts and benchmarks that have no
Django settings. Its text therefore comes from the project's one catalogue
(``lawdesk/locale/<language>/LC_MESSAGES/django.mo``, compiled by ``make messages``) read with
Python's own ``gettext`` module, not through Django's active-language machinery: the same
bytes with or without Django, and no thread-wide language switch inside the worker.

The certificate template uses the ordinary ``{% translate %}`` and ``{% blocktranslate %}``
tags, so ``makemessages`` finds its strings and the template lint reads it like any other;
:data:`TAGS` is the tag library that renders them from the catalogue of the version being
written (``catalogue`` in the template context).
"""

from __future__ import annotations

from typing import Any

from django.template import Context, Library, Node, TemplateSyntaxError
from django.template.base import Parser, Token, render_value_in_context
from django.templatetags import i18n as django_i18n
from django.utils.safestring import SafeString

from lawdesk.evidence.catalogue import LOCALE_DIR, Catalogue, available, catalogue, gettext_noop

__all__ = ["LOCALE_DIR", "TAGS", "Catalogue", "available", "catalogue", "gettext_noop"]


# --- Template tags -------------------------------------------------------------------------
#
# Django's own parsers read the tags; only rendering differs: the text comes from the
# ``catalogue`` of the context, not from Django's active language.

TAGS = Library()


def _catalogue_of(context: Context) -> Catalogue:
    found = context.get("catalogue")
    if not isinstance(found, Catalogue):
        raise TemplateSyntaxError("an evidence template is rendered with a 'catalogue' in its context")
    return found


class _Translate(django_i18n.TranslateNode):
    def render(self, context: Context) -> str:
        var = self.filter_expression.var
        literal = getattr(var, "literal", None)
        if not isinstance(literal, str) or self.filter_expression.filters:
            raise TemplateSyntaxError("{% translate %} in an evidence template takes a quoted string")
        cat = _catalogue_of(context)
        # As Django does: a literal % is doubled in the catalogue's msgid.
        msgid = literal.replace("%", "%%")
        if self.message_context:
            text = cat.pgettext(self.message_context.resolve(context), msgid)
        else:
            text = msgid if self.noop else cat.gettext(msgid)
        value = SafeString(text.replace("%%", "%"))  # the template's own text, and its translation
        if self.asvar:
            context[self.asvar] = value
            return ""
        return value


class _BlockTranslate(django_i18n.BlockTranslateNode):
    def render(self, context: Context, nested: bool = False) -> str:
        cat = _catalogue_of(context)
        context.update({var: val.resolve(context) for var, val in self.extra_context.items()})
        try:
            singular, names = self.render_token_list(self.singular)
            if self.plural and self.countervar and self.counter:
                count = self.counter.resolve(context)
                context[self.countervar] = count
                plural, more = self.render_token_list(self.plural)
                names += more
                result = (cat.npgettext(self.message_context.resolve(context), singular, plural, count)
                          if self.message_context else cat.ngettext(singular, plural, count))
            elif self.message_context:
                result = cat.pgettext(self.message_context.resolve(context), singular)
            else:
                result = cat.gettext(singular)
            # Values are escaped like any {{ value }}; the text around them is the template's.
            data = {name: render_value_in_context(context.get(name, ""), context) for name in names}
        finally:
            context.pop()
        text = SafeString(result % data)
        if self.asvar:
            context[self.asvar] = text
            return ""
        return text


@TAGS.tag("translate")
@TAGS.tag("trans")
def _translate_tag(parser: Parser, token: Token) -> Node:
    node = django_i18n.do_translate(parser, token)
    node.__class__ = _Translate
    return node


@TAGS.tag("blocktranslate")
@TAGS.tag("blocktrans")
def _blocktranslate_tag(parser: Parser, token: Token) -> Node:
    node = django_i18n.do_block_translate(parser, token)
    node.__class__ = _BlockTranslate
    return node


def template_libraries() -> dict[str, Any]:
    """For a standalone ``Engine``: ``{% load i18n %}`` gives these tags."""
    return {"i18n": __name__}


register = TAGS  # what Django's Engine looks for in a tag library module
