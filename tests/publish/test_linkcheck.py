from sseds_study.publish.linkcheck import Served, problems_from_links

SERVED = {
    "chapters/02_pretrain.html": Served(200, 100, '<h2 id="learning-curves">x</h2>'),
    "_images/abc.png": Served(200, 5000),
    "_images/empty.png": Served(200, 0),
    "_static/theme.css": Served(200, 300),
}


def fetch(path):
    return SERVED.get(path, Served(404))


def details(page, html):
    return [p.detail for p in problems_from_links(page, html, fetch)]


def test_served_links_are_fine():
    html = '<a href="02_pretrain.html#learning-curves">n</a><img src="../_images/abc.png"><link href="../_static/theme.css?v=1">'
    assert details("chapters/01_data.html", html) == []


def test_a_missing_file_names_the_tag_and_status():
    problems = problems_from_links("chapters/01_data.html", '<img src="../_images/gone.png">', fetch)
    assert [str(p) for p in problems] == ["chapters/01_data.html: broken link: <img src='../_images/gone.png'>: HTTP 404"]


def test_an_empty_file_is_broken():
    assert details("chapters/01_data.html", '<img src="../_images/empty.png">') == [
        "<img src='../_images/empty.png'>: an empty file"
    ]


def test_missing_fragments_here_and_elsewhere():
    html = '<h1 id="top">t</h1><a href="#top">ok</a><a href="#nowhere">x</a><a href="02_pretrain.html#gone">y</a>'
    assert details("chapters/01_data.html", html) == [
        "#nowhere: no #nowhere on this page",
        "02_pretrain.html#gone: no #gone in chapters/02_pretrain.html",
    ]


def test_external_and_inert_links_are_not_fetched():
    def refuse(path):
        raise AssertionError(f"fetched {path}")

    html = '<a href="https://example.org">e</a><a href="mailto:a@b.c">m</a><img src="data:image/png;base64,AA"><a href="#">top</a>'
    assert problems_from_links("intro.html", html, refuse) == []
