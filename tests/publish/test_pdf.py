import pytest

from sseds_study.publish.cdp import BrowserError
from sseds_study.publish.pdf import COLUMN_PX, FLAT_PAGE, PAPER, page_count, single_page


def test_single_page_follows_the_index_redirect(tmp_path):
    (tmp_path / "index.html").write_text('<meta http-equiv="Refresh" content="0; url=intro.html" />')
    (tmp_path / "intro.html").write_text("<html></html>")
    assert single_page(tmp_path) == "intro.html"


def test_single_page_without_index_is_the_only_page(tmp_path):
    (tmp_path / "intro.html").write_text("<html></html>")
    assert single_page(tmp_path) == "intro.html"


def test_single_page_of_an_empty_build_says_what_to_build(tmp_path):
    with pytest.raises(BrowserError, match="singlehtml"):
        single_page(tmp_path)


def test_page_count_counts_page_objects_not_the_page_tree():
    pdf = b"%PDF-1.4\n1 0 obj << /Type /Pages /Kids [2 0 R 3 0 R] /Count 2 >>\n2 0 obj << /Type /Page >>\n3 0 obj <</Type/Page/Parent 1 0 R>>\n"
    assert page_count(pdf) == 2


def test_the_column_is_a4_less_the_margins():
    assert PAPER["paperWidth"] == 8.27
    assert COLUMN_PX == round((8.27 - 1.2) * 96)


def test_a_root_page_in_a_folder_is_printed_from_a_copy_at_the_top(tmp_path):
    # singlehtml writes chapters/00_summary.html with links made for the top folder (_images/...)
    (tmp_path / "chapters").mkdir()
    (tmp_path / "chapters" / "00_summary.html").write_text('<img src="_images/a.png">')
    (tmp_path / "index.html").write_text('<meta http-equiv="Refresh" content="0; url=chapters/00_summary.html" />')
    assert single_page(tmp_path) == FLAT_PAGE
    assert (tmp_path / FLAT_PAGE).read_text() == '<img src="_images/a.png">'
