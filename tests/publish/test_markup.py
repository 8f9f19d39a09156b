"""The literal-markup check on small pages: each kind of leak is found in prose, and nothing is reported
for the same characters where they belong (code, printed output, math, scripts)."""

import pytest

from sseds_study.publish.markup import KIND, markup_hits, problems_from_markup, visible_blocks


def page(body: str, head: str = "") -> str:
    return f"<html><head><title>t</title>{head}</head><body>{body}</body></html>"


@pytest.mark.parametrize(
    ("prose", "what"),
    [
        ("<p>The chosen pair (`align_params`, `total_params`) keeps the budget.</p>", "backtick"),
        ("<p>The planted-truth data: 10^6 generated rows.</p>", "caret as a power"),
        ("<p>Averaged over 2 run(s) and 2 seed(s).</p>", "(s) plural"),
        ("<p>Verdict: **supported** in every cell.</p>", "literal **"),
        ("<p>The gain is {glue:text}`tune_gain` here.</p>", "unrendered role"),
        ("<p>As shown before {cite:p}`qu2022sseds`.</p>", "unrendered role"),
        ("<p>See {numref}`fig-claim-params`.</p>", "unrendered role"),
        ("<table><tr><td>best over 3 fit(s)</td></tr></table>", "(s) plural"),
    ],
)
def test_each_kind_of_leak_in_prose_is_reported_once_for_the_page(prose, what):
    problems = problems_from_markup("chapters/x.html", page(prose))
    assert len(problems) == 1
    problem = problems[0]
    assert (problem.page, problem.kind) == ("chapters/x.html", KIND)
    assert what in problem.detail
    assert "\n" not in str(problem)


def test_a_leak_split_across_inline_elements_is_still_found():
    # A glued value and the prose after it are separate elements in the HTML, one sentence on screen.
    html = page('<p>over <span class="pasted-text">2 run</span>(s) of training</p>')
    assert visible_blocks(html) == ["over 2 run(s) of training"]
    assert problems_from_markup("p.html", html)


def test_the_same_characters_where_they_belong_are_not_reported():
    html = page(
        "<p>Run <code class=\"docutils literal\"><span class=\"pre\">make`x`</span></code> first.</p>"
        "<div class=\"cell_output\"><pre>fits: 2 run(s), x**2, 10^6</pre></div>"
        "<p>The bound <span class=\"math notranslate nohighlight\">\\(10^{6}\\)</span> holds.</p>"
        "<div class=\"math notranslate nohighlight\">\\[x^2 + y^2\\]</div>"
        "<div class=\"highlight-python\"><div class=\"highlight\"><pre>a ** b</pre></div></div>"
        "<script>const s = `template ${x}`; let y = a ** 2;</script>"
        "<style>p::after { content: '**'; }</style>"
        "<p>10<sup>6</sup> rows, 1,000,000 in all; runs and seeds; <strong>bold</strong>.</p>",
        head="<script>var z = `head`;</script>",
    )
    assert problems_from_markup("clean.html", html) == []


def test_blocks_do_not_run_together():
    # "10" ending one cell and "^6" starting the next is not a power on screen.
    html = page("<table><tr><td>10</td><td>^6 is a caret</td></tr></table><p>a</p><p>b</p>")
    assert visible_blocks(html) == ["10", "^6 is a caret", "a", "b"]
    assert problems_from_markup("t.html", html) == []


def test_many_leaks_on_a_page_are_counted_and_the_first_few_quoted():
    body = "".join(f"<p>row {i}: `col_{i}` over 2 seed(s)</p>" for i in range(5))
    (problem,) = problems_from_markup("many.html", page(body))
    assert problem.detail.startswith("10 places: backtick in ")
    assert "and 7 more" in problem.detail
    assert "`col_0`" in problem.detail


def test_hits_come_in_reading_order_with_context():
    hits = markup_hits("a run(s) then `b` then 10^6")
    assert [what for what, _ in hits] == ["(s) plural", "backtick", "caret as a power"]
    assert "run(s)" in hits[0][1]
