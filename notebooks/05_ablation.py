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
# # Which choices matter: a factorial screen
#
# The paper leaves several choices open. Here they are crossed in a full factorial, every combination
# of the levels run with the same seeds at the same embedding-parameter budgets. A variant is written
# "estimator · scoring split · min_dim · init"; the default is "mean_abs · training batches · min_dim
# 1 · scratch". The factors:
#
# - estimator: `mean_abs` (the default), `fisher`, `taylor`, and `exact`, the change in loss when
#   the column is zeroed, on the same $K$ batches (the yardstick of chapter 3);
# - scoring split: score the saliency on training batches or on validation batches;
# - `min_dim`: every field keeps at least one dimension (1, the default), or may lose them all (0:
#   the field is deleted; a model without a first-order term then no longer sees it);
# - init: retrain the slim model from a fresh initialisation (`scratch`, the default) or from the
#   pretrained weights of the kept columns (`inherit`, prune-then-fine-tune).
#
# Two one-factor variants ride along with the default's other settings: "budget in dimensions" (the
# ranking's columns taken strictly in order, its count of dimensions chosen to land on the same
# parameter fraction) and "ranked by saliency per parameter" (a field's saliency divided by its
# vocabulary size, cheap fields first).
#
# ```{admonition} A screen, not a measurement
# With {glue:text}`screen_seeds` seeds, every 95% interval in this chapter is a Student-t interval with
# one degree of freedom, whose quantile is {glue:text}`screen_t`. From the spread of the measured
# per-seed changes, a factor's effect in one model × budget cell must be about
# {glue:text}`screen_mde` validation AUC to be detected with 80% power at the 5% level (before Holm's
# correction, which raises it), while the typical measured effect is {glue:text}`screen_typical`. The
# design therefore cannot show effects of the size these options have; it can only screen for large
# ones and point at directions worth a larger run. Read every "indistinguishable" below in that light.
# ```
#
# With this many variants, the best test AUC among them would flatter whichever won by chance. So the
# variant to report is chosen on validation AUC alone, and the test split is read once, for that
# variant against the default setting. The factors themselves are measured on validation AUC too:
# each main effect is the paired change between a factor's levels, seed by seed (a seed shares the
# pretrained model and the data split), averaged over the other factors' levels. The chain that
# follows, from this screen to a choice on validation to the chosen variants' rerun with more seeds in
# [chapter 4](04_budget.ipynb), is exploratory: the rerun tests a variant picked from this screen, not
# a hypothesis fixed in advance. The long tables (the validation ranking, each effect per cell, the
# interactions and the kept parameters) are on the appendix page {doc}`11_ablation_tables`.

# %% tags=["parameters", "remove-cell"]
profile = "default"

# %% tags=["remove-input"]
from sseds_study.analysis import ablation_chapter

# %% tags=["remove-input"]
chapter = ablation_chapter(profile)

# %% tags=["remove-cell"]
print(chapter.header)

# %% tags=["remove-input", "nbval-ignore-output"]
# nbval does not compare these: the exact estimator's cost is glued in measured seconds.
chapter.glue()

# %% [markdown]
# ## The screen
#
# {numref}`fig-effects` shows each factor's main effect on validation AUC, per model and budget: the
# change from the factor's base level (the default setting's) to each of its other levels, averaged over
# the other factors, with its 95% interval over seeds. Holm-corrected across the
# {glue:text}`effects_entries` entries of the {glue:text}`effects_cells` cells, {glue:text}`effects_moved`
# of them can be told from zero; the largest in size is {glue:text}`effects_largest`,
# {glue:text}`effects_largest_change` for {glue:text}`effects_largest_cell`. Of the
# {glue:text}`interactions_entries` two-factor interactions, {glue:text}`interactions_moved` can be told
# from zero (the largest, {glue:text}`interactions_largest`, is {glue:text}`interactions_largest_change`).
#
# ```{glue:figure} fig_effects
# :name: fig-effects
#
# Main effect of each factor on validation AUC, per model and budget: the mean over seeds of the
# paired change from the base level, averaged over the other factors' levels, with its 95% interval;
# every panel on the same scale, zero (dashed) is no effect.
# ```
#
# The table pools each effect over the cells and asks, for each, whether its direction is consistent
# across them.

# %% tags=["remove-input"]
chapter.tables["screen"]

# %% [markdown]
# Some directions are the same in every cell: {glue:text}`consistent_up` raise validation AUC in
# every cell, {glue:text}`consistent_down` lower it in every cell. We report them as exploratory: we
# looked for them after seeing the cells, and the sign tests are not corrected across the contrasts.
# With so few cells a two-sided sign test cannot go below p = {glue:text}`inherit_floor`, so none of
# them reaches the 5% level over cells. The most consistent is fine-tuning from the pretrained weights
# (`inherit`): it raises validation AUC in {glue:text}`inherit_cells` cells, by
# {glue:text}`inherit_range`, and in {glue:text}`inherit_pairs` cell × seed pairs, where a sign test
# gives p = {glue:text}`inherit_p_pairs`; that overstates the evidence, because the pairs of one seed
# share its split and pretrained model. Pooled over the cells the effect is
# {glue:text}`inherit_pooled`. A larger run of this one factor would settle it.
#
# ## The variant chosen on validation, read once on test
#
# The default setting ranks {glue:text}`default_rank` by mean validation AUC
# over budgets and seeds; the variant chosen on validation leads it by {glue:text}`chosen_gap`
# (paired by seed, mean over budgets; an interval on a selection, not a test). The chosen variants,
# read once on test against the default setting:

# %% tags=["remove-input"]
chapter.tables["test"]

# %% [markdown]
# ## What the exact estimator costs
#
# The exact estimator measures each column's loss change directly, so a search with it makes
# {glue:text}`exact_passes` forward passes ($K$ batches, each with one pass per column of the
# {glue:text}`exact_columns` columns and one with none zeroed), against {glue:text}`gradient_passes`
# forward and backward passes for a gradient estimator. Measured in the sweep, a search took
# {glue:text}`exact_seconds` s with `exact` against {glue:text}`gradient_seconds` s with `mean_abs`
# ({glue:text}`exact_ratio` times as long, about {glue:text}`exact_epochs` pretraining epochs). What it
# buys: pooled over the cells, switching the estimator from `mean_abs` to `exact` changes validation
# AUC by {glue:text}`exact_pooled`. How closely each estimator ranks the columns as the exact
# importance does is in chapter 3 ({numref}`fig-exact-agreement`).
#
# ## Equal parameters
#
# Every variant should be compared at the same fraction of the full model's embedding parameters.
# {glue:text}`kept_ok` variants keep the default setting's fraction to within
# {glue:text}`kept_tolerance` of the budget in every cell (kept fraction {glue:text}`kept_ranges`).
# Those that do not, and so are compared at another fraction where they miss: {glue:text}`kept_missed`.
# With
# `min_dim` 0 a run leaves up to {glue:text}`empty_max` fields at width 0 ({glue:text}`empty_mean` on
# average); with `min_dim` 1, {glue:text}`empty_min_dim1`. The kept fraction of every variant in every
# cell is in the appendix ({doc}`11_ablation_tables`).
