"""sseds_study.analysis exports what its ``__all__`` names."""

from __future__ import annotations

import sseds_study.analysis as analysis


def test_every_name_in_all_is_exported():
    assert [name for name in analysis.__all__ if not hasattr(analysis, name)] == []
