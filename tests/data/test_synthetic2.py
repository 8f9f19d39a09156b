"""The second synthetic generator: seeded, Zipf-tailed, unequal vocabularies, an honest planted truth."""

from __future__ import annotations

import numpy as np
import pytest

from sseds_study.data import load_dataset
from sseds_study.data.synthetic2 import (
    DEFAULT_RANKS,
    DEFAULT_VOCAB_SIZES,
    generate_synthetic2,
    load_synthetic2,
    plant_model,
)
from sseds_study.errors import OptionError
from sseds_study.metrics import log_loss, roc_auc

SMALL = {"rows": 20_000, "vocab_sizes": [40, 5000, 300, 20], "ranks": [3, 0, 2, 0]}


def test_seeded_and_a_smaller_draw_is_a_prefix():
    values, labels, logits, truth = generate_synthetic2(**SMALL, seed=4)
    again = generate_synthetic2(**SMALL, seed=4)
    assert np.array_equal(values, again[0]) and np.array_equal(labels, again[1]) and truth == again[3]
    assert not np.array_equal(values, generate_synthetic2(**SMALL, seed=5)[0])
    # the planted model does not depend on rows: fewer rows are the first rows of more
    fewer = generate_synthetic2(**{**SMALL, "rows": 5000}, seed=4)
    assert np.array_equal(fewer[0], values[:5000]) and np.array_equal(fewer[2], logits[:5000])


def test_default_vocabularies_are_unequal_and_unrelated_to_rank():
    assert min(DEFAULT_VOCAB_SIZES) <= 10 and max(DEFAULT_VOCAB_SIZES) >= 100 * min(DEFAULT_VOCAB_SIZES)
    by_vocab = sorted(zip(DEFAULT_VOCAB_SIZES, DEFAULT_RANKS, strict=True))
    assert by_vocab[-1][1] == 0  # the biggest field is noise: more than half the embedding rows
    assert by_vocab[-1][0] > sum(DEFAULT_VOCAB_SIZES) / 2
    assert max(DEFAULT_RANKS) in [r for v, r in by_vocab[:4]]  # the highest rank sits in a small field
    assert 0 in [r for v, r in by_vocab[:2]]  # and so does a noise field


def test_value_popularity_follows_zipf():
    values, *_ = generate_synthetic2(rows=200_000, vocab_sizes=[1000, 1000, 50], ranks=[2, 1, 0], zipf=[1.1, 1.5, 1.1],
                                     seed=1)
    for f, s in ((0, 1.1), (1, 1.5)):
        counts = np.bincount(values[:, f], minlength=1000)
        assert values[:, f].max() < 1000 and counts[0] == counts.max()  # value 0 is the most popular
        # log-log slope of count against popularity rank, over ranks 1..100 (well sampled)
        k = np.arange(1, 101)
        slope = np.polyfit(np.log(k), np.log(counts[:100]), 1)[0]
        assert slope == pytest.approx(-s, abs=0.1)


def test_noise_fields_do_not_move_the_true_probability():
    vocab, ranks = [40, 5000, 300, 20], [3, 0, 2, 0]
    model = plant_model(vocab, ranks, [1.1] * 4, signal=2.0, bias_scale=0.5, base_logit=-1.0, seed=2)
    values, *_ = generate_synthetic2(rows=5000, vocab_sizes=vocab, ranks=ranks, seed=2)
    shuffled = values.copy()
    rng = np.random.default_rng(0)
    shuffled[:, 1] = rng.integers(0, 5000, len(values))
    shuffled[:, 3] = rng.permutation(values[:, 3])
    assert np.array_equal(model.logits(values), model.logits(shuffled))
    moved = values.copy()
    moved[:, 0] = rng.permutation(values[:, 0])  # a relevant field does move it
    assert not np.allclose(model.logits(values), model.logits(moved))


def test_latent_tables_have_the_planted_rank_and_the_stated_scale():
    vocab, ranks = [40, 5000, 300, 20], [3, 0, 2, 0]
    model = plant_model(vocab, ranks, [1.1] * 4, signal=2.0, bias_scale=0.5, base_logit=-1.0, seed=2)
    for table, p, r in zip(model.latent, model.popularity, ranks, strict=True):
        if r == 0:
            assert table is None
            continue
        assert table.shape[1] == r and np.linalg.matrix_rank(table) == r
        np.testing.assert_allclose(p @ table, 0, atol=1e-10)  # centred and whitened under popularity
        np.testing.assert_allclose(table.T @ (p[:, None] * table), np.eye(r), atol=1e-10)
    # population moments: a large sample's logits have mean ~base_logit
    _, _, logits, _ = generate_synthetic2(rows=200_000, vocab_sizes=vocab, ranks=ranks, signal=2.0, bias_scale=0.5,
                                          base_logit=-1.0, seed=2)
    assert logits.mean() == pytest.approx(-1.0, abs=0.05)


def test_bayes_metrics_are_those_of_the_true_logits_on_each_split(tmp_path):
    ds = load_synthetic2(cache_dir=tmp_path, progress=False, **SMALL, seed=3, split_seed=11)
    _, labels, logits, _ = generate_synthetic2(**SMALL, seed=3)
    truth = ds.manifest["truth"]
    assert np.array_equal(ds.labels, labels)
    for name in ("train", "valid", "test"):
        idx = ds.split_index(name)
        assert truth["bayes"][name]["auc"] == pytest.approx(roc_auc(labels[idx], logits[idx]), abs=1e-12)
        probability = 1.0 / (1.0 + np.exp(-logits[idx]))  # the true click probability of each row
        assert truth["bayes"][name]["auc"] == pytest.approx(roc_auc(labels[idx], probability), abs=1e-9)
        assert truth["bayes"][name]["logloss"] == pytest.approx(log_loss(labels[idx], logits[idx]), abs=1e-12)
    assert truth["bayes_auc"] == truth["bayes"]["test"]["auc"] and 0.7 < truth["bayes_auc"] < 1


def test_manifest_exposes_the_planted_truth(tmp_path):
    ds = load_dataset("synthetic2", cache_dir=tmp_path, progress=False, **SMALL)
    truth = ds.manifest["truth"]
    assert truth["ranks"] == {"f0": 3, "f1": 0, "f2": 2, "f3": 0}
    assert truth["relevant"] == {"f0": True, "f1": False, "f2": True, "f3": False}
    assert truth["vocab_sizes"] == {"f0": 40, "f1": 5000, "f2": 300, "f3": 20}
    assert truth["generator"] == "synthetic2" and truth["version"] == 2
    # encoded vocabularies: the values seen in training plus the OOV row
    assert all(v <= raw + 1 for v, raw in zip(ds.vocab_sizes, SMALL["vocab_sizes"], strict=True))
    assert ds.vocab_sizes[1] > 10 * ds.vocab_sizes[0]
    assert load_dataset("synthetic2", cache_dir=tmp_path, progress=False, **SMALL).from_cache


@pytest.mark.parametrize(
    "options, message",
    [
        ({"rows": 10}, "option rows: expected an integer >= 1000"),
        ({"rows": "many"}, "option rows: expected an integer >= 1000"),
        ({"ranks": [2, -1, 1], "vocab_sizes": 50}, "option ranks: expected integers >= 0"),
        ({"ranks": [2, 0, 0], "vocab_sizes": 50}, "option ranks: expected at least two relevant fields"),
        ({"ranks": [2, 1], "vocab_sizes": [10, 10, 10]}, "option vocab_sizes: expected one integer or 2"),
        ({"ranks": [4, 1], "vocab_sizes": [4, 10]}, "option ranks: expected each rank below .* f0"),
        ({"vocab_sizes": 1, "ranks": [1, 1]}, "option vocab_sizes: expected integers >= 2"),
        ({"zipf": "steep"}, "option zipf: expected a number"),
        ({"zipf": [1.1, 1.1]}, "option zipf: expected one number or 8"),
        ({"zipf": 0}, "option zipf: expected numbers > 0"),
        ({"signal": 0}, "option signal: expected a number > 0"),
        ({"bias_scale": -1}, "option bias_scale: expected a number >= 0"),
        ({"seed": 1.5}, "option seed: expected an integer"),
    ],
)
def test_bad_options_name_the_option(options, message, tmp_path):
    with pytest.raises(OptionError, match=f"dataset 'synthetic2': {message}"):
        load_dataset("synthetic2", cache_dir=tmp_path, progress=False, **{"rows": 2000, **options})


def test_unknown_option_is_refused(tmp_path):
    with pytest.raises(OptionError, match="unknown option.*num_fields"):
        load_dataset("synthetic2", cache_dir=tmp_path, progress=False, num_fields=4)


@pytest.mark.parametrize(
    "options, key",
    [
        ({"rows": 6000, "seed": 7}, "10659ee75b2068f1"),  # the smoke profile's data
        ({"rows": 50000, "seed": 7}, "7a9ef01888beaed2"),  # the default profile's data
        ({"rows": 3000, "ranks": [4, 2, 0], "min_count": 3, "split_seed": 7}, "b3e6ab96191493b3"),
    ],
)
def test_the_first_generators_cache_keys_are_unchanged(options, key, tmp_path):
    # Results already computed on 'synthetic' point at these keys (computed before synthetic2 existed):
    # adding a generator must not move them.
    ds = load_dataset("synthetic", cache_dir=tmp_path, progress=False, **options)
    assert ds.manifest["cache_key"] == key and ds.cache_path.endswith(f"synthetic-{key}")
