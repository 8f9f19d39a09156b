from sseds_study.publish.probe import PROBE, RAW_MATH_MARKERS, problems_from_probe


def details(probe):
    return [(p.kind, p.detail) for p in problems_from_probe("chapters/03_search.html", probe)]


def test_a_clean_page_has_no_problem():
    probe = {
        "images": [{"src": "../_images/a.png", "loaded": True, "blank": False, "naturalWidth": 640}],
        "math": 2,
        "mathjax": True,
        "unrendered": [],
        "mathErrors": [],
        "rawMath": [],
    }
    assert details(probe) == []


def test_broken_and_blank_images():
    probe = {
        "images": [
            {"src": "../_images/gone.png", "loaded": False, "blank": False},
            {"src": "../_images/white.png", "loaded": True, "blank": True},
        ]
    }
    assert details(probe) == [
        ("broken image", "../_images/gone.png did not load (naturalWidth 0)"),
        ("blank image", "../_images/white.png is a single colour"),
    ]


def test_math_without_mathjax_is_one_problem_not_one_per_formula():
    probe = {"math": 3, "mathjax": False, "unrendered": ["\\(a\\)", "\\(b\\)", "\\(c\\)"]}
    assert details(probe) == [("math not rendered", "MathJax did not load; 3 formulas left as TeX")]


def test_unrendered_formulas_errors_and_raw_tex():
    probe = {"math": 2, "mathjax": True, "unrendered": ["\\[ s_{f,j} \\]"], "mathErrors": ["Undefined control sequence \\foo"], "rawMath": ["budget $$b$$ here"]}
    assert details(probe) == [
        ("math not rendered", "\\[ s_{f,j} \\]"),
        ("math not rendered", "MathJax error: Undefined control sequence \\foo"),
        ("raw math", "TeX delimiters in the text: 'budget $$b$$ here'"),
    ]


def test_the_probe_script_carries_every_marker():
    for marker in RAW_MATH_MARKERS:
        assert marker.replace("\\", "\\\\") in PROBE


def test_tables_and_display_math_wider_than_the_column():
    probe = {"wide": [{"kind": "table", "text": "budget", "width": 880, "column": 688},
                      {"kind": "math", "text": "s = 1", "width": 700, "column": 688},
                      {"kind": "output", "text": "profile default", "width": 900, "column": 688}]}
    assert details(probe) == [
        ("wide table", "table starting 'budget' is 880 px wide in a column of 688 px: cut at the right edge"),
        ("wide math", "display math starting 's = 1' is 700 px wide in a column of 688 px: cut at the right edge"),
        ("wide output", "printed output starting 'profile default' is 900 px wide in a column of 688 px: cut at the "
                        "right edge"),
    ]
