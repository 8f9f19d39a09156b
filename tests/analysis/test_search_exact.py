"""Chapter 03's account of the exact drop-column importance: the sentences the chapter quotes, and the
chapter itself (the agreement table, ``common.exact_agreement``, is tested in test_common.py)."""

from __future__ import annotations

import re

import matplotlib

matplotlib.use("Agg")

import pandas as pd  # noqa: E402
import pytest  # noqa: E402

from sseds_study.analysis import search_chapter  # noqa: E402
from sseds_study.analysis import search_exact as se  # noqa: E402
from sseds_study.analysis.search import exact_text  # noqa: E402
from sseds_study.config import ESTIMATORS, SearchConfig  # noqa: E402
from sseds_study.data.paths import repo_root  # noqa: E402

NOTEBOOK = repo_root() / "notebooks" / "03_search.py"


def _agreement(seeds=(0,)):
    return pd.DataFrame([{"dataset": "d", "model": m, "estimator": e, "score_split": s, "seed": seed,
                          "spearman": rho + 0.01 * seed, "kendall": 0.0, "top_k_overlap": 0.5}
                         for seed in seeds for m in ("FM", "DCN")
                         for e, s, rho in (("mean_abs", "train", 0.3), ("taylor", "valid", 0.6), ("exact", "valid", 0.95))])


def _negative(seeds=(0,)):
    return pd.DataFrame({"dataset": "d", "model": ["FM", "FM", "DCN", "DCN"] * len(seeds),
                         "field": ["a", "b", "a", "b"] * len(seeds),
                         "seed": [s for s in seeds for _ in range(4)],
                         "negative_share": [0.0, 0.5, 0.25, 0.25] * len(seeds), "min_importance": -1.0,
                         "importance": [1.0, -0.5, 0.5, 0.2] * len(seeds)})


def test_text_names_the_best_gradient_setting():
    text = exact_text(_agreement(), _negative(), SearchConfig())
    assert text["exact_best_setting"] == "taylor on validation batches"  # exact itself is not a contender
    assert text["exact_best_spearman"] == "0.60" and text["exact_default_spearman"] == "0.30"
    assert text["exact_default_setting"] == "mean_abs · training batches · min_dim 1 · scratch"
    assert text["exact_default_verdict"] == "the default is not the best-agreeing gradient setting"
    assert text["exact_k_valid"] == "0.95" and text["exact_k_train"] == "nan"
    assert text["exact_negative_share"] == "25%" and text["exact_negative_range"] == "25% to 25%"
    assert text["exact_negative_worst"] == "b (FM: 50% of its columns)"


def test_intervals_over_seeds():
    agreement = _agreement(seeds=(0, 1, 2))
    summary = se.agreement_summary(agreement).set_index(["estimator", "score_split"])
    # each seed's mean over the models, then a t interval over the seeds: 0.30, 0.31, 0.32
    assert summary.loc[("mean_abs", "train"), "spearman"] == pytest.approx(0.31)
    assert summary.loc[("mean_abs", "train"), "spearman_ci95"] == pytest.approx(4.303 * 0.01 / 3 ** 0.5, rel=1e-3)
    assert summary.loc[("mean_abs", "train"), "seeds"] == 3
    text = exact_text(agreement, _negative(seeds=(0, 1, 2)), SearchConfig())
    assert text["exact_default_spearman"].startswith("0.31 ± 0.02") and text["exact_seeds"] == "3"
    assert text["exact_negative_share"] == "25% ± 0%"
    shown = se.agreement_frame(se.agreement_summary(agreement))
    assert list(shown.columns[:2]) == ["estimator", "scoring split"] and shown["scoring split"][0] == "training batches"
    harmful = se.harmful_frame(_negative(seeds=(0, 1)))
    assert harmful.loc["b", "FM"] == pytest.approx(50.0) and list(harmful.columns) == ["FM", "DCN"]


def test_decay_text_follows_the_numbers():
    lower = pd.DataFrame({"model": ["FM", "DCN"], "tuned_decay": 1e-4, "tuned": [0.3, 0.4], "no_decay": [0.5, 0.5]})
    text = se.decay_text(lower, 0)
    assert (text["harmful_tuned_decay"], text["harmful_no_decay"]) == ("35%", "50%")
    assert text["harmful_decay_verdict"].startswith("lowers the share")
    assert text["harmful_decay_models"] == "FM and DCN, seed 0"
    assert se.decay_text(lower.assign(tuned=0.6), 0)["harmful_decay_verdict"].startswith("does not lower")
    assert se.decay_text(lower.iloc[0:0], 0)["harmful_no_decay"].startswith("not measured")


@pytest.mark.slow
def test_the_chapter_has_everything_its_notebook_glues_and_shows(tmp_path, monkeypatch):
    monkeypatch.setenv("SSEDS_RESULTS_DIR", str(tmp_path))
    ch = search_chapter("smoke")
    source = NOTEBOOK.read_text()
    for name in set(re.findall(r"\{glue:text\}`([a-z_0-9A-Z]+)`", source)):
        assert name in ch.text and ch.text[name], name
    for name in set(re.findall(r'chapter\.tables\["([a-z_]+)"\]', source)):
        assert name in ch.tables, name
    assert "fig_exact_agreement" in ch.figures
    assert list(ch.tables["exact"].cells.columns[:2]) == ["estimator", "scoring split"]
    assert "width_compare" in ch.tables
    assert len(ch.tables["exact"].cells) == 2 * len(ESTIMATORS)
