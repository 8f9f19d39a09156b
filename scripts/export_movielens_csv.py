"""MovieLens-100K (or -1M) as a plain CSV table, to try `sseds init` and `sseds report` on data whose
answer the book already gives (chapter 4's verdict).

The rows are the data layer's, in its order (``data.movielens.read_movielens_zip`` on the verified
source file it downloads or finds in ``$SSEDS_DATA_DIR/raw``): the label ``click`` (rating >= 4),
the categorical fields user, item, age, gender, occupation, zip_code and release_year, and the
multi-valued ``genres`` with its genres joined by ``|``. Missing values are empty cells.

    python scripts/export_movielens_csv.py OUT.csv [--dataset movielens100k]
"""

from __future__ import annotations

import argparse
import csv
import sys
from pathlib import Path

from sseds_study.data.movielens import FIELDS, fetch_movielens, read_movielens_zip
from sseds_study.data.paths import default_cache_dir, raw_dir
from sseds_study.fileio import atomic_path


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", type=Path)
    parser.add_argument("--dataset", default="movielens100k", choices=("movielens100k", "movielens1m"))
    args = parser.parse_args()
    found = fetch_movielens(args.dataset, raw_dir(default_cache_dir()), progress=False)
    columns, labels = read_movielens_zip(found["file"], args.dataset)
    with atomic_path(args.out) as tmp, open(tmp, "w", newline="") as fh:
        out = csv.writer(fh)
        out.writerow(["click", *FIELDS])
        for i, label in enumerate(labels):
            row = [columns[f][i] for f in FIELDS]
            genres = FIELDS.index("genres")
            row[genres] = "|".join(row[genres].split()) if row[genres] else None
            out.writerow([int(label), *("" if v is None else v for v in row)])
    print(f"{args.out}: {len(labels):,} rows, label click and {', '.join(FIELDS)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
