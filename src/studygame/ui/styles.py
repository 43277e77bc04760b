"""The few styles Streamlit's theme cannot express: verdict and grade colours, 44 px tap
targets on every page. Each colour rule targets a widget by its key (`st-key-<key>`).
"""

from __future__ import annotations

import streamlit as st

from studygame.domain.rating import Rating

RIGHT = "#1a7f37"
WRONG = "#cf222e"
# Again / Hard / Good / Easy, as Anki colours them; tinted so they read in light and dark mode.
GRADE_COLOURS = {
    Rating.AGAIN: WRONG,
    Rating.HARD: "#bc4c00",
    Rating.GOOD: RIGHT,
    Rating.EASY: "#0969da",
}

_GRADES = "\n".join(
    f'[class*="st-key-grade-{rating.name.lower()}-"] button {{ border-color: {colour} !important; '
    f"background-color: color-mix(in srgb, {colour} 18%, transparent) !important; }}"
    for rating, colour in GRADE_COLOURS.items()
)
# !important: Streamlit styles a disabled button with a more specific rule than a key's.
STYLES = f"""
<style>
[class*="st-key-fb-right-"] button, [class*="st-key-fb-wrong-"] button {{
  color: #ffffff !important; opacity: 1 !important; font-weight: 600;
}}
[class*="st-key-fb-right-"] button {{
  background-color: {RIGHT} !important; border-color: {RIGHT} !important;
}}
[class*="st-key-fb-wrong-"] button {{
  background-color: {WRONG} !important; border-color: {WRONG} !important;
}}
{_GRADES}
.stButton button, .stFormSubmitButton button, [data-testid="stPageLink"] a,
[data-testid="stButtonGroup"] button {{
  min-height: 44px;
}}
/* A phone has no keyboard: its key caps would only crowd the buttons. */
@media (max-width: 640px) {{ .stButton button kbd {{ display: none; }} }}
</style>
"""


def apply_styles() -> None:
    """Add the app's styles to the page (begin_page does, once per run of a page)."""
    st.html(STYLES)
