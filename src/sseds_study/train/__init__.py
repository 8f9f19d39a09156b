"""Training and evaluation of any CTR model that maps ids (B, C) to logits (B,). Knows no model by name.

* ``loop``: ``fit`` trains with Adam on BCEWithLogitsLoss, early-stops on validation AUC, restores the
  best epoch's weights and reports validation and test AUC / logloss; optional callbacks observe
  every optimizer step and epoch.
* ``results``: ``FitResult`` and ``EpochStats``, with ``to_dict`` / ``from_dict``.
* ``evaluate``: ``evaluate`` / ``predict`` / ``predict_logits`` score any id matrix
  (metrics from ``sseds_study.metrics``).
* ``checkpoint``: ``save_checkpoint`` / ``load_checkpoint``, the one checkpoint layout (a CPU
  state_dict, the config as a plain dict and the FitResult as a plain dict; ``weights_only=True``).
* ``runtime``: ``seed_everything``, ``resolve_device``.
* ``allocator``: ``keep_freed_memory``, which ``fit`` calls: glibc keeps freed memory for the next
  step's tensors instead of returning it to the kernel (opt out with ``SSEDS_KEEP_FREED_MEMORY=0``).

Reproducibility: model construction happens outside ``fit``, so callers call ``seed_everything(seed)``
BEFORE building the model (initial weights come from torch's global generator). ``fit`` then seeds
the global generator again with ``cfg.seed`` (dropout) and draws the batch order from its own
``torch.Generator`` seeded with ``cfg.seed``: the same seed gives bit-identical results on CPU.
"""

from .allocator import keep_freed_memory
from .checkpoint import CHECKPOINT_FORMAT, CheckpointError, load_checkpoint, save_checkpoint
from .evaluate import EVAL_BATCH_SIZE, evaluate, iterate_batches, predict, predict_logits
from .loop import TrainingDiverged, fit
from .optim import SPARSE_MIN_ROWS, SparseDenseAdam, make_optimizer, param_groups, sparse_tables
from .results import EpochStats, FitResult
from .runtime import resolve_device, seed_everything

__all__ = [
    "CHECKPOINT_FORMAT",
    "EVAL_BATCH_SIZE",
    "CheckpointError",
    "EpochStats",
    "FitResult",
    "TrainingDiverged",
    "evaluate",
    "fit",
    "iterate_batches",
    "keep_freed_memory",
    "load_checkpoint",
    "make_optimizer",
    "sparse_tables",
    "SparseDenseAdam",
    "SPARSE_MIN_ROWS",
    "param_groups",
    "predict",
    "predict_logits",
    "resolve_device",
    "save_checkpoint",
    "seed_everything",
]
