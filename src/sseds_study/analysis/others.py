"""The field's other answers at equal parameters: chapter 4's comparison at budgets 0.05-0.5 (chapter
6's cost, bytes and latency of the same methods: ``efficiency_others``).

The methods are the registry's ``field`` list (``study.methods.book_methods("field")``): searches
(AutoDim, DimGrow's shuffle gates), element-wise magnitude pruning (fine-tuned and from scratch),
quotient-remainder embeddings, the power rule at a fixed and at a tuned temperature, column
magnitude and uniform widths. Each is set against SSEDS seed by seed in every (dataset, model,
budget) cell where both ran (``study.compare.paired_comparisons``, Holm over every cell of the
comparison), and summarised over budgets by the normalised area under its AUC-against-budget curve
(``aukc``).

AUKC here: ERASE (Jia et al., 2024) summarises a feature-selection curve by the area under it; ours
is the area under test AUC against log budget, divided by the width of the log-budget range, so it
is the mean AUC over the range on a log axis, in AUC units (budgets 0.05-0.5 span a factor of 10,
and a log axis weighs each halving alike). It is computed per seed (a seed's runs share a data split
and a pretrained model) over the budgets of a range at which the method ran for that seed, and
SSEDS's is subtracted seed by seed.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
import pandas as pd

from ..statistics import paired_difference, t_interval
from ..study import aggregate, with_variant
from ..study.compare import holm_verdicts, paired_comparisons, verdict_counts
from ..study.methods import book_methods, get_method
from ..study.profile import StudyConfig
from .chapter import Chapter
from .common import listing
from .tables import BookTable, compact_table, plain_table, plus_minus

FOCUS = "sseds"


def field_methods(study: StudyConfig) -> list[str]:
    """The methods of the comparison that ``study`` runs, in book order (SSEDS first)."""
    return [m for m in (FOCUS, *[m for m in book_methods("field") if m != FOCUS]) if m in study.methods]


def budget_label(budget: float) -> str:
    return f"b = {budget:g}"


# -- the numbers ------------------------------------------------------------------------------------------
def aukc(budgets: Sequence[float], aucs: Sequence[float]) -> float:
    """Normalised area under AUC against log budget: the trapezoid rule on ln b, divided by the width
    of the range, i.e. the curve's mean on a log axis. Needs two or more distinct budgets."""
    b = np.asarray(budgets, dtype=float)
    y = np.asarray(aucs, dtype=float)
    if b.shape != y.shape or b.size < 2:
        raise ValueError(f"aukc: expected two or more budgets with one AUC each; got {b.size} and {y.size}")
    order = np.argsort(b)
    x, y = np.log(b[order]), y[order]
    if np.any(np.diff(x) <= 0):
        raise ValueError(f"aukc: budgets must be distinct and positive; got {sorted(b.tolist())}")
    return float(np.sum((y[1:] + y[:-1]) / 2 * np.diff(x)) / (x[-1] - x[0]))


def aukc_per_seed(rows: pd.DataFrame, budgets: Sequence[float], metric: str = "test_auc") -> pd.DataFrame:
    """One AUKC per dataset x model x method x seed over ``budgets``, for the seeds at which the method
    finished a run at every one of them (the others are left out, not interpolated)."""
    want = sorted({float(b) for b in budgets})
    ok = rows[(rows["status"] == "ok") & rows["budget"].isin(want)]
    out = []
    for (dataset, model, method, seed), g in ok.groupby(["dataset", "model", "method", "seed"], sort=True):
        g = g.drop_duplicates("budget")
        if sorted(g["budget"].astype(float)) != want:
            continue
        out.append({"dataset": dataset, "model": model, "method": method, "seed": seed,
                    "aukc": aukc(g["budget"].to_numpy(), g[metric].to_numpy())})
    return pd.DataFrame(out, columns=["dataset", "model", "method", "seed", "aukc"])


def aukc_table(rows: pd.DataFrame, ranges: dict[str, Sequence[float]], methods: Sequence[str]) -> pd.DataFrame:
    """Per dataset x model x range x method: seeds, mean AUKC ± 95%, and SSEDS's minus the method's,
    paired by seed, ± 95% with a Holm verdict over every (range, method) row of the table."""
    out = []
    for name, budgets in ranges.items():
        per_seed = aukc_per_seed(rows, budgets)
        for (dataset, model), g in per_seed.groupby(["dataset", "model"], sort=False):
            focus = g[g["method"] == FOCUS].set_index("seed")["aukc"]
            for method in methods:
                m = g[g["method"] == method].set_index("seed")["aukc"]
                if m.empty:
                    continue
                _mean, half = t_interval(m.to_numpy()) if len(m) > 1 else (math.nan, math.nan)
                row = {"dataset": dataset, "model": model, "range": name, "method": method, "n": len(m),
                       "aukc": float(m.mean()), "aukc_ci95": half}
                seeds = m.index.intersection(focus.index)
                if method != FOCUS and len(seeds) > 1:
                    d = paired_difference(focus.loc[seeds].to_numpy(), m.loc[seeds].to_numpy())
                    row.update(difference=d.mean, ci95=d.ci95, p_t=d.p_t, pairs=d.n)
                out.append(row)
    table = pd.DataFrame(out)
    if table.empty:
        return table
    tested = table["p_t"].notna() if "p_t" in table else pd.Series(False, index=table.index)
    if tested.any():
        part = holm_verdicts(table[tested].copy(), "difference")
        table.loc[tested, ["p_holm", "verdict"]] = part[["p_holm", "verdict"]]
    return table


def comparison(rows: pd.DataFrame, study: StudyConfig, methods: Sequence[str]) -> pd.DataFrame:
    """SSEDS against each method in every cell where both ran, paired by seed, Holm over all cells
    (``difference`` = SSEDS minus the method)."""
    rivals = [m for m in methods if m != FOCUS]
    return paired_comparisons(rows, FOCUS, rivals, sorted(study.budgets), reference=study.search)


def not_reached(rows: pd.DataFrame) -> pd.DataFrame:
    """The cells where a method could not be built at its budget (``NotReached``), with the reason."""
    if "not_reached" not in rows:
        return pd.DataFrame(columns=["dataset", "model", "method", "budget", "error"])
    bad = rows[(rows["status"] != "ok") & rows["not_reached"].fillna(False).astype(bool)]
    return bad.drop_duplicates(["dataset", "model", "method", "budget"])[
        ["dataset", "model", "method", "budget", "error"]].reset_index(drop=True)


# -- the chapter's parts -------------------------------------------------------------------------------------
def _labelled(frame: pd.DataFrame) -> pd.DataFrame:
    out = frame.copy()
    out["method"] = [get_method(m).label for m in out["method"]]
    return out


def others_parts(chapter: Chapter, studies: Sequence[tuple[StudyConfig, pd.DataFrame]]) -> None:
    """Chapter 4's section on the field's other methods, from the profiles ``studies`` (the ten-seed
    MovieLens-100K profile first, then MovieLens-1M): tables ``others_auc``, ``others_verdict``,
    ``others_aukc``, ``others_empty``, the figure's data and the sentences (``others_*`` glue)."""
    rows = pd.concat([r for _s, r in studies], ignore_index=True)
    study = studies[0][0]
    methods = list(dict.fromkeys(m for s, _r in studies for m in field_methods(s)))
    labels = [get_method(m).label for m in methods]
    budgets = sorted({b for s, _r in studies for b in s.budgets}, reverse=True)
    orders = {"dataset": [d.name for s, _r in studies for d in s.datasets], "method": labels,
              "budget": [budget_label(b) for b in budgets]}
    frames = []
    for s, r in studies:
        agg = aggregate(r[r["method"].isin(methods)], reference=s.search)
        frames.append(agg[agg["variant"] == "default"])
    agg = pd.concat(frames, ignore_index=True)
    agg["budget_label"] = [budget_label(b) for b in agg["budget"]]
    reduced = agg[agg["method"] != "full"]
    chapter.tables["others_auc"] = compact_table(
        _labelled(reduced), index=["dataset", "method"], columns="budget_label", value="test_auc_mean",
        half="test_auc_ci95", order=orders["budget"], orders=orders, best=None,
        note="Mean test AUC ± 95% interval over seeds, FM, every method at the same embedding-parameter fraction; "
             "–: the method is not defined at that budget or the profile does not run it there; the cells a "
             "method cannot reach are listed above the table.")
    cmp_frames = [comparison(r, s, field_methods(s)) for s, r in studies]
    cmp = pd.concat([c for c in cmp_frames if not c.empty], ignore_index=True) if any(
        not c.empty for c in cmp_frames) else pd.DataFrame()
    if not cmp.empty:
        holm_verdicts(cmp, "difference")  # one Holm family over both datasets
        cmp = cmp.rename(columns={"baseline": "method"})
        cmp["budget_label"] = [budget_label(b) for b in cmp["budget"]]
    chapter.tables["others_verdict"] = compact_table(
        _labelled(cmp) if not cmp.empty else cmp, index=["dataset", "method"], columns="budget_label",
        value="difference", half="ci95", verdict="verdict", order=orders["budget"], orders=orders, best=None,
        signed=True, note="SSEDS minus the method, test AUC, paired by seed, ± 95% interval; the mark is the verdict "
                          "after Holm over every cell of the table (positive: SSEDS higher).")
    counts = verdict_counts(cmp) if not cmp.empty else {"better": 0, "worse": 0, "indistinguishable": 0}
    chapter.text.update(_detectable_text(cmp))
    chapter.text.update({
        "others_cells": str(len(cmp)), "others_better": str(counts["better"]), "others_worse": str(counts["worse"]),
        "others_indistinguishable": str(counts["indistinguishable"]),
        "others_methods": listing([get_method(m).label for m in methods if m not in (FOCUS, "full")]),
        "others_budgets": listing([f"{b:g}" for b in sorted(study.budgets)]),
        "others_seeds": str(len(study.seeds)),
        "others_profiles": listing([s.name for s, _r in studies]),
    })
    # Empty fields: a column of their own, mean over seeds per budget.
    empty = reduced.assign(empty_half=0.0)
    chapter.tables["others_empty"] = compact_table(
        _labelled(empty), index=["dataset", "method"], columns="budget_label", value="empty_fields_mean",
        order=orders["budget"], orders=orders, best=None, digits=1,
        note="Fields left with no parameter at all (mean over seeds): a width of 0, or an element mask that keeps "
             "no entry of the field.")
    # AUKC over the ranges where every method exists, and over the whole grid for those that reach it.
    grid = sorted(study.budgets)
    defined = [b for b in grid if all(_ran(rows, m, b) for m in methods if m != "full")]
    ranges = {f"{min(grid):g}–{max(grid):g}": grid}
    if len(defined) >= 2 and defined != grid:
        ranges = {f"{min(defined):g}–{max(defined):g}": defined, **ranges}
    table = aukc_table(rows, ranges, [m for m in methods if m != "full"])
    chapter.tables["others_aukc"] = _aukc_book_table(table, orders)
    chapter.text.update(_aukc_text(table, ranges))
    gone = not_reached(rows[rows["method"].isin(methods)])
    chapter.text["others_not_reached"] = _not_reached_text(gone)
    chapter.text.update(_findings(cmp, table, agg, study, ranges, rows))


def changes_against_focus(rows: pd.DataFrame, study: StudyConfig) -> pd.DataFrame:
    """Each finished run's test AUC minus SSEDS's in the same dataset, model, budget and seed."""
    ok = with_variant(rows[rows["status"] == "ok"], study.search)
    ok = ok[(ok["variant"] == "default") & ok["method"].isin(field_methods(study))]
    keys = ["dataset", "model", "budget", "seed"]
    focus = ok[ok["method"] == FOCUS].set_index(keys)["test_auc"]
    other = ok[ok["method"] != FOCUS].copy()
    ref = focus.reindex(pd.MultiIndex.from_frame(other[keys])).to_numpy()
    other["change"] = other["test_auc"].to_numpy() - ref
    return other[other["change"].notna()][[*keys, "method", "change"]].reset_index(drop=True)


def others_figure(studies: Sequence[tuple[StudyConfig, pd.DataFrame]]):
    """``figures.others.plot_others_change`` of the comparison's profiles."""
    from ..figures.others import plot_others_change

    changes = pd.concat([changes_against_focus(r, s) for s, r in studies], ignore_index=True)
    rows = {d: int(r[r["dataset"] == d]["rows"].dropna().iloc[0]) for s, r in studies for d in set(r["dataset"])
            if r[r["dataset"] == d]["rows"].notna().any()}
    profiles = {d.name: s.name for s, _r in studies for d in s.datasets}
    datasets = list(dict.fromkeys(d.name for s, _r in studies for d in s.datasets))
    return plot_others_change(changes, rows=rows, profiles=profiles, datasets=datasets)


def _detectable_text(cmp: pd.DataFrame) -> dict[str, str]:
    """What a cell of the comparison could detect, per dataset: the true difference a paired t test
    over its seeds finds with 80% power at the pooled spread of the cells' per-seed differences
    (before Holm, which raises it), and the one the Holm step of the whole table declares half the
    time."""
    from ..statistics import (
        detectable_difference,
        difference_spread,
        minimum_detectable_difference,
        pooled_sd,
    )

    if cmp.empty:
        return {"others_detectable": "not measured"}
    parts = []
    for dataset, g in cmp.groupby("dataset", sort=False):
        n = int(g["n"].min())
        sds = [difference_spread(c, int(k)) for c, k in zip(g["ci95"], g["n"], strict=True)]
        sd = pooled_sd(sds, [int(k) for k in g["n"]])
        mdd = minimum_detectable_difference(sd, n)
        holm_first = detectable_difference(sd, n, tests=len(cmp))
        parts.append(f"{dataset} ({n} seeds): {mdd:.4f} at 80% power before Holm, {holm_first:.4f} to be declared "
                     f"half the time after it")
    return {"others_detectable": "; ".join(parts)}


def _ran(rows: pd.DataFrame, method: str, budget: float) -> bool:
    return bool(((rows["method"] == method) & (rows["budget"] == budget) & (rows["status"] == "ok")).any())


def _aukc_book_table(table: pd.DataFrame, orders) -> BookTable:
    if table.empty:
        return plain_table(pd.DataFrame(columns=["dataset", "range", "method", "seeds", "AUKC", "SSEDS − method"]))
    frame = pd.DataFrame({
        "dataset": table["dataset"], "range": table["range"], "method": [get_method(m).label for m in table["method"]],
        "seeds": table["n"].astype(int),
        "AUKC": [f"{a:.4f} ± {c:.4f}" for a, c in zip(table["aukc"], table["aukc_ci95"], strict=True)],
        "SSEDS − method": ["" if pd.isna(d) else f"{plus_minus(d, c)} ({v})"
                           for d, c, v in zip(table.get("difference", pd.Series(np.nan, index=table.index)),
                                              table.get("ci95", pd.Series(np.nan, index=table.index)),
                                              table.get("verdict", pd.Series("", index=table.index)), strict=True)],
    })
    table = plain_table(frame, keys=["dataset", "range"], formats={"seeds": str},
                       note="AUKC: mean test AUC over the budget range on a log axis (the area under AUC against "
                            "log budget over the range's width), per seed, then mean ± 95% over seeds; the "
                            "difference is paired by seed, its verdict after Holm over every row with a pair.")
    table.left = ("method",)
    return table


def _aukc_text(table: pd.DataFrame, ranges) -> dict[str, str]:
    out = {"others_ranges": listing([f"{k}" for k in ranges]), "others_aukc_rows": str(len(table))}
    if table.empty or "verdict" not in table:
        out.update(others_aukc_better="0", others_aukc_worse="0", others_aukc_indistinguishable="0",
                   others_aukc_tested="0", others_aukc_best="not measured")
        return out
    tested = table[table["verdict"].notna()]
    counts = tested["verdict"].value_counts()
    out.update({f"others_aukc_{v}": str(int(counts.get(v, 0))) for v in ("better", "worse", "indistinguishable")})
    out["others_aukc_tested"] = str(len(tested))
    first = table[table["range"] == next(iter(ranges))]
    lines = []
    for dataset, g in first.groupby("dataset", sort=False):
        top = g.sort_values("aukc", ascending=False).iloc[0]
        lines.append(f"{get_method(top['method']).label} on {dataset} ({top['aukc']:.4f})")
    out["others_aukc_best"] = listing(lines)
    return out


def _not_reached_text(gone: pd.DataFrame) -> str:
    if gone.empty:
        return "Every method ran at every budget of the comparison."
    parts = []
    for (method, dataset), g in gone.groupby(["method", "dataset"], sort=False):
        budgets = listing([f"{b:g}" for b in sorted(g["budget"])])
        reason = str(g["error"].iloc[0]).split(": ", 1)[-1]
        parts.append(f"{get_method(method).label} on {dataset} at {budgets} ({reason})")
    return "Not defined: " + "; ".join(parts) + "."


PURPOSE_BUILT = ("sseds", "autodim", "dimgrow", "qr")  # the searches and the compositional tables


def _paired_family(per_seed: pd.DataFrame, value: str, focus: str, others_: Sequence[str]) -> pd.DataFrame:
    """``focus`` minus each of ``others_`` on ``value``, paired by seed, Holm over the family."""
    wide = per_seed.pivot_table(index="seed", columns="method", values=value)
    out = []
    for other in others_:
        if other not in wide or focus not in wide:
            continue
        pair = wide[[focus, other]].dropna()
        if len(pair) < 2:
            continue
        d = paired_difference(pair[focus].to_numpy(), pair[other].to_numpy())
        out.append({"method": other, "difference": d.mean, "ci95": d.ci95, "p_t": d.p_t, "n": d.n})
    table = pd.DataFrame(out)
    return holm_verdicts(table, "difference") if not table.empty else table


def _family_text(family: pd.DataFrame) -> str:
    return "; ".join(f"{get_method(r['method']).label} {plus_minus(r['difference'], r['ci95'])} ({r['verdict']})"
                     for r in family.to_dict("records"))


def _equal_bytes_text(rows: pd.DataFrame, study: StudyConfig, where: str) -> str:
    """Element pruning at (about) equal bytes: ``magnitude_weights`` at its smallest budget against the
    dense methods at the budget of the grid whose deployed bytes are nearest its own (its sparse
    tables pay for their indices, so at equal parameters it holds more bytes), paired by seed, Holm
    within the family."""
    dataset, model = study.datasets[0].name, study.models[0]
    ok = with_variant(rows[(rows["dataset"] == dataset) & (rows["model"] == model) & (rows["status"] == "ok")],
                      study.search)
    ok = ok[ok["variant"] == "default"]
    mine = ok[ok["method"] == "magnitude_weights"]
    full = ok[ok["method"] == "full"]
    if mine.empty or full.empty:
        return "Not measured here (weight magnitude did not run)."
    full_bytes = float(full["emb_bytes"].mean())
    b = float(mine["budget"].min())
    share = float(mine[mine["budget"] == b]["emb_bytes"].mean()) / full_bytes
    dense = ok[ok["method"] == FOCUS]
    shares = {float(x): float(g["emb_bytes"].mean()) / full_bytes for x, g in dense.groupby("budget")}
    near = min(shares, key=lambda x: abs(shares[x] - share))
    pair = pd.concat([ok[(ok["method"] == "magnitude_weights") & (ok["budget"] == b)],
                      ok[(ok["method"] != "magnitude_weights") & (ok["budget"] == near)
                         & ~ok["method"].isin(["magnitude_weights_fresh", "full"])]])
    family = _paired_family(pair, "test_auc", "magnitude_weights",
                            [m for m in dict.fromkeys(pair["method"]) if m != "magnitude_weights"])
    if family.empty:
        return "Not measured here (no pairs at equal bytes)."
    ahead = int((family["verdict"] == "better").sum())
    behind = int((family["verdict"] == "worse").sum())
    return (f"At about equal bytes: weight magnitude at b = {b:g} deploys {share:.3f} of the full "
            f"model's embedding bytes, the dense methods at b = {near:g} deploy {shares[near]:.3f}; on {where} it is "
            f"ahead of {ahead} and behind {behind} of their {len(family)} (weight magnitude minus each in test AUC, "
            f"paired by seed, Holm within these: {_family_text(family)}).")


def _holds(supported: bool, contradicted: bool) -> str:
    """A finding's verdict: supported by distinguishable leads, contradicted by distinguishable deficits,
    or neither (too few seeds or too small a difference to tell: not evidence against it)."""
    if supported:
        return "holds"
    return "is contradicted" if contradicted else "is not supported (no distinguishable lead)"


def _findings(cmp: pd.DataFrame, aukcs: pd.DataFrame, agg: pd.DataFrame, study: StudyConfig, ranges,
              rows: pd.DataFrame) -> dict[str, str]:
    """Whether the benchmarks' two headline findings hold here, as generated sentences, each from one
    small family of paired tests (Holm within it) on the profile's first dataset.

    Magnitude pruning: ``magnitude_weights`` minus each purpose-built method (SSEDS, AutoDim, DimGrow,
    QR) on AUKC over the first range, per seed; "holds" when it is distinguishably ahead of most of
    them. Compositional embeddings: at the smallest budget QR reaches, QR minus every other method on
    test AUC per seed; "holds" when it is distinguishably ahead of all of them. Neither supported nor
    contradicted is said as such (``_holds``).
    """
    out = {}
    first = next(iter(ranges))
    dataset, model = study.datasets[0].name, study.models[0]
    where = f"{dataset} ({model}, {len(study.seeds)} seeds)"
    sub = aukcs[(aukcs["range"] == first) & (aukcs["dataset"] == dataset)] if not aukcs.empty else aukcs
    per_seed = aukc_per_seed(rows[(rows["dataset"] == dataset) & (rows["model"] == model)], ranges[first])
    rivals = [m for m in PURPOSE_BUILT if m in set(per_seed["method"])]
    family = _paired_family(per_seed, "aukc", "magnitude_weights", rivals)
    if family.empty:
        out["others_finding_magnitude"] = f"Not measured here (weight magnitude did not run over {first})."
    else:
        ahead = int((family["verdict"] == "better").sum())
        behind = int((family["verdict"] == "worse").sum())
        holds = _holds(ahead > len(family) / 2, behind >= len(family) / 2)
        ranked = sub.sort_values("aukc", ascending=False)["method"].tolist()
        rank = ranked.index("magnitude_weights") + 1 if "magnitude_weights" in ranked else 0
        out["others_finding_magnitude"] = (
            f"Tran et al.'s finding that element-wise magnitude pruning beats most purpose-built methods {holds} "
            f"on {where}: by AUKC over {first} it is ahead of {ahead} of the {len(family)} purpose-built methods "
            f"(weight magnitude minus each, paired by seed, Holm within these {len(family)}: {_family_text(family)}) "
            f"and ranks {rank} of {len(ranked)} by mean AUKC.")
    out["others_finding_bytes"] = _equal_bytes_text(rows, study, where)
    qr = agg[(agg["method"] == "qr") & (agg["dataset"] == dataset)]
    if qr.empty:
        out["others_finding_qr"] = "Not measured here (QR did not run)."
        return out
    b = float(qr["budget"].min())
    cell = rows[(rows["dataset"] == dataset) & (rows["model"] == model) & (rows["budget"] == b)
                & (rows["status"] == "ok") & (rows["method"] != "full")]
    cell = with_variant(cell, study.search)
    cell = cell[cell["variant"] == "default"]
    family = _paired_family(cell, "test_auc", "qr", [m for m in dict.fromkeys(cell["method"]) if m != "qr"])
    ahead = int((family["verdict"] == "better").sum()) if not family.empty else 0
    behind = int((family["verdict"] == "worse").sum()) if not family.empty else 0
    holds = _holds(not family.empty and ahead == len(family), behind > 0)
    out["others_finding_qr"] = (
        f"Zhang et al.'s finding that compositional embeddings are the strongest at high compression {holds} on "
        f"{where}: at b = {b:g}, the smallest budget QR reaches here, it is ahead of {ahead} of the {len(family)} "
        f"other methods (QR minus each in test AUC, paired by seed, Holm within these: {_family_text(family)}).")
    return out


def others_absent(chapter: Chapter) -> None:
    """What chapter 4 glues of the comparison when its profile names no ``others`` companion (a
    user's report): empty tables and sentences saying so."""
    empty = plain_table(pd.DataFrame(columns=["method"]))
    missing = "not measured (the profile names no `others` companion)"
    for name in ("others_auc", "others_verdict", "others_aukc", "others_empty"):
        chapter.tables[name] = empty
    for key in ("others_cells", "others_better", "others_worse", "others_indistinguishable",
                "others_aukc_better", "others_aukc_worse", "others_aukc_indistinguishable", "others_aukc_rows",
                "others_aukc_tested"):
        chapter.text[key] = "0"
    for key in ("others_methods", "others_budgets", "others_seeds", "others_profiles", "others_ranges",
                "others_aukc_best", "others_not_reached", "others_finding_magnitude", "others_finding_qr",
                "others_finding_bytes", "others_detectable"):
        chapter.text[key] = missing
