"""What a loaded page looks like from inside: its images, its math and the width of its tables, probed
by a script in the page.

``SETTLE`` waits until MathJax has typeset the page and its fonts are in; ``PROBE`` returns a plain
object describing the page; ``problems_from_probe`` turns that object into ``Problem``s (pure, so its
rules are tested without a browser).
"""

from __future__ import annotations

import json

from .report import Problem, shorten

# Resolves once the page is as a reader sees it. MathJax 3 typesets after the load event; its
# startup promise resolves when the first typesetting pass is done.
SETTLE = """
(async () => {
  if (window.MathJax && MathJax.startup && MathJax.startup.promise) {
    await MathJax.startup.promise;
  }
  await document.fonts.ready;
  await new Promise(resolve => requestAnimationFrame(() => requestAnimationFrame(resolve)));
  return document.documentElement.scrollHeight;
})()
"""

# Delimiters that should never reach a reader: MathJax replaces them when it renders the math.
RAW_MATH_MARKERS = ("$$", "\\[", "\\(", "\\begin{")

PROBE = r"""
(() => {
  const markers = RAW_MATH_MARKERS;
  const skip = new Set(["SCRIPT", "STYLE", "PRE", "CODE", "TEXTAREA", "NOSCRIPT", "MJX-CONTAINER"]);

  function blank(img) {
    // Draw the image small and see whether every pixel is the same colour: a figure with nothing on it.
    try {
      const w = Math.min(img.naturalWidth, 200), h = Math.min(img.naturalHeight, 200);
      const canvas = document.createElement("canvas");
      canvas.width = w; canvas.height = h;
      const ctx = canvas.getContext("2d");
      ctx.drawImage(img, 0, 0, w, h);
      const data = ctx.getImageData(0, 0, w, h).data;
      for (let i = 4; i < data.length; i += 4) {
        for (let c = 0; c < 4; c++) if (data[i + c] !== data[c]) return false;
      }
      return true;
    } catch (err) {
      return false;
    }
  }

  const images = Array.from(document.images).map(img => {
    const box = img.getBoundingClientRect();
    const loaded = img.complete && img.naturalWidth > 0;
    return {
      src: img.getAttribute("src") || "",
      loaded: loaded,
      naturalWidth: img.naturalWidth,
      naturalHeight: img.naturalHeight,
      width: Math.round(box.width),
      height: Math.round(box.height),
      blank: loaded ? blank(img) : false,
    };
  });

  const maths = Array.from(document.querySelectorAll(".math"));
  const unrendered = maths
    .filter(el => !el.querySelector("mjx-container"))
    .map(el => el.textContent.trim());
  const errors = Array.from(document.querySelectorAll("mjx-merror"))
    .map(el => el.getAttribute("data-mjx-error") || el.textContent);

  const raw = [];
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT, {
    acceptNode(node) {
      for (let el = node.parentElement; el; el = el.parentElement) {
        if (skip.has(el.tagName)) return NodeFilter.FILTER_REJECT;
      }
      return NodeFilter.FILTER_ACCEPT;
    },
  });
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    const text = node.textContent;
    for (const marker of markers) {
      const at = text.indexOf(marker);
      if (at >= 0) raw.push(text.slice(Math.max(0, at - 40), at + 60));
    }
  }

  // Tables and display math wider than the text column are cut at its right edge (or scroll out of
  // sight): on screen, in the screenshots and in the PDF. Hidden ones (a folded cell) have no width.
  const column = document.querySelector("article.bd-article") || document.querySelector("article")
    || document.body;
  const right = column.getBoundingClientRect().right;
  const wide = [];
  for (const el of column.querySelectorAll("table, mjx-container[display='true'], div.cell_output pre")) {
    const box = el.getBoundingClientRect();
    const width = Math.max(box.width, el.scrollWidth);
    // A printed output (pre) scrolls inside the column: it is cut when its text is wider than its box.
    const cut = el.tagName === "PRE" ? el.scrollWidth > el.clientWidth + 2 : box.left + width > right + 2;
    if (box.width > 0 && cut) {
      const cell = el.querySelector("th, td");
      wide.push({
        kind: el.tagName === "TABLE" ? "table" : el.tagName === "PRE" ? "output" : "math",
        text: ((cell || el).textContent || "").trim().replace(/\s+/g, " ").slice(0, 60),
        width: Math.round(width),
        column: Math.round(el.tagName === "PRE" ? el.clientWidth : right - box.left),
      });
    }
  }

  return {
    title: document.title,
    wide: wide,
    images: images,
    math: maths.length,
    unrendered: unrendered,
    mathErrors: errors,
    rawMath: raw,
    mathjax: Boolean(window.MathJax && MathJax.version),
    scrollHeight: document.documentElement.scrollHeight,
  };
})()
""".replace("RAW_MATH_MARKERS", json.dumps(RAW_MATH_MARKERS))


def problems_from_probe(page: str, probe: dict) -> list[Problem]:
    """Broken or blank images, math left unrendered or rendered with an error, raw TeX in the text, and
    tables or display math wider than the text column."""
    problems = []
    for image in probe.get("images", []):
        src = shorten(image.get("src", ""), 120)
        if not image.get("loaded"):
            problems.append(Problem(page, "broken image", f"{src} did not load (naturalWidth 0)"))
        elif image.get("blank"):
            problems.append(Problem(page, "blank image", f"{src} is a single colour"))
    if probe.get("math") and not probe.get("mathjax"):
        problems.append(Problem(page, "math not rendered", f"MathJax did not load; {probe['math']} formulas left as TeX"))
    else:
        for tex in probe.get("unrendered", []):
            problems.append(Problem(page, "math not rendered", shorten(tex, 120)))
    for error in probe.get("mathErrors", []):
        problems.append(Problem(page, "math not rendered", f"MathJax error: {shorten(error, 120)}"))
    for snippet in probe.get("rawMath", []):
        problems.append(Problem(page, "raw math", f"TeX delimiters in the text: {shorten(snippet, 120)!r}"))
    for item in probe.get("wide", []):
        kind = item.get("kind", "math")
        what = {"table": "table", "output": "printed output"}.get(kind, "display math")
        problems.append(Problem(page, f"wide {kind}",
                                f"{what} starting {shorten(item.get('text', ''), 60)!r} is {item.get('width')} px wide "
                                f"in a column of {item.get('column')} px: cut at the right edge"))
    return problems
