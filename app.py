"""Tillidsguiden in the browser: three pages for everyone and Kvalitet for maintainers, each in
rag/chat/. Thin on purpose: answers, sources, conversations and feedback come from `rag`; who
the user is and what they may do from rag/chat/identity.py (a page for maintainers only is added
to the navigation for them and starts with `identity.require("maintainer")`); a service that
does not answer is a banner on top of every page (rag/chat/services.py)."""

from __future__ import annotations

import streamlit as st

from rag.chat import about, adding, ask, identity, material, quality, resources, services, theme

# A trainer's link (?praesentation=true) opens with the sidebar folded: the projector's width
# goes to the question, the answer and its source.
folded = "collapsed" if st.query_params.get("praesentation") == "true" else "auto"
st.set_page_config(
    page_title="Tillidsguiden", page_icon="🤝", layout="wide", initial_sidebar_state=folded
)
theme.apply()
settings = resources.settings()
user = identity.current_user(settings)
if user is None:  # sign-in is set up (or required) and this visitor has not signed in
    identity.sign_in_page(settings)
    st.stop()
identity.remember_browser(user, settings)
identity.sidebar(user)
adding.notice(settings)  # a maintainer hears of files put in corpus/ by hand
banners = services.banner_slot()  # on top of every page, filled once the page is drawn
pages = [
    st.Page(ask.page, title="Spørg", icon=":material/chat:", url_path="sporg", default=True),
    st.Page(material.page, title="Materialet", icon=":material/menu_book:", url_path="materialet"),
    st.Page(about.page, title="Om svarene", icon=":material/info:", url_path="om-svarene"),
]
if user.may("maintainer"):  # the page checks the role again itself (identity.require)
    pages.append(
        st.Page(quality.page, title="Kvalitet", icon=":material/insights:", url_path="kvalitet")
    )
st.navigation(pages).run()
services.banners(banners, settings)
