"""The suite and the machine it runs on: a component the machine lacks (Chromium, PostgreSQL,
axe-core, the test collection, an LLM server) is a skip with its reason for an ordinary user and
a failure with CI=1, so CI never passes without running every test (docs/troubleshooting.md)."""

from __future__ import annotations

import pytest
from conftest import unavailable


def test_a_missing_component_is_a_skip_with_its_reason_on_an_ordinary_machine(monkeypatch):
    monkeypatch.delenv("CI", raising=False)
    with pytest.raises(pytest.skip.Exception, match="Chromium mangler"):
        unavailable("Chromium mangler")


def test_with_ci_set_a_missing_component_fails_the_run(monkeypatch):
    monkeypatch.setenv("CI", "1")
    with pytest.raises(pytest.fail.Exception, match="CI=1: Chromium mangler"):
        unavailable("Chromium mangler")
