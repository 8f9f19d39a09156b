"""Row gathers: the same values and gradients as nn.Embedding, dense to the bit, sparse already
coalesced."""

from __future__ import annotations

import pytest
import torch

from sseds_study.models.gather import gather_rows


@pytest.mark.parametrize("threads", [1, 2])
def test_row_gather_matches_nn_embedding_bit_for_bit(threads):
    """The lookup gathers rows with index_select instead of calling nn.Embedding: the same values
    and, with repeated ids, the same accumulated gradient to the last bit (so results computed before
    the change stay valid)."""
    before = torch.get_num_threads()
    torch.set_num_threads(threads)
    try:
        gen = torch.Generator().manual_seed(0)
        table = torch.nn.Embedding(300, 16)
        idx = torch.randint(0, 300, (2048, 13), generator=gen)  # many repeats per row
        upstream = torch.randn(2048, 13, 16, generator=gen)
        ours = gather_rows(table, idx)
        ours.backward(upstream)
        grad_ours, table.weight.grad = table.weight.grad.clone(), None
        ref = table(idx)
        ref.backward(upstream)
        assert torch.equal(ours, ref)
        assert torch.equal(grad_ours, table.weight.grad)
    finally:
        torch.set_num_threads(before)


@pytest.mark.parametrize("threads", [1, 2])
def test_sparse_row_gather_gives_the_coalesced_embedding_gradient(threads):
    """With sparse gradients (sparse_adam), the lookup hands back the gradient already coalesced: the
    same rows and, summed over repeated ids, the same values as nn.Embedding's sparse gradient after
    ``coalesce``, up to float rounding (the two add a row's duplicates in different orders)."""
    before = torch.get_num_threads()
    torch.set_num_threads(threads)
    try:
        gen = torch.Generator().manual_seed(1)
        table = torch.nn.Embedding(5000, 8, sparse=True)
        idx = torch.randint(0, 60, (1024, 7), generator=gen) ** 2  # many repeats, unsorted, gaps
        upstream = torch.randn(1024, 7, 8, generator=gen)
        ours = gather_rows(table, idx)
        ours.backward(upstream)
        grad_ours, table.weight.grad = table.weight.grad, None
        ref = table(idx)
        ref.backward(upstream)
        want = table.weight.grad.coalesce()
        assert torch.equal(ours, ref)
        # autograd's accumulation drops the coalesced flag; the row ids are strictly increasing (so the
        # optimizer may flag it again) and the rows are coalesce's
        rows = grad_ours._indices()[0]
        assert grad_ours.is_sparse and bool((rows[1:] > rows[:-1]).all())
        assert torch.equal(grad_ours._indices(), want.indices())
        torch.testing.assert_close(grad_ours._values(), want.values(), rtol=1e-5, atol=1e-4)  # ~120 terms a row
    finally:
        torch.set_num_threads(before)


def test_sparse_row_gather_trains_like_nn_embedding():
    """Two SparseAdam steps through the coalesced lookup leave the same table as through nn.Embedding,
    up to float rounding."""
    gen = torch.Generator().manual_seed(2)
    idx = torch.randint(0, 40, (512, 5), generator=gen)
    targets = torch.randn(512, 5, 4, generator=gen)
    tables = []
    for use_ours in (True, False):
        torch.manual_seed(0)
        table = torch.nn.Embedding(40, 4, sparse=True)
        opt = torch.optim.SparseAdam(table.parameters(), lr=0.01)
        for _ in range(2):
            out = gather_rows(table, idx) if use_ours else table(idx)
            loss = ((out - targets) ** 2).mean()
            opt.zero_grad()
            loss.backward()
            opt.step()
        tables.append(table.weight.detach().clone())
    torch.testing.assert_close(tables[0], tables[1], rtol=1e-6, atol=1e-7)
    assert not torch.equal(tables[0], torch.nn.Embedding(40, 4).weight)  # they did train
