"""What the reproducible numerical mode costs: the default profile's three base models trained in each
mode, the modes alternating round by round, as a ratio (target: under 1.10).

Each round starts one fresh process per mode (``SSEDS_NUMERICS`` is read when the package is imported)
that trains FM, DeepFM and DCN on MovieLens-100K (seed 0) with the default profile's model and
training settings (batch 2,048, up to 20 epochs, early stopping, one torch thread as in the sweeps)
and reports its training seconds. The ratio is taken round by round (reproducible / fast), so a drift
of the machine's speed during the call moves both sides; the median round is reported.

    python benchmarks/numerics_speed.py --rounds 3        # -> benchmarks/results/numerics_speed.json
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import statistics
import sys
import time

from common import run_json_child, write_result

MODES = ("reproducible", "fast")
MODELS = ("FM", "DeepFM", "DCN")


def child(models) -> dict:
    from sseds_study import numerics
    from sseds_study.data import load_dataset_from_config
    from sseds_study.models.registry import build_model
    from sseds_study.study.profile import load_profile
    from sseds_study.train import fit, seed_everything

    study = load_profile("default")
    ds = load_dataset_from_config(study.datasets[0], progress=False)
    seconds, epochs = {}, {}
    with numerics.pinned():  # SSEDS_THREADS=1 in both modes
        for name in models:
            seed_everything(0)
            model = build_model(ds.fields, dataclasses.replace(study.model, name=name, emb_dims=None))
            start = time.perf_counter()
            result = fit(model, ds, study.train)
            seconds[name] = time.perf_counter() - start
            epochs[name] = len(result.history)
    return {"mode": numerics.describe(), "seconds": seconds, "epochs": epochs, "total": sum(seconds.values())}


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--rounds", type=int, default=3)
    p.add_argument("--models", nargs="+", default=list(MODELS))
    p.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = p.parse_args(argv)
    if args.child:
        print(json.dumps(child(args.models)))
        return 0
    rounds = []
    for _ in range(args.rounds):
        got = {}
        for mode in MODES:
            # one thread in both modes: the sweeps' setting, so the ratio is the mode's cost alone
            got[mode] = run_json_child([sys.executable, __file__, "--child", "--models", *args.models],
                                       env={"SSEDS_NUMERICS": mode, "SSEDS_THREADS": "1"})
            if "error" in got[mode]:
                print(got[mode]["error"], file=sys.stderr)
                return 1
        got["ratio"] = got["reproducible"]["total"] / got["fast"]["total"]
        rounds.append(got)
        print(f"reproducible {got['reproducible']['total']:.1f} s, fast {got['fast']['total']:.1f} s, "
              f"ratio {got['ratio']:.3f}", file=sys.stderr)
    ratio = statistics.median(r["ratio"] for r in rounds)
    path = write_result("numerics_speed", {"rounds": rounds, "median_ratio": ratio, "target_ratio": 1.10,
                                           "models": args.models})
    print(f"median ratio reproducible / fast: {ratio:.3f} (target under 1.10); {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
