"""The playground page in a real headless Chromium (Debian's, driven by Playwright)."""

import json
import os
import shutil
import time
from pathlib import Path

import numpy as np
import pytest

from actinit.studies.plan.study_file import parse_study
from chromium import MARKS, launched
from playground_messages import start_playground

pytestmark = MARKS
playwright = pytest.importorskip("playwright.sync_api")


@pytest.fixture(scope="module")
def server():
    process, url = start_playground()
    yield url
    process.terminate()
    process.wait(timeout=10)


browser = launched(playwright)


def number(page, selector):
    return float(page.inner_text(selector).rstrip("%"))


def wait_ready(page):
    page.wait_for_function(
        "Number(document.querySelector('#boundary').dataset.version) > 0", timeout=20000
    )


def open_page(browser, server, query="", width=1440, height=950):
    """A page at ``query``, ready, collecting the script errors it raises."""
    page = browser.new_page(viewport={"width": width, "height": height})
    page.script_errors = []
    page.on("pageerror", lambda error: page.script_errors.append(str(error)))
    page.goto(server + query)
    wait_ready(page)
    return page


def wait_epoch(page, at_least, run="A"):
    page.wait_for_function(
        f"(document.querySelector('.run-metrics[data-run={run}] .run-epoch') || {{}}).textContent >= 0"
        f" && Number(document.querySelector('.run-metrics[data-run={run}] .run-epoch').textContent) >= {at_least}",
        timeout=60000,
    )


def epoch_of(page, run="A"):
    return int(page.inner_text(f".run-metrics[data-run={run}] .run-epoch"))


def pause(page):
    page.click("#play")
    page.wait_for_function("document.querySelector('#state').textContent === 'paused'")


def apply_settings(page, **values):
    """Type ``values`` into the form's fields, then apply them as leaving a field does."""
    for name, value in values.items():
        page.fill(f"input[name={name}]", value)
    page.dispatch_event("#controls", "change")


def points_csv(seed, count, label):
    """A CSV file of ``count`` points uniform in [-2, 2)^2 labelled ``label(x, y)``."""
    points = np.random.default_rng(seed).uniform(-2, 1.99, (count, 2))
    return "a,b,label\n" + "\n".join(f"{x:.3f},{y:.3f},{label(x, y)}" for x, y in points)


def upload(page, name, text):
    """Choose a CSV file in the page's Upload CSV field."""
    page.set_input_files(
        "#upload", files=[{"name": name, "mimeType": "text/csv", "buffer": text.encode()}]
    )


def keep_screenshot(page, tmp_path, name):
    """A screenshot; copied to $ACTINIT_SCREENSHOT_DIR (how the README's are made)."""
    path = tmp_path / name
    page.screenshot(path=str(path), full_page=True)
    assert path.stat().st_size > 10_000
    if os.environ.get("ACTINIT_SCREENSHOT_DIR"):
        shutil.copy(path, Path(os.environ["ACTINIT_SCREENSHOT_DIR"]) / name)


def test_play_watch_the_loss_fall_and_share_the_setting(server, browser, tmp_path):
    page = open_page(browser, server, width=1280)
    # Choose a data set and an activation as a person would.
    page.select_option("select[name=dataset]", "circles")
    wait_ready(page)
    apply_settings(page, hidden="6,2", activation="leaky_relu(0.1)", learning_rate="0.03")
    page.wait_for_function(
        "document.querySelector('.graph-column[data-column=\"1\"]').textContent.includes('6 units')",
        timeout=20000,
    )
    first_loss = number(page, "#train-loss-A")
    before = page.evaluate("document.querySelector('#boundary').toDataURL()")
    page.click("#play")
    wait_epoch(page, 60)
    pause(page)
    assert number(page, "#train-loss-A") < first_loss
    assert page.evaluate("document.querySelector('#boundary').toDataURL()") != before
    assert page.is_visible("#feature-figure") and page.inner_text("#diagnosis")
    assert "dataset=circles" in page.url and "leaky_relu" in page.url
    # The URL alone reproduces the setting in a new page.
    other = open_page(browser, server, page.url.split("/", 3)[3])
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
    assert not page.script_errors and not other.script_errors
    other.close()
    page.close()


def test_every_error_is_shown_and_a_stale_one_never_hides_the_current(server, browser):
    page = browser.new_page()
    page.goto(server + "?dataset=moons&hidden=" + ",".join(["4"] * 51))
    page.wait_for_selector("#errors:not([hidden])", timeout=20000)
    assert "at most 50 hidden layers" in page.inner_text("#errors")
    apply_settings(page, init="xavier")
    page.wait_for_function("document.querySelectorAll('#errors li').length === 2", timeout=20000)
    newest, older = page.locator("#errors li").all_inner_texts()
    # The newest first, naming initializers as examples (not activations).
    assert "unknown initializer 'xavier'" in newest and "he_normal" in newest
    assert "leaky_relu" not in newest and "at most 50 hidden layers" in older
    # Good settings train: the stale refusals go.
    apply_settings(page, hidden="4,4", init="he_normal")
    page.wait_for_selector("#errors", state="hidden", timeout=20000)
    page.goto(server + "?activation=relux")
    page.wait_for_selector("#errors:not([hidden])", timeout=20000)
    assert "unknown activation 'relux'" in page.inner_text("#errors")
    page.click("#errors button[data-dismiss]")
    page.wait_for_selector("#errors", state="hidden")
    page.close()


def test_pin_step_and_export_what_was_watched(server, browser):
    page = open_page(
        browser, server, "?dataset=xor&hidden=4&activation=tanh&learning_rate=0.1&samples=200"
    )
    page.click("#step")
    wait_epoch(page, 1)
    page.click("#pin")
    assert page.inner_text("#pin") == "Re-pin run"
    page.select_option("select[name=optimizer]", "adam")
    wait_ready(page)
    page.click("#play")
    wait_epoch(page, 40)
    pause(page)
    trained = epoch_of(page)
    href = page.get_attribute("#export", "href")
    assert href.startswith("/api/study?") and "optimizer=adam" in href
    study = parse_study(page.evaluate(f"fetch('{href}').then(r => r.text())"))
    # The export rebuilds what was watched: the epochs trained, one seed...
    (config,) = study.configs
    assert (config.optimizer, config.activation) == ("adam(lr=0.1)", "tanh")
    assert config.epochs == trained and study.seeds == 1
    # ... and more seeds only when asked.
    page.fill("#export-seeds", "5")
    page.dispatch_event("#export-seeds", "change")
    study = parse_study(
        page.evaluate("fetch(document.querySelector('#export').href).then(r => r.text())")
    )
    assert study.seeds == 5 and study.configs[0].epochs == trained
    with page.expect_download() as download:
        page.click("#download")
    assert download.value.suggested_filename == "actinit-playground-model.npz"
    page.close()


def test_the_network_is_drawn_as_a_graph_with_weights_on_hover(server, browser, tmp_path):
    page = open_page(browser, server, "?dataset=spiral&hidden=5,3&features=x1,x2,x1%5E2")
    assert page.locator(".input-tile").count() == 3
    assert page.locator(".unit-tile").count() == 8 and page.locator(".output-tile").count() == 1
    assert page.locator("line.link").count() == 3 * 5 + 5 * 3 + 3 * 1
    # Links coloured by the weight's sign, as thick as its size, the value on hover.
    signs = page.evaluate(
        "[...document.querySelectorAll('line.link')].map(l => [Number(l.dataset.weight), l.getAttribute('stroke'), Number(l.getAttribute('stroke-width'))])"
    )
    for weight, colour, _ in signs:
        assert colour == ("#2166ac" if weight >= 0 else "#e6781e")
    heaviest = max(signs, key=lambda s: abs(s[0]))
    lightest = min(signs, key=lambda s: abs(s[0]))
    assert heaviest[2] > lightest[2]
    page.locator("line.link").first.dispatch_event("mouseover")
    assert "x1 → Layer 1 unit 1: weight" in page.inner_text("#hover")
    heads = page.locator(".column-head").all_inner_texts()
    assert heads[1].startswith("Layer 1") and "5 units" in heads[1] and "tanh" in heads[1]
    # Buttons add and remove layers and units.
    page.click("#add-layer")
    page.wait_for_function("document.querySelectorAll('.unit-tile').length === 11", timeout=20000)
    assert page.input_value("[name=hidden]") == "5,3,3"
    page.click(".graph-column[data-column='1'] button[data-change='1']")
    page.wait_for_function("document.querySelectorAll('.unit-tile').length === 12", timeout=20000)
    page.click("#remove-layer")
    page.wait_for_function("document.querySelectorAll('.unit-tile').length === 9", timeout=20000)
    assert page.input_value("[name=hidden]") == "6,3" and "hidden=6%2C3" in page.url
    page.close()


def test_six_layers_of_32_keep_every_tile_and_label(server, browser):
    page = open_page(browser, server, "?hidden=" + ",".join(["32"] * 6))
    assert page.locator(".unit-tile").count() == 192
    heads = page.locator(".column-head").all_inner_texts()
    assert [h.split("\n")[0].split()[0:2] for h in heads[1:7]] == [
        ["Layer", str(i)] for i in range(1, 7)
    ]
    sizes = page.evaluate(
        "[...document.querySelectorAll('.unit-tile')].map(t => t.getBoundingClientRect().height)"
    )
    assert min(sizes) >= 10
    page.close()


def test_input_features_and_per_layer_settings_reach_the_model(server, browser):
    page = open_page(browser, server, "?dataset=circles&hidden=4,3")
    page.check("input[data-feature='x1^2']")
    page.check("input[data-feature='x2^2']")
    page.wait_for_function("document.querySelectorAll('.input-tile').length === 4", timeout=20000)
    assert "features=x1%2Cx2%2Cx1%5E2%2Cx2%5E2" in page.url
    apply_settings(page, layer_activations="relu; sine", layer_inits="he_normal; orthogonal")
    page.wait_for_function(
        "document.querySelector('.graph-column[data-column=\"2\"] .spec').textContent.includes('sine · orthogonal')",
        timeout=20000,
    )
    specs = page.locator(".column-head .spec").all_inner_texts()
    assert specs[1] == "relu · he_normal" and specs[2] == "sine · orthogonal"
    # What trains is what the export describes: the layers' own settings.
    study = page.evaluate("fetch(document.querySelector('#export').href).then(r => r.text())")
    assert 'layer_activations = ["relu", "sine"]' in study
    assert 'features = ["x1", "x2", "x1^2", "x2^2"]' in study
    # Adding a layer extends the per-layer lists with the last layer's settings.
    page.click("#add-layer")
    page.wait_for_function(
        "document.querySelectorAll('.column-head .spec').length === 5", timeout=20000
    )
    assert page.input_value("[name=layer_activations]") == "relu; sine; sine"
    page.close()


def test_regression_trains_with_its_own_colours_and_no_accuracy(server, browser, tmp_path):
    page = open_page(browser, server, "?dataset=gaussians&hidden=8,8&learning_rate=0.03&noise=0")
    assert page.is_hidden("#accuracy-figure") and page.locator("#train-accuracy-A").count() == 0
    first = number(page, "#train-loss-A")
    page.click("#play")
    wait_epoch(page, 100)
    pause(page)
    assert number(page, "#train-loss-A") < first / 2
    keep_screenshot(page, tmp_path, "playground-regression.png")
    page.close()


def test_depth_view_changes_while_training(server, browser, tmp_path):
    query = "?dataset=moons&hidden=8,8,8,8,8&activation=sigmoid&init=random_normal(std%3D0.1)"
    page = open_page(browser, server, query)
    charts = page.locator("#depth canvas")
    assert charts.count() == 3

    def medians():
        return page.evaluate(
            "[...document.querySelectorAll('#depth canvas')].map(c => c.dataset.median)"
        )

    at_start = medians()
    assert all(len(json.loads(m)) == 6 for m in at_start)
    page.click("#play")
    wait_epoch(page, 30)
    pause(page)
    assert medians() != at_start
    keep_screenshot(page, tmp_path, "playground-depth.png")
    page.close()


def test_a_and_b_train_side_by_side(server, browser, tmp_path):
    page = open_page(
        browser,
        server,
        "?dataset=spiral&hidden=8,8&activation=tanh&compare=init%3Dhe_normal%3B%20activation%3Drelu",
    )
    page.wait_for_selector(".boundary-figure[data-run=B]:not([hidden])", timeout=20000)
    assert "relu" in page.inner_text(".run-metrics[data-run=B] .run-spec")
    page.click("#play")
    wait_epoch(page, 30, "A")
    wait_epoch(page, 30, "B")
    pause(page)
    assert abs(epoch_of(page, "A") - epoch_of(page, "B")) <= 0
    assert int(page.get_attribute("#boundary-b", "data-version")) > 0
    assert page.locator("#depth canvas").count() == 6
    # Each run exports its own study, for the epochs trained.
    study_b = page.evaluate("fetch(document.querySelector('#export-b').href).then(r => r.text())")
    assert 'activation = "relu"' in study_b and "he_normal" in study_b
    assert parse_study(study_b).configs[0].epochs == epoch_of(page, "B")
    keep_screenshot(page, tmp_path, "playground-ab.png")
    # Rewind both to the same initial weights.
    page.click("#reset")
    wait_epoch(page, 0)
    page.wait_for_function(
        "document.querySelector('.run-metrics[data-run=A] .run-epoch').textContent === '0'"
    )
    page.close()


def test_csv_upload_good_and_bad(server, browser, tmp_path):
    page = open_page(browser, server)
    upload(page, "mine.csv", points_csv(1, 120, lambda x, y: int(x * y > 0)))
    page.wait_for_function(
        "document.querySelector('[name=dataset]').value === 'csv'", timeout=20000
    )
    page.wait_for_function(
        "document.querySelectorAll('#boundary').length && location.search.includes('data_file=mine.csv')",
        timeout=20000,
    )
    assert page.is_hidden("#errors")
    bad = "a,b,c,label\n" + "\n".join(f"{i},{i},{i},{i % 2}" for i in range(10))
    upload(page, "wide.csv", bad)
    page.wait_for_selector("#errors:not([hidden])", timeout=20000)
    assert "wide.csv has 3 feature columns" in page.inner_text("#errors")
    page.close()


def test_log_scale_when_the_loss_spans_decades_pinned_run_too(server, browser):
    page = open_page(
        browser,
        server,
        "?dataset=moons&hidden=8,8&activation=relu&init=random_normal(std%3D10)&learning_rate=0.03",
    )
    page.click("#play")
    wait_epoch(page, 200)
    pause(page)
    assert page.get_attribute("#loss-chart", "data-scale") == "log"
    assert "log scale" in page.inner_text("#loss-scale")
    page.click("#pin")
    apply_settings(page, init="xavier_normal")
    wait_ready(page)
    page.click("#step")
    wait_epoch(page, 1)
    assert page.get_attribute("#loss-chart", "data-scale") == "log"  # the pinned run spans decades
    page.close()


def test_view_options_initializer_field_and_legend(server, browser):
    page = open_page(browser, server, "?dataset=moons&hidden=4")
    # The colour legend beside the plane runs from class 1 (orange, top) to class 0 (blue).
    top, bottom = page.evaluate(
        "(() => { const c = document.querySelector('#boundary'), x = c.width - 70 + 19;"
        " const at = (y) => [...c.getContext('2d').getImageData(x, y, 1, 1).data.slice(0, 3)];"
        " return [at(14), at(c.height - 54)]; })()"
    )
    assert top[0] > top[2] + 100 and bottom[2] > bottom[0] + 100, (top, bottom)
    page.fill("[name=init]", "random_normal(std=10)")
    fits = page.evaluate(
        "(() => { const i = document.querySelector('[name=init]'); return i.scrollWidth <= i.clientWidth; })()"
    )
    assert fits, "the initializer field cuts random_normal(std=10)"

    def image():
        return page.evaluate("document.querySelector('#boundary').toDataURL()")

    shown = image()
    page.uncheck("#show-test")
    assert image() != shown and "show_test=0" in page.url

    def top_two():  # the share of the plot's pixels in its two commonest colours
        return page.evaluate(
            "(() => { const c = document.querySelector('#boundary'); const d = c.getContext('2d').getImageData(60, 40, 200, 200).data;"
            " const counts = {}; for (let i = 0; i < d.length; i += 4) { const k = d[i] + ',' + d[i+1] + ',' + d[i+2]; counts[k] = (counts[k] || 0) + 1; }"
            " const top = Object.values(counts).sort((a, b) => b - a); return (top[0] + (top[1] || 0)) / (d.length / 4); })()"
        )

    soft = top_two()
    page.check("#discretize")
    assert "discretize=1" in page.url
    hard = top_two()
    assert hard > 0.8 and hard > soft + 0.3, (hard, soft)  # two flat colours, not a gradient
    page.close()


def test_speed_control_paces_the_page(server, browser):
    page = open_page(browser, server, "?dataset=moons&hidden=4&speed=1")
    assert page.input_value("#speed") == "1"
    started = time.perf_counter()
    page.click("#play")
    wait_epoch(page, 1)
    time.sleep(2)
    pause(page)
    # One epoch a second: never ahead of the clock (one chunk may be in flight).
    assert 1 <= epoch_of(page) <= time.perf_counter() - started + 2
    page.select_option("#speed", "0")
    assert "speed" not in page.url
    page.close()


def test_controls_answer_under_load(server, browser):
    query = "?hidden=" + ",".join(["32"] * 6) + "&samples=2000&batch_size=0&train_ratio=0.9"
    page = open_page(browser, server, query)
    page.click("#play")
    wait_epoch(page, 3)
    # Step's own update may arrive right after the page shows "paused", before this test
    # could read the epoch: the page notes the epoch at the moment it pauses.
    page.evaluate(
        """() => {
            const epoch = () => Number(document.querySelector('.run-metrics[data-run=A] .run-epoch').textContent);
            new MutationObserver(() => {
                if (document.querySelector('#state').textContent === 'paused') window.pausedAt ??= epoch();
            }).observe(document.querySelector('#state'), {childList: true, characterData: true, subtree: true});
        }"""
    )
    page.click("#step")
    page.wait_for_function("window.pausedAt !== undefined", timeout=5000)
    before = page.evaluate("window.pausedAt")
    page.wait_for_function(
        f"Number(document.querySelector('.run-metrics[data-run=A] .run-epoch').textContent) > {before}",
        timeout=20000,
    )
    page.click("#play")
    wait_epoch(page, before + 3)
    page.click("#reset")
    page.wait_for_function(
        "document.querySelector('.run-metrics[data-run=A] .run-epoch').textContent === '0'",
        timeout=5000,
    )
    time.sleep(0.8)
    assert epoch_of(page) == 0 and page.inner_text("#state") == "paused"
    assert not page.script_errors
    page.close()


def test_the_pictures_fill_a_laptop_screen(server, browser):
    page = open_page(browser, server, "?dataset=spiral&hidden=6,6", width=1366, height=768)
    sizes = page.evaluate(
        "['#boundary', '#loss-chart', '#accuracy-chart'].map(s => document.querySelector(s).getBoundingClientRect().width)"
    )
    boundary, loss, accuracy = sizes
    assert boundary >= 450 and loss >= 330 and accuracy >= 330, sizes
    # Nothing spills past the screen's width.
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    page.close()


def test_a_layer_s_activation_and_initializer_chosen_in_the_graph(server, browser):
    page = open_page(browser, server, "?dataset=circles&hidden=4,3&activation=tanh")
    second = ".graph-column[data-column='2']"
    assert page.is_hidden(f"{second} .layer-choices")
    page.click(f"{second} .spec")
    page.select_option(f"{second} select[data-kind=layer_activations]", "elu")
    page.wait_for_function(
        "document.querySelector(\".graph-column[data-column='2'] .spec\").textContent.startsWith('elu')",
        timeout=20000,
    )
    assert page.input_value("[name=layer_activations]") == "tanh; elu"
    assert page.inner_text(".graph-column[data-column='1'] .spec").startswith("tanh")
    page.click(".graph-column[data-column='1'] .spec")
    page.select_option(".graph-column[data-column='1'] select[data-kind=layer_inits]", "he_uniform")
    page.wait_for_function(
        "document.querySelector(\".graph-column[data-column='1'] .spec\").textContent.includes('he_uniform')",
        timeout=20000,
    )
    assert page.input_value("[name=layer_inits]") == "he_uniform; xavier_normal"
    assert "layer_activations=tanh%3Belu" in page.url.replace("%3B%20", "%3B").replace("+", "")
    assert not page.script_errors
    page.close()


def test_three_classes_from_an_uploaded_file_each_in_its_colour(server, browser, tmp_path):
    page = open_page(browser, server)
    thirds = points_csv(3, 150, lambda x, y: ["left", "middle", "right"][int((x + 2) * 0.75)])
    upload(page, "thirds.csv", thirds)
    # The page learns the file's classes from the server and asks for a softmax of three.
    page.wait_for_function(
        "location.search.includes('data_file=thirds.csv') && location.search.includes('classes=3')",
        timeout=20000,
    )
    page.wait_for_function("document.querySelectorAll('.output-tile').length === 3", timeout=20000)
    assert page.is_hidden("#errors") and "softmax" in page.inner_text("#graph")
    assert page.inner_text("#upload-info") == "thirds.csv: 150 rows, 3 classes"
    # The file's own labels name the classes.
    titles = page.eval_on_selector_all(".output-tile", "tiles => tiles.map(t => t.title)")
    assert titles == ["Output, P(left)", "Output, P(middle)", "Output, P(right)"]
    page.click("#play")
    wait_epoch(page, 60)
    pause(page)
    assert number(page, "#train-loss-A") < 1.0
    # Each region is painted in its class's colour: blue, orange and green all appear.
    hues = page.evaluate(
        """(() => {
        const canvas = document.querySelector('#boundary'), context = canvas.getContext('2d');
        const seen = new Set();
        for (let x = 45; x < canvas.width - 75; x += 7) for (let y = 15; y < canvas.height - 55; y += 7) {
          const [r, g, b] = context.getImageData(x, y, 1, 1).data;
          if (b > r + 40 && b > g) seen.add('blue');
          if (r > b + 60 && r > g + 30) seen.add('orange');
          if (g > r + 30 && g > b + 30) seen.add('green');
        }
        return [...seen].sort();
    })()"""
    )
    assert hues == ["blue", "green", "orange"]
    keep_screenshot(page, tmp_path, "playground-classes.png")
    # A data set of two classes takes the page back to two.
    page.select_option("select[name=dataset]", "moons")
    page.wait_for_function("document.querySelectorAll('.output-tile').length === 1", timeout=20000)
    assert page.input_value("[name=classes]") == "2" and page.is_hidden("#errors")
    assert not page.script_errors
    page.close()


def test_maxout_layers_train_with_their_links_explained(server, browser):
    page = open_page(
        browser, server, "?dataset=xor&hidden=3,3&layer_activations=maxout(3)%3B%20relu"
    )
    assert "maxout(pieces=3)" in page.inner_text("#graph")
    # Links into the maxout layer stand for their largest piece, and say so; the next not.
    into = page.eval_on_selector_all(
        "line.link[data-layer='0']", "ls => ls.map(l => l.textContent)"
    )
    after = page.eval_on_selector_all(
        "line.link[data-layer='1']", "ls => ls.map(l => l.textContent)"
    )
    assert len(into) == 6 and all("the largest of 3 maxout pieces" in t for t in into)
    assert len(after) == 9 and not any("maxout" in t for t in after)
    page.click("#step")
    wait_epoch(page, 1)
    assert not page.script_errors and page.is_hidden("#errors")
    page.close()


def test_an_uploaded_file_of_numbers_to_predict_trains_as_regression(server, browser):
    page = open_page(browser, server)
    upload(page, "slope.csv", points_csv(4, 150, lambda x, y: f"{0.5 * x - 0.25 * y + 1:.3f}"))
    page.wait_for_function(
        "location.search.includes('data_file=slope.csv') && location.search.includes('classes=0')",
        timeout=20000,
    )
    page.wait_for_function("document.querySelector('#accuracy-figure').hidden", timeout=20000)
    assert page.input_value("[name=classes]") == "0" and page.is_hidden("#errors")
    assert page.inner_text("#upload-info") == "slope.csv: 150 rows, numbers to predict (regression)"
    assert "linear" in page.inner_text("#graph")
    assert "acc" not in page.inner_text(".run-metrics[data-run=A]")
    first_loss = number(page, "#train-loss-A")
    page.click("#play")
    wait_epoch(page, 40)
    pause(page)
    assert number(page, "#train-loss-A") < first_loss
    # Blobs has classes: the page does not carry the file's 0 over.
    page.select_option("select[name=dataset]", "blobs")
    page.wait_for_function("!document.querySelector('#accuracy-figure').hidden", timeout=20000)
    assert page.input_value("[name=classes]") == "2" and page.is_hidden("#errors")
    assert not page.script_errors
    page.close()


TILE_SPREADS = """() => [...document.querySelectorAll('.graph-column')].slice(1, -1).map((column) => {
  const tile = column.querySelector('canvas.unit-tile');
  const pixels = tile.getContext('2d').getImageData(0, 0, tile.width, tile.height).data;
  let low = 255, high = 0;
  for (let i = 0; i < pixels.length; i += 4) { low = Math.min(low, pixels[i + 2]); high = Math.max(high, pixels[i + 2]); }
  return high - low;   // the blue channel's range over the tile
})"""


def test_unit_tiles_share_one_scale_so_a_dying_signal_shows_flat(browser, server):
    """A 10-layer sigmoid network of small weights learns nothing; with every tile
    stretched over its own range its deep tiles were full-contrast, hiding the
    vanishing signal. On the network's one scale they come out near-uniform."""
    query = "?hidden=" + ",".join(["6"] * 10) + "&activation=sigmoid&init=random_normal(std%3D1.0)"
    page = open_page(browser, server, query)
    page.wait_for_function("document.querySelector('#graph').dataset.tileScale")
    shared = page.evaluate(TILE_SPREADS)
    assert shared[0] > 60 and max(shared[-3:]) < 12, shared
    assert "one scale for the network" in page.inner_text("#graph-figure figcaption")
    page.select_option("#tile-scale", "unit")
    stretched = page.evaluate(TILE_SPREADS)
    assert max(stretched[-3:]) > 100, stretched  # the same units, each stretched: contrast
    assert "tiles=unit" in page.url
    page.select_option("#tile-scale", "layer")
    assert "one scale per layer" not in page.inner_text("#graph-figure figcaption")
    assert "each layer's units on that layer's scale" in page.inner_text("#graph-figure figcaption")
    assert not page.script_errors
    page.close()


BOX = """(selector) => { const e = document.querySelector(selector); const r = e.getBoundingClientRect();
  return [r.left, r.top, r.right, r.bottom]; }"""


def test_a_laptop_screen_holds_the_graph_the_output_and_the_curves(browser, server):
    """At 1366 x 768 the output plane was below the fold, the header took three rows
    with A/B, and A and B were stacked."""
    page = open_page(
        browser, server, "?hidden=4,4&compare=init%3Dhe_normal", width=1366, height=768
    )
    page.wait_for_function("!document.querySelector('.boundary-figure[data-run=B]').hidden")
    page.wait_for_function("Number(document.querySelector('#boundary-b').dataset.version) > 0")
    page.wait_for_timeout(300)
    header = page.evaluate(BOX, "header")
    assert header[3] - header[1] < 50  # one row
    a, b = page.evaluate(BOX, "#boundary"), page.evaluate(BOX, "#boundary-b")
    assert abs(a[1] - b[1]) < 2 and b[0] > a[2]  # side by side
    for selector in ("#graph-figure", "#boundary", "#boundary-b", "#loss-chart", "#accuracy-chart"):
        box = page.evaluate(BOX, selector)
        assert box[3] <= 768 and box[2] <= 1366, (selector, box)
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    page.close()
    alone = open_page(browser, server, "?dataset=spiral&hidden=6,6", width=1366, height=768)
    boundary, loss = alone.evaluate(BOX, "#boundary"), alone.evaluate(BOX, "#loss-chart")
    assert boundary[2] - boundary[0] >= 400 and boundary[3] <= 768 and loss[3] <= 768
    alone.close()


def test_a_deep_graph_scrolls_in_its_panel_and_names_every_layer_whole(browser, server):
    page = open_page(browser, server, "?hidden=" + ",".join(["4"] * 10), width=1366, height=768)
    panel = page.evaluate(
        "(() => { const f = document.querySelector('#graph-figure'); return [f.scrollWidth, f.clientWidth]; })()"
    )
    assert panel[0] > panel[1]  # the graph scrolls inside its panel ...
    assert page.evaluate(
        "document.documentElement.scrollWidth <= window.innerWidth"
    )  # ... not the page
    heads = page.evaluate(
        "[...document.querySelectorAll('.column-head b')].map(b => [b.textContent, b.getClientRects().length])"
    )
    assert [name for name, _ in heads] == [
        "Inputs",
        *[f"Layer {i}" for i in range(1, 11)],
        "Output",
    ]
    assert all(lines == 1 for _, lines in heads)  # never "Laye" / "r 10"
    page.evaluate("document.querySelector('#graph-figure').scrollLeft = 10000")
    output = page.evaluate(BOX, ".graph-column:last-child canvas.tile")
    figure = page.evaluate(BOX, "#graph-figure")
    assert figure[0] <= output[0] and output[2] <= figure[2]  # reachable: scrolled into view
    page.close()


def test_hovering_anywhere_on_a_link_gives_its_weight_and_a_unit_shows_large(browser, server):
    page = open_page(browser, server, "?hidden=5,4")
    page.wait_for_function("document.querySelectorAll('#links line').length > 0")
    # Points along every link (away from the tiles at its ends): what is under each?
    hits = page.evaluate(
        """() => { let found = 0, total = 0;
        for (const line of document.querySelectorAll('#links line')) {
          const svg = line.ownerSVGElement.getBoundingClientRect();
          const [x1, y1, x2, y2] = ['x1', 'y1', 'x2', 'y2'].map(k => Number(line.getAttribute(k)));
          for (const t of [0.25, 0.4, 0.5, 0.6, 0.75]) {
            const x = svg.left + x1 + t * (x2 - x1), y = svg.top + y1 + t * (y2 - y1);
            const under = document.elementFromPoint(x, y);
            total += 1; found += !!under && (under.tagName === 'line' || under.closest('#links') !== null);
          }
        }
        return [found, total]; }"""
    )
    assert hits[1] > 50 and hits[0] / hits[1] > 0.95, hits
    page.hover(".graph-column[data-column='1'] canvas.unit-tile")
    page.wait_for_function("document.querySelector('#boundary').dataset.showing")
    assert page.evaluate("document.querySelector('#boundary').dataset.showing") == "Layer 1, unit 1"
    page.mouse.move(5, 5)
    page.wait_for_function("!document.querySelector('#boundary').dataset.showing")
    assert not page.script_errors
    page.close()


def test_a_typo_is_answered_beside_its_field_with_the_nearest_name(browser, server):
    page = open_page(browser, server, "?hidden=4")
    apply_settings(page, activation="tanhh")
    page.wait_for_selector(".field-error[data-field=activation]")
    beside = page.inner_text(".field-error[data-field=activation]")
    assert "Did you mean 'tanh'?" in beside and "Valid activations" not in beside
    assert "softplus" not in page.inner_text("#errors")  # not the whole catalogue
    apply_settings(page, activation="tanh")
    page.wait_for_function("!document.querySelector('.field-error')")
    page.close()


def test_charts_have_round_distinct_ticks_and_the_metrics_name_per_layer_choices(browser, server):
    page = open_page(
        browser,
        server,
        "?hidden=4,3&layer_activations=relu%3B%20tanh&layer_inits=he_normal%3B%20orthogonal",
    )
    page.click("#step")
    wait_epoch(page, 1)
    spec = page.inner_text(".run-metrics[data-run=A] .run-spec")
    assert spec == "relu,tanh · he_normal,orthogonal"
    for selector in ("#loss-chart", "#depth canvas[data-kind=pre]"):
        ticks = json.loads(page.evaluate(f"document.querySelector('{selector}').dataset.ticks"))
        assert len(ticks) >= 2 and len(set(ticks)) == len(ticks), (selector, ticks)
        values = [float(t) for t in ticks]
        step = values[1] - values[0]
        assert all(
            abs((b - a) - step) < 1e-9 + 1e-6 * abs(step) for a, b in zip(values, values[1:])
        )
    placeholder = page.get_attribute("input[name=layer_inits]", "placeholder")
    assert "he_normal" in placeholder
    page.close()


def test_data_sets_to_click_a_new_draw_sliders_and_the_kind_of_problem(browser, server):
    """What TensorFlow Playground's users asked for and the page lacked."""
    page = open_page(browser, server, "?dataset=moons&hidden=4")
    names = page.evaluate("[...document.querySelectorAll('.thumbnail')].map(c => c.title)")
    assert {"moons", "circles", "spiral", "plane", "gaussians"} <= set(names)
    assert page.evaluate("document.querySelector('.thumbnail.chosen').title") == "moons"
    page.click(".thumbnail[data-dataset=circles]")
    page.wait_for_function("new URLSearchParams(location.search).get('dataset') === 'circles'")
    wait_ready(page)
    assert page.evaluate("document.querySelector('.thumbnail.chosen').title") == "circles"
    seed = page.input_value("input[name=seed]")
    page.click("#new-draw")
    page.wait_for_function(
        f"new URLSearchParams(location.search).get('seed') === '{int(seed) + 1}'"
    )
    page.evaluate(
        """() => { const s = document.querySelector('input.slider[data-for=noise]'); s.value = '0.35';
        s.dispatchEvent(new Event('input', {bubbles: true}));
        s.dispatchEvent(new Event('change', {bubbles: true})); }"""
    )
    page.wait_for_function("new URLSearchParams(location.search).get('noise') === '0.35'")
    assert page.get_attribute("input[name=learning_rate]", "list") == "learning-rates"
    page.select_option("#problem", "regression")
    page.wait_for_function("new URLSearchParams(location.search).get('dataset') === 'plane'")
    page.wait_for_function("document.querySelector('#problem').value === 'regression'")
    page.select_option("#problem", "classification")
    page.wait_for_function("new URLSearchParams(location.search).get('dataset') === 'moons'")
    assert not page.script_errors
    page.close()


def test_what_happens_inside_starts_above_the_fold_and_the_key_fits(browser, server):
    """At 1366 x 768 the diagnosis, layer table and depth view started below the fold
    while ~380 px under the graph stayed empty; in A/B the test-point key was clipped."""
    page = open_page(browser, server, "?dataset=spiral&hidden=6,6", width=1366, height=768)
    graph, diagnosis = page.evaluate(BOX, "#graph-figure"), page.evaluate(BOX, "#diagnosis")
    layers = page.evaluate(BOX, "#layers")
    assert diagnosis[1] < 768 and layers[1] < 768, (diagnosis, layers)
    assert diagnosis[0] >= graph[0] and diagnosis[1] > graph[3]  # under the graph
    page.close()
    both = open_page(
        browser, server, "?hidden=4,4&compare=init%3Dhe_normal", width=1366, height=768
    )
    both.wait_for_function("Number(document.querySelector('#boundary-b').dataset.version) > 0")
    for canvas in ("#boundary", "#boundary-b"):
        right, width = both.evaluate(
            f"[Number(document.querySelector('{canvas}').dataset.keyRight), "
            f"document.querySelector('{canvas}').width]"
        )
        assert 0 < right <= width, (canvas, right, width)
    both.close()


def test_the_same_error_again_is_one_line_with_a_count(browser, server):
    """A typo, then Step six times, stacked seven identical messages."""
    page = open_page(browser, server, "?hidden=4,4", width=1366, height=768)
    apply_settings(page, activation="relux")
    page.wait_for_selector("#errors:not([hidden])", timeout=20000)
    for _ in range(6):
        page.click("#step")
    page.wait_for_function(
        "[...document.querySelectorAll('#errors li')].some(li => li.textContent.includes('×6'))",
        timeout=20000,
    )
    texts = page.locator("#errors li").all_inner_texts()
    assert len(texts) <= 2 and len(set(texts)) == len(texts)
    assert not page.script_errors
    page.close()
