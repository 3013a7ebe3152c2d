"""The page's defaults are for managers: nothing watched, this machine only, no developer chrome."""

from __future__ import annotations

import tomllib

from rag.config import PROJECT_ROOT


def test_the_page_serves_this_machine_only_without_developer_chrome_or_statistics():
    config = tomllib.loads((PROJECT_ROOT / ".streamlit" / "config.toml").read_text("utf-8"))
    assert config["server"]["address"] == "127.0.0.1"
    assert config["server"]["fileWatcherType"] == "none"
    assert config["client"]["toolbarMode"] == "minimal"
    assert config["client"]["showErrorDetails"] == "none"
    assert config["browser"]["gatherUsageStats"] is False


def test_make_run_binds_the_address_the_settings_name():
    makefile = (PROJECT_ROOT / "Makefile").read_text("utf-8")
    assert "HOST   ?= $(or $(TILLID_HOST),127.0.0.1)" in makefile
    assert "--server.address $(HOST)" in makefile
