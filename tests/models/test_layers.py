"""The vectorised blocks equal their definitions written as explicit loops."""

from __future__ import annotations

import pytest
import torch

from sseds_study.models.layers import MLP, CrossNetwork, InnerProduct, fm_interaction


def test_fm_term_equals_pairwise_loop():
    torch.manual_seed(0)
    emb = torch.randn(6, 5, 4, dtype=torch.float64)  # (B, F, D)
    expected = torch.zeros(6, dtype=torch.float64)
    for f in range(5):
        for g in range(f + 1, 5):
            expected += (emb[:, f] * emb[:, g]).sum(1)
    torch.testing.assert_close(fm_interaction(emb), expected)


def test_fm_term_of_one_or_no_field_is_zero():
    assert torch.equal(fm_interaction(torch.zeros(3, 0, 4)), torch.zeros(3))
    torch.testing.assert_close(fm_interaction(torch.randn(3, 1, 4, dtype=torch.float64)), torch.zeros(3, dtype=torch.float64))


@pytest.mark.parametrize("threads", [1, 2])
def test_fm_term_hand_written_backward_is_autograds_to_the_bit(threads):
    """fm_interaction's own backward gives autograd's gradient of the plain formula bit for bit, so
    models trained before it existed train to the same weights."""

    def plain(emb):  # the formula as it was written before, squares by pow
        return 0.5 * (emb.sum(dim=1).pow(2) - emb.pow(2).sum(dim=1)).sum(dim=1)

    before = torch.get_num_threads()
    torch.set_num_threads(threads)
    try:
        gen = torch.Generator().manual_seed(0)
        for shape, scale in [((4096, 8, 16), 0.01), ((513, 39, 16), 1.0), ((7, 3, 5), 100.0)]:
            emb = (torch.randn(*shape, generator=gen) * scale).requires_grad_(True)
            upstream = torch.randn(shape[0], generator=gen)
            ours = fm_interaction(emb)
            (grad_ours,) = torch.autograd.grad(ours, emb, upstream)
            ref = plain(emb)
            (grad_ref,) = torch.autograd.grad(ref, emb, upstream)
            assert torch.equal(ours, ref)
            assert torch.equal(grad_ours, grad_ref)
            with torch.no_grad():  # and the forward without gradients (evaluation)
                assert torch.equal(fm_interaction(emb), plain(emb))
    finally:
        torch.set_num_threads(before)


def test_fm_term_backward_with_create_graph_matches_and_differentiates_again():
    """With create_graph=True the backward takes the out-of-place path: the same gradient, and one
    that can itself be differentiated (the in-place path could not be)."""
    gen = torch.Generator().manual_seed(3)
    emb = torch.randn(9, 4, 3, generator=gen, dtype=torch.float64).requires_grad_(True)
    upstream = torch.randn(9, generator=gen, dtype=torch.float64)
    (plain,) = torch.autograd.grad(fm_interaction(emb), emb, upstream)
    (graphed,) = torch.autograd.grad(fm_interaction(emb), emb, upstream, create_graph=True)
    assert torch.equal(plain, graphed) and graphed.requires_grad
    (second,) = torch.autograd.grad(graphed.sum(), emb)
    assert second.shape == emb.shape and torch.isfinite(second).all()


def test_inner_products_equal_pairwise_loop():
    torch.manual_seed(1)
    emb = torch.randn(3, 4, 5, dtype=torch.float64)
    layer = InnerProduct(4)
    expected = torch.stack([(emb[:, f] * emb[:, g]).sum(1) for f in range(4) for g in range(f + 1, 4)], dim=1)
    assert layer.num_pairs == 6
    torch.testing.assert_close(layer(emb), expected)


def test_cross_network_equals_its_recurrence():
    torch.manual_seed(2)
    net = CrossNetwork(6, num_layers=3).double()
    with torch.no_grad():
        for b in net.biases:
            b.normal_()
    x0 = torch.randn(4, 6, dtype=torch.float64)
    x = x0.clone()
    for w, b in zip(net.weights, net.biases, strict=True):
        x = torch.stack([x0[i] * torch.dot(x[i], w) + b + x[i] for i in range(4)])
    torch.testing.assert_close(net(x0), x)
    assert sum(p.numel() for p in net.parameters()) == 3 * 2 * 6


def test_mlp_shapes_and_options():
    mlp = MLP(10, (8, 4), dropout=0.5, out_dim=1)
    assert mlp(torch.randn(5, 10)).shape == (5, 1)
    assert any(isinstance(m, torch.nn.Dropout) for m in mlp.modules())
    bare = MLP(10, (), out_dim=None)  # no layers: the identity
    assert bare.output_dim == 10
    x = torch.randn(2, 10)
    assert torch.equal(bare(x), x)
    assert not any(isinstance(m, torch.nn.Dropout) for m in MLP(3, (2,)).modules())  # off by default
