"""One verdict per claim, computed once: ``claim_evidence`` applies every claim's rule
(``claims_checks``, ``claims_models``, ``claims_cost``, ``claims_power``) to the result tables of the
book's profile and its companions, and ``claim_verdicts`` is its one table, a row per claim (a)-(f):
verdict, scope, the cells and the Holm family it used, and a one-line finding. Chapter 7, chapter 4's
headline count, the landing page and the conclusion all read it (``book_claim_verdicts``), so no two
pages can state two verdicts for one claim.
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import pandas as pd

from ..config import ConfigError
from ..data import has_planted_truth, load_dataset_from_config
from ..study import seed_data, sweep
from ..study.profile import StudyConfig, companion, load_profile
from .claims_checks import (
    CLAIM_BUDGET,
    baseline_family,
    baseline_summary,
    cost_claim,
    model_agnostic_claim,
    parameter_claim,
    planted_claim,
)
from .claims_cost import end_to_end_cost
from .claims_models import best_evidence, model_consistency
from .claims_power import detectable_table, noise_cells
from .claims_rules import MARGIN
from .claims_text import verdict_rows
from .common import chapter_study, small_budgets

# The roles of the profiles the claims read (``config.companion``); "book" is the profile itself.
ROLES = ("book", "headline", "large", "planted")


@dataclass
class Loaded:
    """One profile's results as the chapter reads them: the study as run and its results table."""

    study: StudyConfig
    table: pd.DataFrame


@dataclass
class Evidence:
    """Every claim's cells, as computed once; ``verdicts`` is the table of one row per claim."""

    margin: float
    emb_dims: list[int]
    real: list[tuple[Loaded, list[str]]]
    budgets_a: list[float]
    a: pd.DataFrame
    b: pd.DataFrame
    b_models: pd.DataFrame
    b_consistency: pd.DataFrame
    budgets_c: list[float]
    c_paired: pd.DataFrame
    c_summary: pd.DataFrame
    d_costs: pd.DataFrame
    d_verdict: str
    d_reason: str
    d_end: pd.DataFrame
    budget_e: float
    e_fields: pd.DataFrame
    e_rows: pd.DataFrame
    noise: pd.DataFrame
    mdd: pd.DataFrame
    loaded: Mapping[str, Loaded]
    paper: StudyConfig | None = None
    verdicts: pd.DataFrame = field(default_factory=pd.DataFrame)


def claim_budget(budgets: Sequence[float], wanted: float = CLAIM_BUDGET) -> float:
    """``wanted`` when the profile sweeps it, else its smallest budget below 1 (the smoke profile's
    stand-in); ``wanted`` again when it has none, so the cell reads as not testable."""
    below = sorted(b for b in budgets if b < 1)
    return wanted if wanted in budgets or not below else below[0]


def real_parts(loaded: Mapping[str, Loaded]) -> list[tuple[Loaded, list[str]]]:
    """The profiles of the real-data claims (headline, large) with the datasets each contributes: a
    dataset is read from the first role that has it, and a profile filling two roles is read once."""
    seen, out = set(), []
    for role in ("headline", "large"):
        item = loaded.get(role)
        if item is None:
            continue
        datasets = [d.name for d in item.study.datasets if d.name not in seen]
        seen.update(datasets)
        if datasets:
            out.append((item, datasets))
    return out


def family_rows(parts: Sequence[tuple[pd.DataFrame, Sequence[str]]]) -> pd.DataFrame:
    """The result rows of the SSEDS-against-baseline family: each dataset's rows from the first table
    of ``parts`` (table, its datasets) that has it. Chapter 4 and claim (c) both build their family
    from this, so they read the same runs."""
    seen, frames = set(), []
    for table, datasets in parts:
        mine = [d for d in datasets if d not in seen]
        seen.update(mine)
        if mine and not table.empty:
            frames.append(table[table["dataset"].isin(mine)])
    return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()


def claim_evidence(loaded: Mapping[str, Loaded], truth: Mapping[str, Sequence[int]],
                   paper: StudyConfig | None = None, margin: float = MARGIN) -> Evidence:
    """Every claim's rule applied to the result tables of the profile (role ``book``) and its companions
    (``headline``, ``large``, ``planted``; a missing role is read as the profile itself) and the planted
    ranks of the planted profile's datasets."""
    loaded = {role: loaded.get(role, loaded["book"]) for role in ROLES}
    book, planted, head = loaded["book"], loaded["planted"], loaded["headline"]
    real = real_parts(loaded)
    # (a) per real dataset and model, each from the profile with the most seeds for it
    a = pd.concat([parameter_claim(item.table, profile=item.study.name, datasets=datasets,
                                   models=item.study.models, budget=claim_budget(item.study.budgets),
                                   margin=margin, reference=item.study.search)
                   for item, datasets in real], ignore_index=True) if real else pd.DataFrame()
    # (b) the best evidence per model: (a)'s cells, the book's profile only for a model they lack
    models = list(dict.fromkeys([*(m for item, _ in real for m in item.study.models), *book.study.models]))
    fallback = parameter_claim(book.table, profile=book.study.name, datasets=[d.name for d in book.study.datasets],
                               models=book.study.models, budget=claim_budget(book.study.budgets), margin=margin,
                               reference=book.study.search)
    b = best_evidence(a, fallback, models)
    consistency = model_consistency(head.table, datasets=[d.name for d in head.study.datasets],
                                    models=head.study.models, budget=claim_budget(head.study.budgets),
                                    reference=head.study.search)
    # (c) one Holm family: every SSEDS-against-baseline cell of the real datasets (chapter 4's table)
    budgets_c = small_budgets(book.study.budgets)
    rows = family_rows([(item.table, datasets) for item, datasets in real])
    paired = baseline_family(rows, budgets=budgets_c, reference=book.study.search) if not rows.empty \
        else pd.DataFrame()
    summary = baseline_summary(paired, rows, datasets=[d for _, ds in real for d in ds],
                               profiles={d: item.study.name for item, ds in real for d in ds}, budgets=budgets_c,
                               margin=margin, reference=book.study.search)
    # (d) the search's passes, and the whole pipeline's against one uniform training
    costs, verdict_d, reason_d = cost_claim(book.table, profile=book.study.name, reference=book.study.search)
    end = end_to_end_cost(book.table, budget=claim_budget(book.study.budgets), reference=book.study.search)
    # (e) on the planted-truth data, at the claim's budget and every other small budget
    budget_e = claim_budget(planted.study.budgets, 0.2)
    fields_e, frames = pd.DataFrame(), []
    for budget in dict.fromkeys([budget_e, *sorted(small_budgets(planted.study.budgets), reverse=True)]):
        per_field, summary_e = planted_claim(planted.table, truth, profile=planted.study.name,
                                             datasets=[d.name for d in planted.study.datasets], budget=budget,
                                             margin=margin, reference=planted.study.search)
        frames.append(summary_e)
        if budget == budget_e:
            fields_e = per_field
    # the noise of the book's paired differences, from the profile with the most seeds
    dataset = head.study.datasets[0].name
    noise = noise_cells(head.table, dataset=dataset, budgets=small_budgets(head.study.budgets),
                        reference=head.study.search)
    ev = Evidence(margin=margin, emb_dims=sorted({item.study.model.emb_dim for item, _ in real}) or
                  [book.study.model.emb_dim], real=real,
                  budgets_a=sorted({claim_budget(item.study.budgets) for item, _ in real}) or [CLAIM_BUDGET],
                  a=a, b=b, b_models=model_agnostic_claim(b, models), b_consistency=consistency,
                  budgets_c=budgets_c, c_paired=paired, c_summary=summary, d_costs=costs, d_verdict=verdict_d,
                  d_reason=reason_d, d_end=end, budget_e=budget_e, e_fields=fields_e,
                  e_rows=pd.concat(frames, ignore_index=True), noise=noise.assign(dataset=dataset),
                  mdd=detectable_table(noise), loaded=loaded, paper=paper)
    ev.verdicts = verdict_rows(ev, paper)
    return ev


def claim_verdicts(loaded: Mapping[str, Loaded], truth: Mapping[str, Sequence[int]],
                   paper: StudyConfig | None = None, margin: float = MARGIN) -> pd.DataFrame:
    """One row per claim (a)-(f): claim, statement, verdict, qualifier, scope, cells, family, finding
    (and for (c) the counts better / worse / indistinguishable). See ``claims_text.verdict_rows``."""
    return claim_evidence(loaded, truth, paper, margin).verdicts


# -- loading ---------------------------------------------------------------------------------------------

def planted_truths(item: Loaded) -> dict[str, list[int]]:
    """{dataset: planted rank of each field, in field order} from the dataset manifests of a profile's
    datasets that have a planted truth (the first seed's split: the truth is the same in every split)."""
    truth = {}
    for data in item.study.datasets:
        if not has_planted_truth(data.name):
            continue
        ds = load_dataset_from_config(seed_data(item.study, data, item.study.seeds[0]), progress=False)
        ranks = (ds.manifest.get("truth") or {}).get("ranks")
        if ranks:
            truth[data.name] = [int(ranks[name]) for name in ds.field_names]
    return truth


def load_roles(study: StudyConfig) -> dict[str, Loaded]:
    """The results of the profile and of each companion role (``config.companion``), each profile's
    sweep resumed once (finished runs are read, not recomputed)."""
    cache: dict[str, Loaded] = {}
    out = {}
    for role in ROLES:
        member = study if role == "book" else companion(study, role)
        if member.name not in cache:
            report = sweep(member, progress=False)
            cache[member.name] = Loaded(report.study or member, report.table)
        out[role] = cache[member.name]
    return out


def paper_profile() -> StudyConfig | None:
    try:
        return load_profile("paper")
    except ConfigError:
        return None


def book_evidence(profile: str | os.PathLike | StudyConfig) -> Evidence:
    """``claim_evidence`` of a profile and its companions, loaded from their results."""
    study = chapter_study(profile)
    loaded = load_roles(study)
    return claim_evidence(loaded, planted_truths(loaded["planted"]), paper_profile())


def book_claim_verdicts(profile: str | os.PathLike | StudyConfig) -> pd.DataFrame:
    """The claims' verdict table of a profile (what the landing page and the conclusion show)."""
    return book_evidence(profile).verdicts


__all__ = ["Evidence", "Loaded", "ROLES", "book_claim_verdicts", "book_evidence", "claim_budget", "claim_evidence",
           "claim_verdicts", "family_rows", "load_roles", "planted_truths", "real_parts"]
