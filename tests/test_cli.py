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
