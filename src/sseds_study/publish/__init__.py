"""Checks of the built book in a real browser (headless Chromium), and its PDF.

``check.check_book`` opens every page and reports broken links and images, console errors, requests
leaving the machine and unrendered math; run it with ``python -m sseds_study.publish check``
(``make browser-check``). The pure parts (``pages``, ``links``, ``linkcheck``, ``events``, ``probe``,
``report``) are tested without a browser.
"""
