"""What IPTC 7901 and ANPA 1312 share: messages framed by control characters, and their character sets."""

from __future__ import annotations

import re
from dataclasses import dataclass

from dateline.ingest.parse import NotWireCopy

SOH, STX, ETX, EOT = b"\x01", b"\x02", b"\x03", b"\x04"

# ISO 2022 escape sequences that announce a character set (IPTC 7901, 7. and Annex C): ESC % G is UTF-8;
# ESC - F (or , . /) designates an ISO 8859 part as the upper half.
_UTF8 = re.compile(rb"\x1b%G")
_LATIN = re.compile(rb"\x1b[,-./](?P<final>[A-Za-z_])")
_ISO_8859 = {b"A": "iso-8859-1", b"B": "iso-8859-2", b"C": "iso-8859-3", b"D": "iso-8859-4", b"F": "iso-8859-7",
             b"G": "iso-8859-6", b"H": "iso-8859-8", b"L": "iso-8859-5", b"M": "iso-8859-9", b"V": "iso-8859-10",
             b"Y": "iso-8859-13", b"_": "iso-8859-14", b"b": "iso-8859-15", b"f": "iso-8859-16"}
_ANY_ESCAPE = re.compile(rb"\x1b(?:%[@G8]|[(),\-./$][A-Za-z@_]|[\x20-\x2f]*[\x30-\x7e])")
_BETWEEN = re.compile(rb"(?:[\r\n\t \x16\x00]|" + _ANY_ESCAPE.pattern + rb")*")  # what may sit between messages


@dataclass(frozen=True)
class Message:
    offset: int  # of its SOH in the file
    line: int  # of its SOH in the file
    header: bytes  # between SOH and STX
    text: bytes  # between STX and ETX
    trailer: bytes  # between ETX and EOT (the transmission time)


def split_messages(data: bytes, name: str) -> list[Message]:
    """The SOH ... STX ... ETX ... EOT messages of a stream; raise NotWireCopy naming the byte offset and line
    of a framing error (a missing STX, ETX or EOT, or text outside a message)."""
    messages = []
    position = 0
    while True:
        start = _BETWEEN.match(data, position).end()
        rest = data[start:]
        if not rest.strip(b"\x1a"):  # end of file (a DOS end-of-file mark may follow)
            break
        line = data.count(b"\n", 0, start) + 1
        if not rest.startswith(SOH):
            raise NotWireCopy(f"{name}: expected SOH (start of a message) at byte {start}", line)
        stx = data.find(STX, start)
        etx = data.find(ETX, stx + 1) if stx != -1 else -1
        next_soh = data.find(SOH, start + 1)
        if stx == -1 or (next_soh != -1 and next_soh < stx):
            raise NotWireCopy(f"{name}: the message starting at byte {start} has no STX (start of text)", line)
        if etx == -1 or (next_soh != -1 and next_soh < etx):
            raise NotWireCopy(f"{name}: the message starting at byte {start} has no ETX (end of text)", line)
        eot = data.find(EOT, etx + 1)
        if eot == -1 or (next_soh != -1 and next_soh < eot):
            eot = next_soh if next_soh != -1 else len(data)  # EOT is optional in files cut from a stream
        messages.append(Message(start, line, data[start + 1:stx], data[stx + 1:etx], data[etx + 1:eot]))
        position = eot + 1 if eot < len(data) and data[eot:eot + 1] == EOT else eot
    if not messages:
        raise NotWireCopy(f"{name}: no message (SOH ... STX ... ETX) in the file")
    return messages


def charset_of(header: bytes) -> str | None:
    """The character set an ISO 2022 escape sequence in HEADER announces; None when none does."""
    if _UTF8.search(header):
        return "utf-8"
    latin = _LATIN.search(header)
    return _ISO_8859.get(latin.group("final")) if latin else None


def decode_message(raw: bytes, charset: str | None, message: Message, name: str) -> str:
    """Message bytes as text, escape sequences removed: in the announced charset (an error names the byte
    that is not), else UTF-8, else Windows-1252 (Latin-1 for its five undefined bytes)."""
    raw = _ANY_ESCAPE.sub(b"", raw)
    if charset:
        try:
            return raw.decode(charset)
        except UnicodeDecodeError as exc:
            raise NotWireCopy(f"{name}: the message at byte {message.offset} announces {charset} but byte "
                              f"{exc.start} of it is not {charset}", message.line) from None
    for encoding in ("utf-8", "cp1252"):
        try:
            return raw.decode(encoding)
        except UnicodeDecodeError:
            continue
    return raw.decode("latin-1")
