"""Format detection by content, bad files rejected with their line, and hostile input refused safely."""

from __future__ import annotations

import json
import resource
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dateline.ingest.formats import MAX_WIRE_BYTES, detect_format, parse_stories
from dateline.ingest.formats.xmlsafe import MAX_DEPTH
from dateline.ingest.parse import NotWireCopy

AGENCY = Path(__file__).parent / "fixtures" / "agency"
WIRE = Path(__file__).parent / "fixtures" / "wire"


@pytest.mark.parametrize("name, kind", [
    ("newsml-g2/afp-stockholm-housing", "newsml-g2"),  # no extension, as agencies name files
    ("newsml-g2/dpa-package-two-stories.xml", "newsml-g2"),
    ("newsml-g2/efe-bogota-latin1.xml", "newsml-g2"),
    ("newsml-1/afp-bordeaux-harvest-kill", "newsml-1"),
    ("nitf/ap-atlanta-airport.nitf", "nitf"),
    ("nitf/ap-atlanta-airport-kill", "nitf"),
    ("ninjs/aap-sydney-heatwave.json", "ninjs"),
    ("iptc7901/dpa-windpark-latin1", "iptc7901"),
    ("iptc7901/apa-wien-budget-utf8.7901", "iptc7901"),
    ("anpa1312/ap-ohio-bridge-stream.anpa", "anpa1312"),
    ("bad/rss.xml", "xml"),
    ("bad/not-ninjs.json", "json"),
])
def test_detection_by_content(name, kind, tmp_path):
    data = (AGENCY / name).read_bytes()
    assert detect_format(data) == kind
    renamed = tmp_path / "tag_reuters.com,0000_newsml_L4N1FL0N0_1132689232"  # the name says nothing
    renamed.write_bytes(data)
    assert detect_format(renamed.read_bytes()) == kind


def test_plain_wire_copy_is_text():
    for path in WIRE.iterdir():
        assert detect_format(path.read_bytes()) == "text"


def test_g2_root_needs_the_g2_namespace():
    other = b'<?xml version="1.0"?><newsItem xmlns="http://example.org/not-iptc/"><x/></newsItem>'
    assert detect_format(other) == "xml"
    prefixed = (b'<g2:newsItem xmlns:g2="http://iptc.org/std/nar/2006-10-01/" guid="g" version="1">'
                b'<g2:itemMeta><g2:itemClass qcode="ninat:text"/><g2:versionCreated>2025-01-02T03:04:05Z'
                b'</g2:versionCreated></g2:itemMeta><g2:contentMeta><g2:headline>Prefixed</g2:headline>'
                b'</g2:contentMeta></g2:newsItem>')
    assert detect_format(prefixed) == "newsml-g2"
    assert parse_stories(prefixed)[0].headline == "Prefixed"


@pytest.mark.parametrize("name, line, words", [
    ("newsml-g2-truncated.xml", 7, "malformed XML: no element found"),
    ("newsml-g2-package-only.xml", None, "package whose text items are not in the file"),
    ("newsml-g2-declared-utf8-is-latin1.xml", 3, "not valid utf-8 text"),
    ("nitf-undefined-entity.xml", 5, "undefined entity"),
    ("newsml-1-no-newsitem.xml", None, "NewsML without a NewsItem"),
    ("ninjs-malformed.json", 3, "malformed JSON: Expecting property name"),
    ("not-ninjs.json", None, "JSON, but not ninjs"),
    ("rss.xml", 1, "its root element is <rss>"),
    ("iptc7901-no-etx", 1, "IPTC 7901: the message starting at byte 0 has no ETX"),
    ("iptc7901-bad-header", 7, "IPTC 7901: the header line at byte 71 is not"),
    ("anpa1312-no-stx.anpa", 1, "ANPA 1312: the message starting at byte 2 has no STX"),
])
def test_bad_files_are_rejected_saying_where(name, line, words):
    with pytest.raises(NotWireCopy) as caught:
        parse_stories((AGENCY / "bad" / name).read_bytes())
    assert words in caught.value.message
    assert caught.value.line == line


def test_billion_laughs_is_refused_without_expanding():
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    with pytest.raises(NotWireCopy) as caught:
        parse_stories((AGENCY / "bad" / "billion-laughs.xml").read_bytes())
    assert "declares entities" in caught.value.message and caught.value.line == 3
    assert resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before < 50_000  # KiB: nothing was expanded


class _Recorder(BaseHTTPRequestHandler):
    requests: list[str] = []

    def do_GET(self):  # noqa: N802 (the standard library's name)
        _Recorder.requests.append(self.path)
        self.send_response(200)
        self.end_headers()
        self.wfile.write(b'<!ENTITY leak "fetched">')

    def log_message(self, *args):
        pass


def test_external_entities_are_never_fetched(tmp_path):
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Recorder)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        port = server.server_address[1]
        secret = tmp_path / "secret.txt"
        secret.write_text("do not read me", encoding="utf-8")
        for document in (
            f'<?xml version="1.0"?><!DOCTYPE nitf [<!ENTITY s SYSTEM "file://{secret}">]><nitf>&s;</nitf>',
            f'<?xml version="1.0"?><!DOCTYPE nitf [<!ENTITY % r SYSTEM "http://127.0.0.1:{port}/x.dtd">%r;]>'
            '<nitf>&leak;</nitf>',
            f'<?xml version="1.0"?><!DOCTYPE nitf SYSTEM "http://127.0.0.1:{port}/nitf.dtd"><nitf><body>'
            '<body.head><hedline><hl1>A DTD named by URL</hl1></hedline></body.head></body></nitf>',
        ):
            try:
                parsed = parse_stories(document.encode())
            except NotWireCopy as exc:
                assert "unsafe XML" in exc.message or "without a date" in exc.message
            else:
                pytest.fail(f"parsed {parsed}")
        time.sleep(0.2)
        assert _Recorder.requests == []
    finally:
        server.shutdown()
        server.server_close()


@pytest.mark.parametrize("name", ["external-entity.xml", "external-dtd-entity.xml"])
def test_external_entity_samples_are_refused(name):
    with pytest.raises(NotWireCopy) as caught:
        parse_stories((AGENCY / "bad" / name).read_bytes())
    assert caught.value.message.startswith("unsafe XML") and caught.value.line == 3


def test_files_over_the_size_limit_are_refused_before_parsing():
    huge = b'<?xml version="1.0"?><nitf><body><body.content><p>' + b"x" * (50 * 1024 * 1024) + b"</p></body.content>"
    with pytest.raises(NotWireCopy) as caught:
        parse_stories(huge)
    assert caught.value.message == f"the file is 50.0 MB; wire copy may be at most {MAX_WIRE_BYTES // 1024 // 1024} MB"


def test_deep_nesting_is_refused_with_its_line():
    levels = MAX_DEPTH + 10
    deep = b'<?xml version="1.0"?>\n<nitf>' + b"<block>" * levels + b"</block>" * levels + b"</nitf>"
    with pytest.raises(NotWireCopy) as caught:
        parse_stories(deep)
    assert f"nested more than {MAX_DEPTH} elements deep" in caught.value.message and caught.value.line == 2
    html = "<p>" * 5000 + "deep" + "</p>" * 5000
    story = parse_stories(json.dumps({"uri": "u", "type": "text", "versioncreated": "2025-01-01T00:00:00Z",
                                      "headline": "Deep HTML", "body_html": "<div>" * 5000 + html}).encode())[0]
    assert story.body.endswith("deep")
    with pytest.raises(NotWireCopy, match="nested too deeply"):
        parse_stories(b"[" * 100_000 + b"]" * 100_000)


@pytest.mark.parametrize("document", [
    b'{"uri": "u", "type": "text", "headline": "x", "urgency": NaN}',
    b'{"uri": "u", "type": "text", "headline": "x", "version": ' + b"9" * 5000 + b"}",
])
def test_json_that_python_would_accept_loosely_is_refused(document):
    with pytest.raises(NotWireCopy, match="malformed JSON"):
        parse_stories(document)


@settings(max_examples=150, deadline=None)
@given(st.sampled_from(sorted(p for p in AGENCY.rglob("*") if p.is_file() and p.parent.name != "bad")),
       st.integers(min_value=0, max_value=4000), st.binary(max_size=20))
def test_damaged_agency_files_parse_or_are_rejected(path, cut, noise):
    data = path.read_bytes()
    damaged = data[:cut] + noise + data[cut + len(noise):]
    try:
        found = parse_stories(damaged)
    except NotWireCopy as exc:
        assert exc.message
    else:
        for story in found:
            assert story.copy.paragraphs and all(story.copy.paragraphs)
