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
# # What each search costs, and what it deploys
#
# SSEDS presents itself as a cheap alternative to searching embedding sizes *during* training. This
# chapter measures that claim against PEP {cite:p}`liu2021pep`, which learns a soft threshold on
# every embedding entry while the model trains, and against the baselines that need no search at
# all. Three questions:
#
# 1. **Search cost.** The wall time and the forward-and-backward passes of each method's search
#    stage, separate from pretraining and retraining, as a fraction of one pretraining epoch.
# 2. **Deployed size.** The bytes of embedding storage a server would hold: dense tables of the
#    allocated widths for SSEDS and the column baselines; for PEP's unstructured masks, compressed
#    sparse rows (CSR) with their index overhead counted (a 1-byte column index per kept value and
#    a 4-byte pointer per value of every field that keeps anything).
# 3. **Scoring speed.** Time per 1,000 test rows at batch 1 and batch 4,096 against the full model,
#    all models timed in one process, on one thread.

# %% tags=["parameters", "remove-cell"]
profile = "default"

# %% tags=["remove-input"]
from sseds_study.analysis import efficiency_chapter

# %% tags=["remove-input"]
chapter = efficiency_chapter(profile)

# %% tags=["remove-cell"]
print(chapter.header)

# %% tags=["remove-input", "nbval-ignore-output"]
# nbval does not compare these: several glued values are wall-time fractions (search cost, latency).
chapter.glue()

# %% [markdown]
# ## PEP as run here
#
# PEP replaces every embedding entry $v$ by $\mathrm{sign}(v)\,\mathrm{relu}(|v| - g(s))$ with a
# learnable threshold $s$ and $g = \mathrm{sigmoid}$. One search run per dataset, base model and seed
# trains the model from the same initial weights as its pretraining, with thresholds of granularity
# {glue:text}`pep_granularity`, starting at $s_0 =$ {glue:text}`pep_threshold_init`, trained by Adam
# with learning rate {glue:text}`pep_threshold_lr` and L2 weight decay
# {glue:text}`pep_threshold_weight_decay` on $s$, and L2 weight decay {glue:text}`pep_weight_decay`
# on every other parameter, embeddings included (PEP's reference code uses one decay for all
# parameters). The decay on $s$ is what raises the thresholds, but it pulls $s$ towards 0, so on its
# own it stops at $g(0) = 1/2$; the decay on the embeddings shrinks the entries the loss does not hold
# up until the thresholds overtake them. At the first step where the fraction of non-zero embedding
# entries falls to a budget of the profile, the element mask is saved; the run stops as soon as
# every budget has its mask (at most {glue:text}`pep_max_epochs` epochs), never on validation AUC,
# and it never reads the test split. Each mask is then retrained twice with the study's training
# settings: from the search run's initial weights (`pep`, PEP's "rewind" after the lottery-ticket
# hypothesis) and from a fresh random initialisation (`pep_fresh`).
#
# The settings were chosen on validation data only, by `scripts/choose_pep_settings.py` on
# MovieLens-100K with the default profile's models and first seed: first the threshold schedule
# (initial value, learning rate and decays) at one granularity, then the granularity under that
# schedule. A candidate whose search does not reach the smallest budget within the epoch cap is
# out; among the others, the best mean validation AUC of the rewind retrains at budgets 0.2, 0.1
# and 0.05 wins. The tables below are the script's output (`configs/pep_selection/`). PEP's reference
# values (thresholds from $-15$, the model's learning rate, L2 $10^{-5}$ on every parameter) still
# kept {glue:text}`pep_reference_kept` of the entries after the epoch cap: with 40 steps an epoch
# their thresholds barely move. The granularities that reached every budget
# ({glue:text}`pep_granularities_reached`) lie within {glue:text}`pep_granularity_spread` of each
# other in score, at one seed: the granularity matters little here.

# %% tags=["remove-input"]
chapter.tables["pep_settings"]

# %% tags=["remove-input"]
chapter.tables["pep_selection"]

# %% [markdown]
# ## Search cost
#
# The first table gives the wall time of the search stage (SSEDS: {glue:text}`sseds_K` scoring
# batches of the pretrained model; PEP: its whole search run, validation included;
# {glue:text}`cost_baselines`: the allocation alone) as a fraction of one pretraining epoch of the same
# model; the second counts its forward-and-backward passes over training batches, as a fraction of
# the batches of one epoch.
# SSEDS's search costs {glue:text}`sseds_epoch_fraction` of an epoch in time
# ({glue:text}`sseds_pass_fraction` in passes): one epoch here is only {glue:text}`epoch_passes`
# batches, so $K$ batches are a large part of it; on a dataset with more batches an epoch, the same
# $K$ would be a smaller part. PEP's search costs {glue:text}`pep_epoch_fraction` pretraining epochs
# ({glue:text}`pep_search_epochs` epochs of training with thresholds): {glue:text}`pep_vs_sseds_passes`
# times the passes of SSEDS's search ({glue:text}`pep_vs_sseds_cost` times its seconds). The passes
# are the same on every machine; the seconds are as measured during the sweep.

# %% tags=["remove-input", "nbval-ignore-output"]
chapter.tables["cost"]

# %% tags=["remove-input"]
chapter.tables["cost_passes"]

# %% [markdown]
# ## Deployed bytes against test AUC
#
# The full model's whole embedding takes {glue:text}`full_emb_kib` KiB here, so at this scale the
# absolute bytes are trivial; what carries over to larger tables is the fractions below.
# Each point of {numref}`fig-pareto-movielens` is a retrained method at one budget (mean over seeds,
# with its 95% interval); the grey step line is the Pareto front, the best AUC reached at each size.
# The table gives each method's
# deployed bytes as a fraction of the full model's. PEP's CSR tables take
# {glue:text}`pep_index_overhead` times the bytes of their kept values alone; at the budgets of the
# table below, its deployed tables are {glue:text}`pep_vs_sseds_bytes_verdict` SSEDS's dense ones
# ({glue:text}`pep_vs_sseds_bytes` times their bytes). At most
# {glue:text}`pep_empty_values` values (rows) ended with no parameter at all under PEP, against
# {glue:text}`sseds_empty_values` under SSEDS, which here keeps at least one dimension of every field.

# %% [markdown]
# ```{glue:figure} fig_pareto_movielens100k
# :name: fig-pareto-movielens
#
# MovieLens-100K: test AUC against the deployed embedding storage, per base model.
# ```

# %% tags=["remove-input"]
chapter.tables["deployed"]

# %% [markdown]
# ## Scoring latency
#
# The full model's time per 1,000 test rows, and each slim model's time as a ratio to it, measured
# in the same run (first seed's models, one thread, the models timed in turn within each repetition).
# At batch 1 the dense slim models took {glue:text}`latency_dense_batch1` times the full model's time
# and PEP's CSR model {glue:text}`latency_pep_batch1`; at batch 4,096 the dense slim models took
# {glue:text}`latency_dense_batch4096` and PEP's {glue:text}`latency_pep_batch4096`. Each range
# comes from one timing run and has no interval; where it spans 1, neither faster nor slower can be
# read from it. These are timings: ratios this close to 1 move with the machine and its load (between two executions of this
# chapter on one machine, one moved from above 1.1 to below it), so the book draws no verdict from
# them. The count beside them is the same everywhere: a dense slim model reads
# {glue:text}`dense_values_share` of the full model's embedding values per row.
# A likely reason, not measured here (no profile of the scoring time), is that smaller tables save
# little compute in a CTR model: the lookup is one gather, and mixed widths split it into one gather per distinct width and add the alignment
# maps of the models that need equal widths, small operations whose fixed cost dominates at batch 1.
# PEP's rows are rebuilt from CSR by a few tensor operations per table (no dedicated kernel), which
# costs most at large batches.

# %% tags=["remove-input", "nbval-ignore-output"]
chapter.tables["latency"]

# %% [markdown]
# ## The field's other methods: cost, bytes and latency
#
# The methods [chapter 4](04_budget.ipynb) sets against SSEDS at budgets 0.05 to 0.5 (profile
# {glue:text}`others_cost_profile`), at $b$ = {glue:text}`others_cost_budget`. The costliest search is
# {glue:text}`others_cost_max`; the tuned power rule pays for its choice with the retraining of its
# other candidates. At equal parameters the element masks hold the most bytes, their column indices
# and row pointers on top of the values: {glue:text}`others_bytes_max`. QR's tables are dense and
# full-width, with fewer rows.

# %% tags=["remove-input", "nbval-ignore-output"]
# nbval does not compare this table: its search seconds are wall times.
chapter.tables["others_cost"]

# %% [markdown]
# The same methods' deployed bytes at every budget of the comparison: at equal parameters the element
# masks pay for their indices, so they are compared with the others at more bytes than their budget
# says.

# %% tags=["remove-input"]
chapter.tables["others_bytes"]

# %% [markdown]
# Scoring time relative to the full model, measured as in the previous section (one timing run, no
# interval, so no verdict): the slowest is {glue:text}`others_latency_max`. A QR lookup is two gathers
# and a product per field; a CSR table is rebuilt per batch.

# %% tags=["remove-input", "nbval-ignore-output"]
chapter.tables["others_latency"]

# %% [markdown]
# ## PEP: rewind against a fresh initialisation
#
# The same mask, retrained from the search run's initial weights and from a fresh initialisation;
# the difference in test AUC per seed (same seed, same mask), its mean and paired 95% interval, and
# the verdict of the paired t test, Holm-corrected across the table (its mark in each cell):
# {glue:text}`rewind_verdict` (mean differences {glue:text}`rewind_delta_range`).

# %% tags=["remove-input"]
chapter.tables["rewind"]
