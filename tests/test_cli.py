"""The command line: GIF checking, and JupyterLab served on 127.0.0.1 with a token."""

import http.client
import socket
import subprocess
import sys

import pytest

from course_utils.__main__ import ROOT, lab_command
from test_browser import free_port, wait_for_port


def run(*args):
    return subprocess.run([sys.executable, "-m", "course_utils", *args], cwd=ROOT,
                          capture_output=True, text=True, timeout=300)


def test_check_reports_fresh_gifs():
    result = run("gifs", "--check", "neuron")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "neuron: up to date" in result.stdout


def test_unknown_gif_name_is_a_clear_error():
    result = run("gifs", "nonsense")
    assert result.returncode == 2 and "no GIF named 'nonsense'" in result.stderr


def test_lab_command_never_has_an_empty_token():
    cmd = lab_command(open_browser=False)
    token = next(a.split("=", 1)[1] for a in cmd if a.startswith("--IdentityProvider.token="))
    assert len(token) >= 32 and "--ip=127.0.0.1" in cmd


def outside_address():
    """An address of this machine that is not loopback, or None."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        try:
            s.connect(("10.255.255.255", 1))  # no packet is sent; this only picks a route
            address = s.getsockname()[0]
        except OSError:
            return None
    return None if address.startswith("127.") else address


def test_lab_serves_loopback_only_and_needs_the_token(tmp_path):
    port, token = free_port(), "t" * 32
    proc = subprocess.Popen(lab_command(port, open_browser=False, token=token), cwd=ROOT,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        wait_for_port(port, proc)

        def status(path):
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=20)
            conn.request("GET", path)
            return conn.getresponse().status

        assert status("/api/contents/notebooks") == 403
        assert status(f"/api/contents/notebooks?token={token}") == 200
        address = outside_address()
        if address:
            with pytest.raises(OSError):
                socket.create_connection((address, port), timeout=2).close()
    finally:
        proc.terminate()
        proc.wait(timeout=30)


def test_a_taken_port_is_skipped_and_the_printed_link_says_the_port_used():
    from course_utils.__main__ import first_free_port, voila_command

    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        taken = busy.getsockname()[1]
        found = first_free_port(taken)
        assert found > taken
        with socket.socket() as s:
            s.bind(("127.0.0.1", found))  # really free
    assert "--ServerApp.port_retries=0" in lab_command(found, open_browser=False)
    assert "--Voila.port_retries=0" in voila_command(found, open_browser=False)


def test_slides_finds_a_chapter_by_its_notebook_or_its_number():
    from course_utils.__main__ import find_chapter

    for name in ("01_neurons", "01", "1", "notebooks/01_neurons.ipynb"):
        assert find_chapter(name).notebook == "01_neurons", name
    assert find_chapter("4a").notebook == "04a_convolutional_networks"


def test_slides_with_a_bad_name_lists_the_chapters():
    result = run("slides", "nonsense")
    assert result.returncode == 2 and "Traceback" not in result.stderr, result.stderr
    assert "no chapter 'nonsense'" in result.stderr and "04a_convolutional_networks" in result.stderr


def test_slides_command_is_voila_with_the_reveal_template_on_loopback_with_a_token(tmp_path):
    from course_utils.__main__ import slides_command

    cmd = slides_command(8877, open_browser=False, root=tmp_path)
    token = next(a.split("=", 1)[1] for a in cmd if a.startswith("--Voila.token="))
    assert len(token) >= 32 and "--Voila.ip=127.0.0.1" in cmd and "--no-browser" in cmd
    assert "--template=reveal" in cmd and cmd[cmd.index("--template=reveal") + 1] == str(tmp_path)


def test_slides_prints_the_link_that_opens_the_deck():
    """``slides 01`` prints a link; that link is the chapter's deck, with the course's own
    stylesheet for reveal.js (no CDN needed)."""
    import os
    import re
    import signal

    port = free_port()
    proc = subprocess.Popen([sys.executable, "-m", "course_utils", "slides", "01", "--no-browser",
                             f"--port={port}"], cwd=ROOT, stdout=subprocess.PIPE,
                            stderr=subprocess.DEVNULL, text=True, start_new_session=True)
    try:
        line = proc.stdout.readline()
        url = re.search(r"http://127\.0\.0\.1:(\d+)(/\S+)", line)
        assert url and int(url.group(1)) == port, line
        wait_for_port(port, proc)
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
        conn.request("GET", url.group(2))
        page = conn.getresponse()
        body = page.read().decode()
        assert page.status == 200 and 'class="reveal"' in body and "01_neurons" in body
        sheet = re.search(r'href="([^"]*/dist/reveal\.css)"', body).group(1)
        assert sheet.startswith("/"), sheet  # served here, not from a CDN
        conn.request("GET", sheet)
        css = conn.getresponse()
        assert css.status == 200 and ".reveal .slides section.past" in css.read().decode()
    finally:
        os.killpg(proc.pid, signal.SIGTERM)  # the command and the voila server it started
        proc.wait(timeout=30)


def test_voila_prints_the_link_to_a_page_that_lists_the_chapters():
    """Every registered chapter, in course order, linked to its dashboard; a token is needed."""
    import os
    import re
    import signal

    from course_utils.chapters import CHAPTERS

    port = free_port()
    proc = subprocess.Popen([sys.executable, "-m", "course_utils", "voila", "--no-browser", f"--port={port}"],
                            cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True,
                            start_new_session=True)
    try:
        line = proc.stdout.readline()
        url = re.search(r"http://127\.0\.0\.1:(\d+)(/voila/chapters)\?token=(\w+)", line)
        assert url and int(url.group(1)) == port, line
        wait_for_port(port, proc)
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        conn.request("GET", url.group(2))
        assert conn.getresponse().status in (302, 401, 403)
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        conn.request("GET", f"{url.group(2)}?token={url.group(3)}")
        page = conn.getresponse()
        body = page.read().decode()
        assert page.status == 200
        links = re.findall(r'href="/voila/render/notebooks/([^"]+)\.ipynb"', body)
        assert links == [ch.notebook for ch in CHAPTERS]
        assert all((ROOT / "notebooks" / f"{name}.ipynb").exists() for name in links)
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(timeout=30)
