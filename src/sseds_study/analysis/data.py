"""Chapter 01: what the models will see, dataset by dataset.

MovieLens-100K is the same in every profile; the large dataset is the first of the profile's
``large`` companion; the planted-truth dataset is the first dataset with a planted truth of its
``planted`` companion (``config.companion``). The book's profile may not sweep synthetic data itself
(the default profile is MovieLens-100K alone), so ``planted_dataset`` reads it from that profile.

``profile_data_chapter`` is the same chapter for the profile's own dataset (a report on one's own
table, ``sseds report``): the same tables, numbers and figures, of that dataset alone.
"""

from __future__ import annotations

import os

from ..config import ConfigError
from ..data import EncodedDataset, has_planted_truth, load_dataset, load_dataset_from_study
from ..data.registry import data_label
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


def dataset_figures(ds: EncodedDataset, key: str, profile: str) -> dict:
    """The four figures of one dataset, glued as ``fig_<key>_<kind>``."""
    return {f"fig_{key}_{kind}": plot(ds, profile=profile) for kind, plot in FIGURES.items()}


def profile_data_chapter(profile: str | os.PathLike | StudyConfig) -> Chapter:
    """The data chapter of the profile's own (first) dataset: its summary and field tables, the
    numbers the prose quotes (glued as numbers: ``data_rows:,d``) and its four figures
    (``fig_data_<kind>``); ``data_largest`` names the field with the most embedding rows."""
    study = chapter_study(profile)
    data = study.datasets[0]
    ds = load_dataset_from_study(study, data.name, progress=False)
    facts = dataset_facts(ds)
    label = data_label(data)
    chapter = Chapter(header=f"profile {study.name}: {label}, split seed {data.split_seed}")
    largest = max(ds.fields, key=lambda f: f.vocab_size)
    chapter.text |= {
        "profile": study.name, "data_name": label, "data_rows": facts["rows"], "data_fields": facts["fields"],
        "data_pos_rate": facts["positive_rate"], "data_emb_rows": facts["embedding_rows"],
        "data_largest": largest.name, "data_largest_share": largest.vocab_size / facts["embedding_rows"],
        "data_kinds": ", ".join(f"{sum(f.kind == k for f in ds.fields)} {k}" for k in ("categorical", "numeric", "multi")
                                if any(f.kind == k for f in ds.fields))}
    chapter.tables |= {"summary": plain_table(dataset_summary(ds), keys=["name"]),
                       "fields": plain_table(field_table(ds), keys=["field"])}
    chapter.figures |= dataset_figures(ds, "data", study.name)
    return chapter


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
        chapter.figures |= dataset_figures(ds, key, name)
    return chapter
