"""Data preparation at scale: encoding raw Criteo-format files against a fitted vocabulary.

For each size N (1M, 3M, 10M rows by default) the command writes a seeded Criteo-format file
(``sseds_study.data.criteo.synth``: label, 13 integers, 26 hex categories, Criteo's missing rates,
Zipf popularity) and times, each in a fresh child process so that its peak RSS is its own:

* ``fit``: the vocabularies from the first 1M-row file's training rows (polars path, min_count 10),
  once; every size is then encoded against them;
* ``encode (compiled)``: ``criteo.encoder.FittedEncoder``, block by block, each block's int32 ids
  written to a file on disk, so memory stays one block whatever N (the library's fast path: numba's
  parse-and-lookup pass). The encoder's setup (its tables, the compiled code loaded from numba's
  cache) is timed apart from the rows; numba's one-off compilation is a row of its own;
* ``encode (polars alone)``: the same without numba, at the smallest size, for reference;
* ``encode (general)``: the general pipeline (``load_criteo(engine="arrow")``, both passes, whole
  output in memory) at the smallest size only, for reference;
* FuxiCTR 2.3.10's own preprocessing (its ``FeatureProcessor`` with the Criteo bucketing of its
  ``datasets/criteo.py``, ``fit`` with min_categr_count 10, then ``transform`` batch by batch) on the
  smallest file, in the peer environment.

Rows/s and peak RSS per step (each encoding run ``--repeats`` times, 3, in interleaved rounds: the median
run and the range, as this machine's speed moves 10-20% between runs); generation time too.

    python benchmarks/data_prep.py                     # 1M, 3M, 10M rows; results/data_prep.json
    python benchmarks/data_prep.py --quick             # 20k and 50k rows: seconds
"""

from __future__ import annotations

import argparse
import json
import pickle
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import (  # noqa: E402
    median_run,
    peak_rss_mib,
    peers_available,
    python_for,
    reset_peak_rss,
    rss_mib,
    run_json_child,
    versions,
    write_result,
)

NAMES = ("label", *(f"I{i}" for i in range(1, 14)), *(f"C{i}" for i in range(1, 27)))

try:  # in the peer environment only; at module level, so that FuxiCTR can pickle its processor
    import polars as _pl
    from fuxictr.preprocess import FeatureProcessor as _FeatureProcessor

    class CriteoProcessor(_FeatureProcessor):
        """fuxictr/datasets/criteo.py's processor: its log-square bucketing of the integer columns."""

        def convert_to_bucket(self, col_name):
            return (_pl.when(_pl.col(col_name) > 2).then(_pl.col(col_name).log().pow(2).floor())
                    .otherwise(_pl.col(col_name)).cast(_pl.Int32))
except ImportError:
    CriteoProcessor = None


def _spec(path):
    from sseds_study.data.criteo import FileSpec

    return FileSpec(Path(path), NAMES, "\t", False, "label")


def child_fit(path: str, vocab_out: str) -> dict:
    from sseds_study.data.criteo import fit_vocabularies

    reset_peak_rss()
    base = rss_mib()
    t = time.perf_counter()
    fitted = fit_vocabularies([_spec(path)], min_count=10)
    seconds = time.perf_counter() - t
    Path(vocab_out).write_bytes(pickle.dumps(fitted["vocabularies"]))
    return {"rows": fitted["rows"], "seconds": seconds, "rows_per_s": fitted["rows"] / seconds,
            "peak_rss_mib": peak_rss_mib(), "rss_before_mib": base,
            "vocab_rows": sum(len(v) for v in fitted["vocabularies"].values())}


def child_encode(path: str, vocab: str, out: str, compiled: str) -> dict:
    """One encoder made from the vocabularies (timed apart: its tables, and the compiled code loaded
    from numba's cache), then the file encoded block by block into int32 ids, each block written."""
    import numpy as np

    from sseds_study.data.criteo import FittedEncoder

    vocabularies = pickle.loads(Path(vocab).read_bytes())
    reset_peak_rss()
    base = rss_mib()
    rows = 0
    t = time.perf_counter()
    with FittedEncoder(vocabularies, compiled=compiled == "compiled", dtype=np.int32) as encoder:
        encoder.prepare(_spec(path))
        setup = time.perf_counter() - t
        t = time.perf_counter()
        with open(out, "wb") as fh:
            for ids, labels, _split in encoder.iter_blocks([_spec(path)]):
                fh.write(ids.data)
                rows += len(labels)
        seconds = time.perf_counter() - t
    return {"rows": rows, "seconds": seconds, "rows_per_s": rows / seconds, "setup_seconds": setup,
            "peak_rss_mib": peak_rss_mib(), "rss_before_mib": base}


def child_compile(path: str, vocab: str) -> dict:
    """The compiled pass built once, so that numba compiles it into its cache (a no-op when the cache is
    already there): the one-off cost, kept out of the encoding rows."""
    import numpy as np

    from sseds_study.data.criteo import FittedEncoder, kernel

    cache = Path(kernel.__file__).parent / "__pycache__"
    cached = any(cache.glob("kernel.encode_range-*.nbi"))
    vocabularies = pickle.loads(Path(vocab).read_bytes())
    t = time.perf_counter()
    with FittedEncoder(vocabularies, compiled=True, dtype=np.int32) as encoder:
        encoder.prepare(_spec(path))
    return {"seconds": time.perf_counter() - t, "cached": cached}


def child_general(path: str, cache: str) -> dict:
    from sseds_study.data.criteo import load_criteo

    reset_peak_rss()
    base = rss_mib()
    t = time.perf_counter()
    ds = load_criteo(path=path, cache_dir=cache, progress=False, use_cache=False, engine="arrow", min_count=10)
    seconds = time.perf_counter() - t
    return {"rows": len(ds), "seconds": seconds, "rows_per_s": len(ds) / seconds, "peak_rss_mib": peak_rss_mib(),
            "rss_before_mib": base, "note": "both passes (count and encode), output held in memory"}


def child_fuxictr(path: str, workdir: str) -> dict:
    """FuxiCTR's preprocessing of the same file (with the header its csv reader needs)."""
    import numpy as np

    work = Path(workdir)
    csv = work / "train.csv"
    with open(csv, "wb") as out, open(path, "rb") as src:  # not timed: FuxiCTR reads csv with a header
        out.write(("\t".join(NAMES) + "\n").encode())
        while block := src.read(1 << 24):
            out.write(block)
    ints = [f"I{i}" for i in range(1, 14)]
    cats = [f"C{i}" for i in range(1, 27)]
    feature_cols = [{"name": ints, "active": True, "dtype": "float", "type": "categorical",
                     "preprocess": "convert_to_bucket", "fill_na": 0},
                    {"name": cats, "active": True, "dtype": "str", "type": "categorical", "fill_na": ""}]
    reset_peak_rss()
    base = rss_mib()
    t = time.perf_counter()
    fp = CriteoProcessor(feature_cols=feature_cols, label_col={"name": "label", "dtype": "float"},
                         dataset_id="bench", data_root=str(work))
    ddf = fp.preprocess(fp.read_data(str(csv), data_format="csv", sep="\t"))
    fp.fit(ddf, min_categr_count=10, rebuild_dataset=True)
    fit_seconds = time.perf_counter() - t
    t = time.perf_counter()
    df = ddf.collect()
    rows = 0
    for start in range(0, df.height, 200_000):
        part = df.slice(start, 200_000)
        batch = fp.transform({c: part.get_column(c).to_list() for c in part.columns})
        np.asarray(batch["C1"])
        rows += part.height
    seconds = time.perf_counter() - t
    return {"rows": rows, "fit_seconds": fit_seconds, "seconds": seconds, "rows_per_s": rows / seconds,
            "fit_rows_per_s": rows / fit_seconds, "peak_rss_mib": peak_rss_mib(), "rss_before_mib": base}


CHILDREN = {"fit": child_fit, "encode": child_encode, "compile": child_compile, "general": child_general,
            "fuxictr": child_fuxictr}


def _child(kind: str, *args: str, timeout: float, python: str | None = None) -> dict:
    src = str(Path(__file__).resolve().parents[1] / "src")
    return run_json_child([python or sys.executable, __file__, "--child", kind, *args],
                          env={"PYTHONPATH": src}, timeout=timeout)


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="20k and 50k rows: checks that it runs")
    parser.add_argument("--rows", type=int, nargs="+", default=None, help="file sizes (default 1M 3M 10M)")
    parser.add_argument("--no-peers", action="store_true", help="skip FuxiCTR's preprocessing")
    parser.add_argument("--repeats", type=int, default=3,
                        help="runs of each encoding; the table shows the median and the range (default 3)")
    parser.add_argument("--timeout", type=float, default=600)
    parser.add_argument("--workdir", type=Path, default=None, help="where the generated files go (default: a temp dir)")
    parser.add_argument("--results", type=Path, default=None)
    parser.add_argument("--child", nargs="+", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        print(json.dumps(CHILDREN[args.child[0]](*args.child[1:]), default=float))
        return
    sizes = sorted(args.rows or ([20_000, 50_000] if args.quick else [1_000_000, 3_000_000, 10_000_000]))
    from sseds_study.data.criteo import write_criteo_file

    rows_out = []

    def record(step, n, res, **extra):
        rows_out.append({"step": step, "file_rows": n, **extra, **res})
        print(json.dumps(rows_out[-1], default=float), flush=True)

    with tempfile.TemporaryDirectory(dir=args.workdir) as tmp:
        tmp = Path(tmp)
        vocab = tmp / "vocab.pkl"
        for i, n in enumerate(sizes):
            path = tmp / f"criteo_{n}.txt"
            t = time.perf_counter()
            write_criteo_file(path, n, seed=0)
            gen = time.perf_counter() - t
            record("generate", n, {"rows": n, "seconds": gen, "rows_per_s": n / gen,
                                   "file_mib": path.stat().st_size / 2**20})
            if i == 0:
                record("fit vocabulary (polars)", n, _child("fit", str(path), str(vocab), timeout=args.timeout))
                record("encode (general pipeline, both passes)", n,
                       _child("general", str(path), str(tmp / "cache"), timeout=args.timeout))
                if args.no_peers:
                    pass
                elif not peers_available():
                    record("FuxiCTR preprocessing", n, {"error": "not run: no peer environment"})
                else:
                    work = tmp / "fuxictr"
                    work.mkdir()
                    res = _child("fuxictr", str(path), str(work), timeout=args.timeout, python=python_for("peer"))
                    if "error" in res:
                        record("FuxiCTR preprocessing", n, res)
                    else:
                        record("FuxiCTR fit (FeatureProcessor.fit: vocabularies)", n,
                               {"rows": res["rows"], "seconds": res["fit_seconds"], "rows_per_s": res["fit_rows_per_s"]})
                        record("FuxiCTR encode (FeatureProcessor.transform, its vocabularies)", n,
                               {k: res[k] for k in ("rows", "seconds", "rows_per_s", "peak_rss_mib", "rss_before_mib")},
                               note="peak RSS covers fit and transform")
            if vocab.exists() and i == 0:
                res = _child("compile", str(path), str(vocab), timeout=args.timeout)
                how = "loaded from numba's cache" if res.get("cached") else "compiled by numba, then cached"
                record(f"build the compiled pass ({how}; once per machine)", n, res)
            passes = ["polars", "compiled"] if i == 0 else ["compiled"]
            runs = {p: [] for p in passes}
            for _ in range(args.repeats if vocab.exists() else 0):  # interleaved rounds
                for p in passes:
                    runs[p].append(_child("encode", str(path), str(vocab), str(tmp / "ids.bin"), p,
                                          timeout=args.timeout))
            for p in passes if vocab.exists() else []:
                name = "polars alone" if p == "polars" else p
                record(f"encode against fitted vocabulary ({name})", n, median_run(runs[p]))
            (tmp / "ids.bin").unlink(missing_ok=True)
            path.unlink()
    payload = {"quick": args.quick, "sizes": sizes, "versions": versions("polars", "pyarrow", "numpy", "numba", "sseds-study"),
               "rows": rows_out}
    print(write_result("data_prep", payload, args.results))


if __name__ == "__main__":
    main()
