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
# Every variant is retrained with the same seeds, so each variant run is compared with the default
# settings' run of the same seed, dataset, model and budget: the paired change in test AUC, its mean
# over seeds and its 95% interval.

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
# Change in test AUC of each SSEDS variant against the default settings (dashed line at zero), paired
# by seed: the mean over seeds with its 95% interval, one colour per budget.
# ```
#
# ## The numbers
#
# The first row is the default settings' test AUC; every other row is a variant's change against it,
# with its interval and its verdict (paired t test, Holm-corrected across the table). A change whose
# interval straddles zero is not evidence of anything at this number of seeds.

# %% tags=["hide-input"]
chapter.tables["variants"]

# %% [markdown]
# The variant with the largest mean gain over the default settings is {glue:text}`best_variant`
# ({glue:text}`best_variant_delta` ± {glue:text}`best_variant_ci` AUC on
# {glue:text}`best_variant_where`); against the default it is {glue:text}`best_variant_verdict`.
#
# Counting the budget in dimensions (`budget_unit=dims`) does not keep the same number of parameters:
# the fraction of the full model's embedding parameters each variant actually kept is below.

# %% tags=["hide-input"]
chapter.tables["kept"]
