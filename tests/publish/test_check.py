"""The whole check on a tiny site with one planted fault of each kind, in the real browser.

Skipped where no Chromium is installed (``make browser-check`` and CI install it)."""

import base64
import shutil

import pytest

from sseds_study.publish.cdp import CHROMIUM_NAMES
from sseds_study.publish.check import check_book

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(not any(shutil.which(n) for n in CHROMIUM_NAMES), reason="no Chromium installed"),
]

# A 2x1 PNG with two different pixels, and a 1x1 one (a single colour).
TWO_PIXELS = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAIAAAABCAIAAAB7QOjdAAAAD0lEQVR4nGP4z8DAwPAfAAcAAf9+CLHQAAAAAElFTkSuQmCC"
)
ONE_PIXEL = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAIAAACQd1PeAAAADElEQVR4nGP4//8/AAX+Av4N70a4AAAAAElFTkSuQmCC"
)


def write(root, path, content):
    (root / path).parent.mkdir(parents=True, exist_ok=True)
    if isinstance(content, bytes):
        (root / path).write_bytes(content)
    else:
        (root / path).write_text(content)


def test_every_planted_fault_is_found_and_names_its_page(tmp_path):
    site = tmp_path / "html"
    write(site, "_images/fig.png", TWO_PIXELS)
    write(site, "_images/blank.png", ONE_PIXEL)
    write(site, "good.html", '<html><body><h1 id="top">Good</h1><img src="_images/fig.png"><a href="bad.html#top">b</a>'
          '<article style="width: 400px"><table><tr><th>narrow</th></tr></table></article></body></html>')
    write(
        site,
        "bad.html",
        """<html><head><script src="https://cdn.invalid/lib.js"></script></head><body>
<h1 id="top">Bad</h1>
<p>Raw: $$x^2$$</p>
<p>Averaged over 2 run(s).</p>
<img src="_images/missing.png"><img src="_images/blank.png">
<a href="good.html#nowhere">g</a>
<article style="width: 400px"><table style="width: 900px"><tr><th>too wide</th></tr></table>
<div class="cell_output"><pre style="overflow: auto">xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx</pre></div></article>
<script>console.error("planted error"); undefinedFunction();</script>
</body></html>""",
    )
    shots = tmp_path / "shots"
    result = check_book(site, shots, timeout=30)

    assert result.pages == ["bad.html", "good.html"]
    found = {(p.page, p.kind) for p in result.problems}
    assert {p.page for p in result.problems} == {"bad.html"}
    for kind in ("broken link", "broken image", "blank image", "raw math", "request outside loopback", "console error", "uncaught exception",
                 "wide table", "wide output", "literal markup"):
        assert ("bad.html", kind) in found, kind
    assert sorted(p.name for p in shots.iterdir()) == ["bad.png", "good.png"]
    assert (shots / "good.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
