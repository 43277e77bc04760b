"""Helpers for page tests."""

from google.protobuf import text_format
from streamlit.testing.v1 import AppTest


def everything_shown(app: AppTest) -> str:
    """All a page sent to the browser: every element's protobuf, text unescaped, in order."""

    def walk(block):
        for child in block.children.values():
            yield child
            if hasattr(child, "children"):
                yield from walk(child)

    return "\n".join(
        text_format.MessageToString(element.proto, as_utf8=True)
        if hasattr(element, "proto")
        else repr(element)
        for root in (app.main, app.sidebar)
        for element in walk(root)
    )
