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
# by saliency, the greedy walk under a parameter budget, at least one dimension per field, retraining
# from scratch):
#
# - `estimator`: `abs_mean`, `fisher`, `taylor` instead of `mean_abs`, and `exact`, the change in
#   loss when the column is zeroed (the yardstick of chapter 3), on the same $K$ batches;
# - `score_split=valid`: score on validation batches instead of training batches (and `taylor` on
#   validation batches, the setting that agrees best with the exact importance in chapter 3);
# - `num_batches=1`: the classic single-batch "single shot";
# - `rank_by=saliency_per_param`: divide each field's saliency by its vocabulary size (cheap fields first);
# - `budget_unit=dims`: the ranking's columns taken strictly in order, as a count of dimensions, up to
#   the longest prefix that fits the same parameter budget (so it is compared at the same parameter
#   fraction, not at the larger one a dimension count would buy);
# - `init=inherit`: prune-then-fine-tune, the pretrained model with the dropped columns removed and
#   every other weight kept, instead of a fresh initialisation at the slim widths;
# - `min_dim=0`: fields may lose every dimension (a model without a first-order term, such as DCN,
#   then no longer sees them).
#
# Every variant is retrained with the same seeds and spends the same embedding parameters as the
# default at its budget, so each variant run is compared with the default settings' run of the same
# seed, dataset, model and budget: the paired change in test AUC, its mean over seeds and its 95%
# interval.

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
