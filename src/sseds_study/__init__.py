"""sseds_study: a reproducible study of single-shot embedding dimension search (SSEDS) for CTR models.

Importing the package pins torch's numerical mode (``numerics``: ``SSEDS_NUMERICS``, default
"reproducible") before torch computes anything, so a seed gives the same bits on every x86-64 machine
with AVX2.
"""

from .numerics import apply as _apply_numerics

__version__ = "0.1.0"

_apply_numerics()
