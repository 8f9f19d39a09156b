"""What the two trained width searches share (search/autodim.py, search/dimgrow.py): a seed fixes their
scores without touching the caller's generator, and on planted data the noise field scores lowest."""

from __future__ import annotations

import pytest
import torch

from plantedhelpers import planted, planted_model
from sseds_study.search.autodim import autodim_search
from sseds_study.search.dimgrow import dimgrow_search

SEARCHES = {"autodim": lambda model, ds, **kw: autodim_search(model, ds, **{"batch_size": 128, "seed": 0,
                                                                             "candidates": (2, 4), **kw}),
            "dimgrow": lambda model, ds, **kw: dimgrow_search(model, ds, **{"batch_size": 128, "seed": 0, **kw})}


@pytest.fixture(scope="module")
def data():
    return planted()


@pytest.mark.parametrize("name", list(SEARCHES))
def test_same_seed_same_scores_and_the_global_generator_is_untouched(data, name):
    run = SEARCHES[name]
    ds, truth = data
    model = planted_model(ds, truth, "DeepFM")
    rng = torch.get_rng_state()
    first = run(model, ds)
    assert torch.equal(torch.get_rng_state(), rng)
    assert torch.equal(first.scores, run(model, ds).scores)
    assert not torch.equal(first.scores, run(model, ds, seed=1).scores)


@pytest.mark.parametrize("name", list(SEARCHES))
def test_the_noise_field_gets_less_than_the_signal_fields(data, name):
    ds, truth = data
    res = SEARCHES[name](planted_model(ds, truth), ds, epochs=2)
    total = res.scores.sum(1)
    assert total[2] < min(total[0], total[1])
