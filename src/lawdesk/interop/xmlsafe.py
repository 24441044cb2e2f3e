"""The only XML parser lawdesk uses: entities, DTDs and network access off, size, depth and
element-count limits, and only the namespaces the caller allows.

Every document comes from outside (an authority's HI-1 system), so it is parsed as hostile:

* the byte size is checked before parsing, and the document must be UTF-8;
* a document type declaration is refused before libxml2 sees it (no DTD, hence no entity
  declarations: billion laughs and external entities have nothing to stand on); entity
  references and processing instructions are refused too;
* libxml2 runs with ``resolve_entities=False``, ``no_network=True``, ``load_dtd=False`` and
  without ``huge_tree``, so even a declaration that slipped through would not be expanded or
  fetched;
* the nesting depth and the number of elements are bounded;
* every element and attribute must be in an allowed namespace (``xsi`` and ``xml`` attributes
  aside).
"""

from __future__ import annotations

import re
from collections.abc import Collection
from dataclasses import dataclass

from lxml import etree

XSI = "http://www.w3.org/2001/XMLSchema-instance"
XML = "http://www.w3.org/XML/1998/namespace"

MAX_BYTES = 10_000_000
MAX_DEPTH = 24
MAX_ELEMENTS = 20_000


class UnsafeXML(ValueError):
    """A document refused before or while parsing; ``reason`` is a stable short code."""

    def __init__(self, reason: str, message: str):
        super().__init__(message)
        self.reason = reason
        self.message = message


@dataclass(frozen=True)
class Limits:
    max_bytes: int = MAX_BYTES
    max_depth: int = MAX_DEPTH
    max_elements: int = MAX_ELEMENTS


def _parser() -> etree.XMLParser:
    return etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False,
                           dtd_validation=False, huge_tree=False, remove_blank_text=False,
                           collect_ids=False, strip_cdata=False)


def parse(data: bytes, *, namespaces: Collection[str], limits: Limits | None = None
          ) -> etree._Element:
    """Parse ``data`` into its root element, or raise :class:`UnsafeXML` saying why not."""
    if not isinstance(data, bytes):
        raise TypeError("parse() takes the bytes as received")
    limits = limits or Limits()
    if len(data) > limits.max_bytes:
        raise UnsafeXML("too_large", f"The document has {len(data)} bytes; the limit is "
                                     f"{limits.max_bytes}.")
    if not data.strip():
        raise UnsafeXML("empty", "The document is empty.")
    _check_prolog(data)
    try:
        root = etree.fromstring(data, parser=_parser())
    except etree.XMLSyntaxError as exc:
        raise UnsafeXML("not_well_formed", f"The document is not well-formed XML: {exc}") from None
    doc = root.getroottree().docinfo
    if doc.doctype or doc.internalDTD is not None or doc.externalDTD is not None:
        raise UnsafeXML("dtd", "Document type declarations (DTDs) are not accepted.")
    _walk(root, set(namespaces), limits)
    return root


_DECLARATION = re.compile(rb"^<\?xml\s[^?>]*\?>")
_ENCODING = re.compile(rb"""encoding\s*=\s*["']([A-Za-z0-9._-]+)["']""")
_MISC = re.compile(rb"^(?:\s+|<!--.*?-->|<\?(?!xml\s).*?\?>)", re.S)


def _check_prolog(data: bytes) -> None:
    """Refuse other encodings than UTF-8, and any DOCTYPE, before the parser runs."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")) or data[:4] in (b"<\x00?\x00", b"\x00<\x00?"):
        raise UnsafeXML("encoding", "The document must be encoded in UTF-8.")
    rest = data.removeprefix(b"\xef\xbb\xbf")
    declaration = _DECLARATION.match(rest)
    if declaration:
        encoding = _ENCODING.search(declaration.group())
        if encoding and encoding.group(1).lower() not in (b"utf-8", b"utf8"):
            raise UnsafeXML("encoding", "The document must be encoded in UTF-8.")
        rest = rest[declaration.end():]
    while (misc := _MISC.match(rest)) and misc.end():
        rest = rest[misc.end():]
    if rest.startswith(b"<!"):
        raise UnsafeXML("dtd", "Document type declarations (DTDs) are not accepted.")


def _walk(root: etree._Element, allowed: set[str], limits: Limits) -> None:
    """Check depth, count, node kinds and namespaces without recursion."""
    count = 0
    stack: list[tuple[etree._Element, int]] = [(root, 1)]
    for sibling in (*root.itersiblings(preceding=True), *root.itersiblings()):
        _refuse_node(sibling)
    while stack:
        node, depth = stack.pop()
        if not isinstance(node.tag, str):
            _refuse_node(node)
            continue
        count += 1
        if count > limits.max_elements:
            raise UnsafeXML("too_many_elements", f"The document has more than "
                                                 f"{limits.max_elements} elements.")
        if depth > limits.max_depth:
            raise UnsafeXML("too_deep", f"Elements are nested more than {limits.max_depth} deep.")
        qname = etree.QName(node)
        if qname.namespace not in allowed:
            raise UnsafeXML("namespace", f"The element {qname.localname} is in the namespace "
                                         f"{qname.namespace or '(none)'}, which is not accepted.")
        for attribute in node.attrib:
            namespace = etree.QName(attribute).namespace
            if namespace not in (None, XSI, XML) and namespace not in allowed:
                raise UnsafeXML("namespace", f"The attribute {attribute} is in a namespace that "
                                             "is not accepted.")
        stack.extend((child, depth + 1) for child in node)


def _refuse_node(node: etree._Element) -> None:
    if isinstance(node, etree._Entity):
        raise UnsafeXML("entity", "Entity references are not accepted.")
    if isinstance(node, etree._ProcessingInstruction):
        raise UnsafeXML("processing_instruction", "Processing instructions are not accepted.")
    # Comments are harmless and ignored by the readers.
