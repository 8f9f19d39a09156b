"""Chapter 03: the saliency and widths of one pretrained model, agreement with the planted truth of
the synthetic data, and agreement of every estimator with the exact drop-column importance.

Everything here reads or computes through ``study``, so pretrained models are shared with the sweeps.
"""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Sequence

import numpy as np
import pandas as pd

from ..config import ESTIMATORS, SCORE_SPLITS, ConfigError, SearchConfig
from ..data.registry import display_name
from ..figures.results import (
    planted_labels,
    plot_exact_agreement,
    plot_planted_truth,
    plot_saliency,
    plot_widths,
)
from ..search.agreement import planted_rank_agreement
from ..study import (
    sweep,
    tune_study,
)
from ..study.methods import ranked_allocation
from ..study.profile import StudyConfig, companion
from .chapter import Chapter
from .common import (
    AGREEMENT_BUDGET,
    chapter_study,
    count_word,
    listing,
    load_pretrained,
    saliency_scores,
    small_budgets,
    swept_widths,
)
from .search_exact import (
    agreement_frame,
    agreement_summary,
    decay_text,
    exact_over_seeds,
    exact_text,
    harmful_frame,
    harmful_without_decay,
)
from .search_planted import (
    PLANTED_BUDGET,
    collapsed_fields,
    oracle_frame,
    oracle_reference,
    oracle_text,
    planted_dataset,
    planted_frame,
    planted_text,
)
from .search_widths import importance_ranks, width_comparison, width_text
from .tables import plain_table
from .variants import split_name


# ----------------------------------------------------------------------------------------------
# Search analysis (the saliency chapter and the planted-truth check)
# ----------------------------------------------------------------------------------------------
def widths_by_budget(ds, scores, budgets: Sequence[float], search: SearchConfig) -> pd.DataFrame:
    """Per-field widths (rows: fields) chosen at each budget (columns)."""
    out = {}
    for b in budgets:
        alloc = ranked_allocation(scores, ds.vocab_sizes, b, search)  # the study's allocation rules
        out[b] = list(alloc.emb_dims)
    return pd.DataFrame(out, index=ds.field_names)


def planted_truth(study: StudyConfig, budget: float = PLANTED_BUDGET, model: str | None = None,
                  settings: Sequence[dict] | None = None, seeds: Sequence[int] | None = None,
                  dataset: str | None = None) -> tuple[pd.DataFrame, pd.DataFrame]:
    """How close SSEDS's widths come to the planted ranks of the synthetic data.

    For every search setting (default: each estimator x scoring split) and seed: score the pretrained
    model, allocate at ``budget``, and compare the width of each field with its planted rank.
    Returns (per_field, summary): summary has per setting and seed the Spearman correlation between
    planted rank and width, and the share of kept dimensions that went to relevant fields.
    """
    if settings is None:
        settings = [{"estimator": e, "score_split": s} for e in ESTIMATORS for s in SCORE_SPLITS]
    per_field, summary = [], []
    dataset = dataset or planted_dataset(study)
    for seed in seeds if seeds is not None else study.seeds:
        ds, pre, spec = load_pretrained(study, dataset, model, seed)
        truth = ds.manifest.get("truth")
        if not truth:
            raise ConfigError(f"dataset {dataset!r} has no planted truth in its manifest")
        ranks = np.asarray([truth["ranks"][name] for name in ds.field_names])
        for setting in settings:
            search = dataclasses.replace(study.search, **setting)
            widths = widths_by_budget(ds, saliency_scores(ds, pre, spec, search), [budget], search)[budget]
            label = " · ".join(split_name(v) if k == "score_split" else f"{v}" for k, v in setting.items())
            kept = widths.to_numpy()
            relevant = ranks > 0
            summary.append({"setting": label, **setting, "seed": seed,
                            "spearman": planted_rank_agreement(kept, ranks),
                            # Among the relevant fields only: does a higher rank get a wider embedding?
                            "spearman_relevant": planted_rank_agreement(kept[relevant], ranks[relevant]),
                            "relevant_share": float(kept[relevant].sum() / max(1, kept.sum())),
                            "irrelevant_max_width": int(kept[ranks == 0].max(initial=0))})
            per_field.extend({"setting": label, "seed": seed, "field": name, "true_rank": int(r), "width": int(w)}
                             for name, r, w in zip(ds.field_names, ranks, kept, strict=True))
    return pd.DataFrame(per_field), pd.DataFrame(summary)


def saliency_and_widths(study: StudyConfig, dataset: str, model: str, seed: int | None = None):
    """(dataset, widths, figures) of one pretrained model of a study: its saliency heatmap
    (``figures["saliency"]``) and the width of every field at each of the study's budgets, drawn
    (``figures["widths"]``) and as a table (fields as rows, the vocabulary size ``V_f`` and a column
    ``b = ...`` per budget)."""
    ds, pre, spec = load_pretrained(study, dataset, model, seed)
    scores = saliency_scores(ds, pre, spec)
    where = {"dataset": dataset, "rows": len(ds), "profile": study.name}
    names = planted_labels(ds.field_names, (ds.manifest.get("truth") or {}).get("ranks"))  # "f4 (rank 8)"
    figures = {"saliency": plot_saliency(scores, names, **where, title=f"Saliency of each dimension, {model}")}
    widths = widths_by_budget(ds, scores, sorted(study.budgets, reverse=True), study.search)
    figures["widths"] = plot_widths(widths.set_axis(names), **where, title=f"Width $d_f$ per field and budget, {model}")
    widths = widths.rename(columns=lambda b: f"b = {b:g}")
    widths.insert(0, "V_f", ds.vocab_sizes)
    return ds, widths, figures


def widths_chapter(profile: str | os.PathLike | StudyConfig) -> Chapter:
    """The saliency and widths of the profile's own (first) dataset (a report on one's own table,
    ``sseds report``): the heatmap and the widths of the first model's first seed (``fig_saliency_main``,
    ``fig_widths_main``), as ``search_chapter`` draws them, and a table of every base model's widths at
    every budget (first seed), with the fields widest and narrowest at the smallest budget."""
    study = tune_study(chapter_study(profile), progress=False)  # its tuned settings (tuned first if need be)
    name, seed, model = study.datasets[0].name, study.seeds[0], study.models[0]
    chapter = Chapter(header=f"profile {study.name}; dataset {name}; models {', '.join(study.models)}; estimator "
                             f"{study.search.estimator}, split {study.search.score_split}, K = "
                             f"{study.search.num_batches} batches; seed {seed}")
    tables = {}
    for m in study.models:
        ds, widths, figures = saliency_and_widths(study, name, m, seed)
        if m == model:
            chapter.figures |= {f"fig_{kind}_main": fig for kind, fig in figures.items()}
        tables[m] = widths
    widths = pd.concat(tables, names=["model", "field"])
    counts = {c: (lambda v: "–" if pd.isna(v) else f"{int(v):,}") for c in widths.columns}
    chapter.tables["widths"] = plain_table(
        widths, formats=counts, keys=["model", "field"],
        note=f"Seed {seed}. V_f: the field's vocabulary size; b = …: its width d_f at that budget (of D = "
             f"{study.model.emb_dim}).")
    low = f"b = {min(study.budgets):g}"
    first = tables[model][low]
    chapter.text |= {"profile": study.name, "widths_model": model, "widths_seed": f"{seed}",
                     "widths_budget": f"{min(study.budgets):g}", "widths_dim": f"{study.model.emb_dim}",
                     "widths_widest": ", ".join(f"{f} ({int(d)})" for f, d in first.sort_values(
                         ascending=False, kind="stable").head(3).items()),
                     "widths_narrowest": ", ".join(f for f, d in first.items() if d == first.min())}
    return chapter


def search_chapter(profile: str | os.PathLike | StudyConfig) -> Chapter:
    """Saliency heatmaps and widths per budget for every dataset (first model, first seed), the
    planted-truth comparison on the profile's planted-truth companion (``synthetic2`` in the book) with
    its Bayes and oracle references, and every estimator against the exact drop-column importance."""
    study = tune_study(chapter_study(profile), progress=False)  # its tuned settings (tuned first if need be)
    profile = study.name
    planted = companion(study, "planted")
    planted = study if planted is study else tune_study(planted, progress=False)
    planted_name = planted_dataset(planted)
    model_name, seed = study.models[0], study.seeds[0]
    chapter = Chapter(header=f"profile {profile}; planted truth from profile {planted.name} ({planted_name}); "
                             f"model {model_name}; estimator {study.search.estimator}, split "
                             f"{study.search.score_split}, K = {study.search.num_batches} batches; seed {seed}")
    widths_tables, loaded = {}, []
    shown = [(study, d.name) for d in study.datasets if d.name != planted_name or planted is study]
    shown += [(planted, planted_name)] if planted is not study else []
    for owner, name in shown:
        model = model_name if model_name in owner.models else owner.models[0]
        role = "planted" if name == planted_name else "main"
        ds, widths, figures = saliency_and_widths(owner, name, model)
        loaded.append(ds)
        chapter.figures |= {f"fig_{kind}_{role}": fig for kind, fig in figures.items()}
        if name == planted_name:
            truth = ds.manifest["truth"]["ranks"]
            widths.insert(1, "planted", [int(truth[f]) for f in ds.field_names])
        widths_tables[name] = widths
    widths = pd.concat(widths_tables, names=["dataset", "field"])
    counts = {c: (lambda v: "–" if pd.isna(v) else f"{int(v):,}") for c in widths.columns}  # widths, ranks: whole
    chapter.tables["widths"] = plain_table(
        widths, formats=counts, keys=["dataset", "field"],
        note="V_f: the field's vocabulary size; planted: its planted rank (planted-truth data); b = …: its width "
             "d_f at that budget (first seed).")
    planted_model = model_name if model_name in planted.models else planted.models[0]
    per_field, agreement = planted_truth(planted, model=planted_model)
    planted_rows = next(len(d) for d in loaded if d.name == planted_name)
    chapter.tables["planted"] = plain_table(planted_frame(agreement, study.search), keys=["estimator"], note=(
        f"Planted-truth data, {planted_model}, budget {PLANTED_BUDGET:g}; means over {agreement['seed'].nunique()} "
        "seeds. "
        "Spearman ρ between planted rank and width over all fields and among the relevant fields; the share of "
        "the kept dimensions on relevant fields; the widest noise field's width in dimensions (of D = "
        f"{planted.model.emb_dim})."))
    chapter.figures["fig_planted"] = plot_planted_truth(
        per_field[per_field["seed"] == seed], dataset=planted_name, rows=planted_rows, profile=planted.name,
        title=f"{planted_model}: width at budget {PLANTED_BUDGET:g} against planted rank (seed {seed})")
    chapter.text.update(planted_text(agreement, study.search))
    ref = oracle_reference(planted, sweep(planted, progress=False).table)
    chapter.tables["oracle"] = plain_table(oracle_frame(ref), keys=["method"], note=(
        f"Planted-truth data ({planted_rows:,} rows), means over {ref['seed'].nunique()} seeds. Bayes AUC − test "
        "AUC: how far below the ceiling of the same seed's test split; test AUC − oracle's: the paired difference "
        "from the oracle (retrained at the planted widths) ± its 95% half-width; budget kept: the fraction of the "
        "full model's embedding parameters kept."))
    text = oracle_text(ref)
    chapter.text.update(text)
    low = [b for b in sorted(planted.budgets) if b < PLANTED_BUDGET]
    if low:  # the widths at the smaller budget, where the noise fields' floor crowds the relevant ones
        low_field, _ = planted_truth(planted, budget=low[0], model=planted_model, settings=[
            {"estimator": study.search.estimator, "score_split": study.search.score_split}])
        chapter.text["collapsed_low"] = collapsed_fields(low_field)
    else:
        chapter.text["collapsed_low"] = "not measured"
    chapter.text["planted_budget"] = f"{PLANTED_BUDGET:g}"
    chapter.text.update(exact_section(chapter, study, loaded))
    return chapter


def exact_section(chapter: Chapter, study: StudyConfig, loaded) -> dict[str, str]:
    """The exact drop-column reference for every seed (tables ``exact`` and ``exact_negative``, the
    agreement figure), the harmful share without decay, and the side-by-side widths (``width_compare``)."""
    exact, negative = exact_over_seeds(study)
    seeds = exact["seed"].nunique()
    main = [d.name for d in study.datasets]
    where = (f"the {count_word(len(study.models))} models of " if len(study.models) > 1 else f"{study.models[0]} on ") \
        + listing([display_name(d) for d in main])
    chapter.tables["exact"] = plain_table(agreement_frame(agreement_summary(exact)), keys=["estimator"], note=(
        f"Means over {seeds} seeds of each seed's mean over {where}, ± the 95% interval over seeds (none with one "
        "seed). Spearman ρ and Kendall τ over the F × D columns; top-k overlap: the share of the reference's best "
        f"⌊b F D⌋ columns (b = {AGREEMENT_BUDGET:g}) that the setting also ranks among its best."))
    chapter.tables["exact_negative"] = plain_table(harmful_frame(negative), digits=0, keys=["field"], note=(
        f"Harmful columns: per field and model, the percentage of the field's D = {study.model.emb_dim} columns "
        f"whose removal lowers the validation logloss (mean over {seeds} seeds; {display_name(main[0])})."))
    chapter.figures["fig_exact_agreement"] = plot_exact_agreement(
        exact[exact["seed"] == study.seeds[0]], rows={d.name: len(d) for d in loaded if d.name in main},
        profile=study.name, title="Rank correlation of each setting with the exact importance (validation)")
    text = exact_text(exact, negative, study.search)
    text["exact_budget"] = f"{AGREEMENT_BUDGET:g}"
    decay = harmful_without_decay(study, main[0])
    text.update(decay_text(decay, study.seeds[0] if study.tune is None or study.tune.seed is None else study.tune.seed))
    # side by side: SSEDS's and uniform's widths on the main dataset, with the exact-importance rank
    ds = next(d for d in loaded if d.name == main[0])
    budgets = small_budgets(study.budgets)
    widths = swept_widths(sweep(study, progress=False).table, study, main[0], ds.field_names, budgets)
    chapter.tables["width_compare"] = plain_table(
        width_comparison(widths, ds.vocab_sizes, ds.field_names, importance_ranks(negative), budgets),
        keys=["model", "field"], note=(
            f"{display_name(main[0])}: the width d_f (of D = {study.model.emb_dim}) SSEDS and uniform give each "
            f"field at each budget, mean over the sweep's {seeds} seeds; the field's vocabulary size V_f, and the "
            "rank of its exact importance (the summed validation-loss change of its columns, mean over seeds; "
            "1: the field that matters most)."))
    text.update(width_text(widths, study))
    return text
