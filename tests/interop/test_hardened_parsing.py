"""The XML parser is hardened (issue 16, part 5): entity expansion, external entities and DTDs,
oversized documents, deep nesting and foreign namespaces are refused before they cost anything.

These replace the earlier guard that forbade XML parsers altogether; the guard that remains
checks that no module parses XML except through ``lawdesk.interop.xmlsafe``.
"""

from __future__ import annotations

import http.server
import re
import threading
import time
import tracemalloc
from pathlib import Path

import pytest

from lawdesk.interop import message
from lawdesk.interop.message import ErrorCode, HI1Error, read_request
from lawdesk.interop.xmlsafe import Limits, UnsafeXML, parse
from tests.interop.messages import authorisation, ids, request

SRC = Path(__file__).resolve().parents[2] / "src" / "lawdesk"
NS = ["urn:lawdesk:test"]


def _refused(data: bytes, **kw) -> UnsafeXML:
    with pytest.raises(UnsafeXML) as caught:
        parse(data, namespaces=kw.pop("namespaces", NS), **kw)
    return caught.value


def billion_laughs(levels: int = 10) -> bytes:
    entities = '<!ENTITY lol0 "lol">' + "".join(
        f'<!ENTITY lol{i} "{f"&lol{i - 1};" * 10}">' for i in range(1, levels))
    return (f'<?xml version="1.0"?>\n<!DOCTYPE lolz [{entities}]>'
            f'<lolz xmlns="urn:lawdesk:test">&lol{levels - 1};</lolz>').encode()


def test_billion_laughs_is_refused_fast_and_small():
    tracemalloc.start()
    started = time.perf_counter()
    error = _refused(billion_laughs())
    elapsed = time.perf_counter() - started
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert error.reason == "dtd"
    assert elapsed < 0.5 and peak < 5_000_000  # 10^9 "lol"s would be gigabytes


def test_billion_laughs_inside_an_hi1_message_is_schema_invalid():
    with pytest.raises(HI1Error) as caught:
        read_request(billion_laughs())
    assert caught.value.code == ErrorCode.SCHEMA_INVALID
    assert "DTD" in caught.value.description


def test_external_entity_is_not_read(tmp_path):
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP-SECRET-42")
    data = (f'<?xml version="1.0"?><!DOCTYPE r [<!ENTITY x SYSTEM "file://{secret}">]>'
            f'<r xmlns="urn:lawdesk:test">&x;</r>').encode()
    error = _refused(data)
    assert error.reason == "dtd" and "TOP-SECRET" not in str(error)


def test_external_dtd_is_never_fetched():
    """A DOCTYPE pointing at a server on loopback: refused, and the server sees no request."""
    hits = []

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self):
            hits.append(self.path)
            self.send_response(200)
            self.end_headers()
            self.wfile.write(b'<!ENTITY x "fetched">')

        def log_message(self, *args):
            pass

    server = http.server.HTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        url = f"http://127.0.0.1:{server.server_port}/evil.dtd"
        for data in (f'<!DOCTYPE r SYSTEM "{url}"><r xmlns="urn:lawdesk:test">&x;</r>',
                     f'<!-- hidden --><!DOCTYPE r [<!ENTITY % p SYSTEM "{url}"> %p;]>'
                     f'<r xmlns="urn:lawdesk:test"/>'):
            assert _refused(data.encode()).reason == "dtd"
    finally:
        server.shutdown()
    assert hits == []


def test_undeclared_entity_reference_is_refused():
    assert _refused(b'<r xmlns="urn:lawdesk:test">&nbsp;</r>').reason == "not_well_formed"


def test_processing_instruction_is_refused():
    assert _refused(b'<?xml-stylesheet href="http://x/"?><r xmlns="urn:lawdesk:test"/>').reason \
        == "processing_instruction"


def test_oversized_document_is_refused_before_parsing():
    data = b'<r xmlns="urn:lawdesk:test">' + b"A" * 2_000 + b"</r>"
    assert _refused(data, limits=Limits(max_bytes=1_000)).reason == "too_large"
    huge = b'<r xmlns="urn:lawdesk:test">' + b"A" * (message.Limits().max_bytes + 1) + b"</r>"
    with pytest.raises(HI1Error) as caught:
        read_request(huge)
    assert caught.value.code == ErrorCode.SCHEMA_INVALID and "limit" in caught.value.description


def test_deep_nesting_is_refused():
    def nest(depth: int) -> bytes:
        return b'<a xmlns="urn:lawdesk:test">' * depth + b"</a>" * depth

    parse(nest(24), namespaces=NS)  # the limit itself is fine
    assert _refused(nest(25)).reason == "too_deep"
    # libxml2's own limit (256) is never reached first, and 100,000 levels cost nothing.
    started = time.perf_counter()
    assert _refused(nest(100_000)).reason in ("too_deep", "not_well_formed")
    assert time.perf_counter() - started < 1


def test_too_many_elements_is_refused():
    data = b'<r xmlns="urn:lawdesk:test">' + b"<a/>" * 50 + b"</r>"
    assert _refused(data, limits=Limits(max_elements=40)).reason == "too_many_elements"


@pytest.mark.parametrize("data", [
    b'<r xmlns="urn:evil"/>',
    b'<r xmlns="urn:lawdesk:test"><x:a xmlns:x="urn:evil"/></r>',
    b'<r xmlns="urn:lawdesk:test"><a/><b xmlns=""/></r>',
    b'<r xmlns="urn:lawdesk:test" xmlns:x="urn:evil" x:attr="1"/>',
])
def test_foreign_namespace_is_refused(data):
    assert _refused(data).reason == "namespace"


def test_other_encodings_than_utf8_are_refused():
    latin = '<?xml version="1.0" encoding="ISO-8859-1"?><r xmlns="urn:lawdesk:test">é</r>'
    assert _refused(latin.encode("latin-1")).reason == "encoding"
    utf16 = '<?xml version="1.0" encoding="UTF-16"?><r xmlns="urn:lawdesk:test"/>'
    assert _refused(utf16.encode("utf-16")).reason == "encoding"


def test_hi1_message_in_a_wrong_namespace_is_schema_invalid():
    good = request(authorisation(ids(1)[0]))
    wrong = good.replace(b"http://uri.etsi.org/03120/common/2019/10/Core",
                         b"http://uri.etsi.org/03120/common/2017/10/Core")
    with pytest.raises(HI1Error) as caught:
        read_request(wrong)
    assert caught.value.code == ErrorCode.SCHEMA_INVALID
    assert "not accepted" in caught.value.description


def test_only_the_hardened_module_parses_xml():
    """Every XML parse goes through lawdesk.interop.xmlsafe: no other module imports a parser
    (lxml.etree is used elsewhere only to *build* documents, never fromstring/parse/XML)."""
    importing = re.compile(r"^\s*(from|import)\s+(xml\.(etree|dom|sax|parsers)|defusedxml|"
                           r"xmltodict)\b", re.M)
    parsing = re.compile(r"\betree\.(fromstring|parse|XML|iterparse|XMLParser|XMLPullParser|"
                         r"fromstringlist)\b|\bminidom\b|\bexpatbuilder\b")
    offenders = [str(p.relative_to(SRC)) for p in SRC.rglob("*.py")
                 if p.name != "xmlsafe.py"
                 and (importing.search(t := p.read_text(encoding="utf-8")) or parsing.search(t))]
    assert offenders == []
