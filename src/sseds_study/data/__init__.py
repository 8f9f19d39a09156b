"""Datasets: raw files -> :class:`EncodedDataset` (see spec.py for the encoded form).

    ds = load_dataset("movielens100k")            # downloads once, encodes once, then reads the cache
    ds = load_dataset("criteo", path="train.txt")  # local raw data
    ds = load_dataset("synthetic", rows=20000, ranks=(8, 4, 2, 0))
    ds = load_dataset("synthetic2", rows=200_000)   # planted ranks, unequal vocabularies
    dataset_summary(ds)                            # per-field table (stats.py has the others)

Cache layout under ``$SSEDS_DATA_DIR`` (default ``<repo>/data``): ``raw/`` downloads,
``encoded/<name>-<key>/`` encoded arrays + manifest.json + vocabularies.json.
"""

from __future__ import annotations

from .._lazy import lazy_face

# Imported on first use (sseds_study._lazy): the registry's names need none of the loaders.
_EXPORTS = {
    "DATASETS": "registry", "DATASET_NAMES": "registry", "dataset_loader": "registry", "load_dataset": "registry",
    "check_dataset_options": "registry", "has_planted_truth": "registry", "load_dataset_from_config": "registry",
    "load_dataset_from_study": "registry",
    "data_identity": "registry", "data_key": "registry", "DISPLAY_NAMES": "registry", "display_name": "registry", "load_encoded": "cache", "manifest_checksum": "cache",
    "download_criteo": "criteo", "default_cache_dir": "paths", "resolve_cache_dir": "paths",
    "EncodedDataset": "spec", "FieldSpec": "spec", "make_field_specs": "spec", "dataset_summary": "stats",
    "generate_synthetic": "synthetic", "generate_synthetic2": "synthetic2",
}
__all__ = sorted(_EXPORTS)
__getattr__, __dir__ = lazy_face(globals(), _EXPORTS)
