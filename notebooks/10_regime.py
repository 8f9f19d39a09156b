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
# (regime)=
# # When does a width search pay?
#
# On MovieLens SSEDS is never better than equal widths ({doc}`04_budget`); on the planted-truth data of
# chapter 3 it finds the fields that matter. This chapter asks which properties of a table decide
# between the two. It generates tables from one family whose knobs are those properties, runs the
# book's comparison on a designed set of them, fits a small model of the gain, and turns it into a
# rule stated in quantities a user can measure on their own data before choosing. `sseds search`
# prints that rule's call beside the widths it finds.
#
# ## The family and the design
#
# The generator (`regime`, in `src/sseds_study/data/regime.py`) draws ten categorical fields with
# planted ranks: a relevant field feeds its rank's worth of independent latent directions into the
# logit, a noise field none. Its knobs, each with the statistic a user can measure on real data:
#
# - **importance concentration** $c$: relevant fields, most important first, get ranks
#   $\max(1, \mathrm{round}(8 e^{-ci}))$, from all equal ($c = 0$) to one field of rank 8 and the rest at
#   1 or 2 ($c = 1.2$); with the **share of noise fields** it shows on real data as the Gini coefficient
#   of the per-field saliency of a pretrained full model;
# - **vocabulary spread** $g$: vocabularies in a geometric progression of ratio $g$ (equal at 1; the
#   largest field holds about 45% of the 1,000 values at 1.8), measured as the largest field's share of
#   the embedding rows; **vocabulary vs importance**: the largest vocabulary goes to the most important
#   field, to the least important one (`reverse`) or to a random one, measured as the Spearman correlation
#   of the fields' vocabularies with their saliency; and the **Zipf skew** of each field's values;
# - **training rows per embedding row**, from 5 to 60 (MovieLens-100K has about 22: some 80,000 training
#   rows over 3,564 embedding rows; MovieLens-1M has more than the map's largest), measured as it is;
# - **logit form**: `fm`, exactly an FM whose field $f$ has width $r_f$ (so the planted ranks are the
#   oracle widths), or `mlp`, a random one-hidden-layer network over the fields' latent codes, which no
#   FM represents exactly, so that the map does not favour one base model's form;
# - the **base width** $D$, 16 or 64, which sets the floor's share of the budget, $1/(bD)$.
#
# The design has {glue:text}`design_settings` settings: a maximin Latin hypercube over the five
# continuous knobs (each takes 24 distinct values) with the logit form, $D$ and the vocabulary order
# balanced (each of their 12 combinations twice). At each setting the book's protocol runs unchanged:
# learning rate and embedding weight decay tuned on the full model's validation AUC, then the full
# model, the oracle (the planted ranks as widths), SSEDS with the book's default settings, and uniform,
# frequency and magnitude widths at budgets 0.2 and 0.1, for FM and DeepFM, with
# {glue:text}`seeds` paired seeds, each with its own split. Every fourth setting is held out of the
# gain model's fit. The first table lists the settings; the second their Bayes AUC (the true logits'
# test AUC), the full model's and the oracle's.

# %% tags=["parameters", "remove-cell"]
profile = "default"

# %% tags=["remove-cell"]
from sseds_study.analysis.regime import regime_chapter

# %% tags=["remove-cell"]
chapter = regime_chapter(profile)

# %% tags=["remove-cell"]
print(chapter.header)

# %% tags=["remove-cell"]
chapter.glue()

# %% tags=["remove-input"]
chapter.tables["design"]

# %% tags=["remove-input"]
chapter.tables["aucs"]

# %% [markdown]
# ## The map
#
# Over the {glue:text}`cells` cells (setting × base model × budget), SSEDS minus uniform widths
# ranges from {glue:text}`gain_range` test AUC, with mean {glue:text}`mean_gain`. After Holm's
# adjustment over the whole map, SSEDS is better than uniform widths in {glue:text}`better` cells,
# worse in {glue:text}`worse` and indistinguishable in {glue:text}`indistinguishable`; its largest gain
# is in {glue:text}`best_cell`. With {glue:text}`seeds` seeds a single cell has little power (see
# the scope below), so the map is read through its pattern rather than cell by cell. Against the best of the three baselines in each cell (chosen on
# validation AUC), its 95% interval lies above zero in {glue:text}`beats_best` cells and below in
# {glue:text}`loses_best`. {glue:text}`map_reading`
#
# ```{glue:figure} fig_regime_map
# :name: fig-regime-map
#
# SSEDS minus uniform widths (test AUC) at every cell of the design, against each knob: mean over
# paired seeds with its 95% interval; colour is the base model, the marker the budget; hollow markers
# are indistinguishable from zero after Holm's adjustment over the map. Each panel shows all cells,
# so the other knobs vary along it.
# ```

# %% tags=["remove-input"]
chapter.tables["knobs"]

# %% [markdown]
# The variant chapter 5 chose for FM on validation data ({glue:text}`variant`) was run on the same
# settings against uniform widths under its own rules (no floor, fine-tuned from the pretrained
# model). Over its {glue:text}`variant_cells` cells it is better than those uniform widths in
# {glue:text}`variant_better` and worse in {glue:text}`variant_worse` (Holm over its cells), with mean
# difference {glue:text}`variant_mean`. DeepFM's choice differs only in its estimator, `exact`, whose cost
# (one forward pass per column and batch) the design could not afford; FM's choice stands in for both.
#
# ## A model of the gain
#
# The map has too few settings for a flexible model: {glue:text}`fit_settings` settings fitted, each
# with four cells. The gain model is a ridge regression of a cell's mean SSEDS − uniform on five
# inputs a user can compute before deciding, standardised: the Gini coefficient of the per-field
# importance (the sum of a field's absolute default saliency on a pretrained full model), the largest
# field's share of the embedding rows, the log of training rows per embedding row, the Spearman
# correlation of vocabulary size with importance, and the floor's share of the budget $1/(bD)$. A
# linear model was chosen over a tree because its coefficients read as a rule, it extrapolates
# smoothly to real tables, and {glue:text}`fit_cells` cells would let a tree of any depth fit noise.
# The inputs are measured, not planted: the same computation applies to a user's table. The largest
# standardised coefficient is {glue:text}`strongest`.

# %% tags=["remove-input"]
chapter.tables["coefficients"]

# %% [markdown]
# ## Does it predict?
#
# On the {glue:text}`held_settings` held-out settings ({glue:text}`held_cells` cells) the model fitted
# without them gets the sign of the measured gain right in {glue:text}`held_sign_accuracy` of the
# {glue:text}`held_signed` cells with a nonzero gain, with mean absolute error {glue:text}`held_mae`
# AUC. The yardstick is a constant: predicting the fitted cells' mean gain, {glue:text}`const_gain`,
# everywhere gets the sign right in {glue:text}`const_sign_accuracy` of those cells, with mean absolute
# error {glue:text}`const_mae`. So {glue:text}`rule_reading`. Read as a rule (search when the
# predicted gain is above +{glue:text}`margin`, uniform widths when below −{glue:text}`margin`, else
# either), its call matches where the measured interval lies in {glue:text}`held_agree` held-out cells
# and contradicts it in {glue:text}`held_disagree`.

# %% tags=["remove-input"]
chapter.tables["held_out"]

# %% [markdown]
# On the book's real data, the rule's inputs were measured on each dataset's first pretrained model
# and its prediction set beside the gain the book measured. It predicts gains of
# {glue:text}`real_predicted` AUC where the book measured {glue:text}`real_measured`. Of
# {glue:text}`real_cells` cells, the call agrees with the measured interval in {glue:text}`real_agree`,
# partly (one side says "either") in {glue:text}`real_partly` and contradicts it in
# {glue:text}`real_disagree`. In {glue:text}`real_outside` cells an input lies outside the range of the
# generated settings ({glue:text}`real_outside_inputs`), so these predictions are extrapolations: the
# MovieLens tables have one field holding more of the embedding rows than any generated table did.

# %% tags=["remove-input"]
chapter.tables["real"]

# %% [markdown]
# ```{glue:figure} fig_regime_predictions
# :name: fig-regime-predictions
#
# The gain model's prediction against the measured SSEDS − uniform test AUC, for the held-out
# settings' cells and the real datasets' cells (measured: mean over paired seeds with its 95%
# interval). On the diagonal a prediction is exact.
# ```
#
# ## The rule where a user works
#
# `sseds search` measures the same five inputs on the pretrained model it has just scored and prints
# one line: the predicted gain, the call, the inputs, the held-out accuracy above, and a warning when
# an input lies outside the fitted range. The rule it reads (`src/sseds_study/search/regime_rule.json`)
# is this chapter's model fitted on the {glue:text}`fit_settings` settings outside the held-out ones,
# so the accuracy above is the accuracy of the shipped rule; `make regime-rule` fits it again from the
# results. {glue:text}`rule_use`
#
# ## Scope
#
# {glue:text}`scope`
