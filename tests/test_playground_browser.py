"""The playground page in a real headless Chromium (Debian's, driven by Playwright)."""

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
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
pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(
        not Path(CHROMIUM).exists(),
        reason="Debian chromium is not installed (make test installs it)",
    ),
]
playwright = pytest.importorskip("playwright.sync_api")


@pytest.fixture(scope="module")
def server():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    process = subprocess.Popen(
        [sys.executable, "-m", "actinit.cli", "playground", "--port", str(port)],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}/"
    for _ in range(100):
        try:
            urllib.request.urlopen(url, timeout=1)
            break
        except OSError:
            time.sleep(0.1)
    yield url
    process.terminate()
    process.wait(timeout=10)


@pytest.fixture(scope="module")
def browser():
    with playwright.sync_playwright() as driver:
        chromium = driver.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield chromium
        chromium.close()


def number(page, selector):
    return float(page.inner_text(selector).rstrip("%"))


def wait_ready(page):
    page.wait_for_function(
        "Number(document.querySelector('#boundary').dataset.version) > 0", timeout=20000
    )


def test_play_watch_the_loss_fall_and_share_the_setting(server, browser, tmp_path):
    page = browser.new_page(viewport={"width": 1280, "height": 950})
    errors = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.goto(server)
    wait_ready(page)
    # Choose a data set and an activation as a person would.
    page.select_option("select[name=dataset]", "circles")
    wait_ready(page)
    page.fill("input[name=hidden]", "6,2")
    page.fill("input[name=activation]", "leaky_relu(0.1)")
    page.fill("input[name=learning_rate]", "0.1")
    page.dispatch_event("#controls", "change")
    page.wait_for_function(
        "document.querySelector('#layers tbody').rows.length === 3", timeout=20000
    )
    first_loss = number(page, "#train-loss")
    before = page.evaluate("document.querySelector('#boundary').toDataURL()")
    page.click("#play")
    page.wait_for_function(
        "Number(document.querySelector('#epoch').textContent) >= 60", timeout=60000
    )
    page.click("#play")  # pause
    page.wait_for_function("document.querySelector('#state').textContent === 'paused'")
    assert number(page, "#train-loss") < first_loss
    assert page.evaluate("document.querySelector('#boundary').toDataURL()") != before
    assert page.is_visible("#feature-figure") and page.inner_text("#diagnosis")
    assert "dataset=circles" in page.url and "leaky_relu" in page.url
    # The URL alone reproduces the setting in a new page.
    other = browser.new_page()
    other.goto(page.url)
    wait_ready(other)
    assert other.url == page.url
    for name in ("dataset", "hidden", "learning_rate", "seed", "optimizer"):
        selector = f"[name={name}]"
        assert (
            float(other.input_value(selector)) == float(page.input_value(selector))
            if name in ("learning_rate", "seed")
            else other.input_value(selector) == page.input_value(selector)
        ), name
    # The same activation, written in its canonical form.
    assert other.input_value("[name=activation]") == "leaky_relu(negative_slope=0.1)"
    assert other.inner_text("#epoch") == "0"
    screenshot = page.screenshot(path=str(tmp_path / "playground.png"), full_page=True)
    assert len(screenshot) > 10_000
    if os.environ.get("ACTINIT_SCREENSHOT_DIR"):  # how the README's screenshot is made
        shutil.copy(
            tmp_path / "playground.png",
            Path(os.environ["ACTINIT_SCREENSHOT_DIR"]) / "playground.png",
        )
    assert not errors
    other.close()
    page.close()


def test_bad_url_values_are_refused_with_a_message(server, browser):
    page = browser.new_page()
    page.goto(server + "?dataset=moons&hidden=4,4,4,4,4,4,4,4")
    page.wait_for_selector("#error:not([hidden])", timeout=20000)
    assert "at most 6 hidden layers" in page.inner_text("#error")
    page.goto(server + "?activation=relux")
    page.wait_for_selector("#error:not([hidden])", timeout=20000)
    assert "unknown activation 'relux'" in page.inner_text("#error")
    page.close()


def test_pin_compare_step_and_export(server, browser):
    page = browser.new_page()
    page.goto(server + "?dataset=xor&hidden=4&activation=tanh&learning_rate=0.1&samples=200")
    wait_ready(page)
    page.click("#step")
    page.wait_for_function("document.querySelector('#epoch').textContent === '1'", timeout=20000)
    page.click("#pin")
    assert page.inner_text("#pin") == "Re-pin run"
    page.select_option("select[name=optimizer]", "adam")
    wait_ready(page)
    page.click("#step")
    page.wait_for_function("document.querySelector('#epoch').textContent === '1'", timeout=20000)
    href = page.get_attribute("#export", "href")
    assert href.startswith("/api/study?") and "optimizer=adam" in href
    study = page.evaluate(f"fetch('{href}').then(r => r.text())")
    # The export rebuilds what was watched: the page trained one epoch.
    assert 'optimizer = "adam(lr=0.1)"' in study and 'activation = "tanh"' in study
    assert "epochs = 1\n" in study and "seeds = 1\n" in study
    with page.expect_download() as download:
        page.click("#download")
    assert download.value.suggested_filename == "actinit-playground-model.npz"
    page.close()
