"""Untrusted bank text made safe for Streamlit's Markdown: code spans kept, everything else literal.

Question, choice, answer and explanation text comes from a hand-written collection, and every
Streamlit text element (and widget label) renders Markdown: `__init__` would turn bold,
`![t](http://host/x.png)` would make the learner's browser fetch a stranger's image, and `$`,
`:red[...]`, `:material/icon:` and `:smile:` would be read as LaTeX, colour, icon and emoji.
"""

from __future__ import annotations

import re

# Inline code is the one construct bank authors use on purpose (`7 // 2`, `__init__`); its
# content is literal in Markdown already, so it is passed through untouched.
_CODE_SPAN = re.compile(r"`[^`\n]+`")
# Every ASCII punctuation mark CommonMark lets a backslash escape: escaping them all turns
# emphasis, links, images, HTML tags, headings, lists, tables and `$` maths into plain text.
_SPECIAL = re.compile(r"""([!"#$%&'()*+,\-./:;<=>?@\[\\\]^_`{|}~])""")
# Streamlit's emoji shortcodes and `:material/...:` icons are matched on the text after
# escapes are undone, so a backslash is not enough: a word joiner (invisible, zero-width)
# after each colon means no `:name:` pattern can match.
_WORD_JOINER = "\u2060"


def safe_markdown(text: str) -> str:
    """`text` as Markdown that shows it literally, keeping only its `code spans`."""
    pieces: list[str] = []
    start = 0
    for span in _CODE_SPAN.finditer(text):
        pieces.append(_literal(text[start : span.start()]))
        pieces.append(span.group())
        start = span.end()
    pieces.append(_literal(text[start:]))
    return "".join(pieces)


def _literal(text: str) -> str:
    escaped = _SPECIAL.sub(r"\\\1", text).replace(":", ":" + _WORD_JOINER)
    # A line break could start a new block (an indented code block, a setext heading).
    return " ".join(escaped.splitlines())
