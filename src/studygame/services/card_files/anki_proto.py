"""Just enough protobuf to read the few messages newer Anki packages keep as blobs.

The `meta` file, the `media` list and the note type and template configs of schema 18 are
protobuf. The fields read here are stable in Anki's .proto files; pulling in a protobuf
runtime and generated code for four fields would be a heavy dependency for little.
"""

from __future__ import annotations

from studygame.domain.card_drafts import BadCardFile

_VARINT, _FIXED64, _LENGTH, _FIXED32 = 0, 1, 2, 5


def message_fields(data: bytes, what: str) -> dict[int, list[int | bytes]]:
    """Each field number of a message with its values (varints as int, the rest as bytes)."""
    fields: dict[int, list[int | bytes]] = {}
    position = 0
    try:
        while position < len(data):
            key, position = _varint(data, position)
            number, wire = key >> 3, key & 7
            value: int | bytes
            if wire == _VARINT:
                value, position = _varint(data, position)
            elif wire == _LENGTH:
                size, position = _varint(data, position)
                value, position = data[position : position + size], position + size
                if position > len(data):
                    raise IndexError(what)
            elif wire in (_FIXED64, _FIXED32):
                width = 8 if wire == _FIXED64 else 4
                value, position = data[position : position + width], position + width
            else:
                raise IndexError(what)
            fields.setdefault(number, []).append(value)
    except IndexError:
        raise BadCardFile(f"This Anki package is damaged: its {what} cannot be read.") from None
    return fields


def first_text(fields: dict[int, list[int | bytes]], number: int) -> str:
    """The first value of a string field, or "" as protobuf's default."""
    value = fields.get(number, [b""])[0]
    return value.decode("utf-8", "replace") if isinstance(value, bytes) else ""


def first_int(fields: dict[int, list[int | bytes]], number: int) -> int:
    """The first value of an integer or enum field, or 0 as protobuf's default."""
    value = fields.get(number, [0])[0]
    return value if isinstance(value, int) else 0


def _varint(data: bytes, position: int) -> tuple[int, int]:
    result = shift = 0
    while True:
        byte = data[position]
        position += 1
        result |= (byte & 0x7F) << shift
        if not byte & 0x80:
            return result, position
        shift += 7
        if shift > 63:
            raise IndexError("varint")
