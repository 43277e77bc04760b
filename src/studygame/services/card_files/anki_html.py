"""An Anki field's HTML turned into the plain text a card shows, and its clozes filled in.

Fields are HTML that Anki renders in a web view. StudyGame shows card text literally
(`domain.markup.safe_markdown`), so markup is dropped rather than rendered: line breaks and
blocks become new lines, entities become their characters, and everything else, including
a `<script>` and what it holds, disappears. Text that merely looks like HTML (`&lt;b&gt;`)
comes out as the literal `<b>`, and stays literal on screen.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from html.parser import HTMLParser

# Tags that end a line where they open and close, as a browser lays them out.
_BLOCKS = frozenset(
    {"address", "article", "blockquote", "dd", "div", "dl", "dt", "figure", "footer", "header"}
    | {"h1", "h2", "h3", "h4", "h5", "h6", "hr", "li", "ol", "p", "pre", "section", "table"}
    | {"tr", "ul"}
)
# Tags whose content is never text a learner reads.
_HIDDEN = frozenset({"script", "style", "head", "title", "template", "noscript", "svg", "math"})
_SPACES = re.compile(r"[ \t\r\n\f]+")
_SOUND = re.compile(r"\[sound:([^\]]*)\]")
# {{c1::text}} or {{c1::text::hint}}; clozes nest (Anki 2.1.56 and later), so the text is read
# by these marks, an opening and a closing one, not by one pattern.
_CLOZE_MARK = re.compile(r"\{\{c(\d+)::|\}\}")
_HINT = "::"
# Image Occlusion notes are clozes over an image's shapes, with no text to ask about.
IMAGE_OCCLUSION = "image-occlusion:"


@dataclass(frozen=True)
class FieldText:
    """What a field shows: its text, the images it holds (in order) and the sounds left out."""

    text: str
    images: tuple[str, ...]
    sounds: tuple[str, ...]


def field_text(html: str) -> FieldText:
    """The plain text of an Anki field, with its `<img>` sources and `[sound:]` names apart."""
    parser = _TextParser()
    parser.feed(html)
    parser.close()
    text = "".join(parser.pieces)
    sounds = tuple(_SOUND.findall(text))
    text = _SOUND.sub("", text)
    # Layout spaces go; a no-break space is one the author meant (an indent), and stays.
    lines = (line.strip(" ").replace("\xa0", " ") for line in text.split("\n"))
    return FieldText(text="\n".join(lines).strip(), images=tuple(parser.images), sounds=sounds)


@dataclass(frozen=True)
class _Cloze:
    """One cloze: its number, what it hides (text and the clozes nested in it), its hint."""

    number: int
    parts: tuple[str | _Cloze, ...]
    hint: str | None


def _clozes(text: str) -> tuple[str | _Cloze, ...]:
    """The text as pieces and clozes. A cloze never closed, or a `}}` outside any, is text."""
    # Each open cloze: its number, the mark that opened it, and what it holds so far.
    stack: list[tuple[int, str, list[str | _Cloze]]] = [(0, "", [])]
    at = 0
    for mark in _CLOZE_MARK.finditer(text):
        stack[-1][2].append(text[at : mark.start()])
        at = mark.end()
        if mark.group(1) is not None:
            stack.append((int(mark.group(1)), mark.group(0), []))
        elif len(stack) > 1:
            number, _, parts = stack.pop()
            stack[-1][2].append(_closed(number, parts))
        else:
            stack[-1][2].append(mark.group(0))
    stack[-1][2].append(text[at:])
    while len(stack) > 1:  # never closed: its mark and what it holds are text
        _, opening, parts = stack.pop()
        stack[-1][2].extend([opening, *parts])
    return tuple(part for part in stack[0][2] if part != "")


def _closed(number: int, parts: list[str | _Cloze]) -> _Cloze:
    last = parts[-1] if parts else None
    if isinstance(last, str) and _HINT in last:
        hidden, hint = last.rsplit(_HINT, 1)
        return _Cloze(number, (*parts[:-1], hidden), hint)
    return _Cloze(number, tuple(parts), None)


def _all_clozes(parts: tuple[str | _Cloze, ...]) -> list[_Cloze]:
    found = []
    for part in parts:
        if isinstance(part, _Cloze):
            found.extend([part, *_all_clozes(part.parts)])
    return found


def _shown(parts: tuple[str | _Cloze, ...], hiding: int | None = None) -> str:
    """The text with cloze `hiding` as [...] (or [its hint]) and every other one shown."""
    return "".join(
        part
        if isinstance(part, str)
        else (f"[{part.hint or '...'}]" if part.number == hiding else _shown(part.parts, hiding))
        for part in parts
    )


def cloze_numbers(text: str) -> set[int]:
    """The cloze numbers (1 for c1) a text holds."""
    return {cloze.number for cloze in _all_clozes(_clozes(text))}


def cloze_prompt(text: str, number: int) -> str:
    """The text with cloze `number` hidden as [...] (or [its hint]) and the others shown."""
    return _shown(_clozes(text), hiding=number)


def cloze_answer(text: str, number: int) -> str:
    """What cloze `number` hides: its text, or its texts joined when it occurs more than once."""
    hidden = [_shown(c.parts).strip() for c in _all_clozes(_clozes(text)) if c.number == number]
    return ", ".join(dict.fromkeys(h for h in hidden if h))


class _TextParser(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.pieces: list[str] = []
        self.images: list[str] = []
        self._hidden_depth = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _HIDDEN:
            self._hidden_depth += 1
        elif tag == "br":
            self.pieces.append("\n")
        elif tag == "img":
            source = dict(attrs).get("src")
            if source:
                self.images.append(source)
        elif tag in _BLOCKS:
            self._end_line()

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        # <script/> opens nothing: only counted as a start tag, it would hide all that follows.
        if tag not in _HIDDEN:
            self.handle_starttag(tag, attrs)

    def handle_endtag(self, tag: str) -> None:
        if tag in _HIDDEN:
            self._hidden_depth = max(0, self._hidden_depth - 1)
        elif tag in _BLOCKS:
            self._end_line()

    def handle_data(self, data: str) -> None:
        if not self._hidden_depth:
            self.pieces.append(_SPACES.sub(" ", data))

    def _end_line(self) -> None:
        # A block boundary is one line break, however many blocks meet there.
        if self.pieces and not self.pieces[-1].endswith("\n"):
            self.pieces.append("\n")
