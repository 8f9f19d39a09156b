"""Assemble benchmarks/RESULTS.md and RESULTS.png from the JSON files under benchmarks/results/.

Each benchmark writes its own JSON (common.write_result); this module reads whatever is there, so a
partial run still reports what ran, and every expected row that has no result says "not run".
Targets are printed beside the measured ratios, met or not.

    python benchmarks/report.py                       # results/ -> RESULTS.md, RESULTS.png
    python benchmarks/report.py --results DIR --out FILE.md
"""

from __future__ import annotations

import argparse
import json
import math
from pathlib import Path

HERE = Path(__file__).resolve().parent
IMPLS = ("ours", "deepctr-torch", "fuxictr")
PEERS = IMPLS[1:]
GRID = [("movielens100k", "DeepFM"), ("movielens100k", "FM"), ("criteo_shaped", "DeepFM"), ("criteo_shaped", "FM")]
# speed-up of ours over the faster peer that the project aims at, per (dataset, model)
SPEED_TARGETS = {("movielens100k", "DeepFM"): 1.5, ("movielens100k", "FM"): 10.0,
                 ("criteo_shaped", "DeepFM"): 2.0, ("criteo_shaped", "FM"): 2.5}
MEMORY_TARGET_MIB = {"criteo_shaped": 1024}
ENCODE_TARGET_ROWS_PER_S = 1_000_000
ENCODE_MEMORY_TARGET_MIB = 2048
NOT_RUN = "not run"


def load_results(results: Path) -> dict[str, dict]:
    """{file stem: payload} for every readable JSON in ``results``."""
    out = {}
    for path in sorted(Path(results).glob("*.json")):
        try:
            out[path.stem] = json.loads(path.read_text())
        except (OSError, ValueError):
            continue
    return out


def _num(x, digits=0) -> str:
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return "–"
    return f"{x:,.{digits}f}"


def _header(payload: dict) -> list[str]:
    m = payload.get("machine", {})
    where = f"{m.get('cpu', '?')}, {m.get('cores', '?')} cores" + (f", GPU {m['gpu']}" if m.get("gpu") else "")
    vers = ", ".join(f"{k} {v}" for k, v in sorted(payload.get("versions", {}).items()) if v)
    lines = [f"Machine: {where}. Date: {payload.get('date', '?')}. Versions: {vers or '?'}."]
    if payload.get("settings"):
        lines.append("Settings: " + ", ".join(f"{k} {_setting(v)}" for k, v in payload["settings"].items()) + ".")
    if payload.get("quick"):
        lines.append("**Quick run** (tiny data, to check that the benchmark runs): the numbers mean nothing.")
    return lines


def _ok(flag: bool | None) -> str:
    return "–" if flag is None else ("met" if flag else "not met")


def throughput_table(payload: dict | None, title: str = "Training throughput") -> list[str]:
    out = [f"## {title}", ""]
    if payload is None:
        return out + [f"{NOT_RUN} (no results/throughput.json).", ""]
    out += _header(payload) + [""]
    rows = {(r["dataset"], r["model"], r["impl"]): r for r in payload.get("rows", [])}
    out += ["| dataset | model | library | rows/s (median; range) | peak RSS (MiB) | table rows | ours / faster peer | target | "
            "memory target |", "|---|---|---|---|---|---|---|---|---|"]
    for dataset, model in GRID:
        ours = rows.get((dataset, model, "ours"), {})
        peer_speeds = [rows[(dataset, model, p)]["rows_per_s"] for p in PEERS
                       if "rows_per_s" in rows.get((dataset, model, p), {})]
        ratio = ours["rows_per_s"] / max(peer_speeds) if peer_speeds and "rows_per_s" in ours else None
        target = SPEED_TARGETS.get((dataset, model))
        mem_target = MEMORY_TARGET_MIB.get(dataset)
        for impl in IMPLS:
            r = rows.get((dataset, model, impl))
            if r is None or "rows_per_s" not in r:
                why = (r or {}).get("error", NOT_RUN)
                out.append(f"| {dataset} | {model} | {impl} | {why if why.startswith(NOT_RUN) else NOT_RUN + ': ' + why} "
                           "| – | – | – | – | – |")
                continue
            is_ours = impl == "ours"
            ratio_cell = f"{ratio:.2f}x" if is_ours and ratio is not None else "–"
            target_cell = (f"≥ {target}x: {_ok(ratio >= target)}" if is_ours and target and ratio is not None
                           else (f"≥ {target}x" if is_ours and target else "–"))
            mem_cell = (f"≤ {mem_target} MiB: {_ok(r['peak_rss_mib'] <= mem_target)}" if is_ours and mem_target else "–")
            label = impl + (f" ({r.get('optimizer')})" if is_ours and r.get("optimizer") else "")
            out.append(f"| {dataset} | {model} | {label} | {_speed(r)} | {_num(r.get('peak_rss_mib'))} | "
                       f"{_num(r.get('table_rows'))} | {ratio_cell} | {target_cell} | {mem_cell} |")
    return out + [""]


def _speed(row: dict) -> str:
    """rows/s of the median run, and the range over the runs when there were several."""
    runs = row.get("runs_rows_per_s") or []
    if len(runs) < 2:
        return _num(row["rows_per_s"])
    return f"{_num(row['rows_per_s'])} ({_num(min(runs))}–{_num(max(runs))})"


def large_tables_table(payload: dict | None) -> list[str]:
    out = ["## Large tables: dense Adam against SparseAdam (ours, Criteo-shaped)", ""]
    if payload is None:
        return out + [f"{NOT_RUN} (no results/large_tables.json).", ""]
    out += _header(payload) + [""]
    rows = {(r["model"], r["optimizer"]): r for r in payload.get("rows", [])}
    out += ["| model | optimizer | rows/s | peak RSS (MiB) | sparse / dense |", "|---|---|---|---|---|"]
    for model in ("DeepFM", "FM"):
        dense = rows.get((model, "adam"), {})
        for opt in ("adam", "sparse_adam"):
            r = rows.get((model, opt))
            if r is None or "rows_per_s" not in r:
                out.append(f"| {model} | {opt} | {(r or {}).get('error', NOT_RUN)} | – | – |")
                continue
            speed = (f"{r['rows_per_s'] / dense['rows_per_s']:.2f}x" if opt == "sparse_adam" and "rows_per_s" in dense
                     else "–")
            out.append(f"| {model} | {opt} | {_num(r['rows_per_s'])} | {_num(r.get('peak_rss_mib'))} | {speed} |")
    return out + [""]


def data_prep_table(payload: dict | None) -> list[str]:
    out = ["## Data preparation: raw Criteo-format files", ""]
    if payload is None:
        return out + [f"{NOT_RUN} (no results/data_prep.json).", ""]
    out += _header(payload) + [""]
    out += ["| step | file rows | rows/s | seconds | peak RSS (MiB) | target |", "|---|---|---|---|---|---|"]
    for r in payload.get("rows", []):
        if "error" in r:
            out.append(f"| {r['step']} | {_num(r['file_rows'])} | {r['error']} | – | – | – |")
            continue
        target = "–"
        if r["step"].startswith("encode against"):
            speed_ok = r["rows_per_s"] >= ENCODE_TARGET_ROWS_PER_S
            mem_ok = r["peak_rss_mib"] < ENCODE_MEMORY_TARGET_MIB
            target = f"≥ 1M rows/s: {_ok(speed_ok)}; < 2 GB: {_ok(mem_ok)}"
        seconds = _num(r["seconds"], 1)
        if "setup_seconds" in r:  # the encoder's one-off setup, not in rows/s
            seconds += f" (+ {_num(r['setup_seconds'], 1)} setup)"
        rows_per_s = _speed(r) if "rows_per_s" in r else "–"
        out.append(f"| {r['step']} | {_num(r['file_rows'])} | {rows_per_s} | {seconds} | "
                   f"{_num(r.get('peak_rss_mib'))} | {target} |")
    for size in payload.get("sizes", []):
        if not any(r["file_rows"] == size and r["step"].startswith("encode against") for r in payload.get("rows", [])):
            out.append(f"| encode against fitted vocabulary | {_num(size)} | {NOT_RUN} | – | – | – |")
    return out + [""]


def sweep_table(payload: dict | None) -> list[str]:
    out = ["## The sweep: fits per minute before and after the speed-ups", ""]
    if payload is None:
        return out + [f"{NOT_RUN} (no results/sweep.json; `python benchmarks/sweep_speed.py`, about 15 minutes).", ""]
    out += _header(payload) + [""]
    out += ["| code | commit | wall seconds | fits | fits / minute |", "|---|---|---|---|---|"]
    commits = {"before": payload.get("before_commit", "?"), "after": payload.get("after_commit", "?")}
    for r in payload.get("rows", []):
        out.append(f"| {r['code']} | {commits.get(r['code'], '?')[:10]} | {_num(r['seconds'])} | {r['fits']} | "
                   f"{_num(r['fits_per_minute'], 1)} |")
    same = payload.get("results", {})
    speedup = payload.get("speedup")
    out += ["", f"Speed-up {speedup:.2f}x (target: the default sweep in half the time, 2x: "
                f"{_ok(speedup >= 2.0)})." if speedup else "Speed-up: –.",
            f"Results: {same.get('identical_rows', '?')} of {same.get('matched_rows', '?')} rows (model, method, "
            f"budget, seed) with the same validation and test AUC to the last bit; largest difference "
            f"{same.get('max_abs_auc_difference', '?')}.", ""]
    return out


def figure(results: dict, path: Path) -> Path | None:
    """Throughput per library (log scale) and encoding rows/s by file size, side by side."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    tp, dp = results.get("throughput"), results.get("data_prep")
    if tp is None and dp is None:
        return None
    fig, axes = plt.subplots(1, 2, figsize=(11, 4))
    ax = axes[0]
    if tp:
        rows = {(r["dataset"], r["model"], r["impl"]): r for r in tp.get("rows", [])}
        width = 0.27
        for k, impl in enumerate(IMPLS):
            found = [rows.get((d, m, impl)) or {} for d, m in GRID]
            vals = [r.get("rows_per_s") or 0 for r in found]
            runs = [r.get("runs_rows_per_s") or [v] for r, v in zip(found, vals, strict=True)]
            # the bar is the median run, the whisker the range of the runs
            err = [[v - min(rr) for v, rr in zip(vals, runs, strict=True)],
                   [max(rr) - v for v, rr in zip(vals, runs, strict=True)]]
            ax.bar([i + (k - 1) * width for i in range(len(GRID))], vals, width, yerr=err, capsize=2, label=impl)
        ax.set_xticks(range(len(GRID)), [f"{d}\n{m}" for d, m in GRID], fontsize=8)
        ax.set_yscale("log")
        ax.set_ylabel("training rows / s")
        ax.set_title("Training throughput (bars: median run; whiskers: range)", fontsize=10)
        ax.legend(fontsize=8)
    else:
        ax.set_axis_off()
    ax = axes[1]
    if dp:
        enc = [r for r in dp.get("rows", []) if r["step"].startswith("encode against") and "rows_per_s" in r]
        if enc:
            for step in dict.fromkeys(r["step"] for r in enc):  # the compiled pass, and polars alone
                mine = [r for r in enc if r["step"] == step]
                mid = [r["rows_per_s"] / 1e3 for r in mine]
                runs = [[x / 1e3 for x in r.get("runs_rows_per_s") or [r["rows_per_s"]]] for r in mine]
                pairs = list(zip(mid, runs, strict=True))
                whiskers = [[m - min(x) for m, x in pairs], [max(x) - m for m, x in pairs]]
                ax.errorbar([r["file_rows"] for r in mine], mid, yerr=whiskers, fmt="o-", capsize=3,
                            label=step.removeprefix("encode against fitted vocabulary").strip(" ()") or "rows / s")
            ax.legend(fontsize=8, loc="lower left")
            ax.axhline(ENCODE_TARGET_ROWS_PER_S / 1e3, color="tab:blue", lw=0.8, ls=":")
            ax.set_xscale("log")
            ax.set_ylim(0, ENCODE_TARGET_ROWS_PER_S / 1e3 * 1.1)  # from zero, with the target in view
            ax.set_xlabel("file rows")
            ax.set_ylabel("encoded k rows / s (dotted: the 1M target)")
            ax2 = ax.twinx()
            big = [r for r in enc if r["step"] == enc[-1]["step"]]  # memory of the one run at every size
            ax2.plot([r["file_rows"] for r in big], [r["peak_rss_mib"] for r in big], "s--", color="tab:red")
            ax2.axhline(ENCODE_MEMORY_TARGET_MIB, color="tab:red", lw=0.8, ls=":")
            ax2.set_ylim(0, ENCODE_MEMORY_TARGET_MIB * 1.3)  # its limit's line below the speed target's
            ax2.set_ylabel("peak RSS (MiB; dotted: the 2 GB limit)", color="tab:red")
            ax.set_title("Encoding against a fitted vocabulary (median run; whiskers: range)", fontsize=10)
    else:
        ax.set_axis_off()
    fig.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path


def render(results: dict, figure_name: str | None = "RESULTS.png") -> str:
    lines = ["# Benchmark results", "",
             "Written by `make bench` (`benchmarks/report.py` from `benchmarks/results/*.json`). "
             "What each benchmark measures: `benchmarks/README.md`.", ""]
    if figure_name:
        lines += [f"![throughput and encoding]({figure_name})", ""]
    lines += throughput_table(results.get("throughput"))
    lines += large_tables_table(results.get("large_tables"))
    lines += data_prep_table(results.get("data_prep"))
    lines += sweep_table(results.get("sweep"))
    gpu = sorted(k for k in results if k.startswith(("gpu_throughput", "gpu_sweep")))
    if not gpu:  # the GPU rows are part of the report even where no GPU ran them
        lines += ["## On a GPU", "", f"{NOT_RUN} (no results/gpu_*.json): `bash benchmarks/gpu.sh` on a CUDA "
                  "machine runs the Criteo-shaped throughput and a `paper`-profile sweep slice and adds them here.", ""]
    for name in (k for k in gpu if k.startswith("gpu_throughput")):
        lines += throughput_table(results[name], title=f"Training throughput on GPU ({name})")
    for name in (k for k in gpu if k.startswith("gpu_sweep")):
        p = results[name]
        lines += [f"## Sweep slice on GPU ({name})", ""] + _header(p) + [""]
        lines += [f"- {k}: {v}" for k, v in p.get("summary", {}).items()] + [""]
    return "\n".join(lines).rstrip() + "\n"


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--results", type=Path, default=HERE / "results")
    parser.add_argument("--out", type=Path, default=HERE / "RESULTS.md")
    args = parser.parse_args(argv)
    results = load_results(args.results)
    png = figure(results, args.out.with_suffix(".png"))
    args.out.write_text(render(results, png.name if png else None))
    print(f"wrote {args.out}" + (f" and {png}" if png else ""))


def _setting(value) -> str:
    """A setting as text: a per-dataset mapping as "a 5 / b 1"."""
    if isinstance(value, dict):
        return " / ".join(f"{k} {v}" for k, v in value.items())
    return str(value)


if __name__ == "__main__":
    main()
