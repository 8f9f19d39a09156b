"""The regime generator: each knob does what its documentation says, the planted truth is honest, and
bad options are refused by name."""

from __future__ import annotations

import numpy as np
import pytest

from sseds_study.data import load_dataset
from sseds_study.data.regime import field_layout, generate_regime, planted_ranks, vocabulary_sizes
from sseds_study.errors import OptionError
from sseds_study.metrics import roc_auc

SMALL = {"fields": 6, "vocab_total": 300, "vocab_min": 10, "max_rank": 4, "rows_per_row": 8.0}


def test_concentration_runs_from_equal_ranks_to_one_dominant_field():
    assert planted_ranks(10, 0.0, 0.0, 8) == [8] * 10
    assert planted_ranks(10, 1.0, 0.0, 8) == [8, 3, 1, 1, 1, 1, 1, 1, 1, 1]  # 8 e^-i, at least 1
    assert planted_ranks(10, 0.0, 0.3, 8) == [8] * 7 + [0] * 3  # noise fields last
    assert planted_ranks(4, 0.0, 0.9, 8) == [8, 8, 0, 0]  # at least two relevant fields


def test_vocabularies_sum_to_the_total_and_spread_geometrically():
    equal = vocabulary_sizes(5, 500, 10, 1.0)
    assert equal == [100] * 5
    spread = vocabulary_sizes(5, 500, 10, 2.0)
    assert sum(spread) == 500 and spread == sorted(spread, reverse=True)
    extra = np.array(spread[1:]) - 10
    assert np.allclose(extra[:-1] / extra[1:], 2.0, atol=0.2)  # consecutive shares halve


def test_vocabulary_order_ties_size_to_importance():
    args = (6, 0.8, 0.0, 4, 300, 10, 1.8)
    sizes, ranks = field_layout(*args, "importance", seed=0)
    assert sizes == sorted(sizes, reverse=True) and ranks == sorted(ranks, reverse=True)  # largest -> most important
    sizes, _ = field_layout(*args, "reverse", seed=0)
    assert sizes == sorted(sizes)  # largest -> least important
    shuffled, _ = field_layout(*args, "random", seed=0)
    assert sorted(shuffled) == sorted(sizes) and shuffled != sizes
    assert shuffled == field_layout(*args, "random", seed=0)[0]  # seeded


@pytest.mark.parametrize("form", ["fm", "mlp"])
def test_seeded_rows_and_an_honest_truth(form):
    values, labels, logits, truth = generate_regime(**SMALL, form=form, seed=3)
    again = generate_regime(**SMALL, form=form, seed=3)
    assert np.array_equal(values, again[0]) and np.array_equal(labels, again[1]) and truth == again[3]
    assert len(values) == int(np.ceil(8.0 * 300 / 0.8))  # rows per embedding row, over the training share
    assert truth["settings"]["rows"] == len(values)
    # noise fields never move the true logit
    noise = [i for i, r in enumerate(truth["ranks"].values()) if r == 0]
    if noise:
        from sseds_study.data import regime as gen  # the planted model, rebuilt as the generator does
        sizes, ranks = field_layout(6, 0.5, 0.2, 4, 300, 10, 1.3, "random", 3)
        model = gen.plant_model(sizes, ranks, [1.1] * 6, 3.0, 0.5, -1.5, 3)
        mlp = gen.MlpTruth(ranks, model.latent, model.popularity, 3.0, 3) if form == "mlp" else None
        shuffled = values.copy()
        shuffled[:, noise[0]] = np.random.default_rng(0).permutation(values[:, noise[0]])
        assert np.allclose(gen.true_logits(model, form, shuffled, mlp), logits)
    # the Bayes AUC is the true logits' AUC, and labels follow the logits
    assert 0.5 < truth["bayes_auc"] <= 1.0
    assert roc_auc(labels, logits) > 0.6


def test_mlp_form_is_scaled_to_its_signal():
    _, _, logits, truth = generate_regime(**SMALL, form="mlp", signal=2.0, bias_scale=0.0, seed=1)
    centred = logits - truth["settings"]["base_logit"]
    assert abs(centred.mean()) < 0.15 and centred.std() == pytest.approx(2.0, rel=0.15)


def test_mlp_form_is_not_an_fm():
    """A second-order (FM-form) fit of the MLP logit on the latent codes leaves a clear residual."""
    values, _, logits, _ = generate_regime(**SMALL, form="mlp", bias_scale=0.0, seed=2, concentration=0.0,
                                           noise_share=0.0)
    # one-hot regression of the logit on fields' values and all field pairs cannot be exact for an MLP,
    # but additive-in-values structure is easy: check the additive part explains far from everything
    design = np.concatenate([np.eye(values[:, f].max() + 1)[values[:, f]] for f in range(values.shape[1])], axis=1)
    coef, *_ = np.linalg.lstsq(design, logits, rcond=None)
    residual = logits - design @ coef
    assert residual.std() > 0.3 * logits.std()


def test_loads_through_the_registry_with_its_truth(tmp_path):
    ds = load_dataset("regime", cache_dir=tmp_path, progress=False, **SMALL, seed=5)
    assert ds.field_names == [f"f{i}" for i in range(6)]
    truth = ds.manifest["truth"]
    assert set(truth["ranks"]) == set(ds.field_names) and truth["generator"] == "regime"


@pytest.mark.parametrize("option, value, message", [
    ("concentration", -0.1, "concentration: expected a number >= 0"),
    ("noise_share", 1.0, r"noise_share: expected a number in \[0, 1\)"),
    ("vocab_spread", 0.5, "vocab_spread: expected a number >= 1"),
    ("vocab_min", 4, "vocab_min: expected more values than max_rank"),
    ("vocab_total", 20, "vocab_total: expected at least fields"),
    ("form", "cubic", "form: expected one of fm, mlp"),
    ("vocab_order", "up", "vocab_order: expected one of random, importance, reverse"),
    ("rows_per_row", 0, "rows_per_row: expected a number > 0"),
])
def test_bad_options_are_refused_by_name(option, value, message):
    with pytest.raises(OptionError, match=message):
        generate_regime(**{**SMALL, option: value})
