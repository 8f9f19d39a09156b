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
# # Budget against accuracy
#
# The paper's headline: mixed widths found by SSEDS keep the full model's AUC with a small fraction of
# its embedding parameters. Here every method is given the same budget $b$, the fraction of the
# full model's embedding parameters $\sum_f V_f D$ it may keep, under the same rules, and its slim
# model is trained with the same seed and the same tuned training settings (chapter 2). The first
# table below defines the methods: what each does, whether it needs the pretrained full model, and
# whether it chooses by a search rather than by a rule. PEP's budget counts non-zero entries rather
# than columns. In the verdict and the default profile's tables every method that chooses widths
# keeps at least one dimension per field (`min_dim` 1: DCN has no first-order term, so a field at
# width 0 would vanish from it; [the ablation](05_ablation.ipynb) measures `min_dim` 0), so none of
# them runs below $b = 1/D$; the comparison with the field's other methods at the end of the chapter
# lets a field go empty and reaches $b = 0.05$.
#
# Runs with the same seed share the data split (each seed has its own) and the pretrained model, so
# each run is measured against the full model of its own seed: the figures show that paired change
# in test AUC, its mean over seeds with a 95% interval (Student t) and every seed as a faint dot.

# %% tags=["parameters", "remove-cell"]
profile = "default"

# %% tags=["remove-input"]
from sseds_study.analysis import budget_chapter

# %% tags=["remove-input"]
chapter = budget_chapter(profile)

# %% tags=["remove-cell"]
print(chapter.header)

# %% tags=["remove-input"]
chapter.glue()

# %% tags=["remove-input"]
chapter.tables["methods"]

# %% [markdown]
# ## The verdict: SSEDS against {glue:text}`verdict_baseline_count` allocations at equal parameters
#
# At budgets 0.2 and 0.1, SSEDS is set against the {glue:text}`verdict_baseline_count` allocations that
# spend the same embedding parameters under the same rules: {glue:md}`verdict_baselines`. On
# MovieLens-100K every cell has ten seeds (profile `headline`), on MovieLens-1M three (profile
# `movielens1m`: a fit there takes 30-60 s, and the whole book must be reproducible in 90 minutes on
# two cores). Each seed has its own data split and its own pretrained model, shared by every method of
# that seed, so each cell is the mean of the per-seed differences SSEDS − baseline, with its paired
# 95% interval; a paired t test per cell, Holm-corrected across the table, gives the verdict
# (▲ SSEDS better, ▼ worse, · indistinguishable; † borderline). The Holm family is the whole table,
# both datasets together: every cell bears on one claim, claim (c) of [chapter 7](07_claims.ipynb),
# which reads this same table, so the two chapters count the same cells the same way.
#
# Of the {glue:text}`verdict_cells` cells, SSEDS is {glue:text}`verdict_summary`
# ({glue:text}`verdict_seeds` paired seeds per cell); for claim (c) this reads
# {glue:text}`verdict_claim`. Its largest gain is
# {glue:text}`verdict_best`; its most negative difference {glue:text}`verdict_worst`.
# {glue:text}`verdict_stability` (A cell marked † is borderline: a few more seeds could move its
# verdict either way, so it should not be read on its own.)

# %% tags=["remove-input"]
chapter.tables["verdict"]

# %% [markdown]
# The same runs as mean test AUC per method, the full model beside them:

# %% tags=["remove-input"]
chapter.tables["verdict_means"]

# %% [markdown]
# ### With the SSEDS variant chosen on validation
#
# The verdict above uses SSEDS's default settings. [The ablation](05_ablation.ipynb) crosses four of
# its options and picks, per base model, the variant with the best validation AUC (first table
# below). Rerun on the first {glue:text}`best_seeds` of the headline's seeds (more would not fit the
# 90 minutes of `make reproduce`), each allocation following that variant's rules (its `min_dim`,
# and its initialisation from the pretrained model where the variant inherits), SSEDS is better in
# {glue:text}`best_better`, worse in {glue:text}`best_worse` and indistinguishable in
# {glue:text}`best_indistinguishable` of {glue:text}`best_cells` cells (Holm-corrected across this
# table). Its largest gain is {glue:text}`best_verdict_best`; its most negative
# difference {glue:text}`best_verdict_worst`. The indistinguishable cells are absence of evidence, not
# equivalence: at the spread of the ten-seed runs' paired differences, a design of
# {glue:text}`best_seeds` seeds detects a true difference of about {glue:text}`best_mdd` AUC with 80%
# power (before Holm's correction), so smaller gains or losses would mostly go unseen
# ([chapter 7](07_claims.ipynb) gives this for every design).

# %% tags=["remove-input"]
chapter.tables["best_choice"]

# %% tags=["remove-input"]
chapter.tables["best"]

# %% [markdown]
# ### Would tuning the slim models separately change the verdict?
#
# Every method uses the learning rate and embedding weight decay tuned on the full model
# ([chapter 2](02_pretrain.ipynb)). A slim model has fewer parameters and might want less decay, and
# one method might suit the shared setting better than another. One cell tests it:
# {glue:text}`slim_model` at budget {glue:text}`slim_budget`, {glue:text}`slim_focus` against
# {glue:text}`slim_base`. Each method's whole pipeline (pretraining, scoring, retraining) is run at
# every decay of the grid below, each method takes the decay with its best mean validation AUC
# ({glue:text}`slim_focus` chose {glue:text}`slim_focus_decay`, {glue:text}`slim_base`
# {glue:text}`slim_base_decay`; the shared setting is {glue:text}`slim_shared_decay`), and only then
# is the test split read. Over the same {glue:text}`slim_seeds` seeds, the difference in test AUC is
# {glue:text}`slim_tuned` ({glue:text}`slim_tuned_verdict`) tuned separately and
# {glue:text}`slim_shared` ({glue:text}`slim_shared_verdict`) with the shared setting. The gap itself
# is {glue:text}`slim_gap`: it moves by {glue:text}`slim_shift`. What moves is the interval, which is
# as wide as the few seeds make it; a change of verdict with an unchanged gap is a change in
# precision, not in the finding. On validation data, {glue:text}`slim_focus` is below
# {glue:text}`slim_base` at {glue:text}`slim_below` of the {glue:text}`slim_decays` decays of the
# grid.

# %% tags=["remove-input"]
chapter.tables["slim"]

# %% [markdown]
# ## Test AUC against budget
#
# {numref}`fig-budget-main` draws the runs the verdict above reads, seed by seed, and
# {numref}`fig-budget-large` the larger dataset. A column of panels per base model (the first row's
# title gives the full model's mean test AUC); each row compares SSEDS with two baselines, on one
# vertical scale for every panel. A method that is not retrained (`prune_only`, where a profile has
# it) falls much further and gets a row and a scale of its own. The dashed line at zero is the full
# model.

# %% [markdown]
# ```{glue:figure} fig_budget_main
# :name: fig-budget-main
#
# MovieLens-100K, ten seeds (the verdict's runs): change in test AUC against the full model of the
# same seed, by embedding budget, for each method and base model; a dot per seed, the mean with its
# 95% interval.
# ```
#
# ```{glue:figure} fig_budget_large
# :name: fig-budget-large
#
# MovieLens-1M as CTR (profile `movielens1m`, three seeds): change in test AUC against the full model
# of the same seed, by embedding budget.
# ```

# %% [markdown]
# ## Every method, every base model
#
# The default profile (three seeds) also runs DCN, PEP (both retrainings) and SSEDS without
# retraining. Mean test AUC with the half-width of its 95% interval, a row per method (the full
# model's first) and a column per base model and budget; the best method of each column is in bold. At these budgets the largest AUC
# loss of SSEDS against the full model is {glue:text}`worst_sseds_delta`
# ({glue:text}`worst_sseds_where`). PEP's budget counts non-zero entries, so PEP is compared here at
# equal non-zeros, not equal memory: stored as sparse rows with their indices, PEP at budget
# {glue:text}`pep_budget` deploys {glue:text}`pep_bytes` of the full model's embedding bytes
# ([chapter 6](06_efficiency.ipynb)).

# %% tags=["remove-input"]
chapter.tables["small"]

# %% [markdown]
# SSEDS against each of them seed by seed, as in the verdict table: in the
# {glue:text}`all_verdict_cells` cells below SSEDS is {glue:text}`all_verdict_summary`
# ({glue:text}`all_verdict_seeds` paired seeds per cell, Holm-corrected at the 5% level). With that
# few seeds a true difference of about {glue:text}`all_mdd` AUC is detected with 80% power, so these
# indistinguishable cells say that no large difference was seen, not that the methods are equal.

# %% tags=["remove-input"]
chapter.tables["paired"]

# %% [markdown]
# ## The field's other answers, at budgets 0.05 to 0.5
#
# Benchmarks of lightweight embeddings compare many more methods than the paper did, and two of their
# findings bear on SSEDS. Tran et al. (2024) find that plain magnitude pruning of single trained
# weights beats most purpose-built methods on Criteo and Avazu; Zhang et al. (VLDB 2024) find that
# compositional embeddings, which share rows instead of narrowing them, are the strongest at high
# compression. Here SSEDS meets {glue:text}`others_methods`, each at the same embedding-parameter
# fraction, on MovieLens-100K (FM, {glue:text}`others_seeds` seeds, budgets {glue:text}`others_budgets`)
# and MovieLens-1M (FM, three seeds, budget 0.1, about the size of DimGrow's head-to-head, without
# column magnitude and the fresh-start control; more would not fit the book's two-hour
# reproduction): profiles {glue:text}`others_profiles`.
# The definitions table at the top of the chapter says what each does and where it comes from.
#
# The choices, each made before any result was seen:
#
# - **Every ranked method may leave a field empty** (`min_dim` 0), the FM variant
#   [the ablation](05_ablation.ipynb) chose on validation and the rule of DimGrow's SSEDS
#   reimplementation. At $b = 0.05 < 1/D$ it is the only rule under which a ranked method exists:
#   uniform widths and one weight per value row both need $b \ge 1/16$.
# - **Uniform widths spend the budget.** The largest equal width, then the rest handed out level by
#   level, cheapest field first, until no column fits: within one column of the cheapest field of $b$
#   (earlier versions stopped at one extra column and could leave 12% of the budget unspent).
# - **AutoDim** searches per-field softmax weights over candidate widths 2, 4, 8 and 16 (shared table,
#   a linear map and batch normalisation per candidate), alternating a training step of the weights
#   with a step of the architecture weights on a validation batch (first-order), for one epoch from the
#   pretrained model. Its argmax widths rarely spend a given budget, so each column is ranked by its
#   probability of being used and the budget is filled by the allocator every ranked method uses.
# - **DimGrow's shuffle gates** mix each dimension with its batch-shuffled copy under an L1 penalty
#   on the gates, for one epoch from the pretrained model; the gates rank the columns.
# - **Weight magnitude** keeps each value row's largest weight and then the largest weights of all the
#   tables, fine-tuned from the pretrained weights (and, as a control, from a new initialisation); its
#   sparse tables pay for their indices in bytes ([chapter 6](06_efficiency.ipynb)), so at equal
#   parameters it holds more bytes than the dense methods.
# - **QR embeddings** keep the full width and share rows: value $i$ of a field is the product of row
#   $\lfloor i/k \rfloor$ of a quotient table and row $i \bmod k$ of a remainder table, with $k$ raised
#   for the largest tables until the parameters fit. Below the fewest rows two tables can have, QR does
#   not exist.
# - **The power rule's temperature** is chosen per seed and budget on validation AUC among DLRM's 0.3,
#   half and double it, every candidate retrained; its cost is those retrainings.
#
# {glue:text}`others_not_reached`

# %% tags=["remove-input"]
chapter.tables["others_auc"]

# %% [markdown]
# Seed by seed, SSEDS minus each method ({numref}`fig-others`): of the {glue:text}`others_cells`
# cells where both ran, SSEDS is better in {glue:text}`others_better`, worse in
# {glue:text}`others_worse` and indistinguishable in {glue:text}`others_indistinguishable` (paired t
# test, Holm over every cell of both datasets). What a cell could detect, at the pooled spread of
# its per-seed differences: {glue:text}`others_detectable`. An indistinguishable cell says no
# difference that large was seen, not that the two methods are equal.

# %% tags=["remove-input"]
chapter.tables["others_verdict"]

# %% [markdown]
# ```{glue:figure} fig_others
# :name: fig-others
#
# Test AUC of each method minus that of SSEDS with the same seed, by budget: MovieLens-100K (ten
# seeds) and MovieLens-1M (three, budget 0.1), FM; the mean with its 95% interval. Below zero, SSEDS
# is ahead.
# ```
#
# One number per method over the budgets, the area under its AUC-against-budget curve (AUKC, after
# ERASE): here the mean test AUC over the range on a log-budget axis, per seed, paired with SSEDS's.
# Over {glue:text}`others_ranges`, of the {glue:text}`others_aukc_tested` methods paired with SSEDS
# SSEDS's area is larger than {glue:text}`others_aukc_better`, smaller than
# {glue:text}`others_aukc_worse` and indistinguishable from {glue:text}`others_aukc_indistinguishable`
# (counting each range apart); the largest is {glue:text}`others_aukc_best`.

# %% tags=["remove-input"]
chapter.tables["others_aukc"]

# %% [markdown]
# What the benchmarks found, tested here:
#
# - {glue:text}`others_finding_magnitude` {glue:text}`others_finding_bytes`
# - {glue:text}`others_finding_qr`
#
# Fields left with no parameter, per method and budget: SSEDS and the searches drop whole fields at
# small budgets, as DimGrow reports for its SSEDS reimplementation on Avazu (13-15 of 22 fields); QR
# and the element masks keep every field.

# %% tags=["remove-input"]
chapter.tables["others_empty"]

# %% [markdown]
#
# ## Parameters actually kept
#
# The fraction of the full model's embedding parameters each method kept (the full model keeps all
# of them and is left out). The allocator never
# exceeds the budget; the achieved budget can fall short of it when no remaining column fits.
# Alignment maps (per-field $d_f \to D$ linear maps for models whose interactions need equal widths)
# are parameters outside the embedding tables. Should they count in the budget? Counting them would
# raise a method's parameter fraction by at most {glue:text}`align_max_fraction` of the full
# embedding; along the method's own budget curve that is worth at most {glue:text}`align_worst_auc`
# test AUC ({glue:text}`align_worst`), {glue:text}`align_compare` the median seed-to-seed standard
# deviation of a cell ({glue:text}`align_seed_sd`). So the budget counts the embedding tables alone,
# as the paper does, and every result row reports the alignment parameters and the total parameters
# beside them; where that worth is not smaller than the spread, a difference between methods no
# larger than it should not be read as a difference of allocation.

# %% tags=["remove-input"]
chapter.tables["kept"]
