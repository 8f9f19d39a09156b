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

import pandas as pd

from ..config import ConfigError
from ..data import EncodedDataset, has_planted_truth, load_dataset, load_dataset_from_study
from ..data.registry import data_label
from ..data.stats import dataset_facts, oov_share
from ..figures.data import (
    plot_feature_popularity,
    plot_field_cardinality,
    plot_missing_rates,
    plot_value_positive_rates,
)
from ..study.profile import StudyConfig, companion
from .chapter import Chapter
from .common import chapter_study
from .data_fields import (
    rank_label,
    signal_table,
    summary_table,
    truth_table,
    width_search_facts,
)
from .tables import BookTable, plain_table

# The four figures of a dataset, by the suffix of their glue names.
FIGURES = {"cardinality": plot_field_cardinality, "popularity": plot_feature_popularity,
           "positive": plot_value_positive_rates, "missing": plot_missing_rates}
# The book's chapter (and the own-data report, as for MovieLens-100K) shows fewer: missing values and
# unseen ids are a sentence with their numbers and columns of the summary table where any is not zero,
# and the planted data's popularity lines say nothing its table does not.
BOOK_FIGURES = {"ml": ("cardinality", "popularity", "positive"), "syn": ("cardinality", "positive")}
# The budgets chapter 1's prose works through (those of chapter 4's verdict).
PROSE_BUDGETS = (0.1, 0.2)
SUMMARY_NOTE = ("One row per field: its kind, its vocabulary size (values seen in the training split plus one "
                "out-of-vocabulary row), its columns per row (a multi-valued field has several), and the share of "
                "validation and test values never seen in training.")
SIGNAL_COLUMNS = ("The last two columns, over the values seen at least 10 times: the spread (standard deviation) of their click rates left after "
               "subtracting the binomial noise a value of no signal would show, and the share of them outside the "
               "two-standard-error band of no signal (about 0.05 for a field that carries nothing).")
SIGNAL_NOTE = f"Training split. A value is rare when it occurs fewer than 10 times. {SIGNAL_COLUMNS}"


def planted_dataset(study: StudyConfig, progress: bool = False) -> tuple[EncodedDataset, StudyConfig]:
    """(the planted-truth dataset, the profile it is read from): the first dataset with planted ranks
    of the profile's ``planted`` companion (the profile itself when it names none)."""
    planted = companion(study, "planted")
    name = next((d.name for d in planted.datasets if has_planted_truth(d.name)), None)
    if name is None:
        raise ConfigError(f"profile {planted.name!r} has no dataset with a planted truth")
    return load_dataset_from_study(planted, name, progress=progress), planted


def profile_data_chapter(profile: str | os.PathLike | StudyConfig) -> Chapter:
    """The data chapter of the profile's own (first) dataset: its summary and field tables, the
    numbers the prose quotes (glued as numbers: ``data_rows:,d``) and the figures chapter 1 shows of
    MovieLens-100K (``fig_data_<kind>``, ``BOOK_FIGURES["ml"]``); ``data_largest`` names the field with
    the most embedding rows, ``data_missing_max`` and ``data_unseen_*`` the largest shares of missing
    and unseen values."""
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
    # Missing and unseen values as numbers (the summary table has them per field where any is not zero),
    # as chapter 1 gives them, not as a figure of mostly empty bars.
    missing = ds.manifest.get("missing_rates") or {}
    valid, test = oov_share(ds, "valid"), oov_share(ds, "test")
    chapter.text |= {"data_missing_max": max(missing.values(), default=0.0),
                     "data_unseen_fields": ", ".join(f for f in ds.field_names if valid[f] > 0 or test[f] > 0) or "none",
                     "data_unseen_valid": max(valid.values()), "data_unseen_test": max(test.values())}
    chapter.tables |= {"summary": _summary(ds, label), "fields": _signal(ds, label)}
    chapter.figures |= {f"fig_data_{kind}": FIGURES[kind](ds, profile=study.name) for kind in BOOK_FIGURES["ml"]}
    return chapter


def data_chapter(profile: str | os.PathLike | StudyConfig) -> Chapter:
    """MovieLens-100K, the profile's large dataset and its planted-truth dataset: summary and field
    tables, the numbers the prose quotes, and the figures of MovieLens-100K and the planted-truth
    data. The numbers are glued as numbers, not text: the prose formats them (``ml_rows:,d``)."""
    study = chapter_study(profile)
    name = study.name
    ml = load_dataset("movielens100k", progress=False)
    large = companion(study, "large")
    large_ds = load_dataset_from_study(large, large.datasets[0].name, progress=False)
    syn, syn_study = planted_dataset(study)
    chapter = Chapter(header=f"profile {name}: movielens100k; large dataset {large_ds.name} (profile {large.name}); "
                             f"planted truth {syn.name} (profile {syn_study.name})")
    ml_facts, large_facts, syn_facts = dataset_facts(ml), dataset_facts(large_ds), dataset_facts(syn)
    chapter.text |= {
        "profile": name, "ml_rows": ml_facts["rows"], "ml_fields": ml_facts["fields"],
        "ml_pos_rate": ml_facts["positive_rate"], "ml_emb_rows": ml_facts["embedding_rows"],
        "large_rows": large_facts["rows"], "large_pos_rate": large_facts["positive_rate"],
        "large_emb_rows": large_facts["embedding_rows"],
        "syn_name": syn.name, "syn_profile": syn_study.name, "syn_rows": syn_facts["rows"],
        "syn_fields": syn_facts["fields"], "syn_pos_rate": syn_facts["positive_rate"],
        "syn_relevant": syn_facts["relevant_fields"], "syn_bayes_auc": syn_facts["bayes_auc"]}
    chapter.text |= vocabulary_facts(ml, large_ds) | unseen_facts(ml, large_ds, syn)
    planted = truth_table(syn)
    chapter.text |= planted_signal_facts(planted)
    # The prose quotes the floor at the budgets the verdict is judged at, whatever else the profile runs
    # (the smoke profile runs neither).
    chapter.text |= {f"ml_{k}": v for k, v in width_search_facts(
        ml, study.model.emb_dim, sorted({*PROSE_BUDGETS, *(b for b in study.budgets if b < 1)})).items()}
    chapter.tables |= {
        "ml_summary": _summary(ml, "MovieLens-100K"), "ml_fields": _signal(ml, "MovieLens-100K"),
        "large_summary": _summary(large_ds, "MovieLens-1M"), "large_fields": _signal(large_ds, "MovieLens-1M"),
        "syn_truth": plain_table(planted.rename(index=lambda f: rank_label(f, planted.at[f, "planted_rank"]))
                                 .drop(columns="planted_rank"), keys=["field"], digits={"outside_band": 3},
                                 note="The planted-truth data, training split: each field with its planted rank (the "
                                      "number of latent dimensions through which it acts on the label; noise: none), "
                                      f"beside its vocabulary size and two signal statistics. {SIGNAL_COLUMNS}")}
    for key, ds in (("ml", ml), ("syn", syn)):
        chapter.figures |= {f"fig_{key}_{kind}": FIGURES[kind](ds, profile=name) for kind in BOOK_FIGURES[key]}
    return chapter


def _summary(ds: EncodedDataset, title: str) -> BookTable:
    table, dropped = summary_table(ds)
    note = f"{title}. {SUMMARY_NOTE}" + (" Columns that are zero for every field are left out." if dropped else "")
    return plain_table(table, keys=["name"], note=note)


def _signal(ds: EncodedDataset, title: str) -> BookTable:
    return plain_table(signal_table(ds), keys=["field"], digits={"outside_band": 3}, note=f"{title}. {SIGNAL_NOTE}")


def vocabulary_facts(ml: EncodedDataset, large: EncodedDataset) -> dict[str, int]:
    """The vocabulary sizes the prose explains: MovieLens-100K's items seen in training (the
    vocabulary is built on the training split, plus one out-of-vocabulary row), and the age field of
    both MovieLens datasets (years in 100K, the publisher's age groups in 1M)."""
    seen = signal_table(ml)["values_seen"]
    vocab = {f.name: f.vocab_size for f in ml.fields}
    large_vocab = {f.name: f.vocab_size for f in large.fields}
    return {"ml_item_vocab": vocab["item"], "ml_items_seen": int(seen["item"]),
            # A profile whose large dataset is not MovieLens (the smoke profile reads itself) has no age field.
        "ml_age_vocab": vocab["age"], "large_age_vocab": large_vocab.get("age", 0)}


def unseen_facts(*datasets: EncodedDataset) -> dict[str, float | str]:
    """What the empty missing-value and unseen-id figures would show, as numbers: whether any raw
    value is missing, the fields of MovieLens-100K with unseen validation or test values and the
    largest such shares, across the three datasets."""
    missing = [v for ds in datasets for v in (ds.manifest.get("missing_rates") or {}).values()]
    ml = datasets[0]
    valid, test = oov_share(ml, "valid"), oov_share(ml, "test")
    fields = [f for f in ml.field_names if valid[f] > 0 or test[f] > 0]
    others = max((max(oov_share(ds, s).values()) for ds in datasets[1:] for s in ("valid", "test")), default=0.0)
    return {"missing_max": max(missing, default=0.0), "ml_unseen_fields": ", ".join(fields) or "none",
            "ml_unseen_valid": max(valid.values()), "ml_unseen_test": max(test.values()), "other_unseen_max": others}


def planted_signal_facts(truth: pd.DataFrame) -> dict[str, str | float]:
    """The planted-data check of the signal statistics: the noise fields' names, their largest value
    of each statistic and the relevant fields' smallest (``data_fields.noise_fields_lowest`` says
    whether the first lies below the second)."""
    noise = truth[truth["planted_rank"] == 0]
    relevant = truth[truth["planted_rank"] > 0]
    out: dict[str, str | float] = {"syn_noise_fields": " and ".join(noise.index)}
    for column in ("excess_spread", "outside_band"):
        out[f"syn_noise_{column}"] = float(noise[column].max())
        out[f"syn_relevant_{column}"] = float(relevant[column].min())
    return out
