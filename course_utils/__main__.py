"""Command line: ``python -m course_utils gifs [NAME ...] [--check]``, ``lab`` and ``voila``.

``lab`` opens JupyterLab in notebooks/, on 127.0.0.1 only, with a fresh random token;
``voila`` serves the notebooks as apps (code hidden) the same way, for presenting.
``gifs`` rebuilds every GIF in imgs/ (or the ones named) and shows progress;
``gifs --check`` rebuilds them in memory and lists those whose committed file differs
(exit status 1 if any is stale).
"""

from __future__ import annotations

import argparse
import os
import secrets
import socket
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def first_free_port(port: int, tries: int = 50) -> int:
    """``port`` if nothing listens on it on 127.0.0.1, else the next free one: the server
    is then started on exactly that port, so the printed link is the one that works."""
    for candidate in range(port, port + tries):
        with socket.socket() as s:
            try:
                s.bind(("127.0.0.1", candidate))
            except OSError:
                continue
            return candidate
    raise SystemExit(f"ports {port} to {port + tries - 1} are all taken; pass --port")


def lab_command(port: int = 8888, open_browser: bool = True, token: str | None = None,
                root: Path = ROOT) -> list[str]:
    """The JupyterLab command line: loopback only, never an empty token.

    The server's root is the repository (or ``root``, a copy of it), so the notebooks'
    ``../imgs/`` pictures load; the page opens on notebooks/.
    """
    token = token or secrets.token_hex(24)
    cmd = [sys.executable, "-m", "jupyter", "lab", "--ip=127.0.0.1", f"--port={port}",
           f"--ServerApp.root_dir={root}", "--ServerApp.default_url=/lab/tree/notebooks",
           f"--IdentityProvider.token={token}", "--ServerApp.port_retries=0"]
    if not open_browser:
        cmd.append("--no-browser")
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        cmd.append("--allow-root")  # JupyterLab refuses to start as root without it
    return cmd


#: The kernel of a closed dashboard page is shut down after this many seconds without
#: activity (checked every CULL_EVERY seconds): a class of 30 would otherwise leave 30
#: kernels of about 110 MB running after the lesson. An open page's kernel is kept.
CULL_AFTER, CULL_EVERY = 300, 60


def voila_command(port: int = 8866, open_browser: bool = True, token: str | None = None,
                  cull_after: int = CULL_AFTER, cull_every: int = CULL_EVERY) -> list[str]:
    """The voila command line, loopback only with a token; pages are /voila/render/notebooks/<name>.

    It runs voila through :mod:`course_utils.voila`, which leaves out the cells a
    presentation skips (the exercises), and culls the kernels of closed pages."""
    token = token or secrets.token_hex(24)
    cmd = [sys.executable, "-m", "course_utils.voila", f"--port={port}", "--Voila.ip=127.0.0.1",
           f"--Voila.token={token}", "--Voila.port_retries=0",
           f"--MappingKernelManager.cull_idle_timeout={cull_after}",
           f"--MappingKernelManager.cull_interval={cull_every}",
           "--VoilaExporter.markdown_renderer_class=course_utils.voila.CourseMarkdownRenderer", str(ROOT)]
    if not open_browser:
        cmd.append("--no-browser")
    return cmd


def gifs(names: list[str], check: bool) -> int:
    # matplotlib loads only here, so `--help` stays fast
    from . import gif
    from .chapters import gif_scenes, load_gif_scene as load

    names = names or sorted(gif_scenes())
    stale = []
    for name in names:
        scene_cls = load(name)
        start = time.perf_counter()

        def progress(n, name=name):
            if sys.stdout.isatty():  # a live counter in a terminal; logs get only the summary
                print(f"\r{name}: frame {n}", end="", flush=True)

        if check:
            if gif.is_stale(scene_cls):
                stale.append(name)
            print(f"{name}: {'STALE' if name in stale else 'up to date'}")
            continue
        path = gif.build(scene_cls, progress=progress)
        print(f"\r{name}: wrote {path.name}, {path.stat().st_size / 1e3:.0f} kB "
              f"in {time.perf_counter() - start:.1f} s")
    if stale:
        print(f"Stale GIFs: {', '.join(stale)}. Rebuild them with: python -m course_utils gifs")
        return 1
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m course_utils", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", required=True)
    p = sub.add_parser("gifs", help="build the GIFs in imgs/, or check that they are fresh")
    p.add_argument("names", nargs="*", help="GIF names (default: all)")
    p.add_argument("--check", action="store_true", help="only report stale GIFs")
    for name, port, what in (("lab", 8888, "open the course in JupyterLab"),
                             ("voila", 8866, "serve the notebooks as apps with voila, for presenting")):
        p = sub.add_parser(name, help=f"{what} (127.0.0.1, with a token)")
        p.add_argument("--port", type=int, default=port)
        p.add_argument("--no-browser", action="store_true")
    args = parser.parse_args(argv)
    if args.command in ("lab", "voila"):
        token = secrets.token_hex(24)
        command = lab_command if args.command == "lab" else voila_command
        port = first_free_port(args.port)
        if args.command == "lab":
            where = f"The course will be at http://127.0.0.1:{port}/lab/tree/notebooks?token={token}"
        else:  # voila hides the token in its own log, so say the whole address here
            where = (f"The chapters will be at http://127.0.0.1:{port}/voila/render/notebooks/"
                     f"01_neurons.ipynb?token={token}\n(the other chapters: the same address with "
                     "their notebook's name)")
        taken = f" (port {args.port} is taken, so it uses {port})" if port != args.port else ""
        print(where + taken, flush=True)
        try:
            return subprocess.call(command(port, not args.no_browser, token), cwd=ROOT)
        except KeyboardInterrupt:
            return 0
    try:
        return gifs(args.names, args.check)
    except KeyError as exc:
        parser.error(exc.args[0])


if __name__ == "__main__":
    sys.exit(main())
