"""Streaming-encoder benchmark: rows/s and peak memory for encoding a Criteo-format file.

    python benchmarks/data_stream.py               # 2,000,000 rows
    python benchmarks/data_stream.py --rows 200000 --keep /tmp/criteo.txt

Writes a synthetic DAC-format file (tab-separated, label + 13 integers + 26 hashed categories,
some values missing, Zipf-like popularity) into a temp dir, then encodes it in a *fresh child
process* so that the child's peak RSS (``getrusage``) measures the encoder alone. The output
arrays alone take N x 39 x 8 bytes (int64 ids); the report shows peak RSS beside that size, so the
streaming claim "memory = output arrays + vocabularies, not the raw file" can be checked.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import peak_rss_mib, reset_peak_rss, rss_mib  # noqa: E402


def write_criteo_file(path: Path, rows: int, seed: int = 0, block: int = 200_000) -> None:
    """A DAC-like file of ``rows`` lines, written block by block (bounded memory)."""
    rng = np.random.default_rng(seed)
    with open(path, "w") as out:
        for start in range(0, rows, block):
            n = min(block, rows - start)
            cols = [(rng.random(n) < 0.25).astype(int).astype(str)]
            for _ in range(13):
                v = np.floor(rng.pareto(1.2, n) * 3).astype(np.int64).astype(str)
                v[rng.random(n) < 0.2] = ""
                cols.append(v)
            for j in range(26):
                card = int(10 ** rng.uniform(1, 5.5))  # 10 .. ~300k distinct values per field
                ids = np.minimum(rng.zipf(1.3, n), card) * 2654435761 % (1 << 32)
                v = np.char.mod("%08x", ids + j)
                v[rng.random(n) < 0.05] = ""
                cols.append(v)
            lines = ["\t".join(r) for r in zip(*cols, strict=True)]
            out.write("\n".join(lines) + "\n")


def encode_child(path: str, cache: str, min_count: int) -> dict:
    """Runs in the child: encode once (no cache reuse) and report timing and peak RSS."""
    from sseds_study.data.criteo import load_criteo

    # getrusage's ru_maxrss is no good here: Linux carries the parent's peak across fork/exec, and the
    # parent just held a whole generated block in memory; the reset makes the peak the encoder's own.
    exact = reset_peak_rss()
    base = rss_mib()
    t = time.perf_counter()
    ds = load_criteo(path=path, cache_dir=cache, progress=False, min_count=min_count, use_cache=False)
    seconds = time.perf_counter() - t
    peak = peak_rss_mib() if exact else resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return {"rows": len(ds), "seconds": seconds, "rows_per_s": len(ds) / seconds,
            "peak_rss_mib": peak, "rss_before_encode_mib": base, "peak_is_exact": exact,
            "output_arrays_mib": (ds.ids.nbytes + ds.labels.nbytes + ds.split.nbytes) / 2**20,
            "vocab_sizes_total": int(sum(ds.vocab_sizes)), "file_mib": os.path.getsize(path) / 2**20}


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, default=2_000_000)
    parser.add_argument("--min-count", type=int, default=10)
    parser.add_argument("--keep", type=Path, help="write the generated file here and keep it (reused if present)")
    parser.add_argument("--child", nargs=2, metavar=("FILE", "CACHE"), help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        print(json.dumps(encode_child(args.child[0], args.child[1], args.min_count)))
        return
    with tempfile.TemporaryDirectory() as tmp:
        path = args.keep or Path(tmp) / "train.txt"
        t = time.perf_counter()
        if path.exists():
            print(f"reusing {path}")
        else:
            write_criteo_file(path, args.rows)
            print(f"wrote {args.rows:,} rows ({path.stat().st_size / 2**20:.0f} MiB) in {time.perf_counter() - t:.1f} s")
        out = subprocess.run([sys.executable, __file__, "--min-count", str(args.min_count), "--child", str(path),
                              str(Path(tmp) / "cache")], check=True, capture_output=True, text=True)
        result = json.loads(out.stdout.strip().splitlines()[-1])
    print(json.dumps(result, indent=1))
    print(f"{result['rows']:,} rows in {result['seconds']:.1f} s = {result['rows_per_s']:,.0f} rows/s; "
          f"peak RSS {result['peak_rss_mib']:.0f} MiB (output arrays {result['output_arrays_mib']:.0f} MiB, "
          f"raw file {result['file_mib']:.0f} MiB)")


if __name__ == "__main__":
    main()
