"""The look of the pages: Danish where Streamlit lets us, large type for a projector.

Streamlit writes `<html lang="en">` and a few English widget texts of its own. The language
attribute is set by a constant script of ours (never user text) run in the page; the
"Press Enter to apply" hint under text fields is hidden, since every field here says in Danish
what Enter does. What cannot be changed is listed in docs/app.md ("Danish, and what stays English").
"""

from __future__ import annotations

import streamlit as st

BASE_CSS = """
<style>
/* Streamlit's English hint under text fields; our placeholders say it in Danish. */
[data-testid="InputInstructions"] { display: none; }
/* Streamlit's English "Running… Stop"; the page shows its own Danish steps instead. */
[data-testid="stStatusWidget"] { display: none; }
/* Streamlit's grey captions fail WCAG contrast (axe-core: color-contrast); a darker grey. */
[data-testid="stCaptionContainer"], [data-testid="stCaptionContainer"] p {
  color: #555a63 !important; opacity: 1 !important; }
.passage { line-height: 1.55; }
.passage mark { background: #fff1a8; padding: 0 .1em; }
p.where { font-size: .85rem; color: #555a63; margin: .4rem 0 0; }
.shared-banner { border-left: 4px solid #3b6ea5; padding: .4rem .8rem; margin-bottom: 1rem; }
@media (max-width: 640px) {
  .block-container { padding-left: .8rem; padding-right: .8rem; }
}
</style>
"""

PRESENTATION_CSS = """
<style>
/* Room on a 1280x720 projector: less white space above the title, which Streamlit keeps for
   the toolbar that is hidden here. */
.block-container { max-width: 96rem; padding-top: 3rem; }
[data-testid="stMainBlockContainer"] [data-testid="stMarkdownContainer"] p,
[data-testid="stMainBlockContainer"] [data-testid="stMarkdownContainer"] li { font-size: 1.45rem; }
[data-testid="stMainBlockContainer"] h1 { font-size: 2.6rem; }
[data-testid="stMainBlockContainer"] h2 { font-size: 2.1rem; }
[data-testid="stMainBlockContainer"] h3 { font-size: 1.7rem; }
[data-testid="stMainBlockContainer"] .passage { font-size: 1.3rem; }
[data-testid="stMainBlockContainer"] [data-testid="stExpander"] summary p { font-size: 1.1rem; }
[data-testid="stMainBlockContainer"] .stButton button { font-size: 1.25rem; min-height: 4.2rem;
  text-align: left; white-space: normal; }
[data-testid="stMainBlockContainer"] [class*="st-key-card-"] button p { white-space: normal;
  overflow: visible; text-overflow: clip; }
[data-testid="stMainBlockContainer"] .st-key-new-main button { min-height: auto;
  white-space: nowrap; }
[data-testid="stSidebar"] [data-testid="stMarkdownContainer"] p,
[data-testid="stSidebar"] [data-testid="stCaptionContainer"] p { font-size: .9rem; }
</style>
"""

_SET_LANG = '<script>document.documentElement.lang = "da";</script>'


def apply() -> None:
    """The look every page shares, and the page's language."""
    st.markdown(BASE_CSS, unsafe_allow_html=True)
    st.html(_SET_LANG, unsafe_allow_javascript=True)


def presentation() -> None:
    """Large type for a projector (the trainers' presentation mode)."""
    st.markdown(PRESENTATION_CSS, unsafe_allow_html=True)
