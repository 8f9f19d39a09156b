from sseds_study.publish.pages import (
    discover_pages,
    is_chapter,
    is_redirect,
    redirect_target,
    screenshot_name,
)


def test_discover_pages_skips_asset_folders(tmp_path):
    for path in ["intro.html", "chapters/01_data.html", "search.html", "_static/x.html", "_sources/y.html", "a.css"]:
        (tmp_path / path).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / path).write_text("<html></html>")
    assert discover_pages(tmp_path) == ["chapters/01_data.html", "intro.html", "search.html"]


def test_discover_pages_of_a_missing_build_is_empty(tmp_path):
    assert discover_pages(tmp_path / "nothing") == []


def test_redirects_and_generated_pages_are_not_chapters():
    redirect = '<meta http-equiv="Refresh" content="0; url=intro.html" />'
    assert is_redirect(redirect)
    assert not is_chapter("index.html", redirect)
    assert not is_chapter("genindex.html", "<html></html>")
    assert not is_chapter("search.html", "<html></html>")
    assert is_chapter("chapters/01_data.html", "<html><h1>The data</h1></html>")


def test_screenshot_name_is_the_stem_unless_taken():
    assert screenshot_name("chapters/01_data.html", set()) == "01_data.png"
    assert screenshot_name("intro.html", set()) == "intro.png"
    assert screenshot_name("appendix/01_data.html", {"01_data.png"}) == "appendix-01_data.png"


def test_redirect_target():
    assert redirect_target('<meta http-equiv="Refresh" content="0; url=intro.html" />') == "intro.html"
    assert redirect_target("<meta http-equiv='refresh' content='5;URL=chapters/01_data.html'>") == "chapters/01_data.html"
    assert redirect_target("<html><h1>The data</h1></html>") is None
