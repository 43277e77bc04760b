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
# A tap is only an answer if the learner could have seen what they tapped: a button that
# answers, turns a card or moves on ignores the pointer for this long after it appears, so
# the second half of a double tap falls on nothing. Keys are not pointers: they act at once.
TAP_GUARD_MS = 250
_GUARDED = ", ".join(
    f'[class*="st-key-{prefix}"] button'
    # A typed answer's Check button is a form's: Streamlit keys it "FormSubmitter:typed-...".
    for prefix in ("choice-", "grade-", "reveal-", "next", "FormSubmitter-typed-")
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
.stButton button, .stFormSubmitButton button, [data-testid="stPageLink"] a {{
  min-height: 44px;
}}
.stRadio label {{ min-height: 44px; align-items: center; }}
/* Code-like choices differ by their spaces ("'  hi'" and "' hi'"): keep them as written. */
[class*="st-key-choice-"] button p, [class*="st-key-fb-"] button p {{ white-space: pre-wrap; }}
/* The typed field has its own hint (a placeholder): "Press Enter to submit form" speaks of a
   form, and of a key a phone's keyboard labels otherwise. */
[class*="st-key-given-"] [data-testid="InputInstructions"] {{ display: none; }}
/* The element of the sidebar's script must not cost a gap at the top of a page. */
[data-testid="stElementContainer"]:has(> [data-testid="stHtml"] > script) {{ display: none; }}
/* A phone has no keyboard: its key caps would only crowd the buttons. */
@media (max-width: 640px) {{ .stButton button kbd {{ display: none; }} }}
</style>
"""


# Where the sidebar overlays the page instead of sitting beside it (Streamlit's `md` breakpoint).
OVERLAY_BELOW_PX = 768
# Streamlit closes the sidebar after a page is chosen only when the user agent says "mobile";
# a narrow window or a small tablet kept it over ~75% of the page. Width decides here.
CLOSE_SIDEBAR_ON_NAVIGATION = f"""
<script>
(() => {{
  const doc = window.frameElement ? window.parent.document : document;
  if (doc.studygameClosesSidebar) return;
  doc.studygameClosesSidebar = true;
  doc.addEventListener("click", (event) => {{
    if (!event.target.closest('[data-testid="stSidebarNavLink"]')) return;
    if (doc.defaultView.innerWidth >= {OVERLAY_BELOW_PX}) return;
    setTimeout(() => {{
      doc.querySelector('[data-testid="stSidebarCollapseButton"] button')?.click();
    }}, 0);
  }}, true);
}})();
</script>
"""


def guard_taps(screen: int) -> None:
    """Arm this screen's buttons against taps aimed at the screen before.

    The animation's name carries the screen's number: Streamlit reuses a button's element
    from one screen to the next, and only a new name makes the browser start it again.
    """
    name = f"studygame-arm-{screen}"
    st.html(
        f"<style>@keyframes {name} {{ from, to {{ pointer-events: none; }} }} "
        f"{_GUARDED} {{ animation: {name} {TAP_GUARD_MS}ms; }}</style>"
    )


def apply_styles() -> None:
    """Add the app's styles to the page (begin_page does, once per run of a page)."""
    # Styles alone go to Streamlit's event container: no element, no gap on the page.
    st.html(STYLES)


def close_sidebar_on_navigation() -> None:
    """Close the sidebar when a page is chosen on a narrow screen (begin_page, once unlocked)."""
    st.html(CLOSE_SIDEBAR_ON_NAVIGATION, unsafe_allow_javascript=True)
