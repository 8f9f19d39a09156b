"""Deployed slim models (deploy.py): CSR tables score exactly as the masked model, their bytes are
those ``sparse_table_bytes`` counts, and latency ratios come back for every model and batch size."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from sseds_study.config import ModelConfig
from sseds_study.data.spec import PAD, make_field_specs
from sseds_study.deploy import CSRTable, scoring_latency, to_sparse_tables
from sseds_study.errors import ConfigError
from sseds_study.models import build_model
from sseds_study.models import pep as mpep
from sseds_study.search.pep import sparse_table_bytes

torch.set_num_threads(1)

FIELDS = make_field_specs(["a", "b", "c"], ["categorical", "multi", "categorical"], [6, 5, 7], [1, 2, 1])


def _ids(n=40, seed=0):
    rng = np.random.default_rng(seed)
    cols = [rng.integers(0, 6, (n, 1)), rng.integers(0, 5, (n, 2)), rng.integers(0, 7, (n, 1))]
    ids = np.concatenate(cols, axis=1)
    ids[rng.random(n) < 0.4, 2] = PAD
    ids[0, 1:3] = PAD  # a row with no value in the multi-valued field
    return torch.from_numpy(ids.astype(np.int64))


def _masked_model(name="DeepFM", keep=0.3, seed=0):
    torch.manual_seed(seed)
    model = build_model(FIELDS, ModelConfig(name=name, emb_dim=4, hidden_dims=(8,)))
    g = torch.Generator().manual_seed(seed)
    masks = [torch.rand(w.shape, generator=g) < keep for w in model.embedding.field_weights()]
    masks[0][2] = False  # a value with no parameter left
    mpep.attach_fixed_mask(model, masks)
    return model.eval(), masks


def test_csr_table_looks_up_the_dense_rows():
    g = torch.Generator().manual_seed(1)
    weight = torch.randn(9, 5, generator=g) * (torch.rand(9, 5, generator=g) < 0.4)
    weight[3] = 0.0
    table = CSRTable(weight)
    idx = torch.tensor([[0, 3, 8], [3, 3, 1]])
    torch.testing.assert_close(table(idx), weight[idx], rtol=0, atol=0)
    assert table.columns.dtype == torch.uint8 and table.row_pointers.dtype == torch.int32
    nnz = int((weight != 0).sum())
    assert table.nbytes() == nnz * 4 + nnz * 1 + (9 + 1) * 4
    assert table.nbytes() == sparse_table_bytes([weight != 0]).total  # one field: the same layout


@pytest.mark.parametrize("name", ["FM", "DeepFM", "DCN"])
def test_sparse_deployment_scores_exactly_as_the_masked_model(name):
    model, _ = _masked_model(name)
    ids = _ids()
    with torch.no_grad():
        before = model(ids)
        to_sparse_tables(model)
        after = model(ids)
    assert all(isinstance(t, CSRTable) for t in model.embedding.tables)
    torch.testing.assert_close(after, before, rtol=1e-6, atol=1e-6)


def test_scoring_latency_measures_every_model_at_every_batch_size():
    full = build_model(FIELDS, ModelConfig(name="DeepFM", emb_dim=4, hidden_dims=(8,)))
    sparse, _ = _masked_model()
    to_sparse_tables(sparse)
    table = scoring_latency({"full": full, "pep": sparse}, _ids(50), reference="full", batch_sizes=(1, 16),
                            rows_at_batch_one=10, repeats=2)
    assert sorted(zip(table["model"], table["batch_size"], strict=True)) == [("full", 1), ("full", 16), ("pep", 1),
                                                                            ("pep", 16)]
    assert (table["seconds_per_1k_rows"] > 0).all()
    assert table[table["model"] == "full"]["ratio"].tolist() == [1.0, 1.0]
    assert table.set_index(["model", "batch_size"]).loc[("pep", 1), "rows"] == 10
    with pytest.raises(ConfigError, match="reference"):
        scoring_latency({"full": full}, _ids(), reference="nope")
