"""The study screens' few styles Streamlit's theme cannot express: verdict and grade colours,
44 px tap targets. Each rule targets a widget by its key (Streamlit adds `st-key-<key>`).
"""

from __future__ import annotations

import streamlit as st

RIGHT = "#1a7f37"
WRONG = "#cf222e"
# Again / Hard / Good / Easy, as Anki colours them; tinted so they read in light and dark mode.
GRADE_COLOURS = {"again": WRONG, "hard": "#bc4c00", "good": RIGHT, "easy": "#0969da"}

_GRADES = "\n".join(
    f'[class*="st-key-grade-{name}-"] button {{ border-color: {colour}; '
    f"background-color: color-mix(in srgb, {colour} 18%, transparent); }}"
    for name, colour in GRADE_COLOURS.items()
)
STYLES = f"""
<style>
[class*="st-key-fb-right-"] button, [class*="st-key-fb-wrong-"] button {{
  color: #ffffff; opacity: 1; font-weight: 600;
}}
[class*="st-key-fb-right-"] button {{ background-color: {RIGHT}; border-color: {RIGHT}; }}
[class*="st-key-fb-wrong-"] button {{ background-color: {WRONG}; border-color: {WRONG}; }}
{_GRADES}
.stButton button, .stFormSubmitButton button, [data-testid="stPageLink"] a {{
  min-height: 44px;
}}
</style>
"""


def apply_styles() -> None:
    """Add the study screens' styles to the page (once per run of the page)."""
    st.html(STYLES)
