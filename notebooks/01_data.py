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
# # The data
#
# Before any model is trained, this chapter looks at what the models will see: how many values each
# field has, how unevenly those values are used, how much a single value says about a click, and how
# much is missing. These are the quantities an embedding-size method reacts to. A field with many
# values costs many parameters per embedding dimension, so the parameter budget of SSEDS weighs it
# heavily; a field whose values hardly move the click rate should need few dimensions.
#
# Three datasets are used in the book. **MovieLens-100K** is the small real dataset: a rating of
# 4 or 5 counts as a click, and the fields describe the user, the movie and its genres (a multi-valued
# field). **MovieLens-1M** is its ten times larger sibling with the same fields. The **planted-truth
# data** are generated: some fields act on the label through a known number of latent dimensions, the
# others not at all, so we know which widths a search should find. Every statistic below is computed
# on the training split, which is what the vocabularies and the models are built from.

# %% tags=["parameters", "remove-cell"]
profile = "default"

# %% tags=["remove-input"]
from sseds_study.analysis import data_chapter

# %% tags=["remove-input"]
chapter = data_chapter(profile)

# %% tags=["remove-input"]
chapter.glue()

# %% [markdown]
# ## MovieLens-100K
#
# The same MovieLens-100K is used in every profile; it is small enough.

# %% tags=["remove-input"]
chapter.tables["ml_summary"]

# %% [markdown]
# The encoded dataset has {glue:text}`ml_rows:,d` rows and {glue:text}`ml_fields:d` fields, and
# {glue:text}`ml_pos_rate:.1%` of its rows are clicks. With the base width $D$, a full model holds
# $D$ times {glue:text}`ml_emb_rows:,d` embedding parameters (the sum of the vocabulary sizes).
# {numref}`fig-ml-cardinality` to {numref}`fig-ml-positive` below show the same fields graphically.
#
# A positive rate above one half is not the regime of click-through data, where typically 2% to 20%
# of rows are clicks and the vocabularies are far larger and sparser: whatever this book finds on
# MovieLens transfers to click-through practice only with that caveat.
#
# The vocabularies are built on the training split. The dataset describes 1,682 movies, but only
# {glue:text}`ml_items_seen:,d` of them occur in the training split; the item vocabulary holds those
# plus one out-of-vocabulary row, {glue:text}`ml_item_vocab:,d` in all, and a movie seen only in
# validation or test maps to that row. No field of the three datasets has a missing raw value, so the
# table leaves that column out, and only the {glue:text}`ml_unseen_fields` field has values never
# seen in training: at most {glue:text}`ml_unseen_valid:.2%` of its validation values and
# {glue:text}`ml_unseen_test:.2%` of its test values. In the other two datasets the largest such
# share is {glue:text}`other_unseen_max:.2%`. Missing and unseen values therefore play no part in
# what follows.
#
# The table below describes how each field's values are used in the training split and how much a
# single value says about a click. The spread of the per-value click rates alone would mislead: a
# value seen a few dozen times has a click rate that scatters widely by chance even when it says
# nothing about the label, so a field of many rare values shows a large spread made of noise. The
# table therefore gives the spread left after subtracting that binomial noise, and the share of the
# values whose rate lies outside the band a value of no signal stays in (the grey band of
# {numref}`fig-ml-positive`); a field that carries nothing keeps about 5% of its values outside it.

# %% tags=["remove-input"]
chapter.tables["ml_fields"]

# %% [markdown]
# ```{glue:figure} fig_ml_cardinality
# :name: fig-ml-cardinality
#
# Vocabulary size of each MovieLens-100K field (log scale, out-of-vocabulary row included). The
# user, item and zip-code fields hold most embedding rows, so they dominate the parameter cost of
# every embedding dimension.
# ```
#
# ```{glue:figure} fig_ml_popularity
# :name: fig-ml-popularity
#
# Feature popularity: occurrences of each value against its rank within the field (log-log). A
# steep curve means a few values carry most rows; the long tail of rarely seen items is where an
# embedding has little data to learn from.
# ```
#
# ```{glue:figure} fig_ml_positive
# :name: fig-ml-positive
#
# Positive rate of the rows holding each value, against how often the value occurs. The grey band
# is where a value that says nothing about the label would fall (two standard errors around the
# overall rate); values well outside it carry signal.
# ```
#
# The field cardinalities ({numref}`fig-ml-cardinality`) set the cost of a dimension: a width on
# the item or user field costs far more parameters than one on the gender field. Popularity
# ({numref}`fig-ml-popularity`) follows a long tail, and the per-value click rates
# ({numref}`fig-ml-positive`) show which fields carry signal one value at a time.
#
# ### What this means for width search
#
# The three largest fields ({glue:text}`ml_large_fields`) hold {glue:text}`ml_large_share:.0%` of
# the embedding rows, so nearly every parameter a width search saves or spends is a dimension of one
# of them. A search that gives every field at least one dimension, as SSEDS does by default, spends a
# fixed part of the budget before it chooses anything: one dimension per field costs the sum of the
# vocabulary sizes, which is a fraction $1/(bD)$ of a budget $b$ of the full model's $D$ dimensions.
# At $D$ = {glue:text}`ml_emb_dim:d` that floor takes {glue:text}`ml_floor_01:.1%` of the budget at
# $b$ = 0.1 and {glue:text}`ml_floor_02:.1%` at $b$ = 0.2. What is left at $b$ = 0.1 pays for
# {glue:text}`ml_left_01:.1f` of one more dimension on every field, less than the
# {glue:text}`ml_large_share:.0%` a second dimension on the three large fields alone would cost: the
# whole choice is about which of them gets a second dimension, and how many the small fields get.
#
# ## MovieLens-1M
#
# The larger real dataset of the budget chapter has the same fields as MovieLens-100K and ten times
# the ratings: {glue:text}`large_rows:,d` rows, of which {glue:text}`large_pos_rate:.1%` are clicks,
# and {glue:text}`large_emb_rows:,d` embedding rows. One field differs in kind: MovieLens-100K gives
# each user's age in years ({glue:text}`ml_age_vocab:d` values with the out-of-vocabulary row), while
# MovieLens-1M publishes only seven age groups ({glue:text}`large_age_vocab:d` values).

# %% tags=["remove-input"]
chapter.tables["large_summary"]

# %% tags=["remove-input"]
chapter.tables["large_fields"]

# %% [markdown]
# ## Synthetic data with a planted truth
#
# The planted-truth dataset is {glue:text}`syn_name`, read as the profile {glue:text}`syn_profile`
# generates it (the book's profile is {glue:text}`profile`).

# %% [markdown]
# The synthetic dataset has {glue:text}`syn_rows:,d` rows, {glue:text}`syn_fields:d` fields and a
# positive rate of {glue:text}`syn_pos_rate:.1%`. Only {glue:text}`syn_relevant:d` fields take part
# in the label; the planted rank of a field is the number of latent dimensions through which it
# acts, so it is the width an ideal search would give it. The true logits reach an AUC of
# {glue:text}`syn_bayes_auc:.3f`: no model can do better on this data. {numref}`fig-syn-cardinality`
# and {numref}`fig-syn-positive` show its fields as the MovieLens figures above show those of
# MovieLens-100K. The generator draws each field's values with a Zipf-like popularity, so every field
# has a few frequent values and a long tail.
#
# The planted truth checks the signal statistics of the tables: the noise fields
# ({glue:text}`syn_noise_fields`) leave a click-rate spread beyond noise of at most
# {glue:text}`syn_noise_excess_spread:.4f` against at least {glue:text}`syn_relevant_excess_spread:.4f`
# for a relevant field, and at most {glue:text}`syn_noise_outside_band:.0%` of their values outside
# the band against at least {glue:text}`syn_relevant_outside_band:.0%`. Both statistics rank the noise
# fields lowest. The raw spread of the click rates did not: a noise field of 2,000 rare values spread
# as much as the relevant ones.

# %% tags=["remove-input"]
chapter.tables["syn_truth"]

# %% [markdown]
# ```{glue:figure} fig_syn_cardinality
# :name: fig-syn-cardinality
#
# Vocabulary size of each field of the planted-truth data: the parameter cost of one dimension of a
# field. Where the vocabularies differ, a width search under a parameter budget weighs cost against
# saliency; the planted ranks are unrelated to the vocabulary sizes.
# ```
#
# ```{glue:figure} fig_syn_positive
# :name: fig-syn-positive
#
# Positive rate per value of the planted-truth fields, each panel titled with the field's planted
# rank. The label depends on pairs of fields, so a single value's positive rate shows only part of a
# field's importance; the values of the noise fields leave the grey band of no signal about as often
# as chance alone would make them.
# ```
