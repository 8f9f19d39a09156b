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

# %% tags=["hide-input"]
from sseds_study.analysis import data_chapter

# %% tags=["hide-input"]
chapter = data_chapter(profile)

# %% tags=["hide-input"]
chapter.glue()

# %% [markdown]
# ## MovieLens-100K
#
# The same MovieLens-100K is used in every profile; it is small enough.

# %% tags=["hide-input"]
chapter.tables["ml_summary"]

# %% [markdown]
# The encoded dataset has {glue:text}`ml_rows:,d` rows and {glue:text}`ml_fields:d` fields, and
# {glue:text}`ml_pos_rate:.1%` of its rows are clicks. With the base width $D$, a full model holds
# $D$ times {glue:text}`ml_emb_rows:,d` embedding parameters (the sum of the vocabulary sizes).
# {numref}`fig-ml-cardinality` to {numref}`fig-ml-missing` below show the same fields graphically.
# The table above gives, per field, its kind, its vocabulary size (the out-of-vocabulary row included),
# its number of columns (a multi-valued field has several), the share of raw rows with no value, and
# the share of validation and test values never seen in training. The table below adds, from the
# training split, how many distinct values occur, the share of the most frequent value, the share of
# rows whose value is rare (seen fewer than ten times), and the spread of the per-value positive
# rates (standard deviation over the values seen at least ten times).

# %% tags=["hide-input"]
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
# ```{glue:figure} fig_ml_missing
# :name: fig-ml-missing
#
# Share of raw rows with a missing value, and share of validation and test values mapped to the
# out-of-vocabulary id because training never saw them, per field.
# ```
#
# The field cardinalities ({numref}`fig-ml-cardinality`) set the cost of a dimension: a width on
# the item or user field costs far more parameters than one on the gender field. Popularity
# ({numref}`fig-ml-popularity`) follows a long tail, the per-value click rates
# ({numref}`fig-ml-positive`) show which fields carry signal one value at a time, and the missing
# and unseen values ({numref}`fig-ml-missing`) show what falls back on the out-of-vocabulary row.
#
# ## MovieLens-1M
#
# The larger real dataset of the budget chapter: the same fields as MovieLens-100K, ten times the
# ratings (profile `movielens1m`).

# %% tags=["hide-input"]
chapter.tables["large_summary"]

# %% [markdown]
# ## Synthetic data with a planted truth
#
# The planted-truth dataset is {glue:text}`syn_name`, read as the profile {glue:text}`syn_profile`
# generates it (the book's profile is {glue:text}`profile`).

# %% tags=["hide-input"]
chapter.tables["syn_summary"]

# %% [markdown]
# The synthetic dataset has {glue:text}`syn_rows:,d` rows, {glue:text}`syn_fields:d` fields and a
# positive rate of {glue:text}`syn_pos_rate:.1%`. Only {glue:text}`syn_relevant:d` fields take part
# in the label; the planted rank of a field is the number of latent dimensions through which it
# acts, so it is the width an ideal search would give it. The true logits reach an AUC of
# {glue:text}`syn_bayes_auc:.3f`: no model can do better on this data. {numref}`fig-syn-cardinality`
# to {numref}`fig-syn-missing` show its fields as the MovieLens figures above show those of
# MovieLens-100K.

# %% tags=["hide-input"]
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
# ```{glue:figure} fig_syn_popularity
# :name: fig-syn-popularity
#
# Feature popularity of the synthetic fields: values are drawn with Zipf-like popularity, so every
# field has a few frequent values and a long tail.
# ```
#
# ```{glue:figure} fig_syn_positive
# :name: fig-syn-positive
#
# Positive rate per value of the synthetic fields. The label depends on pairs of fields, so a
# single value's positive rate shows only part of a field's importance: a field can matter through
# its interactions while its values, one at a time, stay close to the overall rate.
# ```
#
# ```{glue:figure} fig_syn_missing
# :name: fig-syn-missing
#
# Missing values and out-of-vocabulary ids of the synthetic fields. The generator leaves no value
# missing; only values that never occur in the training split become the out-of-vocabulary id.
# ```
