"""Building a run's slim model: scratch is the seeded model alone, inherit the pruned pretrained model;
retrains are shared only between runs that start from the same weights."""

from __future__ import annotations

import dataclasses
import json
from types import SimpleNamespace

import pytest
import torch

from sseds_study import study as st
from sseds_study.config import SearchConfig
from sseds_study.models import build_model
from sseds_study.search.allocate import allocate_dims
from sseds_study.study.retrain import build_slim_model, slim_retrain_key
from sseds_study.train import seed_everything
from studyhelpers import tiny


def sseds_spec(model: str, init: str):
    spec = next(r for r in st.expand_runs(tiny(models=[model])) if r.method == "sseds")
    return dataclasses.replace(spec, search=dataclasses.replace(spec.search, init=init))


def pretrained_of(ds, spec):
    """What ``load_or_pretrain`` gives, as far as building a slim model reads it: ``.model``."""
    torch.manual_seed(5)
    model = build_model(ds.fields, spec.model, gates=True)
    with torch.no_grad():
        for p in model.parameters():
            p.add_(0.3 * torch.randn_like(p))
    return SimpleNamespace(model=model.eval())


def allocation(ds, spec, min_dim=0):
    scores = torch.rand(len(ds.fields), spec.model.emb_dim, generator=torch.Generator().manual_seed(2))
    scores[1] -= 10.0  # "hour" ranks last: dropped at min_dim 0
    return allocate_dims(scores, ds.vocab_sizes, 0.5, min_dim=min_dim)


@pytest.mark.parametrize("model", ["DeepFM", "DCN"])
def test_scratch_ignores_the_pretrained_model(model, tiny):
    spec = sseds_spec(model, "scratch")
    alloc = allocation(tiny, spec)
    slim = build_slim_model(tiny, spec, alloc, pretrained_of(tiny, spec)).state_dict()
    seed_everything(spec.seed)
    plain = build_model(tiny.fields, dataclasses.replace(spec.model, emb_dims=alloc.emb_dims)).state_dict()
    assert slim.keys() == plain.keys() and all(torch.equal(slim[k], plain[k]) for k in slim)


@pytest.mark.parametrize("min_dim", [0, 1])
@pytest.mark.parametrize("model", ["FM", "DeepFM", "WideDeep", "DCN", "IPNN"])
def test_inherit_starts_where_prune_only_is(model, min_dim, tiny):
    spec = sseds_spec(model, "inherit")
    alloc = allocation(tiny, spec, min_dim)
    assert (alloc.emb_dims[1] == 0) == (min_dim == 0)
    pre = pretrained_of(tiny, spec)
    slim = build_slim_model(tiny, spec, alloc, pre).eval()
    ids = torch.from_numpy(tiny.ids)
    with torch.no_grad(), pre.model.embedding.masked(alloc.kept):
        expected = pre.model(ids)
    torch.testing.assert_close(slim(ids), expected, rtol=1e-5, atol=1e-6)


def test_retrain_key_tells_inherit_runs_apart_by_their_kept_columns():
    spec = sseds_spec("FM", "scratch")
    a = allocate_dims(torch.tensor([[3.0, 2, 1, 0], [1, 2, 3, 4]]), [5, 5], 0.5)
    b = allocate_dims(torch.tensor([[0.0, 1, 2, 3], [4, 3, 2, 1]]), [5, 5], 0.5)
    assert a.emb_dims == b.emb_dims and not torch.equal(a.kept, b.kept)
    assert slim_retrain_key(spec, a) == slim_retrain_key(spec, b)  # from scratch only the widths matter
    inherit = dataclasses.replace(spec, search=SearchConfig(init="inherit"))
    assert slim_retrain_key(inherit, a) != slim_retrain_key(inherit, b)
    assert slim_retrain_key(inherit, a) != slim_retrain_key(spec, a)


def test_sseds_rows_carry_each_fields_summed_saliency(tmp_path):
    """execute_run merges an allocation's own columns (``MethodInput.extra``) into the row: SSEDS's
    per-field sum of |saliency|, which the regime map reads; a run's key stays the RunSpec's alone."""
    from sseds_study.data import load_dataset_from_config
    from sseds_study.study.execute import execute_run
    from sseds_study.study.pretrain import GroupCache, load_or_pretrain

    runs = st.expand_runs(tiny(budgets=[0.3]))
    spec = next(r for r in runs if r.method == "prune_only")  # SSEDS's allocation, no retrain: quick
    keys = [r.key for r in runs]
    ds = load_dataset_from_config(spec.data, progress=False)
    pre = load_or_pretrain(ds, spec, tmp_path)
    cache = GroupCache(results_dir=tmp_path)
    row = execute_run(ds, pre, spec, cache)
    (scores, _), = cache.saliency.values()
    assert json.loads(row["field_saliency"]) == pytest.approx(scores.abs().sum(dim=1).tolist(), rel=1e-7)
    assert len(json.loads(row["field_saliency"])) == ds.num_fields
    assert "field_saliency" not in execute_run(ds, pre, next(r for r in runs if r.method == "magnitude"), cache)
    assert [r.key for r in st.expand_runs(tiny(budgets=[0.3]))] == keys and "field_saliency" not in spec.to_dict()
