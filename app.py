"""Tillidsguiden in the browser: three pages, each in rag/chat/. Thin on purpose: answers,
sources, conversations and feedback come from `rag`."""

from __future__ import annotations

import streamlit as st

from rag.chat import about, ask, material, theme

# A trainer's link (?praesentation=true) opens with the sidebar folded: the projector's width
# goes to the question, the answer and its source.
folded = "collapsed" if st.query_params.get("praesentation") == "true" else "auto"
st.set_page_config(
    page_title="Tillidsguiden", page_icon="🤝", layout="wide", initial_sidebar_state=folded
)
theme.apply()
st.navigation(
    [
        st.Page(ask.page, title="Spørg", icon=":material/chat:", url_path="sporg", default=True),
        st.Page(
            material.page, title="Materialet", icon=":material/menu_book:", url_path="materialet"
        ),
        st.Page(about.page, title="Om svarene", icon=":material/info:", url_path="om-svarene"),
    ]
).run()
