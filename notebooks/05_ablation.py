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
# Every variant is retrained with the same seeds, and every variant spends the same embedding
# parameters as the default at its budget; each point is a mean with its 95% interval.

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
