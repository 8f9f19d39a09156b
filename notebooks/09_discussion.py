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
# (discussion)=
# # Why equal widths win here
#
# On MovieLens-100K and MovieLens-1M, SSEDS's widths are never better than equal widths at a tenth or
# a fifth of the embedding parameters ({doc}`04_budget`), while on the planted-truth data the same
# search finds the fields that matter ({doc}`03_search`). This chapter puts together the evidence the
# book has for why, one mechanism per section, and ends with a targeted check of the first. None of
# the mechanisms is proved by itself; together they say that on these tables there is little for a
# search to choose and the saliency chooses it poorly.

# %% tags=["parameters", "remove-cell"]
profile = "default"

# %% tags=["remove-cell"]
from sseds_study.analysis.discussion import discussion_chapter

# %% tags=["remove-cell"]
chapter = discussion_chapter(profile)

# %% tags=["remove-cell"]
print(chapter.header)

# %% tags=["remove-cell"]
chapter.glue()

# %% [markdown]
# ## The floor leaves little to choose
#
# Every method keeps at least {glue:text}`min_dim` dimension per field (chapter 4 explains why: a
# field at width 0 is deleted, and DCN has no first-order term to fall back on). That floor costs
# $\sum_f V_f$ parameters, against a budget of $b\,D \sum_f V_f$, so it takes a share $1/(bD)$ of the
# budget whatever the vocabularies: {glue:text}`floor_01` at $b = 0.1$ and {glue:text}`floor_02` at
# $b = 0.2$ with $D =$ {glue:text}`dim`. On MovieLens-100K the eight fields have
# {glue:text}`sum_vocab` values in all, so at $b =$ {glue:text}`small_budget` the budget is
# {glue:text}`budget_params` parameters, of which only {glue:text}`free_params` are left for any
# method to place once every field has its first dimension. The three largest fields
# ({glue:text}`top3_fields`) hold {glue:text}`top3_share` of the embedding rows, so the choice is
# essentially whether those fields get a second dimension or the small fields get several.
#
# ## Where SSEDS spends the rest
#
# The table below sets SSEDS's widths beside uniform widths at the smaller budget, for FM and for
# DeepFM, with the parameters SSEDS spends on each field beyond uniform's. With FM, SSEDS spends more
# than uniform widths on {glue:text}`widths_FM_gainers` and less on
# {glue:text}`widths_FM_losers` (mean widths, SSEDS against uniform). With DeepFM it spends more on
# {glue:text}`widths_DeepFM_gainers` and less on {glue:text}`widths_DeepFM_losers`. A dimension costs
# as many parameters as its field has values, so the few hundred parameters left above the floor buy
# either a second dimension of a large field or many dimensions of a small one (`gender` has 3 values,
# `genres` 20). SSEDS buys the small fields' dimensions and a second dimension of `item`, and takes
# the second dimension uniform widths give `user` and `zip_code`. Chapter 3 sets the default profile's widths (three
# seeds) beside each field's measured importance ({ref}`widths-side-by-side`).
#
# %% tags=["remove-input"]
chapter.tables["widths"]

# %% [markdown]
# ## The saliency ranks columns poorly on real data
#
# On the planted-truth data the default saliency orders fields by their planted rank
# ({doc}`03_search`). On MovieLens-100K its rank agreement with exact drop-column importance (the
# change of validation loss when one column is switched off) is
# {glue:text}`03_search.ipynb::exact_default_spearman:s` (Spearman, mean over {glue:text}`03_search.ipynb::exact_seeds:s` seeds), and
# removing a column lowers the validation loss for {glue:text}`03_search.ipynb::exact_negative_share:s` of the
# columns: for those, no ranking by importance can be right. At a converged model the mean gradient on
# a gate is close to zero, so the mean of absolute gradients mostly measures how much the gradient
# varies from batch to batch; on planted data that variation follows the signal, on MovieLens it
# follows the noise of small, sparse fields as much.
#
# ## Retraining from scratch
#
# The default retrains the slim model from scratch. The factorial screen of chapter 5 finds that
# keeping the pretrained columns (`inherit`) raised validation AUC in
# {glue:text}`05_ablation.ipynb::inherit_cells:s` cells, an exploratory signal that its two seeds cannot
# confirm; the ten-seed rerun of the flagged factors measures it, pooled over the model × budget
# cells: {glue:text}`05_ablation.ipynb::rerun_effect_init:s` ({doc}`05_ablation`). The variant chosen on validation data, which inherits the columns,
# lets a field vanish (`min_dim 0`, so no floor) and scores on validation batches, was rerun on five
# seeds in chapter 4: it is not better than uniform widths either ({doc}`04_budget`, the section on
# the variant chosen on validation). So neither the floor nor retraining from scratch explains the
# result on its own.
#
# ## A targeted check: a wider base model
#
# If the floor were what leaves SSEDS nothing to choose, a wider base model should help it: at
# $D =$ {glue:text}`why_dim` the floor takes {glue:text}`floor_01_why` of the budget at $b = 0.1$ and
# {glue:text}`floor_02_why` at $b = 0.2$. The headline comparison was repeated at that width, learning
# rate and embedding weight decay tuned again, with {glue:text}`why_seeds` paired seeds
# (the table below and {numref}`fig-width-check`). At $D =$ {glue:text}`why_dim`, SSEDS is
# better than uniform widths in {glue:text}`why_better` and worse in {glue:text}`why_worse` of
# {glue:text}`why_cells` cells, with mean differences from {glue:text}`why_range` AUC: {glue:text}`why_reading`.

# %% tags=["remove-input"]
chapter.tables["check"]

# %% [markdown]
# ```{glue:figure} fig_width_check
# :name: fig-width-check
#
# SSEDS minus uniform widths on MovieLens-100K at base width D = 16 (the headline runs) and D = 64
# (the check), per base model and budget: mean over paired seeds with its 95% interval; hollow dots
# are indistinguishable from zero after Holm's adjustment across the cells shown.
# ```
#
# ## What this says, and what it does not
#
# On these tables a per-field width search has little room (the floor), spends what room there is
# on cheap fields, and ranks the columns with a statistic that agrees only weakly with their measured
# importance. The check at $D =$ {glue:text}`why_dim` adds that {glue:text}`why_reading`.
# The planted-truth data show the other side: where fields differ sharply in importance and the
# saliency can see it, the same search recovers the right widths. Which properties of a table decide
# between the two (how unequal the fields are, how their vocabularies relate to their importance, the
# base width) is the question of the next chapter, {doc}`10_regime`, which runs the comparison on a
# designed set of generated tables and fits a rule a user can apply to their own; the verdicts of this
# chapter hold for MovieLens at the widths, budgets and seeds shown.
