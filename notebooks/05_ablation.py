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
# vocabulary size, cheap fields first). Four of the factors are then run again with ten paired seeds,
# in a half fraction of their levels ({ref}`ten-seeds`).
#
# ```{admonition} A screen, not a measurement
# With {glue:text}`screen_seeds` seeds, every 95% interval in this chapter is a Student-t interval with
# one degree of freedom, whose quantile is {glue:text}`screen_t`. From the spread of the measured
# per-seed changes, a factor's effect in one model × budget cell must be about
# {glue:text}`screen_mde` validation AUC to be detected with 80% power at the 5% level (before Holm's
# correction, which raises it), while the typical measured effect is {glue:text}`screen_typical`. The
# design therefore cannot show effects of the size these options have; it can only screen for large
# ones and point at directions worth a larger run. Read every "indistinguishable" of the screen in that
# light. The four factors it and the discussion flag are measured again with ten paired seeds in
# {ref}`ten-seeds` (the effect a cell detects there with 80% power: {glue:text}`rerun_mde`).
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
from sseds_study.analysis import ablation_chapter, ablation_rerun_chapter

# %% tags=["remove-input"]
chapter = ablation_chapter(profile)

# %% tags=["remove-cell"]
print(chapter.header)

# %% tags=["remove-input", "nbval-ignore-output"]
# nbval does not compare these: the exact estimator's cost is glued in measured seconds.
chapter.glue()

# %% tags=["remove-input"]
rerun = ablation_rerun_chapter(profile)

# %% tags=["remove-cell"]
print(rerun.header)

# %% tags=["remove-input"]
rerun.glue()

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
# {glue:text}`inherit_pooled`. The ten-seed rerun below measures it: pooled over the cells,
# {glue:text}`rerun_effect_init`.
#
# (ten-seeds)=
# ## Ten seeds for the flagged factors
#
# {glue:text}`rerun_status`.
#
# The screen and the discussion ({doc}`09_discussion`) point at four factors: keeping the pretrained
# weights (`init`), the scoring split, letting a field vanish (`min_dim` 0), and the estimator, where
# the signed `taylor` is set against the default `mean_abs`. Profile `ablation10` measures them again
# with ten paired seeds. Each factor has two levels, coded −1 at the default setting's level
# (`scratch`, `mean_abs`, training batches, `min_dim` 1) and +1 at the other. The estimator `exact`
# is left out for its cost: a search with it took {glue:text}`exact_ratio` times as long as one with
# `mean_abs` (see the section on its cost below), and `fisher` is left out as well.
#
# The design is the half fraction $2^{4-1}$ with defining relation $I = ABCD$ (A init, B estimator,
# C scoring split, D `min_dim`): the {glue:text}`rerun_corners` corners whose codes multiply to +1,
# the default setting among them. It is of resolution IV: no main effect is aliased with a
# two-factor interaction (each is aliased with a three-factor one, $A = BCD$ and so on), while the
# two-factor interactions are aliased in pairs ($AB = CD$), so the rerun does not estimate them.
# A factor's main effect in one model × budget cell and seed is the mean AUC over the four corners at
# its +1 level minus the mean over the four at −1; the corners of a seed share its split and its
# pretrained model. Over the {glue:text}`rerun_seeds` seeds, each effect is reported as its mean with
# a Student-t 95% interval ($t =$ {glue:text}`rerun_t`), tested with the paired t test and Holm's
# correction across the {glue:text}`rerun_tests` factor × cell entries; pooled over the cells (each
# seed's mean over them), Holm's correction runs across the four factors. The verdicts are drawn on
# validation AUC; test AUC is read once, beside them, and chooses nothing. Runs that the screen or
# the headline profile had already finished (same settings, same seed) are copied, not recomputed;
# at the corners the screen ran, {glue:text}`rerun_shared_seeds` are the screen's own runs, so the
# rerun is not wholly independent of the screen that flagged its factors.
#
# **Power.** From the spread of the measured per-seed effects, an effect in one cell must be about
# {glue:text}`rerun_mde` validation AUC to be detected with 80% power at the 5% level
# ({glue:text}`rerun_mde_holm` at the first step of Holm's correction), and a pooled effect about
# {glue:text}`rerun_mde_pooled`. With the same spread and the screen's
# {glue:text}`rerun_screen_seeds` seeds, a cell would need {glue:text}`rerun_mde_screen`. The typical
# measured effect in a cell is {glue:text}`rerun_typical`.
#
# The table gives each factor's effect pooled over the cells; {numref}`fig-rerun` draws it per cell.

# %% tags=["remove-input"]
rerun.tables["rerun"]

# %% [markdown]
# ```{glue:figure} fig_rerun
# :name: fig-rerun
#
# Main effect of each factor on validation AUC in the ten-seed half fraction, per model and budget
# and pooled over them (last line): the mean over seeds of the per-seed effect with its 95% interval.
# Filled where the paired t test tells it from zero after Holm's correction (across factors and cells;
# for the pooled line, across factors): green raises, red lowers; hollow grey is indistinguishable.
# Zero (dashed) is no effect; every panel on the same scale.
# ```
#
# The verdicts, generated from the intervals ({glue:text}`rerun_pooled_moved` pooled effects and
# {glue:text}`rerun_moved` effects in single cells are told from zero):
#
# - {glue:md}`rerun_verdict_init`
# - {glue:md}`rerun_verdict_estimator`
# - {glue:md}`rerun_verdict_score_split`
# - {glue:md}`rerun_verdict_min_dim`
#
# Each factor's effect in every cell, on validation and on test AUC, is in the appendix
# ({doc}`11_ablation_tables`).
#
# **Scope.** These verdicts hold for {glue:text}`rerun_dataset` at base width $D =$
# {glue:text}`rerun_dim`, with {glue:text}`rerun_models` at budgets {glue:text}`rerun_budgets`, the
# default profile's training settings and {glue:text}`rerun_seeds` seeds. An "indistinguishable" here
# says that an effect larger than about {glue:text}`rerun_mde` in one cell, or
# {glue:text}`rerun_mde_pooled` pooled, would probably have been seen; a smaller one may have been
# missed. The rerun estimates no interaction: each main effect is averaged over the other factors'
# levels, and it is aliased with a three-factor interaction, which the design assumes small. The estimators
# `exact` and `fisher`, the budget in dimensions and the ranking by saliency per parameter rest on
# the screen's {glue:text}`screen_seeds` seeds alone.
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
