"""The pretrained model of a group: trained once, checkpointed, and trained again when the checkpoint
cannot be trusted."""

from __future__ import annotations

import dataclasses
import zipfile

import pytest
import torch

from sseds_study import study as st
from sseds_study.data import load_dataset_from_config
from sseds_study.study.pretrain import checkpoint_path
from sseds_study.train import load_checkpoint, save_checkpoint
from studyhelpers import tiny


@pytest.fixture(scope="module")
def group(tmp_path_factory):
    """A dataset, one run spec and the checkpoint its group writes on first use (a reference copy)."""
    spec = st.expand_runs(tiny(methods=["uniform"]))[0]
    ds = load_dataset_from_config(spec.data, cache_dir=tmp_path_factory.mktemp("data"), progress=False)
    out = tmp_path_factory.mktemp("pretrained")
    pre = st.load_or_pretrain(ds, spec, out)
    return ds, spec, pre, checkpoint_path(out, spec).read_bytes()


def _same_weights(a, b) -> bool:
    sa, sb = a.state_dict(), b.state_dict()
    return sa.keys() == sb.keys() and all(torch.equal(sa[k], sb[k]) for k in sa)


def test_a_good_checkpoint_is_reused(group, tmp_path, capsys):
    ds, spec, pre, blob = group
    path = checkpoint_path(tmp_path, spec)
    path.parent.mkdir(parents=True)
    path.write_bytes(blob)
    again = st.load_or_pretrain(ds, spec, tmp_path)
    assert _same_weights(again.model, pre.model) and again.fit.history == pre.fit.history
    assert capsys.readouterr().err == "" and path.read_bytes() == blob


def _damage(path, blob, how, spec, pre):
    if how == "truncated":
        path.write_bytes(blob[: len(blob) // 2])
    elif how == "garbage":
        path.write_bytes(b"\x00" * 100)
    elif how == "foreign":  # written for other training settings
        other = dataclasses.replace(spec, train=dataclasses.replace(spec.train, lr=0.5))
        save_checkpoint(path, pre.model, config=other.pretrained_identity(), fit_result=pre.fit)
    elif how == "other_shapes":  # the right settings on the label, weights of another model
        save_checkpoint(path, torch.nn.Linear(2, 2), config=spec.pretrained_identity(), fit_result=pre.fit)
    elif how == "zeroed":  # a tensor's bytes zeroed in place: same size, loads in torch without complaint
        with zipfile.ZipFile(path) as zf:
            info = max((i for i in zf.infolist() if "/data/" in i.filename), key=lambda i: i.file_size)
        data = bytearray(blob)
        n, m = int.from_bytes(data[info.header_offset + 26:info.header_offset + 28], "little"), \
            int.from_bytes(data[info.header_offset + 28:info.header_offset + 30], "little")
        start = info.header_offset + 30 + n + m
        data[start:start + info.file_size] = bytes(info.file_size)
        path.write_bytes(bytes(data))
    elif how == "code":  # objects weights_only loading refuses
        torch.save({"format": 1, "config": spec.pretrained_identity(), "hook": _Code()}, path)
    elif how == "bad_fit":  # a fit record that contradicts itself
        ckpt = load_checkpoint(path)
        ckpt["fit"]["epochs"] = 99
        torch.save(ckpt, path)


class _Code:
    def __reduce__(self):
        return (print, ("unpickled",))


@pytest.mark.parametrize("how, reason", [
    ("truncated", "not a readable checkpoint"), ("garbage", "not a readable checkpoint"),
    ("foreign", "other settings"), ("other_shapes", ""), ("bad_fit", ""),
    ("zeroed", "damaged checkpoint: "), ("code", "refused: the checkpoint holds Python objects"),
])
def test_an_unusable_checkpoint_is_reported_and_trained_again(group, tmp_path, capsys, how, reason):
    ds, spec, pre, blob = group
    path = checkpoint_path(tmp_path, spec)
    path.parent.mkdir(parents=True)
    path.write_bytes(blob)
    _damage(path, blob, how, spec, pre)
    capsys.readouterr()
    again = st.load_or_pretrain(ds, spec, tmp_path)
    captured = capsys.readouterr()
    err = captured.err.strip()
    assert len(err.splitlines()) == 1 and str(path) in err and "unusable pretrained checkpoint" in err, err
    assert "training it again" in err and reason in err and "unpickled" not in captured.out
    # the same seed gives the same model as the first pretraining, and the checkpoint is whole again
    assert _same_weights(again.model, pre.model)
    assert st.load_or_pretrain(ds, spec, tmp_path).fit.best_epoch == pre.fit.best_epoch
    assert capsys.readouterr().err == ""
