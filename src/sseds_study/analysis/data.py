"""Chapter 01's choice of data: the planted-truth dataset the book's profile reads.

The book's profile may not sweep synthetic data itself (the default profile is MovieLens-100K
alone); its ``planted`` companion does (``config.companion``), so the data chapter describes that
profile's first dataset with a planted truth."""

from __future__ import annotations

from ..config import ConfigError
from ..data import EncodedDataset, has_planted_truth, load_dataset_from_study
from ..study.profile import StudyConfig, companion


def planted_dataset(study: StudyConfig, progress: bool = False) -> tuple[EncodedDataset, StudyConfig]:
    """(the planted-truth dataset, the profile it is read from): the first dataset with planted ranks
    of the profile's ``planted`` companion (the profile itself when it names none)."""
    planted = companion(study, "planted")
    name = next((d.name for d in planted.datasets if has_planted_truth(d.name)), None)
    if name is None:
        raise ConfigError(f"profile {planted.name!r} has no dataset with a planted truth")
    return load_dataset_from_study(planted, name, progress=progress), planted
