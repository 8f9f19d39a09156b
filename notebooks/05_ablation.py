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

# %% tags=["hide-input"]
from sseds_study.analysis import ablation_chapter

# %% tags=["hide-input"]
chapter = ablation_chapter(profile)

# %% tags=["hide-input"]
print(chapter.header)

# %% tags=["hide-input"]
chapter.glue()

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

# %% tags=["hide-input"]
chapter.tables["variants"]

# %% [markdown]
# The variant with the largest gain over the default settings is {glue:text}`best_variant`
# ({glue:text}`best_variant_delta` AUC on {glue:text}`best_variant_where`). Read it against the
# intervals in the figure before drawing conclusions.
