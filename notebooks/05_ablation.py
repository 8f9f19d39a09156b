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
# # Which choices matter: ablations
#
# The paper leaves several choices open. Each is an option here, and this chapter changes one at a
# time against the default settings (`mean_abs` estimator, training batches, $K$ batches, ranking
# by saliency, a parameter budget, retraining from scratch):
#
# - `estimator`: `abs_mean`, `fisher`, `taylor` instead of `mean_abs`;
# - `score_split=valid`: score on validation batches instead of training batches;
# - `num_batches=1`: the classic single-batch "single shot";
# - `rank_by=saliency_per_param`: divide each field's saliency by its vocabulary size (cheap fields first);
# - `budget_unit=dims`: count the budget in dimensions, as some reimplementations do, not parameters;
# - `init=inherit`: start the slim model from the kept pretrained columns instead of from scratch.
#
# Every variant is retrained with the same seeds; each point is a mean with its 95% interval.

# %% tags=["parameters", "remove-cell"]
profile = "default"

# %%
import matplotlib.pyplot as plt
import pandas as pd
from myst_nb import glue

from sseds_study.figures.results import plot_ablation
from sseds_study.study import aggregate, load_profile, sweep

pd.set_option("display.max_rows", 200)
ablation = "ablation" if profile == "default" else f"{profile}_ablation"
study = load_profile(ablation)
report = sweep(study, progress=False)
results = report.table
print(f"profile {ablation}: {len(results)} runs, {int((results.status != 'ok').sum())} failed; "
      f"datasets {[d.name for d in study.datasets]}, model {list(study.models)}, budgets {list(study.budgets)}, "
      f"seeds {list(study.seeds)}")

# %%
agg = aggregate(results, metrics=("test_auc", "test_logloss", "achieved_budget"), reference=study.search)
agg = agg[agg["method"] == "sseds"]
fig = plot_ablation(agg, title=f"SSEDS variants, profile {ablation}")
glue("fig_ablation", fig, display=False)
plt.close(fig)

# %% [markdown]
# ```{glue:figure} fig_ablation
# :name: fig-ablation
#
# Test AUC of each SSEDS variant (red: the default settings) with its 95% interval over seeds.
# ```
#
# ## The numbers
#
# `delta` is the variant's mean test AUC minus the default's, in the same panel. A difference whose
# interval straddles zero is not evidence of anything at this number of seeds.

# %%
default = agg[agg["variant"] == "default"].set_index(["dataset", "model", "budget"])["test_auc_mean"]
agg["delta"] = agg["test_auc_mean"].to_numpy() - default.reindex(
    list(zip(agg["dataset"], agg["model"], agg["budget"], strict=True))).to_numpy()
table = agg[["dataset", "model", "budget", "variant", "test_auc_mean", "test_auc_ci95", "delta",
             "achieved_budget_mean"]].sort_values(["dataset", "budget", "delta"], ascending=[True, False, False])
table.rename(columns={"test_auc_mean": "AUC", "test_auc_ci95": "±95%", "achieved_budget_mean": "achieved"}) \
    .reset_index(drop=True).round(4)

# %%
best = table[table["variant"] != "default"].sort_values("delta").iloc[-1]
glue("best_variant", best["variant"], display=False)
glue("best_variant_delta", f"{best['delta']:+.4f}", display=False)
glue("best_variant_where", f"{best['dataset']} at budget {best['budget']:g}", display=False)

# %% [markdown]
# The variant with the largest gain over the default settings is {glue:text}`best_variant`
# ({glue:text}`best_variant_delta` AUC on {glue:text}`best_variant_where`). Read it against the
# intervals in the figure before drawing conclusions.
