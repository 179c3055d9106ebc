"""Debian's Chromium for the browser tests, driven by Playwright (which cannot download
a browser here): where it is, how it is started, and a module-wide browser fixture."""

from pathlib import Path

import pytest

CHROMIUM = "/usr/bin/chromium"
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
#: What every browser test module is marked with.
MARKS = [
    pytest.mark.browser,
    pytest.mark.skipif(
        not Path(CHROMIUM).exists(),
        reason="Debian chromium is not installed (make test installs it)",
    ),
]


def launched(playwright):
    """A module-wide fixture: Chromium, started once, closed after the module."""

    @pytest.fixture(scope="module")
    def browser():
        with playwright.sync_playwright() as driver:
            chromium = driver.chromium.launch(executable_path=CHROMIUM, args=ARGS)
            yield chromium
            chromium.close()

    return browser
