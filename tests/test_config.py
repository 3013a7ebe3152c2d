"""Settings: one place for every tunable, each overridable from the environment, each listed
in the configuration table of docs/configuration.md."""

from __future__ import annotations

from dataclasses import fields
from pathlib import Path

import pytest

from rag.config import ENV_PREFIX, PROJECT_ROOT, Settings


def test_every_setting_is_listed_in_the_configuration_table_with_its_variable():
    text = (PROJECT_ROOT / "docs" / "configuration.md").read_text(encoding="utf-8")
    table = text[text.index("## Every setting") :]
    missing = [f.name for f in fields(Settings) if f"`{ENV_PREFIX}{f.name.upper()}`" not in table]
    assert missing == []


def test_environment_overrides_defaults_and_flags_override_the_environment():
    env = {"TILLID_DENSE_WEIGHT": "0.7", "TILLID_HITS_PER_ANSWER": "8", "TILLID_DATA_DIR": "/x"}
    settings = Settings.load(env=env, data_dir="/y")
    assert settings.dense_weight == 0.7 and settings.hits_per_answer == 8
    assert settings.data_dir == Path("/y")
    assert Settings.load(env={}).dense_weight == 0.5


@pytest.mark.parametrize(
    ("name", "value"), [("TILLID_FUSION_DEPTH", "mange"), ("TILLID_BULLET_RATIO", "x")]
)
def test_a_setting_that_is_not_a_number_is_explained_in_danish(name, value):
    with pytest.raises(ValueError, match="skal være et"):
        Settings.load(env={name: value})
