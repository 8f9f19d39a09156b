"""The seeded generator of raw Criteo-format files."""

from __future__ import annotations

from sseds_study.data.criteo.synth import write_criteo_file


def test_generator_is_seeded_and_criteo_shaped(tmp_path):
    a = write_criteo_file(tmp_path / "a.txt", 2000, seed=7, chunk_rows=700).read_bytes()
    b = write_criteo_file(tmp_path / "b.txt", 2000, seed=7, chunk_rows=700).read_bytes()
    assert a == b
    assert a != write_criteo_file(tmp_path / "c.txt", 2000, seed=8, chunk_rows=700).read_bytes()
    lines = a.decode().splitlines()
    assert len(lines) == 2000
    cells = [line.split("\t") for line in lines]
    assert {len(c) for c in cells} == {40}
    assert {c[0] for c in cells} == {"0", "1"}
    cats = [c[14] for c in cells if c[14]]
    assert all(len(v) == 8 and int(v, 16) >= 0 for v in cats)
    assert 0.5 < sum(1 for c in cells if c[12] == "") / len(cells) < 0.95  # I12 mostly empty, as in DAC
