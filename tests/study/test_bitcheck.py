"""Every base model trained under two imitated instruction sets gives the same bits in the reproducible
mode, while the same imitation moves the bits in the fast mode (so the comparison can fail)."""

from __future__ import annotations

import pytest

from sseds_study import numerics
from sseds_study.models.registry import MODEL_NAMES
from sseds_study.study.bitcheck import IMITATIONS, run_imitation, table

METRICS = ("valid_auc", "valid_logloss", "test_auc", "test_logloss", "weights")


def _run(imitation: str, mode: str) -> dict:
    # the smoke profile's data (synthetic, 6,000 rows), every base model, one epoch
    return run_imitation(imitation, mode, "synthetic", MODEL_NAMES, epochs=1, rows=6000)


@pytest.fixture(scope="module")
def runs():
    if numerics.machine_problem("reproducible"):
        pytest.skip(numerics.machine_problem("reproducible"))
    return {(mode, imit): _run(imit, mode) for mode in ("reproducible", "fast")
            for imit in ("native", "all-baseline")}


def test_the_reproducible_mode_gives_the_same_bits_under_another_instruction_set(runs):
    a, b = runs[("reproducible", "native")], runs[("reproducible", "all-baseline")]
    assert a["numerics"]["mode"] == b["numerics"]["mode"] == "reproducible"
    for model in MODEL_NAMES:
        assert {k: a["models"][model][k] for k in METRICS} == {k: b["models"][model][k] for k in METRICS}, model


def test_without_the_mode_the_imitation_changes_the_bits(runs):
    a, b = runs[("fast", "native")], runs[("fast", "all-baseline")]
    assert b["numerics"]["aten"] == "DEFAULT" and b["numerics"]["mkl_branch"] == "COMPATIBLE"
    moved = [m for m in MODEL_NAMES if a["models"][m]["test_logloss"] != b["models"][m]["test_logloss"]]
    assert moved, "the imitated instruction set changed no model's result: the check above could not fail"


def test_the_table_marks_equal_and_different_cells(runs):
    text = table(runs, MODEL_NAMES)
    assert text.count("\n") == len(runs) + 1  # a header, a rule and a row per mode and imitation
    assert "≠" in text and "=" in text
    assert set(IMITATIONS) >= {"native", "all-baseline"}
