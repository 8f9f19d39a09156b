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
# What the models see: how many values each field has, how unevenly they are used, how much a single
# value says about a click, and how much is missing; the book's first chapter, on this table, with the
# same statistics and figures. Every statistic is computed on the training split of the profile's
# split seed.

# %% tags=["parameters", "remove-cell"]
profile = "smoke"

# %% tags=["hide-input"]
from sseds_study.analysis.data import profile_data_chapter

# %% tags=["hide-input"]
chapter = profile_data_chapter(profile)

# %% tags=["hide-input"]
print(chapter.header)

# %% tags=["hide-input"]
chapter.glue()

# %% [markdown]
# ## Fields and vocabularies
#
# {glue:text}`data_name` has {glue:text}`data_rows:,d` rows and {glue:text}`data_fields:d` fields
# ({glue:text}`data_kinds`); {glue:text}`data_pos_rate:.1%` of its rows are clicks. A full model of
# base width $D$ holds $D$ times {glue:text}`data_emb_rows:,d` embedding parameters (the sum of the
# vocabulary sizes), {glue:text}`data_largest_share:.0%` of them in field {glue:text}`data_largest`.
# Per field: its kind, vocabulary size (the out-of-vocabulary row included), columns (a multi-valued
# field has several), the share of raw rows with no value and of validation and test values never
# seen in training; a column that is zero for every field is left out. At most
# {glue:text}`data_missing_max:.2%` of a field's raw rows have no value; the fields with values never
# seen in training: {glue:text}`data_unseen_fields` (at most {glue:text}`data_unseen_valid:.2%` of
# the validation values and {glue:text}`data_unseen_test:.2%` of the test values).

# %% tags=["hide-input"]
chapter.tables["summary"]

# %% [markdown]
# From the training split: how many distinct values occur, the share of the most frequent one, the
# share of rows whose value is rare (seen fewer than ten times), and how much a single value says
# about a click. The raw spread of the per-value click rates would mislead: a value seen a few dozen
# times has a rate that scatters by chance even when it says nothing about the label. So the table
# gives the spread left after subtracting that binomial noise, and the share of values whose rate
# lies outside the band a value of no signal stays in (the grey band of
# {numref}`fig-data-positive`); a field that carries nothing keeps about 5% of its values outside it.

# %% tags=["hide-input"]
chapter.tables["fields"]

# %% [markdown]
# ```{glue:figure} fig_data_cardinality
# :name: fig-data-cardinality
#
# Vocabulary size of each field (log scale): the parameter cost of one embedding dimension of it.
# ```
#
# ```{glue:figure} fig_data_popularity
# :name: fig-data-popularity
#
# Feature popularity: occurrences of each value against its rank within the field (log-log).
# ```
#
# ```{glue:figure} fig_data_positive
# :name: fig-data-positive
#
# Positive rate of the rows holding each value, against how often the value occurs; the grey band is
# where a value that says nothing about the label would fall.
# ```

