"""An uploaded Anki package opened as a zip, without trusting anything it says about itself.

Nothing is extracted to disk by name: members are read into memory (or streamed into a file
this module opens), so a hostile path could never land anywhere. Paths are still checked,
because a package holding `../evil` was made to attack an importer, and the learner should
hear that rather than get a partial deck. Sizes are checked twice: the declared ones before
anything is inflated, and the real ones while inflating, since zip and zstd headers can lie.
"""

from __future__ import annotations

import io
import re
import zipfile
from typing import BinaryIO

import zstandard

from studygame.domain.card_drafts import MAX_CARDS_PER_FILE, BadCardFile

NOT_A_ZIP = "This is not an Anki package (.apkg or .colpkg): it is not a zip file."
ZIP_BOMB = "This package inflates to far more than it holds (a zip bomb); nothing was imported."
DAMAGED = "This Anki package is damaged: {what} cannot be read."

# One media file a card, plus the collection, the media map and the meta file.
MAX_MEMBERS = MAX_CARDS_PER_FILE + 10
# The collection of a 50,000-card deck with years of review history is well under this.
MAX_COLLECTION_BYTES = 256 * 1024 * 1024
# Everything read from one package; the collection alone may use most of it.
MAX_TOTAL_BYTES = 512 * 1024 * 1024
# SQLite pages and text deflate well, but beyond this ratio a large member is a bomb.
MAX_RATIO = 200
# A member below this size may have any ratio: it cannot hurt, and tiny files compress oddly.
RATIO_FLOOR_BYTES = 1024 * 1024
_CHUNK = 1024 * 1024
_DRIVE = re.compile(r"^[A-Za-z]:")


class TooLarge(BadCardFile):
    """One member is over the limit its reader set; the caller says what that means."""


def is_safe_member_name(name: str) -> bool:
    """Whether a member name is a plain relative path (no root, `..`, backslash or drive)."""
    if not name or name.startswith("/") or "\\" in name or "\0" in name or _DRIVE.match(name):
        return False
    return ".." not in name.split("/")


class PackageZip:
    """A package's zip, checked as a whole on opening; members are read with size limits."""

    def __init__(self, data: bytes | BinaryIO) -> None:
        source = io.BytesIO(data) if isinstance(data, bytes | bytearray) else data
        try:
            self._zip = zipfile.ZipFile(source)
        except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, EOFError, ValueError):
            raise BadCardFile(NOT_A_ZIP) from None
        members = self._zip.infolist()
        if len(members) > MAX_MEMBERS:
            raise BadCardFile(
                f"This package holds {len(members):,} files; StudyGame reads at most "
                f"{MAX_MEMBERS:,}."
            )
        for member in members:
            if not is_safe_member_name(member.filename):
                raise BadCardFile(
                    f"This package holds a file with an unsafe path ({member.filename!r}); "
                    "nothing was imported."
                )
        if sum(m.file_size for m in members) > MAX_TOTAL_BYTES or any(
            m.file_size > RATIO_FLOOR_BYTES and m.file_size > MAX_RATIO * max(m.compress_size, 1)
            for m in members
        ):
            raise BadCardFile(ZIP_BOMB)
        self._members = {m.filename: m for m in members if not m.is_dir()}
        self._budget = MAX_TOTAL_BYTES

    def __contains__(self, name: str) -> bool:
        return name in self._members

    def read(self, name: str, *, limit: int, zstd: bool = False) -> bytes:
        """The member's bytes (zstd-decompressed if asked); BadCardFile past `limit` bytes."""
        out = io.BytesIO()
        self.copy(name, out, limit=limit, zstd=zstd)
        return out.getvalue()

    def copy(self, name: str, out: BinaryIO, *, limit: int, zstd: bool = False) -> None:
        """Stream the member into `out`, counting real bytes against `limit` and the budget."""
        member = self._members[name]
        if member.file_size > limit:
            raise TooLarge(name)
        written = 0
        try:
            with self._zip.open(member) as raw:
                stream = zstandard.ZstdDecompressor().stream_reader(raw) if zstd else raw
                while chunk := stream.read(_CHUNK):
                    written += len(chunk)
                    if written > self._budget:
                        raise BadCardFile(ZIP_BOMB)
                    if written > limit:
                        raise TooLarge(name)
                    out.write(chunk)
        except BadCardFile:
            raise
        except (zipfile.BadZipFile, zstandard.ZstdError, OSError, EOFError, ValueError):
            # A CRC mismatch lands here too: the member inflated to other bytes than declared.
            raise BadCardFile(DAMAGED.format(what=repr(name))) from None
        self._budget -= written
