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
# quoted with their 95% intervals and are inserted from the results, not typed. Every verdict, with
# the scope it holds in, the cells and the Holm family it used, is computed once, from the result
# files; the overview below, chapter 4's count and
# the landing page all read that one table. A verdict holds in its scope: MovieLens-100K and
# MovieLens-1M at an embedding width D of {glue:text}`claim_a_dim`, not the paper's data or scale.

# %% tags=["parameters", "remove-cell"]
profile = "default"

# %% tags=["remove-input"]
from sseds_study.analysis.claims import claims_chapter

# %% tags=["remove-input"]
chapter = claims_chapter(profile)

# %% tags=["remove-cell"]
print(chapter.header)

# %% tags=["remove-input", "nbval-ignore-output"]
# nbval does not compare these: claim (d)'s glued values are wall-time fractions.
chapter.glue()

# %% tags=["remove-input", "nbval-ignore-output"]
chapter.tables["overview"]

# %% [markdown]
# ## (a) About 90% fewer embedding parameters at the same AUC
#
# SSEDS at budget {glue:text}`claim_a_budget` ({glue:text}`claim_a_saving` fewer embedding parameters)
# is set against the full model trained with the same seed on the same split, and the difference of
# their test AUC is averaged over the paired seeds with a paired 95% interval (Student t). "The same
# AUC" is a one-sided non-inferiority test: SSEDS may lose at most a margin of {glue:text}`margin`
# AUC. The size is borrowed from the DCN paper, which calls an improvement of 0.001 in logloss
# practically significant for CTR prediction {cite:p}`wang2017dcn`; AUC and logloss are different
# scales, so the margin takes that size as a convention, not as an equal effect. In each cell the test
# reads the 95% interval (a one-sided test at 2.5%): **non-inferior** (the claim is supported there)
# when the whole interval lies above −{glue:text}`margin`, **equivalent within the margin** when it
# also lies below +{glue:text}`margin`, **inferior** (not supported) when the whole interval lies
# below −{glue:text}`margin`, and **inconclusive** when it straddles or touches it. MovieLens-100K is
# read from the ten-seed runs, MovieLens-1M from its three-seed runs; the table gives each cell's seeds.
#
# Verdict: **{glue:text}`claim_a_verdict`** on {glue:text}`claim_a_scope`. The claim must hold in every
# cell; of the {glue:text}`claim_a_cells` cells, {glue:text}`claim_a_inferior` are inferior,
# {glue:text}`claim_a_non_inferior` non-inferior, {glue:text}`claim_a_equivalent` equivalent within the
# margin and {glue:text}`claim_a_inconclusive` inconclusive. The interval reaching lowest is
# {glue:text}`claim_a_worst`; the highest mean difference is {glue:text}`claim_a_best`. No cell needs
# a multiplicity correction: the claim is supported only if every cell passes its own test.
# {numref}`fig-claim-params` shows every cell's interval against the margin.

# %% tags=["remove-input"]
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
# The paper presents SSEDS as independent of the base model. Read literally, that is claim (a) for
# every base model: supported only if supported for each, not supported if it fails for one. Each
# model is judged once, on its best evidence: the cells of claim (a) (ten seeds on MovieLens-100K,
# three on MovieLens-1M), and only for a model those runs lack ({glue:text}`claim_b_fallback`) the
# {glue:text}`claim_b_fallback_seeds`-seed runs of the book's default profile. Verdict:
# **{glue:text}`claim_b_verdict`** ({glue:text}`claim_b_scope`); the table gives each model's cells and
# {numref}`fig-claim-models` their intervals.

# %% tags=["remove-input"]
chapter.tables["models"]

# %% [markdown]
# Read that way, (b) only repeats (a) per model. A sharper question is whether SSEDS behaves the same
# on different base models: whether the gap it leaves is the same size. Every model of a seed is
# trained on the same split, so the gap of one model and that of another pair by seed. For
# {glue:text}`claim_b_gap_models` over {glue:text}`claim_b_gap_full_seeds` seeds, the difference
# between their gaps to the full model is {glue:text}`claim_b_gap_full`
# ({glue:text}`claim_b_gap_full_verdict`), and between their gaps to uniform widths
# {glue:text}`claim_b_gap_uniform` ({glue:text}`claim_b_gap_uniform_verdict`). An interval about zero
# says the data show no difference between models; its width says how large a difference it could
# still hide.

# %% tags=["remove-input"]
chapter.tables["consistency"]

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
# each baseline ({glue:text}`claim_c_baselines`) at budgets {glue:text}`claim_c_budgets`, seed by seed,
# with a paired t test per cell. The {glue:text}`claim_c_cells` cells are one Holm family: chapter 4's
# verdict table, both datasets together, because every one of them bears on this one claim; a family
# per dataset would let the verdict depend on how the runs happen to be split into profiles. Of the
# {glue:text}`claim_c_cells` cells, SSEDS is better in {glue:text}`claim_c_better`, worse in
# {glue:text}`claim_c_worse` and indistinguishable in {glue:text}`claim_c_indistinguishable`, the same
# count as chapter 4's, by construction.
#
# The rule per dataset: **supported** when SSEDS is better in more than half of the cells and worse in
# none; **not supported** when it is worse in some cells and at least as often as better, or better in
# none although the design could have detected a gain of the margin; **inconclusive** otherwise. A
# dataset where every cell is indistinguishable and the design cannot detect gains that small is
# absence of evidence, so it reads inconclusive, not "not supported": the table's detectable gain says
# how large a gain each dataset's design could have seen. Verdict over the datasets:
# **{glue:text}`claim_c_verdict`** ({glue:text}`claim_c_scope`). {numref}`fig-claim-baselines` shows
# every comparison.

# %% tags=["remove-input"]
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
# MovieLens-100K (three seeds, every base model), SSEDS's search takes {glue:text}`claim_d_passes` of a
# pretraining epoch's passes ({glue:text}`claim_d_fraction` of its seconds); PEP's search takes
# {glue:text}`claim_d_pep_passes` times as many passes ({glue:text}`claim_d_pep_seconds` times the
# seconds). Verdict: **{glue:text}`claim_d_verdict`**, relative to PEP and to one pretraining epoch.
# The search is cheap because it follows a pretraining; what is cheap in absolute terms depends on the
# size of an epoch. See {numref}`fig-claim-cost`.
#
# A practitioner pays for the whole pipeline, not the search alone. Counted in training passes from the
# same rows at budget {glue:text}`claim_d_end_budget`, SSEDS (pretraining, scoring, retraining) costs
# {glue:text}`claim_d_sseds_end` times one training at uniform widths of the same seed, and PEP (its
# search run, then retraining) {glue:text}`claim_d_pep_end` times. Uniform widths need neither a
# pretrained model nor a search, which is most of the reason the advice below prefers them.

# %% tags=["remove-input"]
chapter.tables["end_to_end"]

# %% [markdown]
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
# Only data with a known answer can test this. On the planted-truth data every field has a planted
# rank, the number of latent dimensions through which it acts on the label, and the oracle method
# retrains at exactly those widths. The data's logit has exactly the form of an FM, so this is the
# well-specified best case for an FM and for a saliency read from one. Two things are asked of SSEDS
# (FM, {glue:text}`claim_e_seeds` seeds): that its widths rise with the planted ranks (the Spearman
# correlation across fields, averaged over seeds, with its 95% interval above 0) and that it is
# non-inferior to the oracle's test AUC at the margin of claim (a). At budget
# {glue:text}`claim_e_budget`, which is {glue:text}`claim_e_ratio` times the oracle's own
# {glue:text}`claim_e_oracle_budget`, the correlation is {glue:text}`claim_e_spearman` and SSEDS minus
# the oracle {glue:text}`claim_e_oracle`. Verdict (both must hold): **{glue:text}`claim_e_verdict`** at
# that budget. At the smaller budget {glue:text}`claim_e_low_budget`, where the one-dimension floor of
# the two noise fields takes much of the budget, the correlation is {glue:text}`claim_e_low_spearman`
# and SSEDS minus the oracle {glue:text}`claim_e_low_oracle`: {glue:text}`claim_e_low_verdict`. So the
# claim holds on planted FM data at a budget well above the oracle's, with two seeds; on MovieLens the
# same saliency agrees only weakly with the exact drop-column importance ([chapter 3](03_search.ipynb)).
# {numref}`fig-claim-planted` shows the widths.
#
# ```{glue:figure} fig_claim_planted
# :name: fig-claim-planted
#
# SSEDS's width of each field against its planted rank at budget {glue:text}`claim_e_budget`, one dot
# per field and seed; the dashed line is the oracle, whose width is the planted rank. The oracle keeps
# a fraction {glue:text}`claim_e_oracle_budget` of the embedding parameters, so this budget is
# {glue:text}`claim_e_ratio` times the oracle's, and the dots sit above the line.
# ```
#
# ## (f) What cannot be tested here
#
# Verdict: **{glue:text}`claim_f_verdict`**. The paper's accuracy claims are made on
# {glue:text}`claim_f_data`: at full size one fit takes hours on the two CPU cores this book is built
# on, and a claim needs dozens of fits (every method, budget and seed), so the profile
# {glue:text}`claim_f_profile` is provided for a machine with the data and a GPU, but not run here. The
# online A/B test needs a production system and its live traffic, which no reproduction outside the
# authors' company has. The claims above are therefore tested on data anyone can download, at sizes a
# laptop can run; whether they carry over to the paper's scale is left to a reader with the machine.
#
# ## The smallest difference each design can detect
#
# "Indistinguishable" means the 95% interval of a paired difference contains 0 after Holm's
# correction; it does not mean the methods are equal. How small a real difference a design can see
# depends on its seeds and on the spread of the per-seed differences. On {glue:text}`mdd_dataset` with
# {glue:text}`mdd_seeds` seeds, the standard deviation of the per-seed differences SSEDS − uniform and
# SSEDS − full, pooled over {glue:text}`mdd_cells` cells (both base models, both budgets), is
# {glue:text}`mdd_sd` ({glue:text}`mdd_sd_uniform` for SSEDS − uniform, {glue:text}`mdd_sd_full` for
# SSEDS − full). At that spread a paired t test at two-sided 5% detects, with 80% power, a true
# difference of about {glue:text}`mdd_n10` with ten seeds, {glue:text}`mdd_n5` with five,
# {glue:text}`mdd_n3` with three and {glue:text}`mdd_n2` with two, before Holm's correction raises it.
# Every design here is blind to differences of the margin's size, 0.001.

# %% tags=["remove-input"]
chapter.tables["power"]

# %% [markdown]
#
# ## Practical advice
#
# What should a practitioner with a parameter budget use? For each dataset, base model and budget, the
# table gives the method with the best mean test AUC, its lead over the runner-up and over uniform
# widths (paired over seeds, Holm-corrected across the table), and the advice: uniform widths, which
# need no pretraining and no search, unless the best method beats them by a distinguishable margin.
# Uniform widths are the advice in {glue:text}`advice_cheapest` cells; the best method's lead over the
# runner-up is distinguishable in {glue:text}`advice_distinct` of {glue:text}`advice_cells`. A "—" in
# the last lead column marks a cell where uniform widths are themselves the best.

# %% tags=["remove-input"]
chapter.tables["advice"]
