"""Real-browser check: voila serves each chapter on 127.0.0.1 with a token; Chromium
(Debian's package, driven by Playwright) moves a control and the picture must change.
JupyterLab too: it runs a chapter's cells, a slider moves by keyboard, the picture changes.
And slides: a chapter's deck shows its live widget on a screen of its own, whole, and a
key pressed on its slider changes the picture without turning the slide.

Without Chromium this skips with a message, except in CI (CI=true), where it fails.
"""

from __future__ import annotations

import http.client
import os
import secrets
import shutil
import socket
import subprocess
import time
from pathlib import Path

import pytest

import nbformat

from course_utils import slides
from course_utils.__main__ import lab_command, slides_command, voila_command
from course_utils.chapters import CHAPTERS as REGISTRY

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser") or shutil.which("google-chrome")
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
         "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic"]

# (notebook, text of the slider to move), for every chapter of the registry; a chapter
# whose first widget trains live has its Play pressed instead (PLAYED)
CHAPTERS = [(f"{ch.notebook}.ipynb", ch.control) for ch in REGISTRY]
PLAYED = {f"{ch.notebook}.ipynb" for ch in REGISTRY if ch.play}

if CHROMIUM is None:
    if os.environ.get("CI") == "true":
        pytest.fail("CI=true but Chromium is missing: .ci/run must `apt-get install -y chromium`",
                    pytrace=False)
    pytest.skip("Chromium not found: `apt-get install -y chromium` to run the browser test",
                allow_module_level=True)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for_port(port: int, proc: subprocess.Popen, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"the server exited early with code {proc.returncode}")
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return
        except OSError:
            time.sleep(0.2)
    raise TimeoutError(f"the server did not listen on port {port} within {timeout} s")


@pytest.fixture(scope="module")
def voila(tmp_path_factory):
    port, token = free_port(), secrets.token_hex(16)
    log_path = tmp_path_factory.mktemp("voila") / "voila.log"  # read it when a test fails
    log = open(log_path, "w")
    proc = subprocess.Popen(voila_command(port, open_browser=False, token=token),
                            cwd=ROOT, stdout=log, stderr=subprocess.STDOUT)
    try:
        try:
            wait_for_port(port, proc)
        except (RuntimeError, TimeoutError) as exc:
            raise RuntimeError(f"{exc}; voila's log: {log_path}") from None
        yield port, token
    finally:
        proc.terminate()
        proc.wait(timeout=20)
        log.close()


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        yield browser
        browser.close()


def wait_for_change(page, image, before: bytes, start: float, failure: str, within: float = 15) -> None:
    """Wait until ``image`` looks different from the screenshot ``before``; fail with
    ``failure`` if it has not ``within`` seconds after ``start``."""
    while time.monotonic() - start < within:
        if image.screenshot() != before:
            return
        page.wait_for_timeout(50)
    pytest.fail(failure)


def test_pages_need_the_token(voila):
    port, _ = voila
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    conn.request("GET", f"/voila/render/notebooks/{CHAPTERS[0][0]}")
    assert conn.getresponse().status in (302, 401, 403)


@pytest.mark.parametrize("notebook, slider_text", CHAPTERS)
def test_moving_a_slider_changes_the_picture(voila, browser, notebook, slider_text):
    port, token = voila
    page = browser.new_page()
    try:
        page.goto(f"http://127.0.0.1:{port}/voila/render/notebooks/{notebook}?token={token}",
                  wait_until="commit", timeout=90_000)  # "load" waits for CDN assets that never come offline
        image = page.locator(".widget-image").first
        image.wait_for(state="visible", timeout=90_000)
        before = image.screenshot()
        slider = page.locator(".widget-slider", has_text=slider_text).first
        start = time.monotonic()
        if notebook in PLAYED:  # the slider starts at 0: Play trains and moves it
            readout = slider.locator(".widget-readout")
            page.locator(".widget-play button").first.click()
            what = f"pressing Play on '{slider_text}'"
        else:
            slider.locator(".noUi-handle").focus()
            for _ in range(5):
                page.keyboard.press("ArrowLeft")  # every slider starts above its minimum
            what = f"moving '{slider_text}'"
        wait_for_change(page, image, before, start, f"{notebook}: the picture did not change after {what}")
        if notebook in PLAYED:
            assert readout.inner_text().strip() not in ("", "0"), "Play did not move the slider"
        assert page.locator("img[src^='data:image/gif']").count() >= 1, "the chapter's GIF is not shown"
        print(f"{notebook}: picture changed {time.monotonic() - start:.2f} s after {what}")
    finally:
        page.close()


def test_jupyterlab_runs_a_chapter_and_its_slider_changes_the_picture(browser, tmp_path):
    """In a copy of the notebooks and pictures (JupyterLab may save a notebook it ran)."""
    shutil.copytree(ROOT / "notebooks", tmp_path / "notebooks")
    shutil.copytree(ROOT / "imgs", tmp_path / "imgs")
    port, token = free_port(), secrets.token_hex(16)
    log = open(tmp_path / "lab.log", "w")
    proc = subprocess.Popen(lab_command(port, open_browser=False, token=token, root=tmp_path),
                            cwd=tmp_path, stdout=log, stderr=subprocess.STDOUT)
    page = browser.new_page(viewport={"width": 1300, "height": 1000})
    try:
        wait_for_port(port, proc)
        notebook, slider_text = CHAPTERS[0]
        page.goto(f"http://127.0.0.1:{port}/lab/tree/notebooks/{notebook}?token={token}",
                  wait_until="commit", timeout=90_000)
        page.locator(".jp-Notebook").first.wait_for(state="visible", timeout=90_000)
        # the kernel has started (the status bar says so) before the cells are run
        page.locator(".jp-StatusBar-TextItem", has_text="Idle").first.wait_for(timeout=90_000)
        page.get_by_role("menuitem", name="Run", exact=True).click()
        page.get_by_role("menuitem", name="Run All Cells", exact=True).click()
        image = page.locator(".jp-OutputArea-output .widget-image").first  # the live widget's
        image.wait_for(state="visible", timeout=90_000)
        image.scroll_into_view_if_needed()
        before = image.screenshot()
        page.locator(".widget-slider", has_text=slider_text).first.locator(".noUi-handle").focus()
        start = time.monotonic()
        for _ in range(5):
            page.keyboard.press("ArrowLeft")
        wait_for_change(page, image, before, start,
                        f"JupyterLab, {notebook}: the picture did not change after moving '{slider_text}'")
        print(f"JupyterLab, {notebook}: picture changed {time.monotonic() - start:.2f} s after the key presses")
    finally:
        page.close()
        proc.terminate()
        proc.wait(timeout=20)
        log.close()


def inside(box: dict, width: int, height: int) -> bool:
    return box["x"] >= 0 and box["y"] >= 0 and box["x"] + box["width"] <= width and box["y"] + box["height"] <= height


def drawn_width(image) -> float:
    """The width a picture is drawn at in its box (the slides fit it in, keeping its shape)."""
    return image.evaluate("img => { const r = img.getBoundingClientRect(); return img.naturalWidth * "
                          "Math.min(r.width / img.naturalWidth, r.height / img.naturalHeight); }")


def wait_until_inside(page, parts, width: int, height: int, within: float = 15) -> bool:
    """Whether every one of ``parts`` lies inside the window once the slide has been laid out."""
    deadline = time.monotonic() + within
    while not all(inside(part.bounding_box(), width, height) for part in parts):
        if time.monotonic() > deadline:
            return False
        page.wait_for_timeout(100)
    return True


def test_a_slide_shows_a_live_widget_and_a_key_on_its_slider_changes_the_picture(browser, tmp_path):
    """The first chapter's deck, from a copy of the notebooks and pictures, on a 1280 x 720
    screen and then a 1920 x 1080 one."""
    shutil.copytree(ROOT / "notebooks", tmp_path / "notebooks")
    shutil.copytree(ROOT / "imgs", tmp_path / "imgs")
    notebook, slider_text = CHAPTERS[0]
    cells = nbformat.read(tmp_path / "notebooks" / notebook, 4).cells
    first_widget = next(i for i, c in enumerate(cells) if slides.is_widget(c))
    h, v = slides.positions(cells)[first_widget]
    port, token = free_port(), secrets.token_hex(16)
    log = open(tmp_path / "slides.log", "w")
    proc = subprocess.Popen(slides_command(port, open_browser=False, token=token, root=tmp_path),
                            cwd=ROOT, stdout=log, stderr=subprocess.STDOUT)
    page = browser.new_page(viewport={"width": 1280, "height": 720})
    try:
        wait_for_port(port, proc)
        page.goto(f"http://127.0.0.1:{port}/voila/render/notebooks/{notebook}?token={token}#/{h}/{v}",
                  wait_until="commit", timeout=90_000)
        screen = page.locator(".reveal section.present:not(.stack)")
        image = screen.locator(".widget-image")
        image.wait_for(state="visible", timeout=90_000)
        assert page.locator(".widget-image:visible").count() == 1, "more than one screen shows at once"
        assert page.locator("h1:visible").count() == 0, "the title slide shows behind the widget"
        slider = screen.locator(".widget-slider", has_text=slider_text).first
        assert wait_until_inside(page, (image, slider), 1280, 720), "the widget does not fit its slide"
        # its picture is as large as its controls leave room for: larger than it was drawn
        small, natural_width = drawn_width(image), image.evaluate("img => img.naturalWidth")
        assert small > 1.2 * natural_width, (small, natural_width)
        assert "Not attempted yet" not in page.content(), "the exercises are on the slides"

        before = image.screenshot()
        slider.locator(".noUi-handle").focus()
        start = time.monotonic()
        for _ in range(5):
            page.keyboard.press("ArrowLeft")
        assert page.evaluate("location.hash") == f"#/{h}/{v}", "the key that moved the slider turned the slide"
        wait_for_change(page, image, before, start, f"slides, {notebook}: the picture did not change "
                                                    f"after moving '{slider_text}'")
        page.keyboard.press("Escape")  # leaves the slider: the keys turn slides again
        page.keyboard.press("ArrowRight")
        page.wait_for_function(f"location.hash !== '#/{h}/{v}'", timeout=10_000)

        page.keyboard.press("ArrowLeft")
        page.wait_for_function(f"location.hash === '#/{h}/{v}'", timeout=10_000)
        page.set_viewport_size({"width": 1920, "height": 1080})  # reveal.js scales the slide to it
        assert wait_until_inside(page, (image, slider), 1920, 1080), "the widget does not fit a 1920 x 1080 slide"
        page.wait_for_function("document.querySelector('.reveal .slides').getBoundingClientRect().width > 1800")
        large = drawn_width(image)
        assert abs(large / small - 1.5) < 0.05, (small, large)
        page.screenshot(path=str(tmp_path / "slide_1920x1080.png"))
    finally:
        page.close()
        proc.terminate()
        proc.wait(timeout=20)
        log.close()


def test_a_projector_dashboard_draws_its_live_picture_larger(browser):
    """``python -m course_utils voila --projector``: the first chapter's widget picture is drawn
    1.5 times larger (960 pixels instead of 640) by its kernel, and shown at that size on a
    1920 x 1080 screen."""
    import signal
    import sys

    from course_utils.__main__ import PROJECTOR_SCALE
    from course_utils.scenes.neuron import NeuronScene

    port = free_port()
    proc = subprocess.Popen([sys.executable, "-m", "course_utils", "voila", "--projector", "--no-browser",
                             f"--port={port}"], cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                            text=True, start_new_session=True)
    try:
        line = proc.stdout.readline()
        token = line.split("token=")[1].split()[0]
        wait_for_port(port, proc)
        page = browser.new_page(viewport={"width": 1920, "height": 1080})
        page.goto(f"http://127.0.0.1:{port}/voila/render/notebooks/{CHAPTERS[0][0]}?token={token}",
                  wait_until="commit", timeout=90_000)
        image = page.locator(".widget-image").first
        image.wait_for(state="visible", timeout=90_000)
        natural = image.evaluate("img => img.naturalWidth")
        shown = image.bounding_box()["width"]
        page.close()
        normal = NeuronScene().fig.bbox.width  # here, at scale 1: 640
        assert natural == round(PROJECTOR_SCALE * normal) and abs(shown - natural) <= 1, (natural, shown, normal)
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(timeout=30)
