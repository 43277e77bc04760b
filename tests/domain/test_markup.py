"""safe_markdown, table-driven: bank text shows literally, only code spans stay Markdown."""

import pytest

from studygame.domain.markup import safe_markdown

WJ = "\u2060"

# (bank text, what reaches st.markdown)
CASES = [
    ("Plain words", "Plain words"),
    ("", ""),
    ("What does __init__ do?", r"What does \_\_init\_\_ do\?"),
    ("What does `__init__` do?", r"What does `__init__` do\?"),
    ("`7 // 2` and `7 % 3`", "`7 // 2` and `7 % 3`"),
    (
        "![t](http://127.0.0.1:9/track.png)",
        rf"\!\[t\]\(http\:{WJ}\/\/127\.0\.0\.1\:{WJ}9\/track\.png\)",
    ),
    ("[click](http://evil)", rf"\[click\]\(http\:{WJ}\/\/evil\)"),
    ("<img src=x onerror=alert(1)>", r"\<img src\=x onerror\=alert\(1\)\>"),
    ("It costs $5 or $6", r"It costs \$5 or \$6"),
    ("$$x^2$$", r"\$\$x\^2\$\$"),
    (":red[alarm]", rf"\:{WJ}red\[alarm\]"),
    (":material/home: here", rf"\:{WJ}material\/home\:{WJ} here"),
    (":smile:", rf"\:{WJ}smile\:{WJ}"),
    ("**bold** *em* ~~del~~", r"\*\*bold\*\* \*em\* \~\~del\~\~"),
    ("# Heading", r"\# Heading"),
    ("- item", r"\- item"),
    ("1. first", r"1\. first"),
    ("> quote", r"\> quote"),
    ("a | b", r"a \| b"),
    ("line one\nline two", "line one line two"),
    ("C:\\path", r"C\:" + WJ + r"\\path"),
    ("a stray ` backtick", r"a stray \` backtick"),
    ("``", r"\`\`"),
    ("`code` then __x__", r"`code` then \_\_x\_\_"),
    ("Zoë — ½ = 0.5", r"Zoë — ½ \= 0\.5"),
]


@pytest.mark.parametrize(("text", "markdown"), CASES, ids=[repr(c[0]) for c in CASES])
def test_safe_markdown(text, markdown):
    assert safe_markdown(text) == markdown
