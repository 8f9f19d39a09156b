"""Chapter 01: what the models will see, dataset by dataset.

MovieLens-100K is the same in every profile; the large dataset is the first of the profile's
``large`` companion; the planted-truth dataset is the first dataset with a planted truth of its
``planted`` companion (``config.companion``). The book's profile may not sweep synthetic data itself
(the default profile is MovieLens-100K alone), so ``planted_dataset`` reads it from that profile.
"""

from __future__ import annotations

import os

from ..config import ConfigError
from ..data import EncodedDataset, has_planted_truth, load_dataset, load_dataset_from_study
from ..data.stats import dataset_facts, dataset_summary, field_table, truth_table
from ..figures.data import (
    plot_feature_popularity,
    plot_field_cardinality,
    plot_missing_rates,
    plot_value_positive_rates,
)
from ..study.profile import StudyConfig, companion
from .chapter import Chapter
from .common import chapter_study
from .tables import plain_table

# The four figures of a dataset, by the suffix of their glue names.
FIGURES = {"cardinality": plot_field_cardinality, "popularity": plot_feature_popularity,
           "positive": plot_value_positive_rates, "missing": plot_missing_rates}


def planted_dataset(study: StudyConfig, progress: bool = False) -> tuple[EncodedDataset, StudyConfig]:
    """(the planted-truth dataset, the profile it is read from): the first dataset with planted ranks
    of the profile's ``planted`` companion (the profile itself when it names none)."""
    planted = companion(study, "planted")
    name = next((d.name for d in planted.datasets if has_planted_truth(d.name)), None)
    if name is None:
        raise ConfigError(f"profile {planted.name!r} has no dataset with a planted truth")
    return load_dataset_from_study(planted, name, progress=progress), planted


def data_chapter(profile: str | os.PathLike | StudyConfig) -> Chapter:
    """MovieLens-100K, the profile's large dataset and its planted-truth dataset: summary and field
    tables, the numbers the prose quotes, and four figures each for MovieLens-100K and the planted-truth
    data. The numbers are glued as numbers, not text: the prose formats them (``ml_rows:,d``)."""
    study = chapter_study(profile)
    name = study.name
    ml = load_dataset("movielens100k", progress=False)
    large = companion(study, "large")
    large_ds = load_dataset_from_study(large, large.datasets[0].name, progress=False)
    syn, syn_study = planted_dataset(study)
    chapter = Chapter(header=f"profile {name}: movielens100k; large dataset {large_ds.name} (profile {large.name}); "
                             f"planted truth {syn.name} (profile {syn_study.name})")
    ml_facts, syn_facts = dataset_facts(ml), dataset_facts(syn)
    chapter.text |= {
        "profile": name, "ml_rows": ml_facts["rows"], "ml_fields": ml_facts["fields"],
        "ml_pos_rate": ml_facts["positive_rate"], "ml_emb_rows": ml_facts["embedding_rows"],
        "syn_name": syn.name, "syn_profile": syn_study.name, "syn_rows": syn_facts["rows"],
        "syn_fields": syn_facts["fields"], "syn_pos_rate": syn_facts["positive_rate"],
        "syn_relevant": syn_facts["relevant_fields"], "syn_bayes_auc": syn_facts["bayes_auc"]}
    chapter.tables |= {
        "ml_summary": plain_table(dataset_summary(ml), keys=["name"]),
        "ml_fields": plain_table(field_table(ml), keys=["field"]),
        "large_summary": plain_table(dataset_summary(large_ds), keys=["name"]),
        "syn_summary": plain_table(dataset_summary(syn), keys=["name"]),
        "syn_truth": plain_table(truth_table(syn), keys=["field"])}
    for key, ds in (("ml", ml), ("syn", syn)):
        chapter.figures |= {f"fig_{key}_{kind}": plot(ds, profile=name) for kind, plot in FIGURES.items()}
    return chapter
