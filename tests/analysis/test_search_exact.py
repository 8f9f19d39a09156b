"""Agreement of every estimator with the exact drop-column importance (analysis.exact_agreement), on a
tiny synthetic study, and the sentences the chapter quotes."""

from __future__ import annotations

import re

import matplotlib

matplotlib.use("Agg")

import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402
import torch  # noqa: E402

from sseds_study.analysis import exact_agreement, exact_reference, load_pretrained, search_chapter  # noqa: E402
from sseds_study.analysis.search import exact_text  # noqa: E402
from sseds_study.config import ESTIMATORS, SearchConfig  # noqa: E402
from sseds_study.data.paths import repo_root  # noqa: E402
from sseds_study.search import drop_column_importance  # noqa: E402
from sseds_study.study import study_from_dict  # noqa: E402

NOTEBOOK = repo_root() / "notebooks" / "03_search.py"


@pytest.fixture(scope="module")
def study(tmp_path_factory, monkeypatch_module):
    monkeypatch_module.setenv("SSEDS_RESULTS_DIR", str(tmp_path_factory.mktemp("exact")))
    return study_from_dict({
        "name": "exact", "datasets": [{"name": "synthetic", "options": {"rows": 3000, "seed": 7}}],
        "models": ["FM", "DeepFM"], "methods": ["sseds"], "budgets": [0.25], "seeds": [0],
        "model": {"emb_dim": 4, "hidden_dims": [8]},
        "train": {"batch_size": 256, "max_epochs": 2, "patience": 1, "lr": 0.01, "progress": False},
        "search": {"num_batches": 2},
    })


@pytest.fixture(scope="module")
def monkeypatch_module():
    mp = pytest.MonkeyPatch()
    yield mp
    mp.undo()


@pytest.fixture(scope="module")
def tables(study):
    return exact_agreement(study)


def test_agreement_is_a_tidy_table_of_every_setting(tables):
    agreement, negative = tables
    assert list(agreement.columns[:6]) == ["dataset", "model", "estimator", "score_split", "spearman", "kendall"]
    assert len(agreement) == 2 * len(ESTIMATORS) * 2  # models x estimators x splits
    assert set(agreement["estimator"]) == set(ESTIMATORS)
    assert agreement[["spearman", "kendall"]].abs().le(1).all().all()
    assert (agreement["k"] == 6).all()  # floor(0.2 * F * D) with 8 fields of width 4
    assert agreement["top_k_overlap"].between(0, 1).all()
    # Exact on validation batches is the reference measured on fewer rows: it must agree closely.
    exact_valid = agreement[(agreement["estimator"] == "exact") & (agreement["score_split"] == "valid")]
    assert (exact_valid["spearman"] > 0.8).all(), exact_valid
    assert set(negative.columns) == {"dataset", "model", "field", "negative_share", "min_importance"}
    assert len(negative) == 2 * 8 and negative["negative_share"].between(0, 1).all()


def test_reference_is_the_whole_validation_split(study):
    ds, pre, spec = load_pretrained(study, "synthetic", "FM")
    ids, labels = ds.subset("valid")
    whole = drop_column_importance(pre.model, [(torch.from_numpy(ids), torch.from_numpy(labels).float())])
    np.testing.assert_allclose(exact_reference(ds, pre, spec), whole.numpy(), rtol=1e-6, atol=1e-9)
    np.testing.assert_array_equal(exact_reference(ds, pre, spec), exact_reference(ds, pre, spec))


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
