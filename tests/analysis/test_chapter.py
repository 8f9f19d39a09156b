"""The chapter container (analysis/chapter.py)."""

from sseds_study.analysis.chapter import HEADER_WIDTH, Chapter


def test_a_long_header_line_wraps_to_the_text_column():
    line = ("profile default: 153 runs, 0 failed; datasets ['movielens100k'], models ['FM', 'DeepFM', 'DCN'], "
            "seeds [0, 1, 2]")
    chapter = Chapter(header=f"{line}\nshort line")
    lines = chapter.header.splitlines()
    assert all(len(x) <= HEADER_WIDTH for x in lines)
    assert lines[0].startswith("profile default") and lines[1].startswith("    ") and lines[-1] == "short line"
    assert " ".join(x.strip() for x in lines[:-1]) == line  # nothing lost, no word broken


def test_a_short_header_is_left_alone():
    assert Chapter(header="profile smoke: 3 runs").header == "profile smoke: 3 runs"


def test_glue_keeps_numbers_and_glues_markdown_as_markdown(monkeypatch):
    from IPython.display import Markdown

    from sseds_study.analysis import chapter as module

    glued = {}
    monkeypatch.setattr(module, "glue", lambda name, value, display: glued.setdefault(name, (value, display)))
    Chapter(header="h", text={"rows": 100_000, "name": "smoke"}, markdown={"list": "`a` and `b`"}).glue()
    assert glued["rows"] == (100_000, False) and glued["name"] == ("smoke", False)  # a number stays one
    value, display = glued["list"]
    assert isinstance(value, Markdown) and value.data == "`a` and `b`" and display is False
