# ---
# jupyter:
#   jupytext:
#     text_representation:
#       extension: .py
#       format_name: percent
#   kernelspec:
#     display_name: Python (sseds)
#     language: python
#     name: sseds
# ---

# %% [markdown]
# # Budget against accuracy
#
# The paper's headline: mixed widths found by SSEDS keep the full model's AUC with a small fraction of
# its embedding parameters. Here every method is given the same budget $b$, the fraction of the
# full model's embedding parameters $\sum_f V_f D$ it may keep, and is retrained from scratch with
# the same seed and training settings. `prune_only` is the pretrained model with the dropped
# columns gated to zero, without retraining. Each point is a mean over seeds, with its 95% interval.
# The `uniform` baseline (the same width $d$ for every field) needs $b \ge 1/D$: below that even
# $d = 1$ does not fit, so it has no point there.

# %% tags=["parameters", "remove-cell"]
profile = "default"

# %%
import matplotlib.pyplot as plt
import pandas as pd
from myst_nb import glue

from sseds_study.figures.results import plot_budget_curves
from sseds_study.analysis import compare_methods
from sseds_study.study import aggregate, load_profile, sweep

pd.set_option("display.max_rows", 200)
study = load_profile(profile)
report = sweep(study, progress=False)  # resumes: finished runs are read, not recomputed
results = report.table
print(f"profile {profile}: {len(results)} runs, {int((results.status != 'ok').sum())} failed; "
      f"datasets {[d.name for d in study.datasets]}, models {list(study.models)}, seeds {list(study.seeds)}")

# %%
agg = aggregate(results, reference=study.search)
rows = results.groupby("dataset")["rows"].first().to_dict()

# %% [markdown]
# ## Test AUC against budget
#
# One panel per base model. The dashed line and grey band are the full-width model.

# %%
for name in agg["dataset"].unique():
    fig = plot_budget_curves(agg, name, models=study.models, title=f"{name} ({rows[name]:,} rows), profile {profile}")
    glue(f"fig_budget_{name}", fig, display=False)
    plt.close(fig)

# %% [markdown]
# ```{glue:figure} fig_budget_movielens100k
# :name: fig-budget-movielens
#
# MovieLens-100K as CTR: test AUC against the embedding budget for each method and base model.
# ```
#
# ```{glue:figure} fig_budget_synthetic
# :name: fig-budget-synthetic
#
# Synthetic data with planted field ranks: test AUC against the embedding budget.
# ```

# %% [markdown]
# ## SSEDS against the baselines at small budgets
#
# Mean test AUC (and 95% interval half-width) at budgets 0.2 and 0.1 (the smoke profile: its smallest
# budgets); `delta_vs_full` is the difference from the full model of the same dataset and base model.

# %%
small_budgets = [b for b in study.budgets if b in (0.2, 0.1)] or sorted(b for b in study.budgets if b < 1)[:2]
small = compare_methods(agg, budgets=small_budgets,
                        methods=("sseds", "prune_only", "uniform", "random", "magnitude", "frequency"))
small.rename(columns={"test_auc_mean": "AUC", "test_auc_ci95": "±95%", "delta_vs_full": "Δ full",
                      "achieved_budget_mean": "achieved"}).round(4)

# %%
sseds_small = small[small["method"] == "sseds"]
worst = sseds_small.loc[sseds_small["delta_vs_full"].idxmin()]
glue("worst_sseds_delta", f"{worst['delta_vs_full']:+.4f}", display=False)
glue("worst_sseds_where", f"{worst['dataset']} / {worst['model']} at budget {worst['budget']:g}", display=False)

# %% [markdown]
# At these small budgets the largest AUC loss of SSEDS against the full model is
# {glue:text}`worst_sseds_delta` ({glue:text}`worst_sseds_where`). Whether SSEDS is better than the
# simple baselines is read from the intervals above, not from the means alone.
#
# ## Parameters actually kept
#
# The allocator never exceeds the budget; the achieved budget can fall short of it when no remaining
# column fits. Alignment maps (per-field $d_f \to D$ linear maps for models whose interactions need
# equal widths) add parameters outside the embedding budget; they are counted in the total.

# %%
kept = agg[agg["variant"] == "default"].pivot_table(
    index=["dataset", "model", "budget"], columns="method", values="achieved_budget_mean")
kept.round(3)
