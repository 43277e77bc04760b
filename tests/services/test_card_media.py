"""Card images: kept once by content, downscaled to fit, and anything else refused in a sentence."""

from __future__ import annotations

import io
import random
import zlib
from datetime import UTC, datetime

import pytest
from PIL import Image

from studygame.domain.card_drafts import MAX_MEDIA_BYTES
from studygame.services.card_media import (
    MAX_SIDE_PX,
    BadImage,
    prepared_image,
    store_image,
    stored_image,
)

NOW = datetime(2026, 12, 4, tzinfo=UTC)


def image_bytes(size: tuple[int, int], fmt: str = "PNG", *, noise: bool = False) -> bytes:
    image = Image.new("RGB", size, (10, 120, 200))
    if noise:  # noise does not compress: a big file
        rng = random.Random(7)
        image = Image.frombytes("RGB", size, rng.randbytes(size[0] * size[1] * 3))
    out = io.BytesIO()
    image.save(out, format=fmt)
    return out.getvalue()


@pytest.mark.parametrize(
    ("fmt", "mime"),
    [("PNG", "image/png"), ("JPEG", "image/jpeg"), ("GIF", "image/gif"), ("WEBP", "image/webp")],
)
def test_a_small_image_is_kept_byte_for_byte(fmt, mime):
    data = image_bytes((40, 30), fmt)
    assert prepared_image(data) == (data, mime)


def test_a_big_image_is_downscaled_to_fit_a_phone_and_the_size_limit():
    data = image_bytes((2400, 1800), noise=True)
    assert len(data) > MAX_MEDIA_BYTES
    stored, mime = prepared_image(data)
    assert mime == "image/webp" and len(stored) <= MAX_MEDIA_BYTES
    with Image.open(io.BytesIO(stored)) as image:
        assert max(image.size) <= MAX_SIDE_PX


@pytest.mark.parametrize(
    ("data", "sentence"),
    [
        (b"", "not a PNG, JPEG, GIF or WebP image"),
        (b"<svg onload=alert(1)>", "not a PNG, JPEG, GIF or WebP image"),
        (image_bytes((30, 30), "BMP"), "not a PNG, JPEG, GIF or WebP image"),
        (image_bytes((300, 300))[:200], "damaged"),
    ],
)
def test_what_is_not_a_usable_image_is_refused_in_one_sentence(data, sentence):
    with pytest.raises(BadImage, match=sentence) as refused:
        prepared_image(data)
    assert str(refused.value).count(".") == 1


@pytest.mark.parametrize("side", [8_000, 100_000])
def test_a_pixel_bomb_is_refused_before_it_is_decoded(side):
    # A tiny PNG whose header declares side x side pixels: 100,000 would take 40 GB decoded;
    # 8,000 is under Pillow's own bound but over ours.
    bomb = bytearray(image_bytes((1, 1)))
    bomb[16:24] = side.to_bytes(4, "big") * 2
    bomb[29:33] = zlib.crc32(bomb[12:29]).to_bytes(4, "big")  # the IHDR chunk's checksum
    with pytest.raises(BadImage, match="more than 40 million"):
        prepared_image(bytes(bomb))


@pytest.mark.parametrize("db", ["session", "sqlite_session"])
def test_an_image_is_stored_once_and_read_back(request, db):
    session = request.getfixturevalue(db)
    data = image_bytes((20, 20))
    reference = store_image(session, data, now=NOW)
    assert store_image(session, data, now=NOW) == reference
    assert stored_image(session, reference) == (data, "image/png")
    assert stored_image(session, "media:" + "0" * 64) is None
