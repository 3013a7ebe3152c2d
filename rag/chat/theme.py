"""The look of the pages: Danish where Streamlit lets us, large type for a projector.

Streamlit writes `<html lang="en">` and English texts of its own: the "Skip to main content"
link, and screen-reader labels such as "Send message", "Thumbs up", "Expand sidebar". A constant
script of ours (never user text), run once in the page, sets the language attribute and
relabels those texts from the table `DANISH` (exact texts only, so nothing of ours is touched),
again whenever Streamlit draws them anew; tests/test_browser.py checks that none is left. The
"Press Enter to apply" hint under text fields is hidden, since every field here says in Danish
what Enter does. The same script scrolls a source card opened from a marker [n] so its title
shows, and copies a share link when "Kopiér link" is clicked. What cannot be changed is
listed in docs/app.md ("Danish, and what stays English").
"""

from __future__ import annotations

import json

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
/* A card opened from a marker [n] is scrolled to its title (the page script below), clear of
   Streamlit's header; without the script the browser scrolls to the passage, leaving room. */
[data-testid="stExpander"] summary { scroll-margin-top: 4.5rem; }
.passage { scroll-margin-top: 8rem; }
.passage mark, .hit mark { background: #fff1a8; padding: 0 .1em; color: inherit; }
details.where { font-size: .85rem; color: #555a63; margin: .4rem 0 0; }
details.where summary { cursor: pointer; }
p.saved { color: #1f6b35; margin: .2rem 0 0; font-size: .95rem; }
/* The example questions of an empty conversation: cards, their text wrapping, left aligned. */
[class*="st-key-example-"] button { min-height: 3.6rem; justify-content: flex-start;
  text-align: left; }
[class*="st-key-example-"] button > div { justify-content: flex-start; }
[class*="st-key-example-"] button p { white-space: normal; overflow: visible;
  text-overflow: clip; }
.share { display: flex; flex-wrap: wrap; gap: .4rem; align-items: center; }
.share input { flex: 1 1 14rem; min-width: 0; font: inherit; padding: .3rem .4rem;
  border: 1px solid #8a8f98; border-radius: .4rem; }
.share button { font: inherit; padding: .3rem .8rem; border-radius: .4rem; cursor: pointer;
  border: 1px solid #8a8f98; background: #fff; color: inherit; }
.share button:focus-visible { outline: 2px solid #3b6ea5; outline-offset: 2px; }
.share .copied { flex-basis: 100%; color: #1f6b35; min-height: 1.2em; }
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

# Streamlit's own English texts and their Danish, exact (aria-label, title or a text node).
DANISH = {
    "Skip to main content": "Gå til indholdet",
    "Sidebar": "Sidepanel",
    "Collapse sidebar": "Skjul sidepanelet",
    "Expand sidebar": "Vis sidepanelet",
    "App pages": "Sider",
    "Link to heading": "Link til overskriften",
    "Chat message from user": "Dit spørgsmål",
    "Chat message from assistant": "Svar fra Tillidsguiden",
    "Send message": "Send spørgsmålet",
    "Stop script": "Stop",
    "Feedback rating": "Vurdering af svaret",
    "Thumbs up": "Godt svar",
    "Thumbs down": "Dårligt svar",
    "Help": "Hjælp",
    "Clear value": "Ryd valget",
    "Open": "Åbn listen",
    "Selectbox options": "Valgmuligheder",
    "No results": "Ingen resultater",
    "Copy to clipboard": "Kopiér",
    "Close": "Luk",
    "View less": "Vis færre",
    "Please wait...": "Vent lidt …",
    "Connection error": "Forbindelsen er afbrudt",
    "Streamlit server is not responding. Are you connected to the internet?": (
        "Tillidsguiden svarer ikke lige nu. Er du forbundet til netværket?"
    ),
    "Is Streamlit still running? If you accidentally stopped Streamlit, just restart it in "
    "your terminal:": "Tillidsguiden svarer ikke lige nu. Prøv igen om lidt, eller bed en "
    "vedligeholder om at starte den igen.",
}
# Texts with a variable part: (regular expression, Danish with $1 for the part).
DANISH_PATTERNS = (
    (r"^Help for (.+)$", "Hjælp til $1"),
    (r"^View (\d+) more$", "Vis $1 mere"),
)

_PAGE_SCRIPT = """<script>
(() => {
  document.documentElement.lang = "da";
  if (window.__tillid) return;
  window.__tillid = true;
  const exact = new Map(Object.entries(%(exact)s));
  const patterns = %(patterns)s.map(([re, da]) => [new RegExp(re), da]);
  const danish = (text) => {
    const t = text.trim();
    if (exact.has(t)) return exact.get(t);
    for (const [re, da] of patterns) if (re.test(t)) return t.replace(re, da);
    return null;
  };
  const ATTRS = ["aria-label", "title"];
  const fixElement = (el) => {
    for (const a of ATTRS) {
      const v = el.getAttribute && el.getAttribute(a);
      const da = v && danish(v);
      if (da) el.setAttribute(a, da);
    }
  };
  const fixText = (node) => {
    const da = node.nodeValue && node.nodeValue.length < 200 && danish(node.nodeValue);
    if (da) node.nodeValue = da;
  };
  const fixTree = (root) => {
    if (root.nodeType === Node.TEXT_NODE) return fixText(root);
    if (root.nodeType !== Node.ELEMENT_NODE) return;
    fixElement(root);
    root.querySelectorAll("[aria-label], [title]").forEach(fixElement);
    const walk = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
    while (walk.nextNode()) fixText(walk.currentNode);
  };
  new MutationObserver((changes) => {
    for (const c of changes) {
      if (c.type === "attributes") fixElement(c.target);
      else if (c.type === "characterData") fixText(c.target);
      else c.addedNodes.forEach(fixTree);
    }
  }).observe(document.documentElement, {subtree: true, childList: true, characterData: true,
    attributes: true, attributeFilter: ATTRS});
  fixTree(document.body);

  // A marker [n] in an answer opens its source card and scrolls the card's title into view
  // (the browser alone would scroll to the passage and hide the title above it); the focus
  // goes to the title, so a keyboard continues from there.
  document.addEventListener("click", (event) => {
    const link = event.target.closest && event.target.closest('a[href^="#kilde-"]');
    const target = link && document.getElementById(decodeURIComponent(link.hash.slice(1)));
    const card = target && target.closest("details");
    const title = card && card.querySelector("summary");
    if (!title) return;
    // Ours alone (capture phase, before Streamlit's own link handling): the browser must not
    // open the card itself, or Streamlit would not know it is open and close it again.
    event.preventDefault();
    event.stopPropagation();
    if (!card.open) title.click();
    setTimeout(() => {
      title.scrollIntoView({block: "start", behavior: "instant"});
      title.focus({preventScroll: true});
    }, 80);
  }, true);

  // "Kopiér link" (rag/chat/links.py): the clipboard where the browser allows it, else the
  // old way through a selected field; the status line says which.
  const copied = (button, ok) => {
    const status = button.parentElement.querySelector(".copied");
    if (status) status.textContent = ok ? "Link kopieret" :
      "Kunne ikke kopiere – markér linket i feltet og kopiér det selv.";
  };
  const oldWay = (field) => {
    field.focus(); field.select();
    try { return document.execCommand("copy"); } catch (e) { return false; }
  };
  document.addEventListener("click", (event) => {
    const button = event.target.closest && event.target.closest("button.copy-link");
    if (!button) return;
    const url = new URL(button.dataset.copy, location.href).href;
    const field = button.parentElement.querySelector("input.share-url");
    if (field) field.value = url;
    if (navigator.clipboard && window.isSecureContext) {
      navigator.clipboard.writeText(url).then(() => copied(button, true),
        () => copied(button, field ? oldWay(field) : false));
    } else {
      copied(button, field ? oldWay(field) : false);
    }
  });
})();
</script>"""


def page_script() -> str:
    """The constant script every page runs once (no user text in it)."""
    return _PAGE_SCRIPT % {
        "exact": json.dumps(DANISH, ensure_ascii=False),
        "patterns": json.dumps(DANISH_PATTERNS),
    }


def apply() -> None:
    """The look every page shares, and the page's language."""
    st.markdown(BASE_CSS, unsafe_allow_html=True)
    st.html(page_script(), unsafe_allow_javascript=True)


def presentation() -> None:
    """Large type for a projector (the trainers' presentation mode)."""
    st.markdown(PRESENTATION_CSS, unsafe_allow_html=True)
