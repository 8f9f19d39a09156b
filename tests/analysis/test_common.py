"""What several chapters share (analysis/common.py): the budgets their tables show, a clear error for
rows swept before the search-cost columns existed, and the agreement of every estimator with the exact
drop-column importance (``exact_agreement``) on a tiny synthetic study."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402
import torch  # noqa: E402

from sseds_study.analysis import common, exact_agreement, exact_reference, load_pretrained  # noqa: E402
from sseds_study.config import ESTIMATORS, ConfigError  # noqa: E402
from sseds_study.search import drop_column_importance  # noqa: E402
from sseds_study.study import study_from_dict  # noqa: E402


def test_small_budgets_are_the_tables_budgets_or_the_two_smallest():
    assert common.small_budgets([1.0, 0.5, 0.2, 0.1]) == [0.2, 0.1]
    assert common.small_budgets([1.0, 0.5, 0.3]) == [0.3, 0.5]  # the two smallest, smallest first
    assert common.small_budgets([1.0, 0.3]) == [0.3]


def test_a_chapter_reads_a_profile_by_name_by_path_or_as_a_study(tmp_path):
    from sseds_study.data.paths import repo_root
    from sseds_study.study.profile import load_profile

    smoke = load_profile("smoke")
    assert common.chapter_study("smoke") == smoke and common.chapter_study(smoke) is smoke
    path = tmp_path / "mine.yaml"
    path.write_text(f"extends: {repo_root() / 'configs' / 'smoke.yaml'}\nname: mine\nseeds: [3]\n")
    for given in (path, str(path)):
        mine = common.chapter_study(given)
        assert mine.name == "mine" and mine.seeds == (3,) and mine.methods == smoke.methods


def test_the_prose_lists_methods_from_the_registry():
    from sseds_study.study.methods import method_names, verdict_baselines

    # The sentences the book wrote by hand before the registry drove them, word for word.
    assert common.methods_markdown(verdict_baselines()) == (
        "`uniform` (one width for every field), `frequency` (widths by how often a field's values occur), "
        "`random` (a random ranking of the columns) and `magnitude` (columns ranked by the pretrained weights' size)")
    assert common.count_word(len(verdict_baselines())) == "four"
    assert common.listing(method_names(role="baseline")[:4]) == "uniform, random, magnitude and frequency"
    assert common.listing(["a"]) == "a" and common.listing([]) == ""
    assert common.count_word(13) == "13"


def test_rows_without_the_new_columns_are_a_clear_error():
    rows = pd.DataFrame({"status": ["ok"], "search_seconds": [0.1]})
    with pytest.raises(ConfigError, match="swept before these were measured"):
        common.check_efficiency_columns(rows, "results/old")


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
    assert set(negative.columns) == {"dataset", "model", "field", "negative_share", "min_importance", "importance"}
    assert len(negative) == 2 * 8 and negative["negative_share"].between(0, 1).all()


def test_reference_is_the_whole_validation_split(study):
    ds, pre, spec = load_pretrained(study, "synthetic", "FM")
    ids, labels = ds.subset("valid")
    whole = drop_column_importance(pre.model, [(torch.from_numpy(ids), torch.from_numpy(labels).float())])
    np.testing.assert_allclose(exact_reference(ds, pre, spec), whole.numpy(), rtol=1e-6, atol=1e-9)
    np.testing.assert_array_equal(exact_reference(ds, pre, spec), exact_reference(ds, pre, spec))
