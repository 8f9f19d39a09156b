"""Criteo Display Advertising Challenge data: loading into the encoded cache, and encoding Criteo-format
files at scale.

Modules, each importing only those below it:

* ``loader``: :func:`load_criteo` (the dataset registry's loader) and :func:`download_criteo`;
* ``fast_path``: the polars path, fitting the vocabularies and both passes, the general pipeline's arrays;
* ``encoder``: :class:`FittedEncoder`, encoding against fitted vocabularies block by block;
* ``frames``: blocks of whole lines parsed by polars, the pieces both passes share;
* ``block_encoder``, ``kernel``, ``key_table``: the compiled pass (numba, the ``fast`` extra);
* ``layout``: the columns, the file formats and :class:`FileSpec`;
* ``synth``: :func:`write_criteo_file`, seeded raw Criteo-format files for tests and benchmarks.
"""

from __future__ import annotations

from .encoder import FittedEncoder, iter_encoded_blocks
from .fast_path import encode_files, fit_vocabularies
from .frames import FastPathUnsupported
from .layout import CAT_FIELDS, INT_FIELDS, FileSpec, detect_format
from .loader import criteo_fields, download_criteo, load_criteo
from .synth import write_criteo_file

__all__ = [
    "CAT_FIELDS", "INT_FIELDS", "FastPathUnsupported", "FileSpec", "FittedEncoder", "criteo_fields", "detect_format",
    "download_criteo", "encode_files", "fit_vocabularies", "iter_encoded_blocks", "load_criteo", "write_criteo_file",
]
