#!/usr/bin/env bash
# The GPU benchmarks, prepared to run as one script on a CUDA machine (from the repository root):
#
#   bash benchmarks/gpu.sh                      # CRITEO=/path/to/train.txt to use the real Criteo file
#
# 1. the Criteo-shaped training throughput, ours against DeepCTR-Torch and FuxiCTR, on the GPU
#    (benchmarks/throughput.py --device cuda) -> benchmarks/results/gpu_throughput_<gpu>.json
# 2. one slice of the `paper` profile (configs/paper.yaml): Criteo, DeepFM, methods full and sseds,
#    budgets 0.2 and 0.1, seed 0, one tuning point (lr 0.001) -> benchmarks/results/gpu_sweep_<gpu>.json,
#    its results.csv under benchmarks/results/gpu_sweep_<gpu>/. Without CRITEO, the slice runs on a
#    generated Criteo-format file of CRITEO_ROWS rows (default 2,000,000; sseds_study.data.criteo.synth).
# 3. benchmarks/report.py, which adds both to benchmarks/RESULTS.md beside the CPU results.
#
# Needs python3.11 (or python3), make and PyPI access for the first `make setup` / `make bench-peers`
# (or the two environments already built). Each step's failure is reported and the next still runs.
#
# A machine without PyPI that has its own Python with torch (a GPU machine lent to a session: no
# network, CUDA torch preinstalled): SSEDS_GPU_PYTHON=python3 bash benchmarks/gpu.sh skips both
# `make` targets and runs this checkout's src/ with that interpreter. The package's other dependencies
# (polars, say) must then be importable (carried as wheels); without benchmarks/.venv-peers the peers'
# rows say "not run".
set -uo pipefail
cd "$(dirname "$0")/.."
status=0

if [ -n "${SSEDS_GPU_PYTHON:-}" ]; then
  PY=$SSEDS_GPU_PYTHON
  export PYTHONPATH="$PWD/src${PYTHONPATH:+:$PYTHONPATH}"
  SSEDS=("$PY" -m sseds_study.cli)
  $PY -c "import sseds_study.cli" || { echo "gpu.sh: $PY cannot import sseds_study (a dependency missing?)" >&2; exit 1; }
else
  PY=.venv/bin/python
  SSEDS=(.venv/bin/sseds)
  make setup bench-peers || exit 1
fi
$PY - <<'PY' || { echo "gpu.sh: torch sees no CUDA device; nothing to do" >&2; exit 1; }
import torch, sys
sys.exit(0 if torch.cuda.is_available() else 1)
PY
GPU=$($PY -c "import re, torch; print(re.sub(r'[^A-Za-z0-9]+', '_', torch.cuda.get_device_name(0)).strip('_'))")
echo "gpu.sh: GPU $GPU"

# 1. throughput on the GPU (the Criteo-shaped set; more rows than on CPU, the GPU is fast)
$PY benchmarks/throughput.py --device cuda --datasets criteo_shaped --criteo-rows "${CRITEO_SHAPED_ROWS:-1000000}" \
    --name "gpu_throughput_$GPU" || status=1

# 2. one slice of the paper profile
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
if [ -z "${CRITEO:-}" ]; then
  CRITEO="$WORK/criteo_train.txt"
  $PY -c "from sseds_study.data.criteo import write_criteo_file as w; w('$CRITEO', ${CRITEO_ROWS:-2000000}, seed=0)" \
    || status=1
  SOURCE="generated, ${CRITEO_ROWS:-2000000} rows"
else
  SOURCE="$CRITEO"
fi
mkdir -p "$WORK/profiles"
cp configs/*.yaml "$WORK/profiles/"
cat > "$WORK/profiles/gpu_slice.yaml" <<YAML
extends: paper
name: gpu_slice
datasets:
  - name: criteo
    options: {path: $CRITEO}
models: [DeepFM]
methods: [full, sseds]
budgets: [0.2, 0.1]
seeds: [0]
tune: {lr: [0.001], emb_weight_decay: [0.0]}
train: {batch_size: 4096, max_epochs: 5, patience: 1, lr: 0.001, device: cuda, progress: false}
YAML
OUT="benchmarks/results/gpu_sweep_$GPU"
rm -rf "$OUT"
START=$(date +%s)
SSEDS_RESULTS_DIR="$PWD/$OUT" "${SSEDS[@]}" sweep "$WORK/profiles/gpu_slice.yaml" || status=1
ELAPSED=$(( $(date +%s) - START ))
$PY - "$OUT" "$ELAPSED" "$SOURCE" "$GPU" <<'PY' || status=1
import csv, glob, sys
sys.path.insert(0, "benchmarks")
from common import versions, write_result
out, elapsed, source, gpu = sys.argv[1], float(sys.argv[2]), sys.argv[3], sys.argv[4]
rows = []
for path in glob.glob(f"{out}/**/results.csv", recursive=True):
    with open(path) as fh:
        rows += list(csv.DictReader(fh))
summary = {"profile": "paper slice: criteo, DeepFM, full + sseds, budgets 0.2 and 0.1, seed 0",
           "data": source, "wall seconds (tuning, pretraining, search, retraining)": elapsed, "runs": len(rows)}
for r in rows:
    key = f"{r.get('method')} budget {r.get('budget')}"
    summary[key] = f"test AUC {float(r.get('test_auc') or 'nan'):.4f}, train s {r.get('train_seconds', '?')}"
write_result(f"gpu_sweep_{gpu}", {"summary": summary, "versions": versions("torch", "sseds-study")})
PY

# 3. the report, CPU and GPU results together
$PY benchmarks/report.py || status=1
exit $status
