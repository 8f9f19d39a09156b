"""benchmarks/report.py: RESULTS.md from whatever result files exist; missing rows say "not run"."""

from __future__ import annotations

import json

import common

import report


def _throughput(rows):
    return {"date": "2026-11-30 08:00 UTC", "machine": {"cpu": "Test CPU", "cores": 2}, "quick": False,
            "versions": {"torch": "2.13.0", "fuxictr": "2.3.10"}, "settings": {"batch_size": 4096, "epochs": {"movielens100k": 5, "criteo_shaped": 1}}, "rows": rows}


def _row(dataset, model, impl, speed, rss=500.0):
    return {"dataset": dataset, "model": model, "impl": impl, "rows_per_s": speed, "peak_rss_mib": rss,
            "table_rows": 1000, "optimizer": "auto" if impl == "ours" else "adam"}


def test_empty_results_report_every_benchmark_as_not_run(tmp_path):
    text = report.render(report.load_results(tmp_path), figure_name=None)
    for title in ("Training throughput", "Large tables", "Data preparation", "The sweep", "On a GPU"):
        assert title in text
    assert text.count("not run") == 5


def test_gpu_results_replace_the_not_run_line(tmp_path):
    (tmp_path / "gpu_sweep_H200.json").write_text(json.dumps(
        {"date": "2026-11-30 08:00 UTC", "machine": {"cpu": "Test CPU", "cores": 16}, "versions": {},
         "settings": {}, "summary": {"runs": 4}}))
    text = report.render(report.load_results(tmp_path), figure_name=None)
    assert "## Sweep slice on GPU (gpu_sweep_H200)" in text and "- runs: 4" in text
    assert "## On a GPU" not in text


def test_throughput_ratio_against_the_faster_peer_and_targets(tmp_path):
    rows = [_row("movielens100k", "DeepFM", "ours", 3000.0), _row("movielens100k", "DeepFM", "deepctr-torch", 1000.0),
            _row("movielens100k", "DeepFM", "fuxictr", 1500.0),
            _row("criteo_shaped", "FM", "ours", 100.0, rss=2000.0),
            {"dataset": "criteo_shaped", "model": "FM", "impl": "fuxictr", "error": "timed out after 420 s"}]
    common.write_result("throughput", _throughput(rows), tmp_path)
    text = report.render(report.load_results(tmp_path), figure_name=None)
    line = next(x for x in text.splitlines() if "| movielens100k | DeepFM | ours" in x)
    assert "2.00x" in line and "≥ 1.5x: met" in line  # 3000 / max(1000, 1500)
    fm = next(x for x in text.splitlines() if "| movielens100k | FM | ours" in x)
    assert "not run" in fm
    timed_out = next(x for x in text.splitlines() if "| criteo_shaped | FM | fuxictr" in x)
    assert "not run: timed out after 420 s" in timed_out
    ours = next(x for x in text.splitlines() if "| criteo_shaped | FM | ours" in x)
    assert "≤ 1024 MiB: not met" in ours and "≥ 2.5x" in ours  # no peer ran: no ratio, target shown
    assert "Test CPU, 2 cores" in text and "fuxictr 2.3.10" in text
    assert "epochs criteo_shaped 1 / movielens100k 5." in text  # per-dataset settings read as text


def test_throughput_shows_the_median_and_the_range_of_repeated_runs(tmp_path):
    ours = {**_row("movielens100k", "FM", "ours", 3000.0), "runs_rows_per_s": [3500.0, 2500.0, 3000.0]}
    common.write_result("throughput", _throughput([ours, _row("movielens100k", "FM", "fuxictr", 1000.0)]), tmp_path)
    text = report.render(report.load_results(tmp_path), figure_name=None)
    line = next(x for x in text.splitlines() if "| movielens100k | FM | ours" in x)
    assert "| 3,000 (2,500–3,500) |" in line and "3.00x" in line  # the ratio is of the medians
    peer = next(x for x in text.splitlines() if "| movielens100k | FM | fuxictr" in x)
    assert "| 1,000 |" in peer  # one run: no range


def test_large_tables_and_data_prep_tables(tmp_path):
    common.write_result("large_tables", {"rows": [
        {"model": "FM", "optimizer": "adam", "rows_per_s": 100.0, "peak_rss_mib": 900.0},
        {"model": "FM", "optimizer": "sparse_adam", "rows_per_s": 400.0, "peak_rss_mib": 700.0}]}, tmp_path)
    common.write_result("data_prep", {"sizes": [1000, 3000], "rows": [
        {"step": "build the compiled pass (compiled by numba, then cached; once per machine)", "file_rows": 1000,
         "seconds": 4.0},
        {"step": "encode against fitted vocabulary (compiled)", "file_rows": 1000, "rows_per_s": 2e6,
         "runs_rows_per_s": [2e6, 1.5e6, 2.5e6], "seconds": 0.5, "setup_seconds": 0.7, "peak_rss_mib": 300.0},
        {"step": "encode against fitted vocabulary (polars alone)", "file_rows": 1000, "rows_per_s": 3e5,
         "seconds": 3.3, "setup_seconds": 0.1, "peak_rss_mib": 500.0}]}, tmp_path)
    text = report.render(report.load_results(tmp_path), figure_name=None)
    assert "| FM | sparse_adam | 400 | 700 | 4.00x |" in text
    assert "| DeepFM | adam | not run |" in text
    assert "| encode against fitted vocabulary (compiled) | 1,000 | 2,000,000 (1,500,000–2,500,000) | 0.5 (+ 0.7 setup) | 300 | " \
           "≥ 1M rows/s: met; < 2 GB: met |" in text
    assert "| 300,000 | 3.3 (+ 0.1 setup) | 500 | ≥ 1M rows/s: not met; < 2 GB: met |" in text
    assert "| build the compiled pass (compiled by numba, then cached; once per machine) | 1,000 | – | 4.0 |" in text
    assert "| encode against fitted vocabulary | 3,000 | not run |" in text
    report.figure(report.load_results(tmp_path), tmp_path / "fig.png")  # both encoders drawn, no error
    assert (tmp_path / "fig.png").stat().st_size > 0


def test_sweep_table_before_after_and_identity(tmp_path):
    common.write_result("sweep", {"before_commit": "a" * 40, "after_commit": "b" * 40, "speedup": 1.5,
                                  "rows": [{"code": "before", "seconds": 600.0, "fits": 99, "fits_per_minute": 9.9},
                                           {"code": "after", "seconds": 400.0, "fits": 99, "fits_per_minute": 14.85}],
                                  "results": {"identical_rows": 99, "matched_rows": 99,
                                              "max_abs_auc_difference": 0.0}}, tmp_path)
    text = report.render(report.load_results(tmp_path), figure_name=None)
    assert "| before | aaaaaaaaaa | 600 | 99 | 9.9 |" in text and "| after | bbbbbbbbbb | 400 | 99 | 14.8 |" in text
    assert "Speed-up 1.50x (target: the default sweep in half the time, 2x: not met)" in text
    assert "99 of 99 rows" in text


def test_sweep_speed_compares_rows_on_their_keys():
    import pandas as pd
    import sweep_speed

    base = pd.DataFrame({"model": ["FM", "FM"], "method": ["full", "sseds"], "budget": [1.0, 0.1], "seed": [0, 0],
                         "valid_auc": [0.8, 0.7], "test_auc": [0.79, 0.69], "status": ["ok", "ok"]})
    moved = base.assign(test_auc=[0.79, 0.6905])
    same = sweep_speed.compare(base, moved.iloc[::-1])
    assert same["matched_rows"] == 2 and same["identical_rows"] == 1
    assert abs(same["max_abs_auc_difference"] - 0.0005) < 1e-12
    assert sweep_speed.fits(base) == 2


def test_main_writes_markdown_and_figure(tmp_path):
    results = tmp_path / "results"
    common.write_result("throughput", _throughput([_row("criteo_shaped", "DeepFM", "ours", 5000.0)]), results)
    (results / "broken.json").write_text("{not json")  # ignored
    out = tmp_path / "RESULTS.md"
    report.main(["--results", str(results), "--out", str(out)])
    assert out.read_text().startswith("# Benchmark results")
    assert (tmp_path / "RESULTS.png").stat().st_size > 1000
    assert "![throughput and encoding](RESULTS.png)" in out.read_text()


def test_write_result_records_machine_and_date(tmp_path):
    path = common.write_result("x", {"rows": []}, tmp_path)
    payload = json.loads(path.read_text())
    assert payload["benchmark"] == "x" and payload["machine"]["cores"] >= 1 and payload["machine"]["cpu"]
    assert payload["date"].endswith("UTC")
