"""The Reuters-21578 corpus: converted once into wire files by ../shared/tools/reuters_to_wire.py, read back as
the stories the benchmark's sites are made of."""

from __future__ import annotations

import json
import re
import subprocess
import sys
import unicodedata
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from .places import ROOT

CONVERTER = ROOT.parent / "shared" / "tools" / "reuters_to_wire.py"


def reuters_wire(folder: Path, split: str = "all", *, quiet: bool = False) -> Path:
    """FOLDER, holding the SPLIT's wire files and truth.jsonl (converted on first use); QUIET: no message, and
    the converter's stderr dropped."""
    if not (folder / "truth.jsonl").exists():
        if not quiet:
            print(f"converting the Reuters corpus into {folder} ...", flush=True)
        folder.parent.mkdir(parents=True, exist_ok=True)
        subprocess.run([sys.executable, str(CONVERTER), str(folder), "--split", split], check=True,
                       stderr=subprocess.DEVNULL if quiet else None)
    return folder


@dataclass(frozen=True)
class Story:
    """One Reuters article, as the three sites get it."""

    newid: int
    title: str
    date: datetime
    dateline: str
    countries: tuple[str, ...]
    tags: tuple[str, ...]
    body: str
    slug: str

    @property
    def folder(self) -> str:
        return f"{self.date:%Y}/{self.date:%m}"


_HEADER = re.compile(r"^\s*date \d{4}-\d{2}-\d{2}\s+")
_SIGN_OFF = re.compile(r"\s*[\u2013-]\s*Reuters\s*$")


def slugify(text: str, limit: int = 60) -> str:
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower()
    slug = re.sub(r"[^a-z0-9]+", "-", text).strip("-")
    return slug[:limit].rstrip("-") or "article"


def load_stories(wire: Path) -> list[Story]:
    """The stories of the wire files in WIRE, in the collection's order (chronological)."""
    stories = []
    with open(wire / "truth.jsonl", encoding="utf-8") as truth:
        for line in truth:
            row = json.loads(line)
            text = (wire / row["file"]).read_text(encoding="utf-8")
            body = _SIGN_OFF.sub("", _HEADER.sub("", text, count=1)).strip()
            title = " ".join(row["title"].split()) or "Untitled"
            stories.append(Story(
                newid=row["newid"],
                title=title,
                date=datetime.fromisoformat(row["date"]),
                dateline=row.get("dateline") or "",
                countries=tuple(row["countries"]),
                tags=tuple(row["topics"]),
                body=body,
                slug=f"{slugify(title)}-{row['newid']}",
            ))
    return stories
