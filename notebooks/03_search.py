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
# # Saliency and per-field widths
#
# SSEDS puts a gate $\alpha_{f,j} = 1$ on every dimension $j$ of every field $f$ of the pretrained
# model and scores each dimension by the gradient of the training loss with respect to its gate,
# over $K$ batches $\mathcal{B}_1, \dots, \mathcal{B}_K$. With
#
# $$
# g_{k,f,j} = \frac{\partial \mathcal{L}(\mathcal{B}_k)}{\partial \alpha_{f,j}},
# $$
#
# the four estimators (the `estimator` option: `mean_abs`, the default, `abs_mean`, `fisher` and
# `taylor`) are
#
# $$
# \begin{aligned}
# s^{\mathrm{mean\,abs}}_{f,j} &= \frac{1}{K}\sum_{k=1}^{K} \left|g_{k,f,j}\right|, &
# s^{\mathrm{abs\,mean}}_{f,j} &= \left|\frac{1}{K}\sum_{k=1}^{K} g_{k,f,j}\right|, \\
# s^{\mathrm{fisher}}_{f,j} &= \frac{1}{K}\sum_{k=1}^{K} g_{k,f,j}^2, &
# s^{\mathrm{taylor}}_{f,j} &= -\frac{1}{K}\sum_{k=1}^{K} g_{k,f,j}.
# \end{aligned}
# $$
#
# A fifth setting, `exact`, is no gradient estimator but the quantity the others approximate: the
# change of the loss when the gate goes from 1 to 0, measured with one forward pass per column,
#
# $$
# s^{\mathrm{exact}}_{f,j} = \frac{1}{K}\sum_{k=1}^{K}
#   \Big[\mathcal{L}(\mathcal{B}_k;\, \alpha_{f,j} = 0) - \mathcal{L}(\mathcal{B}_k;\, \alpha = \mathbf{1})\Big].
# $$
#
# The allocator then keeps the highest-scoring (field, dimension) pairs while the kept embedding
# parameters $\sum_f V_f d_f$ stay within the budget $b \sum_f V_f D$. This chapter looks at the
# scores, at the widths they give each field, and at whether they find the planted truth of the
# planted-truth data.

# %% tags=["parameters", "remove-cell"]
profile = "default"

# %% tags=["remove-input"]
from sseds_study.analysis import search_chapter

# %% tags=["remove-input"]
chapter = search_chapter(profile)

# %% tags=["remove-cell"]
print(chapter.header)

# %% tags=["remove-input"]
chapter.glue()

# %% [markdown]
# ## The saliency of every dimension
#
# One heatmap per dataset: fields as rows, the $D$ dimensions as columns (default estimator, seed 0):
# MovieLens-100K in {numref}`fig-saliency-main`, the planted-truth data in {numref}`fig-saliency-planted`.

# %% [markdown]
# ```{glue:figure} fig_saliency_main
# :name: fig-saliency-main
#
# Saliency of each embedding dimension of the pretrained model on MovieLens-100K.
# ```
#
# ```{glue:figure} fig_saliency_planted
# :name: fig-saliency-planted
#
# Saliency on the planted-truth data. The planted rank of each field is in the table below; rank 0 is
# a noise field.
# ```
#
# ## Widths per field at each budget

# %% tags=["remove-input"]
chapter.tables["widths"]

# %% [markdown]
# ```{glue:figure} fig_widths_main
# :name: fig-widths-main
#
# MovieLens-100K: the width SSEDS gives each field at each budget. Large vocabularies (user, item)
# cost the most per dimension.
# ```
#
# ```{glue:figure} fig_widths_planted
# :name: fig-widths-planted
#
# The planted-truth data: widths per field and budget (seed 0), beside the planted ranks of the
# table above.
# ```
#
# On the planted-truth data ({numref}`fig-widths-planted`) the fields of high planted rank get the most
# dimensions, while a relevant field of rank 1 can end at the floor beside the noise fields (or below
# one of them), and the smallest budget squeezes the relevant fields of low rank down to the floor
# first.
#
# {numref}`fig-widths-main` shows that a field's width need not grow with the budget. The allocator
# walks the ranking and skips a (field, dimension) pair that no longer fits: at a small budget the
# expensive columns of large fields stop fitting early, and the walk goes on to the columns of cheap
# fields further down the ranking, which a larger budget would have spent on the large fields instead.
#
# ## Does SSEDS find the planted truth?
#
# The planted-truth data ([the data chapter](01_data.ipynb)) are generated so that the right width of
# each field is known: the label's logit is exactly a factorisation machine in which field $f$ has
# width $r_f$, its planted rank (0: a noise field). Vocabulary sizes run from 10 to 2,000 values and
# are unrelated to the ranks, so an allocator that follows vocabulary is misled. The model searched
# here is an FM too, so the searched model has exactly the form of the data's logit: this is the
# well-specified best case for a width search, and what it shows about claim (e) (saliency finds the
# important dimensions) holds for that case only.
#
# Two references frame what a width search can reach. The Bayes AUC, the AUC of the true logits on
# the same seed's test split, is the ceiling of any model: the full-width model stays
# {glue:text}`full_gap` below it (Bayes AUC {glue:text}`bayes_auc`). The `oracle` method retrains at
# the planted widths, which cost {glue:text}`oracle_budget` of the full model's embedding parameters:
# it stays {glue:text}`oracle_gap` below Bayes. The table compares every method with the oracle of the
# same seed. At budget {glue:text}`planted_budget` SSEDS is {glue:text}`sseds_vs_oracle_high` test AUC
# from the oracle (uniform {glue:text}`uniform_vs_oracle_high`); at budget {glue:text}`low_budget` it
# is {glue:text}`sseds_vs_oracle_low` (uniform {glue:text}`uniform_vs_oracle_low`), paired means over
# seeds with 95% intervals.

# %% tags=["remove-input"]
chapter.tables["oracle"]

# %% [markdown]
# For each estimator and scoring split, and each seed, we allocate at budget
# {glue:text}`planted_budget` and measure the Spearman correlation between planted rank and allocated
# width, and the share of kept dimensions that went to the relevant fields. That budget is
# {glue:text}`oracle_budget_ratio` times the oracle's: enough for every relevant field's planted width
# with room to spare, so it is a lenient test. At budget {glue:text}`low_budget`, still above the
# oracle's, the one-dimension floor of the noise fields crowds the relevant ones, and with the default
# setting these relevant fields end below their planted width (mean width over seeds):
# {glue:text}`collapsed_low` ({numref}`fig-widths-planted`).

# %% tags=["remove-input"]
chapter.tables["planted"]

# %% [markdown]
# ```{glue:figure} fig_planted
# :name: fig-planted
#
# Allocated width against planted rank for each (estimator, split) setting; `exact` is the
# measured loss change, the yardstick of the next section.
# ```
#
# {numref}`fig-planted` draws the table's widths. The setting with the highest mean correlation over
# all fields is {glue:text}`best_setting` ({glue:text}`best_spearman`). The default setting,
# {glue:text}`default_setting`, gives the relevant fields {glue:text}`share_default` of the kept
# dimensions, its widest noise field gets {glue:text}`noise_default` dimensions on average, and its
# correlation over all fields is {glue:text}`rho_default`. That correlation mostly measures the
# separation of relevant from noise fields: among the relevant fields alone the default's widths
# correlate with the planted rank at {glue:text}`rho_relevant`, so at this budget
# {glue:text}`relevant_verdict`. Averaged over the estimators, the relevant fields receive
# {glue:text}`share_train` of the kept dimensions when scored on training batches and
# {glue:text}`share_valid` on validation batches.
#
# ## Do the estimators rank columns as removing them does?
#
# The gradient estimators predict what removing a column does to the loss; the exact drop-column
# importance measures it. As the reference we zero each column of the pretrained model in turn and
# record the change of the logloss over the whole validation split (higher: the column matters;
# below 0: the model is better off without it). Every setting, scored as the search scores it ($K$
# batches), is then compared with that reference over all $F \times D$ columns, for every model and
# every one of the {glue:text}`exact_seeds` seeds (each seed its own split and pretrained model).

# %% tags=["remove-input"]
chapter.tables["exact"]

# %% [markdown]
# ```{glue:figure} fig_exact_agreement
# :name: fig-exact-agreement
#
# Spearman correlation between each setting's scores and the exact drop-column importance on the
# validation split, per dataset and model.
# ```
#
# {numref}`fig-exact-agreement` draws the first seed's correlations per model. Among the gradient
# settings, {glue:text}`exact_best_setting` agrees best with the exact importance (Spearman
# {glue:text}`exact_best_spearman`, mean and 95% interval over seeds); the study's default,
# {glue:text}`exact_default_setting`, reaches {glue:text}`exact_default_spearman`, so
# {glue:text}`exact_default_verdict`. The exact importance itself, measured on $K$ validation
# batches, reaches {glue:text}`exact_k_valid` (what sampling $K$ batches costs); measured on $K$
# training batches, {glue:text}`exact_k_train` (what scoring on the data the model was fitted to
# costs).
#
# Removing a column lowers the validation loss for {glue:text}`exact_negative_share` of all columns
# (mean and 95% interval over seeds; {glue:text}`exact_negative_range` per model); the highest share
# is in field {glue:text}`exact_negative_worst`. A column that helps on the training data and hurts on
# held-out data is a sign of overfitting. The tuned embedding weight decay (chapter 2)
# {glue:text}`harmful_decay_verdict`: on the tuning stage's models
# ({glue:text}`harmful_decay_models`), {glue:text}`harmful_tuned_decay` of the columns are harmful at
# the tuned decay against {glue:text}`harmful_no_decay` with no decay at the same learning rate. The
# share per field and model (percent):

# %% tags=["remove-input"]
chapter.tables["exact_negative"]

# %% [markdown]
# (widths-side-by-side)=
# ## SSEDS's widths beside equal widths
#
# What SSEDS does with a budget on MovieLens-100K, field by field: the width it gives each field
# against the width uniform gives it, at budgets {glue:text}`width_budgets`, for
# {glue:text}`width_models`, beside the field's vocabulary and the rank of its exact importance from
# the previous section. With at least one dimension per field, the floor alone takes
# {glue:text}`floor_share` of the budget ($\sum_f V_f / (b D \sum_f V_f) = 1 / (b D)$), so at the
# smaller budget little is left for SSEDS to distribute.

# %% tags=["remove-input"]
chapter.tables["width_compare"]
