"""A tree's manifest as stored: a table sorted by path, read where it lies without being decoded.

A manifest lists every file of one output tree (site path -> fingerprint, size): 120,000 entries at 100,000
articles. Stored as a few large strings rather than three objects per file (a quarter of the time to save), so
that an edit's build looks up the few dozen paths it needs by bisection, without making a dictionary of 120,000
entries (0.1-0.25 s a tree at 100,000 articles); a build that needs every entry (a full build) decodes the
table once. Apart from the store (manifest_store.py), which places such tables in its base file, and from the
manifest in memory (manifests.TrackedManifest), which reads one as far as asked.
"""

from __future__ import annotations

from array import array

Manifest = dict[str, list]  # site path -> [fingerprint, size]


class SortedTable:
    """A tree's manifest as stored: every path in one UTF-8 string, sorted, and what each entry holds by position.

    Stored as one block of bytes (`blob`) that is read where it lies, in the base file mapped into memory: an
    edit's build looks up a few dozen paths and so touches a few pages of it, where reading and unpickling the
    two trees' tables took 30-40 ms at 100,000 articles. The block: three counts (entries, bytes of paths, bytes
    of fingerprints), the paths joined by NUL, where each starts, the fingerprints (hex, "" while unknown) joined
    by NUL, where each starts, the sizes, one byte per entry for "unknown". Starts are in bytes, each text as if
    followed by a NUL (the last start is the text's length plus one, unless there is no entry). UTF-8 keeps the
    order of code points, so the paths sorted as strings are sorted as bytes too."""

    def __init__(self, blob: bytes | memoryview) -> None:
        view = memoryview(blob)
        if len(view) < 24:
            raise ValueError("a manifest table cut short")
        count, paths_length, fingerprints_length = view[:24].cast("q")
        if min(count, paths_length, fingerprints_length) < 0:
            raise ValueError("a manifest table whose parts disagree")
        sections, position = [], 24
        for length in (paths_length, 8 * (count + 1), fingerprints_length, 8 * (count + 1), 8 * count, count):
            sections.append(view[position:position + length])
            position += length
        if position != len(view):
            raise ValueError("a manifest table whose parts disagree")
        self.paths, path_starts, self.fingerprints, fingerprint_starts, sizes, self.unknown = sections
        self.path_starts, self.fingerprint_starts = path_starts.cast("q"), fingerprint_starts.cast("q")
        self.sizes = sizes.cast("q")
        self.count = count
        self.blob = view
        # a lookup trusts the positions: their ends are checked
        if not (self.path_starts[-1] == (paths_length + 1 if count else 0)
                and self.fingerprint_starts[-1] == (fingerprints_length + 1 if count else 0)):
            raise ValueError("a manifest table whose parts disagree")

    @classmethod
    def of(cls, files: Manifest) -> SortedTable:
        return cls(cls.pack(files))

    @staticmethod
    def pack(files: Manifest) -> bytes:
        """FILES as a table's block of bytes."""
        paths = sorted(files)
        entries = [files[path] for path in paths]
        encoded = [path.encode("utf-8", "surrogatepass") for path in paths]
        fingerprints = [(entry[0] or "").encode("ascii") for entry in entries]
        joined_paths, joined_fingerprints = b"\0".join(encoded), b"\0".join(fingerprints)
        return b"".join([array("q", [len(paths), len(joined_paths), len(joined_fingerprints)]).tobytes(),
                         joined_paths, _starts(encoded).tobytes(), joined_fingerprints, _starts(fingerprints).tobytes(),
                         array("q", (entry[1] for entry in entries)).tobytes(),
                         bytes(entry[0] is None for entry in entries)])

    def _path(self, index: int) -> bytes:
        return self.paths[self.path_starts[index]:self.path_starts[index + 1] - 1].tobytes()

    def get(self, path: str) -> list | None:
        """PATH's entry [fingerprint or None, size], found by bisection; None when the table lacks it."""
        wanted = path.encode("utf-8", "surrogatepass")
        low, high = 0, self.count
        while low < high:
            middle = (low + high) // 2
            if self._path(middle) < wanted:
                low = middle + 1
            else:
                high = middle
        if low == self.count or self._path(low) != wanted:
            return None
        if self.unknown[low]:
            return [None, self.sizes[low]]
        start, end = self.fingerprint_starts[low], self.fingerprint_starts[low + 1] - 1
        return [self.fingerprints[start:end].tobytes().decode("ascii", "replace"), self.sizes[low]]

    def _texts(self) -> tuple[list[str], list[str]]:
        return self._decoded_paths(), self.fingerprints.tobytes().decode("ascii", "replace").split("\0")

    def _decoded_paths(self) -> list[str]:
        data = self.paths.tobytes()
        try:
            text = data.decode("utf-8", "surrogatepass")
        except UnicodeDecodeError:  # a damaged file: such paths match no page (never a traceback)
            text = data.decode("utf-8", "replace")
        return text.split("\0")

    def decoded(self) -> Manifest:
        if not self.count:
            return {}
        paths, fingerprints = self._texts()
        return {path: [None if is_unknown else fingerprint, size] for path, fingerprint, is_unknown, size in
                zip(paths, fingerprints, self.unknown, self.sizes, strict=True)}

    def path_sizes(self) -> list[tuple[str, int]]:
        if not self.count:
            return []
        return list(zip(self._decoded_paths(), self.sizes, strict=True))


def _starts(texts: list[bytes]) -> array:
    """Where each of TEXTS starts in b"\\0".join(TEXTS), and one past the end."""
    starts, position = array("q", [0]), 0
    for text in texts:
        position += len(text) + 1
        starts.append(position)
    return starts
