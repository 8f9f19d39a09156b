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
# # Which choices matter: a factorial ablation
#
# The paper leaves several choices open. Here they are crossed in a full factorial, every combination
# of the levels run with the same seeds at the same embedding-parameter budgets:
#
# - `score_split`: score the saliency on training batches or on validation batches;
# - `estimator`: `mean_abs` (the default), `fisher`, `taylor`, and `exact`, the change in loss when
#   the column is zeroed, on the same $K$ batches (the yardstick of chapter 3);
# - `min_dim`: every field keeps at least one dimension (1, the default), or may lose them all (0:
#   the field is deleted; a model without a first-order term then no longer sees it);
# - `init`: retrain the slim model from a fresh initialisation (`scratch`, the default) or from the
#   pretrained weights of the kept columns (`inherit`, prune-then-fine-tune).
#
# Two one-factor variants ride along with the default's other settings: `budget_unit=dims` (the
# ranking's columns taken strictly in order, its count of dimensions chosen to land on the same
# parameter fraction) and `rank_by=saliency_per_param` (a field's saliency divided by its vocabulary
# size, cheap fields first).
#
# With this many variants, the best test AUC among them would flatter whichever won by chance. So the
# variant to report is chosen on **validation AUC alone**, and the test split is read **once**, for
# that variant against the default setting. The factors themselves are measured on validation AUC
# too: each main effect is the paired change between a factor's levels, seed by seed (a seed shares
# the pretrained model and the data split), averaged over the other factors' levels.

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
# ## The variant chosen on validation, read once on test
#
# {glue:text}`seeds_note`
#
# For each base model, the variants ranked by their mean validation AUC over budgets and seeds (a
# tie, which happens when a setting changes nothing, goes to the default setting). The default
# setting ranks {glue:text}`default_rank`.

# %% tags=["hide-input"]
chapter.tables["ranking"]

# %% [markdown]
# {glue:text}`choice_text`

# %% tags=["hide-input"]
chapter.tables["test"]

# %% [markdown]
# ## Which factors matter
#
# {numref}`fig-effects` shows each factor's main effect on validation AUC, per model and budget: the
# change from the factor's base level (the default setting's) to its other level(s), averaged over
# the other factors, with its 95% interval over seeds. {glue:text}`effects_text` Pooled over the model
# × budget cells (each seed's mean over them), in decreasing size: {glue:text}`effects_pooled`.
#
# ```{glue:figure} fig_effects
# :name: fig-effects
#
# Main effect of each factor on validation AUC, per model and budget: the mean over seeds of the
# paired change from the base level, averaged over the other factors' levels, with its 95% interval;
# every panel on the same scale, zero (dashed) is no effect.
# ```
#
# The same effects as numbers, with their verdicts, and pooled over the cells in the last column:

# %% tags=["hide-input"]
chapter.tables["effects"]

# %% [markdown]
# An interaction asks whether one factor's effect depends on another's level: the effect of the first
# contrast with the second factor at its other level, minus the same effect with it at its base level.
# {glue:text}`interactions_text`

# %% tags=["hide-input"]
chapter.tables["interactions"]

# %% [markdown]
# ## Equal parameters
#
# Every variant should be compared at the same fraction of the full model's embedding parameters.
# {glue:text}`kept_range` {glue:text}`kept_empty` The table gives both, per variant, model and budget.

# %% tags=["hide-input"]
chapter.tables["kept"]

# %% [markdown]
# ## The estimators against the exact ranking
#
# How well each estimator, on training or validation batches, orders the columns of one pretrained
# model (first seed) as the exact drop-column importance on the whole validation split orders them
# ({numref}`fig-ablation-agreement`, Spearman's $\rho$ over every column; chapter 3 gives the method):
# {glue:text}`agreement_text`
#
# ```{glue:figure} fig_agreement
# :name: fig-ablation-agreement
#
# Spearman correlation of each estimator and scoring split with the exact drop-column importance on
# the validation split, per model (first seed's pretrained model).
# ```
