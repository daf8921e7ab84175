"""Slider-to-picture time in a real browser: voila serves a chapter on 127.0.0.1, headless
Chromium (Debian's package, driven by Playwright) moves one slider a step at a time with
the keyboard, and each time we wait until the widget's picture has changed.

    python benchmarks/bench_browser.py [--notebook 03_layers] [--control "training step"] [--moves 20]

The time includes everything a student waits for: the key press reaching the widget,
the kernel's ``scene.set`` and PNG, and the browser showing the new image.
"""

from __future__ import annotations

import argparse
import secrets
import shutil
import socket
import statistics
import subprocess
import time
from pathlib import Path

from course_utils.__main__ import voila_command
from course_utils.chapters import chapter

ROOT = Path(__file__).resolve().parent.parent
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
         "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic"]


def serve(port: int, token: str) -> subprocess.Popen:
    """Start voila and return once it listens."""
    proc = subprocess.Popen(voila_command(port, open_browser=False, token=token), cwd=ROOT,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return proc
        except OSError:
            time.sleep(0.2)
    proc.terminate()
    raise TimeoutError("voila did not start within 60 s")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--notebook", default="03_layers")
    parser.add_argument("--control", help="label of the slider to move (default: the chapter's)")
    parser.add_argument("--moves", type=int, default=20)
    args = parser.parse_args()
    control = args.control or chapter(args.notebook).control
    browser_path = shutil.which("chromium")
    if browser_path is None:
        raise SystemExit("Chromium not found: apt-get install -y chromium")

    from playwright.sync_api import sync_playwright

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    token = secrets.token_hex(16)
    proc = serve(port, token)
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=browser_path, args=FLAGS)
            page = browser.new_page()
            page.goto(f"http://127.0.0.1:{port}/voila/render/notebooks/{args.notebook}.ipynb?token={token}",
                      wait_until="commit", timeout=90_000)
            image = page.locator(".widget-image").first
            image.wait_for(state="visible", timeout=90_000)
            slider = page.locator(".widget-slider", has_text=control).first
            slider.locator(".noUi-handle").focus()
            times = []
            for i in range(args.moves):
                before = image.get_attribute("src")
                start = time.perf_counter()
                page.keyboard.press("ArrowLeft" if (i // 5) % 2 == 0 else "ArrowRight")
                page.wait_for_function("([el, old]) => el.src !== old",
                                       arg=[image.element_handle(), before], timeout=15_000, polling=5)
                times.append(time.perf_counter() - start)
                page.wait_for_timeout(150)  # let the kernel settle between moves
            browser.close()
    finally:
        proc.terminate()
        proc.wait(timeout=20)
    print(f"{args.notebook}, moving '{control}' one step {len(times)} times in voila + Chromium:")
    print(f"  slider to picture: median {statistics.median(times) * 1e3:.0f} ms, "
          f"min {min(times) * 1e3:.0f} ms, max {max(times) * 1e3:.0f} ms")


if __name__ == "__main__":
    main()
