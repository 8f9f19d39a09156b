"""Error messages quote a user's value through ``errors.show``: bounded in time and in length."""

from __future__ import annotations

import time

from sseds_study.errors import ConfigError, DataFormatError, TextFileError, show, show_names


def _bomb(levels=9, width=9):
    value = ["lol"] * width
    for _ in range(levels):
        value = [value] * width  # shared, as YAML aliases are: width**levels leaves, few objects
    return value


def test_a_value_of_billions_of_leaves_is_shown_at_once():
    start = time.perf_counter()
    text = show(_bomb())
    assert time.perf_counter() - start < 0.5 and len(text) <= 160 and text.endswith("...")


def test_long_strings_and_numbers_are_cut():
    assert len(show("x" * 100_000)) <= 160
    assert show(10**5000) == "<an integer of about 5,000 digits>"  # repr() of it raises ValueError
    assert show(2**64) == "18446744073709551616" and show("abc") == "'abc'" and show([1, 2]) == "[1, 2]"


def test_a_long_list_of_names_is_cut_with_a_count():
    assert show_names(f"c{i}" for i in range(10_001)) == ("c0, c1, c2, c3, c4, c5, c6, c7, c8, c9, c10, c11, ... "
                                                          "(9,989 more)")
    assert show_names(["a", "b"]) == "a, b"


def test_a_text_file_error_is_both_a_data_and_a_config_error():
    exc = TextFileError("p.yaml", 3, "not UTF-8 text")
    assert isinstance(exc, ConfigError) and isinstance(exc, DataFormatError) and str(exc) == "p.yaml, line 3: not UTF-8 text"
