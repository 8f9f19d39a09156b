"""The provenance every result row carries: the CPU's model name."""

from __future__ import annotations

from sseds_study.study.provenance import cpu_model, provenance


def test_cpu_model_from_cpuinfo(tmp_path):
    info = tmp_path / "cpuinfo"
    info.write_text("processor\t: 0\nvendor_id\t: AuthenticAMD\nmodel name\t: AMD EPYC  7B13 64-Core Processor\n")
    assert cpu_model(info) == "AMD EPYC 7B13 64-Core Processor"


def test_cpu_model_without_cpuinfo_still_names_something(tmp_path):
    assert cpu_model(tmp_path / "absent") != ""


def test_provenance_has_the_cpu():
    assert set(provenance("p")) == {"versions", "git_commit", "cpu", "profile"}
