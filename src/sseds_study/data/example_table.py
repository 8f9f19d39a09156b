"""A generated click table shaped like a user's: what ``sseds init`` and ``sseds report`` are tested
and timed on (``make report-check``, the timings of the "Run this study on your data" page).

Columns (all seeded by ``seed``):

* ``click``: the 0/1 label, drawn from a logistic model of the columns below;
* ``user``, ``item``: categorical ids with Zipf-like popularity (a few frequent values, a long tail);
  ``user`` and ``item`` interact through a planted 4-dimensional latent factor;
* ``site``: categorical with 30 values and an additive effect; ``device``: codes 1..5 (whole
  numbers with few levels) with an additive effect;
* ``price``: a positive float (log-normal) with a small monotone effect; ``age``: whole numbers
  18..80, missing in 5% of the rows;
* ``tags``: multi-valued, 0 to 4 tags from 40 joined by ``|`` (empty when none), each with an effect;
* ``row_id``: an identifier (a value per row), and ``source``: one value in every row; neither says
  anything about the label, and ``init`` should propose to ignore both.
"""

from __future__ import annotations

import csv
from pathlib import Path

import numpy as np

from ..fileio import atomic_path

COLUMNS = ("row_id", "user", "item", "site", "device", "price", "age", "tags", "source", "click")


def _zipf(rng: np.random.Generator, n: int, size: int, a: float = 1.1) -> np.ndarray:
    p = (np.arange(n) + 1.0) ** -a
    return rng.choice(n, size=size, p=p / p.sum())


def example_columns(rows: int, seed: int = 0) -> dict[str, np.ndarray | list]:
    """The table's columns as arrays (``tags`` as lists of tag names; ``age`` None where missing)."""
    rng = np.random.default_rng(seed)
    n_users, n_items = max(50, rows // 40), max(30, rows // 100)
    user, item = _zipf(rng, n_users, rows), _zipf(rng, n_items, rows)
    site, device = rng.integers(0, 30, rows), rng.integers(1, 6, rows)
    price = np.round(rng.lognormal(3.0, 1.0, rows), 2)
    age = rng.integers(18, 81, rows)
    n_tags = rng.integers(0, 5, rows)
    tag_effect = rng.normal(0, 0.4, 40)
    tags = [sorted(rng.choice(40, k, replace=False).tolist()) for k in n_tags]
    u, v = rng.normal(0, 1, (n_users, 4)), rng.normal(0, 1, (n_items, 4))
    logit = (0.6 * np.einsum("ij,ij->i", u[user], v[item]) + rng.normal(0, 0.5, 30)[site]
             + rng.normal(0, 0.3, 6)[device] + 0.15 * np.log1p(price) + 0.01 * (age - 45)
             + np.array([tag_effect[t].sum() for t in tags]) - 1.2)
    click = (rng.random(rows) < 1 / (1 + np.exp(-logit))).astype(int)
    missing_age = rng.random(rows) < 0.05
    return {"row_id": np.arange(1, rows + 1), "user": [f"u{x}" for x in user], "item": [f"i{x}" for x in item],
            "site": [f"s{x}.example" for x in site], "device": device, "price": price,
            "age": [None if m else int(a) for a, m in zip(age, missing_age, strict=True)],
            "tags": [[f"t{t}" for t in ts] for ts in tags], "source": ["web"] * rows, "click": click}


def write_example_table(path, rows: int = 5000, seed: int = 0) -> Path:
    """Write the table as CSV at ``path`` (atomically); returns the path."""
    cols = example_columns(rows, seed)
    path = Path(path)
    with atomic_path(path) as tmp, open(tmp, "w", newline="") as fh:
        out = csv.writer(fh)
        out.writerow(COLUMNS)
        for i in range(rows):
            out.writerow([cols["row_id"][i], cols["user"][i], cols["item"][i], cols["site"][i], cols["device"][i],
                          f"{cols['price'][i]:.2f}", "" if cols["age"][i] is None else cols["age"][i],
                          "|".join(cols["tags"][i]), cols["source"][i], cols["click"][i]])
    return path
