"""publish/figurecheck.py: the smallest text size travels in the PNG, and the rule that fails a figure
shown too small or with text too small on screen."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import pytest  # noqa: E402

from sseds_study.figures import style  # noqa: E402
from sseds_study.publish.figurecheck import (  # noqa: E402
    MIN_TEXT_PX,
    figure_problems,
    image_file,
    png_text,
    smallest_text,
)


def _figure(tick_pt: float):
    with style.book_style():
        fig, ax = plt.subplots(figsize=(style.BOOK_WIDTH, 2.0), layout="constrained")
        ax.plot([0, 1], [0, 1])
        ax.tick_params(labelsize=tick_pt)
        ax.set_xlabel("x", fontsize=14)
    return style.finish(fig, "a headline", "d, 10 rows, profile smoke")


def test_the_png_is_the_column_width_and_records_its_smallest_text():
    data = style.figure_png(_figure(tick_pt=8))
    assert int.from_bytes(data[16:20], "big") == style.CONTENT_PX  # IHDR width: the natural width
    assert smallest_text(data) == pytest.approx(8 * 100 / 72, abs=0.01)  # the 8-point ticks, in pixels
    text = png_text(data)
    assert text["Title"] == "a headline" and text["Description"] == "d, 10 rows, profile smoke"


def test_an_image_without_the_record_has_no_text_size():
    assert smallest_text(b"not a png") is None
    fig, ax = plt.subplots()
    import io
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png")
    plt.close(fig)
    assert smallest_text(buffer.getvalue()) is None


def test_rule_passes_a_figure_at_natural_size_with_readable_text():
    images = [{"src": "a.png", "naturalWidth": 672, "width": 672, "number": "Fig. 3", "caption": "Fig. 3 Rates."}]
    assert figure_problems("p.html", images, lambda src: 13.9) == []


def test_rule_fails_a_scaled_down_figure_and_its_shrunken_text():
    # 861 px shown at 672 (78%): the 11-px text renders at 8.6 px
    images = [{"src": "a.png", "naturalWidth": 861, "width": 672, "number": "Fig. 17",
               "caption": "Fig. 17 Test AUC change."}]
    problems = figure_problems("chapters/04_budget.html", images, lambda src: 11.0)
    assert [p.kind for p in problems] == ["figure scaled down", "figure text too small"]
    assert all(p.page == "chapters/04_budget.html" and p.detail.startswith("Fig. 17 (Test AUC change.)")
               for p in problems)
    assert "8.6 px" in problems[1].detail


def test_rule_fails_small_text_at_natural_size_and_skips_unknown_or_hidden_images():
    small = {"src": "s.png", "naturalWidth": 600, "width": 600, "number": "", "caption": ""}
    assert [p.kind for p in figure_problems("p.html", [small], lambda src: MIN_TEXT_PX - 0.5)] == [
        "figure text too small"]
    assert figure_problems("p.html", [small], lambda src: None) == []  # no record: only the width is judged
    folded = {**small, "width": 0}
    assert figure_problems("p.html", [folded], lambda src: 1.0) == []
    assert "s.png" in figure_problems("p.html", [{**small, "width": 500}], lambda src: None)[0].detail


def test_image_file_resolves_against_the_page(tmp_path):
    (tmp_path / "_images").mkdir()
    (tmp_path / "_images" / "f.png").write_bytes(b"x")
    assert image_file(tmp_path, "chapters/04_budget.html", "../_images/f.png") == (tmp_path / "_images/f.png").resolve()
    assert image_file(tmp_path, "chapters/04_budget.html", "data:image/png;base64,AAAA") is None
    assert image_file(tmp_path, "index.html", "_images/missing.png") is None
