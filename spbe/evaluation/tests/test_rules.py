"""The evaluation's thresholds are pack values (E-2, E-4): every key the
rules know is a key the pack accepts, and a misspelt key is refused rather
than silently replaced by its default."""

from dataclasses import fields

import pytest

from spbe.evaluation.rules import EvaluationRules
from spbe.policy.pack import EVALUATION_KEYS, PackError, bundled_packs, load_file, validate


def test_the_pack_and_the_rules_know_the_same_keys():
    assert set(EVALUATION_KEYS) == {f.name for f in fields(EvaluationRules)}


@pytest.mark.parametrize("path", bundled_packs(), ids=lambda p: p.stem)
def test_every_bundled_pack_states_every_threshold_with_the_documented_default(path):
    assert load_file(path).evaluation == {f.name: f.default for f in fields(EvaluationRules)}


@pytest.mark.parametrize(("key", "value", "message"), [
    ("target_met_precent", 90, "unknown key"), ("target_met_percent", 120, "at most 100"),
    ("followup_min_done", -1, "0 or more"), ("followup_min_done", "dua", "whole number"),
])  # fmt: skip
def test_a_wrong_threshold_is_refused_with_its_path(key, value, message):
    import tomllib

    data = tomllib.loads(bundled_packs()[0].read_text())
    data["evaluation"][key] = value
    with pytest.raises(PackError) as refused:
        validate(data, "uji.toml")
    assert f"evaluation.{key}" in str(refused.value) and message in str(refused.value)
