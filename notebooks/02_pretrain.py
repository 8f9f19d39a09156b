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
# # Pretraining the base models
#
# SSEDS starts from a model trained with the same width $D$ for every field. This chapter trains
# the profile's base models at full width on each of its datasets, with early stopping on validation
# AUC, over several seeds (each seed with its own train/validation/test split). The same checkpoints
# are the starting point of every search in the later chapters: they are trained once and cached.
#
# ## Tuning, the same for every method
#
# A saliency read from an overfit model ranks the wrong columns, and a baseline retrained with a badly
# set learning rate loses for reasons that have nothing to do with its widths. So before anything
# else the sweep picks, per dataset and base model, the learning rate and the embedding weight decay
# (L2 on the embedding tables, in Adam) with the best validation AUC of the full model, over the grid
# {glue:text}`tune_grid`, on the first seed. Pretraining, scoring and the retraining of every method
# then use that point ({numref}`fig-tuning`); the test split plays no part in the choice.

# %% tags=["parameters", "remove-cell"]
profile = "default"

# %% tags=["remove-input"]
from sseds_study.analysis import pretrain_chapter

# %% tags=["remove-input"]
chapter = pretrain_chapter(profile)

# %% tags=["remove-input"]
chapter.glue()

# %% [markdown]
# ```{glue:figure} fig_tuning
# :name: fig-tuning
#
# Validation AUC of the full model at each point of the tuning grid, per dataset, base model and
# learning rate; the circled point of each model is the one every run of the study uses.
# ```
#
# Against no embedding weight decay at the same learning rate, the chosen point gains
# {glue:text}`tune_gain_min:+.4f` to {glue:text}`tune_gain_max:+.4f` validation AUC. Of the
# {glue:text}`tune_chosen:d` chosen weight decays, {glue:text}`tune_decay_at_edge:d` lie at an edge of
# the grid. The learning rate is another matter: the grid has only {glue:text}`tune_lr_count:d`
# values, and {glue:text}`tune_lr_at_top:d` of the {glue:text}`tune_chosen:d` models chose its upper
# edge, {glue:text}`tune_lr_top`. A larger learning rate might have done better still; the grid
# cannot tell.

# %% tags=["remove-input"]
chapter.tables["tuned"]

# %% [markdown]
# ## Settings
#
# Every full model of this chapter is trained with the settings below, at base width
# $D$ = {glue:text}`emb_dim:d` on {glue:text}`datasets`, over {glue:text}`seeds:d` seeds; each seed has
# its own split of the data and its own initialisation. The same settings hold for the retraining of
# every method in the later chapters.

# %% tags=["remove-input"]
chapter.tables["settings"]

# %% [markdown]
# ## Learning curves
#
# Mean over seeds of the training loss and the validation AUC at each epoch
# ({numref}`fig-learning-curves`). Training stops when the validation AUC has not improved for
# {glue:text}`patience:d` epochs, or after {glue:text}`max_epochs:d` epochs; the best epoch's weights
# are kept. Of the {glue:text}`full_runs:d` full models, {glue:text}`capped_runs:d` stopped at that
# cap rather than by early stopping (a model stopped there may be under-trained); the longest run, a
# {glue:text}`longest_model` model, took {glue:text}`longest_run:d` epochs.

# %% [markdown]
# ```{glue:figure} fig_learning_curves
# :name: fig-learning-curves
#
# Training loss and validation AUC per epoch for each base model at full width (mean over seeds).
# ```
#
# ## Test metrics
#
# Test AUC and logloss of the best checkpoint: mean and 95% interval (Student t) over seeds.

# %% tags=["remove-input"]
chapter.tables["metrics"]

# %% [markdown]
# ## How much of each model is embedding
#
# The embedding tables are where SSEDS saves parameters. Their share of all parameters tells how
# much a smaller embedding can shrink the whole model.

# %% tags=["remove-input"]
chapter.tables["share"]

# %% [markdown]
# The best full-width model of this profile is {glue:text}`best_model` with a mean test AUC of
# {glue:text}`best_auc`. In every model here the embedding tables hold at least
# {glue:text}`min_emb_share` of all parameters, so the embedding budget is the model's size.
