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
# (claims)=
# # The paper's claims, one by one
#
# This chapter takes the claims of the SSEDS paper {cite:p}`qu2022sseds` one at a time and gives each
# a verdict generated from the result files: **supported**, **not supported**, **inconclusive** (the
# data cannot tell), or **not testable here** (with the reason: the runs or the data it needs are not
# in this study). The rule behind each verdict is stated in its section; the numbers behind it are
# quoted with their 95% intervals and are inserted from the results, not typed.

# %% tags=["parameters", "remove-cell"]
profile = "default"

# %% tags=["hide-input"]
from sseds_study.analysis.claims import claims_chapter

# %% tags=["hide-input"]
chapter = claims_chapter(profile)

# %% tags=["hide-input"]
print(chapter.header)

# %% tags=["hide-input", "nbval-ignore-output"]
# nbval does not compare these: claim (d)'s glued values are wall-time fractions.
chapter.glue()

# %% tags=["hide-input", "nbval-ignore-output"]
chapter.tables["overview"]

# %% [markdown]
# ## (a) About 90% fewer embedding parameters at the same AUC
#
# SSEDS at budget {glue:text}`claim_a_budget` ({glue:text}`claim_a_saving` fewer embedding parameters)
# is set against the full model trained with the same seed on the same split, and the difference of
# their test AUC is averaged over the paired seeds with a paired 95% interval (Student t). "The same
# AUC" needs a margin: a difference of {glue:text}`margin` AUC is the size of gain CTR papers usually
# call meaningful, so the claim is **supported** in a cell when the whole interval lies above
# −{glue:text}`margin`, **not supported** when it lies below, and **inconclusive** when it straddles
# (or touches) it. The table names the profile each dataset is read from (the companion profile with
# the most seeds for MovieLens-100K, the larger dataset's for MovieLens-1M) and the paired seeds.
#
# Verdict: **{glue:text}`claim_a_verdict`** (it must hold in every cell): {glue:text}`claim_a_counts`
# dataset/model cells. The lowest interval is {glue:text}`claim_a_worst`; the highest mean difference
# is {glue:text}`claim_a_best`. {glue:text}`claim_a_reasons`
# {numref}`fig-claim-params` shows every cell's interval against the margin.

# %% tags=["hide-input"]
chapter.tables["params"]

# %% [markdown]
# ```{glue:figure} fig_claim_params
# :name: fig-claim-params
#
# Test AUC of SSEDS at the claim's budget minus that of the full model of the same seed: mean over
# seeds with its 95% interval, coloured by verdict. The dashed line is the margin; a cell is supported
# when its whole interval lies to the right of it.
# ```
#
# ## (b) Model-agnostic
#
# The paper presents SSEDS as independent of the base model. Here that means claim (a) holds for every
# base model of profile {glue:text}`claim_b_profile`: supported only if supported for each, not
# supported if it fails for one. Per model: {glue:text}`claim_b_models`. Verdict:
# **{glue:text}`claim_b_verdict`**. {glue:text}`claim_b_reasons` {numref}`fig-claim-models` shows the
# intervals.

# %% tags=["hide-input"]
chapter.tables["models"]

# %% [markdown]
# ```{glue:figure} fig_claim_models
# :name: fig-claim-models
#
# Every base model of the book's profile: SSEDS minus the full model, paired by seed, with the margin
# dashed.
# ```
#
# ## (c) SSEDS's widths beat simpler allocations
#
# Widths are only worth a search if they beat widths that cost nothing to find. SSEDS is compared with
# each baseline ({glue:text}`claim_c_baselines`) at budgets {glue:text}`claim_c_budgets`, seed
# by seed, with a paired t test per cell and Holm's correction across each profile's table (the
# comparison of chapter 4). The claim is **supported** on a dataset when SSEDS is better in more than
# half of the cells and worse in none, **not supported** when it is better in none or worse at least
# as often as better, and **inconclusive** otherwise. {glue:text}`claim_c_summary`. Verdict over the
# datasets: **{glue:text}`claim_c_verdict`**. {glue:text}`claim_c_reasons` {numref}`fig-claim-baselines`
# shows every comparison.

# %% tags=["hide-input"]
chapter.tables["baselines"]

# %% [markdown]
# ```{glue:figure} fig_claim_baselines
# :name: fig-claim-baselines
#
# SSEDS minus each baseline (colour) per dataset, base model and budget: mean over paired seeds with
# its 95% interval; a hollow dot is an indistinguishable verdict after Holm's correction.
# ```
#
# ## (d) The single-shot search is cheap
#
# The claim is judged on counts, which are the same on every machine and at every load: the
# forward-and-backward passes over training batches of each search (SSEDS: its $K$ scoring batches;
# PEP: the optimizer steps of its search run), recorded in every result row beside the batches of one
# pretraining epoch. It is **supported** when SSEDS's search takes fewer passes than one pretraining
# epoch in every dataset and base model and fewer than PEP's search where PEP ran; **not supported**
# when one cell takes an epoch's passes or more, or more than PEP's. Seconds are reported beside the
# counts, as the sweep measured them (two workers on two cores, the load of each run in its row); they
# decide nothing, because a busy machine once turned this verdict from supported to inconclusive. On
# profile {glue:text}`claim_d_profile`, SSEDS's search takes {glue:text}`claim_d_passes` of a
# pretraining epoch's passes ({glue:text}`claim_d_fraction` of its seconds); {glue:text}`claim_d_pep`.
# Verdict: **{glue:text}`claim_d_verdict`**.
# {glue:text}`claim_d_reasons` See {numref}`fig-claim-cost`.
#
# ```{glue:figure} fig_claim_cost
# :name: fig-claim-cost
#
# Search time as a fraction of one pretraining epoch (log scale), SSEDS and PEP, per dataset and base
# model; the dashed line is one epoch.
# ```
#
# ## (e) Saliency finds the important dimensions
#
# Only data with a known answer can test this. On the planted-truth data (profile
# {glue:text}`claim_e_profile`) every field has a planted rank, the number of latent dimensions
# through which it acts on the label, and the `oracle` method retrains at exactly those widths. Two
# things are asked of SSEDS at budget {glue:text}`claim_e_budget`: that its widths rise with the
# planted ranks (the Spearman correlation across fields, averaged over runs, with its 95% interval
# above 0) and that it reaches the oracle's test AUC within the margin of claim (a). Correlation:
# {glue:text}`claim_e_spearman`. SSEDS minus the oracle: {glue:text}`claim_e_oracle`. Verdict (both
# must hold): **{glue:text}`claim_e_verdict`**. {glue:text}`claim_e_reasons` {numref}`fig-claim-planted`
# shows the widths.
#
# ```{glue:figure} fig_claim_planted
# :name: fig-claim-planted
#
# SSEDS's width of each field against its planted rank, one dot per field and run; on the dashed line
# the width equals the planted rank.
# ```
#
# ## (f) What cannot be tested here
#
# Verdict: **{glue:text}`claim_f_verdict`**. The paper's accuracy claims are made on
# {glue:text}`claim_f_data`. And {glue:text}`claim_f_online`. The claims above are therefore tested
# on data anyone can download, at sizes a laptop can run; whether they carry over to the paper's scale
# is left to a reader with the machine.
#
# ## Practical advice
#
# What should a practitioner with a parameter budget use? For each dataset, base model and budget, the
# table gives the method with the best mean test AUC, its lead over the runner-up and over uniform
# widths (paired over seeds, Holm-corrected across the table), and the advice: uniform widths, which
# need no pretraining and no search, unless the best method beats them by a distinguishable margin.
# {glue:text}`advice_summary` Uniform widths are the advice in {glue:text}`advice_cheapest` cells.

# %% tags=["hide-input"]
chapter.tables["advice"]
