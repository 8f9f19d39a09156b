from sseds_study.publish.report import Problem, format_report, plural, shorten, sort_problems


def test_a_problem_reads_page_kind_detail():
    assert str(Problem("intro.html", "broken image", "a.png did not load")) == "intro.html: broken image: a.png did not load"


def test_sort_groups_by_page_then_kind_order_and_drops_repeats():
    problems = [
        Problem("b.html", "console error", "x"),
        Problem("a.html", "uncaught exception", "y"),
        Problem("a.html", "broken link", "z"),
        Problem("a.html", "broken link", "z"),
    ]
    assert sort_problems(problems) == [
        Problem("a.html", "broken link", "z"),
        Problem("a.html", "uncaught exception", "y"),
        Problem("b.html", "console error", "x"),
    ]


def test_format_report_ends_with_a_summary():
    pages = ["a.html", "b.html", "c.html"]
    assert format_report(pages, [], screenshots=2) == "book check: 3 pages, 0 problems; 2 screenshots"
    report = format_report(pages, [Problem("a.html", "raw math", "$$"), Problem("b.html", "raw math", "$$")])
    assert report.splitlines() == [
        "a.html: raw math: $$",
        "b.html: raw math: $$",
        "book check: 3 pages, 2 problems on 2 pages",
    ]


def test_shorten_keeps_one_line():
    assert shorten("a\n  b\tc") == "a b c"
    assert shorten("x" * 300, 10) == "xxxxxxx..."


def test_plural():
    assert plural(1, "page") == "1 page"
    assert plural(0, "problem") == "0 problems"
    assert format_report(["a.html"], [Problem("a.html", "raw math", "$$")]).splitlines()[-1] == "book check: 1 page, 1 problem on 1 page"
