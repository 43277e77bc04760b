"""Images cards show, kept in the database by their content's sha256, downscaled to fit.

Keeping them in Postgres means the €0 hosts need no file storage, and backups and exports
carry them with everything else. A card points at one as `media:<sha256>`.
"""

from __future__ import annotations

import hashlib
import io
from datetime import datetime

from PIL import Image, UnidentifiedImageError
from sqlalchemy import select
from sqlalchemy.orm import Session

from studygame.db import dialect_insert
from studygame.domain.card_drafts import MAX_MEDIA_BYTES, MEDIA_PREFIX
from studygame.models import CardMedia

MIME_TYPES = {"PNG": "image/png", "JPEG": "image/jpeg", "GIF": "image/gif", "WEBP": "image/webp"}
# A phone shows a card's image at ~400 CSS px (1,200 device px at most); more is wasted bytes.
MAX_SIDE_PX = 1600
# Decoding is width x height x 4 bytes: this bounds the memory one image may take (160 MB),
# whatever its file size (a small PNG can declare 100,000 x 100,000 pixels).
MAX_PIXELS = 40_000_000
TOO_MANY_PIXELS = f"The image has more than {MAX_PIXELS // 1_000_000} million pixels."
# Each downscaling pass shrinks the sides by this much until the file fits MAX_MEDIA_BYTES.
SHRINK = 0.75


class BadImage(ValueError):
    """Bytes that are not an image the app can show; the message is one sentence."""


def prepared_image(data: bytes) -> tuple[bytes, str]:
    """The image as it is stored, and its MIME type: unchanged when small, else downscaled."""
    try:
        with Image.open(io.BytesIO(data)) as image:
            if image.format not in MIME_TYPES:
                raise BadImage("The file is not a PNG, JPEG, GIF or WebP image.")
            if image.width * image.height > MAX_PIXELS:
                raise BadImage(TOO_MANY_PIXELS)
            if len(data) <= MAX_MEDIA_BYTES and max(image.size) <= MAX_SIDE_PX:
                image.verify()
                return data, MIME_TYPES[image.format]
            return _downscaled(image), MIME_TYPES["WEBP"]
    except Image.DecompressionBombError:  # Pillow's own, larger bound, met while opening
        raise BadImage(TOO_MANY_PIXELS) from None
    except UnidentifiedImageError:
        raise BadImage("The file is not a PNG, JPEG, GIF or WebP image.") from None
    except (OSError, SyntaxError, ValueError) as exc:
        if isinstance(exc, BadImage):
            raise
        raise BadImage("The image is damaged and cannot be read.") from None


def _downscaled(image: Image.Image) -> bytes:
    # WebP keeps transparency and compresses photos and drawings well; every browser shows it.
    frame = image.convert(
        "RGBA" if "A" in image.getbands() or "transparency" in image.info else "RGB"
    )
    side = MAX_SIDE_PX
    while True:
        frame.thumbnail((side, side))
        out = io.BytesIO()
        frame.save(out, format="WEBP", quality=80, method=4)
        if out.tell() <= MAX_MEDIA_BYTES:
            return out.getvalue()
        side = int(max(frame.size) * SHRINK)


def store_image(session: Session, data: bytes, *, now: datetime) -> str:
    """Keep an image (once, however often it is stored); its reference for a card document."""
    stored, mime = prepared_image(data)
    digest = hashlib.sha256(stored).hexdigest()
    session.execute(
        dialect_insert(session)(CardMedia)
        .values(sha256=digest, mime=mime, data=stored, created_at=now)
        .on_conflict_do_nothing(index_elements=[CardMedia.sha256])
    )
    return MEDIA_PREFIX + digest


def stored_image(session: Session, reference: str) -> tuple[bytes, str] | None:
    """A stored image's bytes and MIME type, or None when the reference names none."""
    row = session.execute(
        select(CardMedia.data, CardMedia.mime).where(
            CardMedia.sha256 == reference.removeprefix(MEDIA_PREFIX)
        )
    ).one_or_none()
    return None if row is None else (bytes(row.data), row.mime)
