"""YAML files: read as UTF-8 text by the one reader, parsed strictly (duplicate keys, alias bombs,
recursive aliases and overlong numbers refused), every refusal one line naming the file and line."""

from __future__ import annotations

import time

import pytest

from sseds_study.config import ConfigError, from_dict, load_yaml
from sseds_study.config.settings import SearchConfig
from sseds_study.config.yamlfile import MAX_NODES, parse_yaml


def _one_line(exc) -> str:
    text = str(exc.value)
    assert "\n" not in text, text
    return text


def _bomb_text(levels=9, key="estimator") -> str:
    text = f'{key}: [&a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]'
    for i in range(1, levels):
        name, prev = chr(ord("a") + i), chr(ord("a") + i - 1)
        text += f", &{name} [" + ", ".join([f"*{prev}"] * 9) + "]"
    return text + "]\n"


@pytest.mark.parametrize("text, line, key", [
    ("budgets: [0.5]\nseeds: [0]\nbudgets: [1.0]\n", 3, "budgets"),
    ("train:\n  lr: 0.1\n  seed: 1\n  lr: 0.2\n", 4, "lr"),  # inside a nested mapping
    ("a: {x: 1, x: 2}\n", 1, "x"),  # flow style
    ("datasets:\n  - name: a\n    options: {rows: 1}\n    name: b\n", 4, "name"),  # inside a list
    ("1: a\n1.0: b\n", 2, "1.0"),  # equal keys spelled differently would overwrite each other too
])
def test_a_key_given_twice_is_refused_naming_it_and_both_lines(tmp_path, text, line, key):
    path = tmp_path / "p.yaml"
    path.write_text(text)
    with pytest.raises(ConfigError) as exc:
        load_yaml(path)
    assert _one_line(exc).startswith(f"{path}, line {line}, column ")
    assert f"key {key!r} is given twice" in str(exc.value) or f"key {key} is given twice" in str(exc.value)
    assert "first on line" in str(exc.value)


def test_merge_keys_still_override(tmp_path):
    path = tmp_path / "p.yaml"
    path.write_text("base: &b {lr: 0.1, seed: 1}\ntrain:\n  <<: *b\n  lr: 0.2\n")
    assert load_yaml(path)["train"] == {"lr": 0.2, "seed": 1}


def test_an_alias_bomb_is_refused_at_once_wherever_it_is(tmp_path):
    for key in ("estimator", "colour"):  # a setting that would fail validation, and an unknown one
        path = tmp_path / f"{key}.yaml"
        path.write_text(_bomb_text(key=key))
        start = time.perf_counter()
        with pytest.raises(ConfigError) as exc:
            load_yaml(path)
        assert time.perf_counter() - start < 2
        assert f"expands to more than {MAX_NODES:,} values through its aliases" in _one_line(exc)
        assert str(exc.value).startswith(f"{path}, line 1, column ")


def test_a_small_expansion_is_allowed(tmp_path):
    path = tmp_path / "p.yaml"
    path.write_text(_bomb_text(levels=3))  # 9**4 leaves: under the cap
    assert len(load_yaml(path)["estimator"]) == 3


@pytest.mark.parametrize("key", ["estimator", "num_batches"])
def test_a_refused_value_of_billions_of_leaves_is_quoted_short_and_at_once(key):
    """The message of a setting that fails validation quotes the value through errors.show, whatever
    its size: here a value of 9**10 leaves built in Python, past any loader."""
    value = ["lol"] * 9
    for _ in range(9):
        value = [value] * 9
    start = time.perf_counter()
    with pytest.raises(ConfigError) as exc:
        from_dict(SearchConfig, {key: value})
    assert time.perf_counter() - start < 1 and len(_one_line(exc)) < 300
    assert str(exc.value).startswith(f"search.{key}: expected ")


def test_a_recursive_alias_is_refused(tmp_path):
    path = tmp_path / "p.yaml"
    path.write_text("variants: &v [*v]\n")
    with pytest.raises(ConfigError, match=r"line 1, column \d+: an alias \(\*name\) refers to the value that "
                                          r"contains it") as exc:
        load_yaml(path)
    _one_line(exc)


def test_a_number_too_long_for_python_is_refused(tmp_path):
    path = tmp_path / "p.yaml"
    path.write_text("seeds: [" + "1" * 5000 + "]\n")
    with pytest.raises(ConfigError, match=r"line 1, column 9: the number '1111.*' is too long") as exc:
        load_yaml(path)
    assert len(_one_line(exc)) < 300


@pytest.mark.parametrize("content, message", [
    (b"# caf\xe9\nname: x\n", r"p.yaml, line 1: not UTF-8 text \(byte 0xe9 at position 6 of the line, byte offset "
                               r"5 of the file\); save the file as UTF-8"),
    (b"name: x\nseeds: [0]  # \xff\n", r"p.yaml, line 2: not UTF-8 text \(byte 0xff at position 15 of the line, "
                                      r"byte offset 22 of the file\)"),
    (b"\x1f\x8b\x08\x00rest", r"p.yaml: compressed \(gzip\); decompress it first"),
    (b"\xff\xfen\x00a\x00", r"p.yaml: UTF-16 text; save it as UTF-8"),
    (b"name: [unclosed\n", r"p.yaml, line 2, column 1: not valid YAML: "),
])
def test_a_file_that_is_not_yaml_text_is_one_line(tmp_path, content, message):
    path = tmp_path / "p.yaml"
    path.write_bytes(content)
    with pytest.raises(ConfigError, match=message) as exc:
        load_yaml(path)
    _one_line(exc)


def test_a_byte_order_mark_is_read_past(tmp_path):
    path = tmp_path / "p.yaml"
    path.write_bytes(b"\xef\xbb\xbfname: x\n")
    assert load_yaml(path) == {"name": "x"}


def test_a_folder_or_a_missing_file(tmp_path):
    (tmp_path / "d.yaml").mkdir()
    with pytest.raises(ConfigError, match=r"d.yaml: is a folder; expected a config file"):
        load_yaml(tmp_path / "d.yaml")
    with pytest.raises(ConfigError, match=r"nope.yaml: config file not found"):
        load_yaml(tmp_path / "nope.yaml")
    (tmp_path / "link.yaml").symlink_to(tmp_path / "gone.yaml")
    with pytest.raises(ConfigError, match=r"link.yaml: a symbolic link to .*gone.yaml, which does not exist"):
        load_yaml(tmp_path / "link.yaml")


def test_parse_yaml_names_its_source():
    with pytest.raises(ConfigError, match=r"^x.yaml, line 1, column 8: key 'a' is given twice"):
        parse_yaml("a: 1\na: 2\n".replace("\n", ", ").join("{}"), "x.yaml")
