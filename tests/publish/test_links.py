from sseds_study.publish.links import Link, anchor_ids, extract_links, is_inert, is_local, resolve

PAGE = """<html><head>
<link rel="stylesheet" href="../_static/styles/theme.css?digest=abc">
<script src="../_static/mathjax/tex-chtml.js"></script>
<script>const inline = 1;</script>
</head><body>
<h1 id="the-data">The data</h1>
<a class="headerlink" href="#the-data">#</a>
<a href="02_pretrain.html#learning-curves">next</a>
<a href="https://example.org/paper">paper</a>
<a href="mailto:someone@example.org">mail</a>
<a name="old-anchor"></a>
<img src="../_images/abc.png" alt="figure" srcset="../_images/abc.png 1x, ../_images/abc@2x.png 2x">
<img src="data:image/png;base64,AAAA">
<a href="">empty</a>
</body></html>"""


def test_extract_links_keeps_document_order_and_the_attribute():
    links = extract_links(PAGE)
    assert links[0] == Link("link", "href", "../_static/styles/theme.css?digest=abc")
    assert links[1] == Link("script", "src", "../_static/mathjax/tex-chtml.js")
    assert Link("a", "href", "#the-data") in links
    assert Link("img", "srcset", "../_images/abc@2x.png") in links
    assert all(link.url for link in links)  # an empty href is not a link to check


def test_anchor_ids_has_ids_and_old_style_names():
    assert {"the-data", "old-anchor"} <= anchor_ids(PAGE)


def test_local_and_inert_urls():
    assert is_local("../_images/abc.png")
    assert is_local("#the-data")
    assert not is_local("https://example.org/paper")
    assert not is_local("//cdn.example.org/x.js")  # scheme-relative still leaves the machine
    assert is_inert("data:image/png;base64,AAAA")
    assert is_inert("mailto:someone@example.org")
    assert not is_inert("https://example.org/paper")


def test_resolve_relative_to_the_page():
    assert resolve("chapters/01_data.html", "../_images/abc.png") == ("_images/abc.png", "")
    assert resolve("chapters/01_data.html", "02_pretrain.html#learning-curves") == (
        "chapters/02_pretrain.html",
        "learning-curves",
    )
    assert resolve("chapters/01_data.html", "#the-data") == ("chapters/01_data.html", "the-data")
    assert resolve("intro.html", "_static/x.css?v=1") == ("_static/x.css", "")
    assert resolve("intro.html", "chapters/") == ("chapters/index.html", "")
    assert resolve("intro.html", "a%20b.html") == ("a b.html", "")


def test_resolve_never_leaves_the_build():
    assert resolve("chapters/01_data.html", "../../../etc/passwd") == ("etc/passwd", "")
