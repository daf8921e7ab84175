"""Command line: ``python -m course_utils gifs [NAME ...] [--check]``, ``lab``, ``voila``
and ``slides NAME``.

``lab`` opens JupyterLab in notebooks/, on 127.0.0.1 only, with a fresh random token;
``voila`` serves the notebooks as apps (code hidden) the same way, for presenting, on a
page that lists the chapters (``voila --projector``: the live pictures 1.5 times larger);
``slides NAME`` opens one chapter (``01_neurons``, or its number ``01``) as slides with
live widgets (voila's reveal.js template);
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
                  cull_after: int = CULL_AFTER, cull_every: int = CULL_EVERY,
                  root: Path = ROOT) -> list[str]:
    """The voila command line, loopback only with a token; pages are /voila/render/notebooks/<name>.

    It runs voila through :mod:`course_utils.voila`, which leaves out the cells a
    presentation skips (the exercises), and culls the kernels of closed pages. It serves
    the repository (or ``root``, a copy of it)."""
    token = token or secrets.token_hex(24)
    cmd = [sys.executable, "-m", "course_utils.voila", f"--port={port}", "--Voila.ip=127.0.0.1",
           f"--Voila.token={token}", "--Voila.port_retries=0",
           f"--MappingKernelManager.cull_idle_timeout={cull_after}",
           f"--MappingKernelManager.cull_interval={cull_every}",
           "--VoilaExporter.markdown_renderer_class=course_utils.voila.CourseMarkdownRenderer", str(root)]
    if not open_browser:
        cmd.append("--no-browser")
    return cmd


def slides_command(port: int = 8877, open_browser: bool = True, token: str | None = None,
                   root: Path = ROOT) -> list[str]:
    """The slides server: :func:`voila_command` with voila's reveal.js template, whose
    settings :mod:`course_utils.voila` sets (its own stylesheet, a 16:9 screen)."""
    cmd = voila_command(port, open_browser, token, root=root)
    cmd.insert(cmd.index(str(root)), "--template=reveal")
    return cmd


def find_chapter(name: str):
    """The registered chapter whose notebook is ``name`` (``01_neurons``, with or without
    ``.ipynb``) or whose number it is (``01``, ``4a``); a KeyError listing them otherwise."""
    from .chapters import CHAPTERS

    wanted = Path(name).name.removesuffix(".ipynb")
    for ch in CHAPTERS:
        if wanted in (ch.notebook, ch.number) or wanted.zfill(len(ch.number)) == ch.number:
            return ch
    listing = "\n".join(f"  {ch.number:4} {ch.notebook}" for ch in CHAPTERS)
    raise KeyError(f"no chapter {name!r}; the chapters are:\n{listing}")


#: How much larger ``voila --projector`` draws the live pictures (style.PICTURE_SCALE in
#: its kernels): 640 to 1000 pixels wide become 960 to 1500, for a 1920-pixel projector.
PROJECTOR_SCALE = 1.5


def projector_env(scale: float = PROJECTOR_SCALE) -> dict[str, str]:
    """The environment for a server whose kernels draw their pictures ``scale`` times larger."""
    return {**os.environ, "COURSE_PICTURE_SCALE": str(scale)}


def serve(command: list[str], port: int, open_url: str | None = None,
          env: dict[str, str] | None = None) -> int:
    """Run a server until it stops (or Ctrl+C); open ``open_url`` in a browser once it
    listens. Its kernels inherit ``env`` (default: this environment)."""
    proc = subprocess.Popen(command, cwd=ROOT, env=env)
    try:
        while open_url and proc.poll() is None:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
            except OSError:
                time.sleep(0.2)
                continue
            import webbrowser

            webbrowser.open(open_url)
            break
        return proc.wait()
    except KeyboardInterrupt:
        proc.terminate()
        proc.wait(timeout=20)
        return 0


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
        if name == "voila":
            p.add_argument("--projector", action="store_true",
                           help=f"draw the live pictures {PROJECTOR_SCALE} times larger, for a projector")
    p = sub.add_parser("slides", help="open one chapter as slides with live widgets (127.0.0.1, with a token)")
    p.add_argument("name", help="the chapter's notebook (01_neurons) or its number (01)")
    p.add_argument("--port", type=int, default=8877)
    p.add_argument("--no-browser", action="store_true")
    args = parser.parse_args(argv)
    if args.command == "slides":
        try:
            ch = find_chapter(args.name)
        except KeyError as exc:
            parser.exit(2, f"{parser.prog} slides: {exc.args[0]}\n")
        token, port = secrets.token_hex(24), first_free_port(args.port)
        url = f"http://127.0.0.1:{port}/voila/render/notebooks/{ch.notebook}.ipynb?token={token}"
        taken = f" (port {args.port} is taken, so it uses {port})" if port != args.port else ""
        print(f"The slides of {ch.notebook} will be at {url}{taken}\n"
              "(space or the arrow keys go through them; Esc shows them all)", flush=True)
        return serve(slides_command(port, open_browser=False, token=token), port,
                     None if args.no_browser else url)
    if args.command in ("lab", "voila"):
        token = secrets.token_hex(24)
        port = first_free_port(args.port)
        taken = f" (port {args.port} is taken, so it uses {port})" if port != args.port else ""
        if args.command == "lab":
            print(f"The course will be at http://127.0.0.1:{port}/lab/tree/notebooks?token={token}{taken}",
                  flush=True)
            try:
                return subprocess.call(lab_command(port, not args.no_browser, token), cwd=ROOT)
            except KeyboardInterrupt:
                return 0
        # voila hides the token in its own log, so say the whole address here
        url = f"http://127.0.0.1:{port}/voila/chapters?token={token}"
        larger = (f"\n(live pictures {PROJECTOR_SCALE} times larger, for a projector; the browser's "
                  "zoom, Ctrl and +, makes the text larger too)") if args.projector else ""
        print(f"The chapters will be at {url}{taken}{larger}", flush=True)
        return serve(voila_command(port, open_browser=False, token=token), port,
                     None if args.no_browser else url, env=projector_env() if args.projector else None)
    try:
        return gifs(args.names, args.check)
    except KeyError as exc:
        parser.error(exc.args[0])


if __name__ == "__main__":
    sys.exit(main())
