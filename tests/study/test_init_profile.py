"""``sseds init``'s profile: the book's protocol on the table, a comment on every choice, the data path
relative to the profile's folder, checked before it is written, never over a file unasked."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from sseds_study.data.example_table import write_example_table
from sseds_study.data.inspect import declare, inspect_table
from sseds_study.errors import ConfigError, SsedsError
from sseds_study.study.init_profile import profile_name, profile_text, relative_data_path, write_profile
from sseds_study.study.profile import load_study
from sseds_study.study.tiers import book_protocol, get_tier, tier_of


@pytest.fixture(scope="module")
def table(tmp_path_factory):
    return write_example_table(tmp_path_factory.mktemp("data") / "clicks.csv", rows=800, seed=2)


def _write(table, out, tier="full", **declared):
    report = declare(inspect_table(table, "click"), declared)
    text = profile_text(report, name=profile_name(out), data_path=relative_data_path(table, out), tier=tier,
                        source="sseds init ...")
    return write_profile(out, text), text


def test_the_profile_loads_with_the_tables_columns_and_the_books_protocol(table, tmp_path):
    out, text = _write(table, tmp_path / "profiles" / "clicks.yaml")
    study = load_study(out)
    data = study.datasets[0]
    assert data.name == "table" and data.options["label"] == "click"
    assert data.options["categorical"] == ["user", "item", "site", "device", "age"]
    assert data.options["numeric"] == ["price"] and data.options["multi"] == ["tags"]
    assert data.options["multi_sep"] == "|"
    written = yaml.safe_load(text)["datasets"][0]["options"]["path"]
    assert written.startswith("../") and Path(data.options["path"]).resolve() == table.resolve()  # from its folder
    assert tier_of(study) == "full" and study.name == "clicks"
    protocol = book_protocol()
    assert study.search.min_dim == protocol["search"]["min_dim"] and study.split_per_seed
    assert study.tune.lr == tuple(protocol["tune"]["lr"])


def test_every_choice_has_a_comment_and_doubts_are_marked(table, tmp_path):
    _, text = _write(table, tmp_path / "clicks.yaml")
    for line in text.splitlines():
        if line.strip() and not line.lstrip().startswith(("#", "- name: table", "datasets:", "options:")) \
                and not line.rstrip().endswith(":"):
            assert "#" in line or line.startswith("name:"), line
    assert "#   row_id  ? " in text and "identifier" in text  # left out, with the reason and the doubt
    assert "'?' marks 2 column(s)" in text and "# Command: sseds init ..." in text
    assert "        - age     # ? whole numbers, 63 distinct: ids or codes" in text


def test_quick_tier_and_declarations(table, tmp_path):
    out, text = _write(table, tmp_path / "q.yaml", tier="quick", numeric=["row_id"], ignore=["tags"])
    study = load_study(out)
    assert tier_of(study) == "quick" and study.seeds == get_tier("quick").seeds
    assert "row_id" in study.datasets[0].options["numeric"] and "multi" not in study.datasets[0].options
    assert "declared numeric" in text


def test_an_existing_profile_is_kept_unless_forced(table, tmp_path):
    out, _ = _write(table, tmp_path / "clicks.yaml")
    before = out.read_text()
    with pytest.raises(SsedsError, match="exists; pass --force"):
        _write(table, out)
    assert out.read_text() == before
    write_profile(out, before.replace("name: clicks", "name: again"), force=True)
    assert load_study(out).name == "again"


def test_a_profile_that_does_not_load_is_never_written(tmp_path):
    out = tmp_path / "bad.yaml"
    with pytest.raises(SsedsError, match="cannot read"):
        write_profile(out, "name: bad\ndatasets: []\n")
    assert list(tmp_path.iterdir()) == []
    with pytest.raises(SsedsError, match="ending in .yaml"):
        write_profile(tmp_path / "bad.txt", "name: x\n")


def test_profile_names_come_from_the_file_name(tmp_path):
    assert profile_name(tmp_path / "my clicks (v2).yaml") == "my_clicks_v2"
    with pytest.raises(ConfigError):
        profile_name(tmp_path / "((.yaml")
