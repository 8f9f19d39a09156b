"""Chapter 03's account of the exact drop-column importance: the sentences the chapter quotes, and the
chapter itself (the agreement table, ``common.exact_agreement``, is tested in test_common.py)."""

from __future__ import annotations

import re

import matplotlib

matplotlib.use("Agg")

import pandas as pd  # noqa: E402
import pytest  # noqa: E402

from sseds_study.analysis import search_chapter  # noqa: E402
from sseds_study.analysis.search import exact_text  # noqa: E402
from sseds_study.config import ESTIMATORS, SearchConfig  # noqa: E402
from sseds_study.data.paths import repo_root  # noqa: E402

NOTEBOOK = repo_root() / "notebooks" / "03_search.py"


def test_text_names_the_best_gradient_setting():
    rows = [{"dataset": "d", "model": m, "estimator": e, "score_split": s, "spearman": rho, "kendall": 0.0}
            for m in ("FM", "DCN")
            for e, s, rho in (("mean_abs", "train", 0.3), ("taylor", "valid", 0.6), ("exact", "valid", 0.95))]
    negative = pd.DataFrame({"dataset": "d", "model": ["FM", "FM", "DCN", "DCN"], "field": ["a", "b", "a", "b"],
                             "negative_share": [0.0, 0.5, 0.25, 0.25], "min_importance": -1.0})
    text = exact_text(pd.DataFrame(rows), negative, SearchConfig())
    assert text["exact_best_setting"] == "taylor on valid batches"  # exact itself is not a contender
    assert text["exact_best_spearman"] == "0.60" and text["exact_default_spearman"] == "0.30"
    assert text["exact_default_verdict"] == "the default is not the best-agreeing gradient setting"
    assert text["exact_k_valid"] == "0.95" and text["exact_k_train"] == "nan"
    assert text["exact_negative_share"] == "25%" and text["exact_negative_range"] == "25% to 25%"
    assert text["exact_negative_worst"] == "b (d, FM: 50% of its columns)"


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
    assert list(ch.tables["exact"].cells.columns[:2]) == ["estimator", "score_split"]
    assert len(ch.tables["exact"].cells) == 2 * len(ESTIMATORS)
