"""Figures: encoded datasets and result tables -> matplotlib figures. No training and no file I/O.

* ``style.py``: the one convention every figure follows, and the colours and markers of methods;
* ``data.py``: figures of an encoded dataset (the data chapter);
* ``results.py``: figures of result tables (pretraining, search, budget and ablation chapters).

Every function returns a :class:`matplotlib.figure.Figure` that is already closed (a notebook shows
it once, where it is glued or displayed) and titled with the dataset(s), their number of rows and the
study profile, so that a figure copied out of the book still says what it shows. The per-field
statistics behind the data figures live in :mod:`sseds_study.data.stats`.
"""
