"""Voila support: show the course's GIFs when voila serves the repository.

Voila inlines a markdown image by looking its path up from the server's root folder,
not from the notebook's folder. The notebooks write ``../imgs/neuron.gif``, which is
right for JupyterLab, GitHub and Binder, so this renderer rewrites such a path to be
seen from the repository root (where notebooks/ lives) before voila looks it up.
"""

from __future__ import annotations

import posixpath

from voila.exporter import VoilaMarkdownRenderer


class CourseMarkdownRenderer(VoilaMarkdownRenderer):
    def image(self, text: str, url: str, title: str | None = None):
        if url.startswith("../"):
            url = posixpath.normpath(posixpath.join("notebooks", url))
        return super().image(text, url, title)


def skipped(cell) -> bool:
    """A cell a presentation leaves out: slide type "skip" (``metadata.slideshow``, as
    JupyterLab's property inspector sets it, and as slides skip it)."""
    return cell.get("metadata", {}).get("slideshow", {}).get("slide_type") == "skip"


def leave_out_skipped(req, notebook, cwd) -> None:
    """voila's prelaunch hook: drop the :func:`skipped` cells before the notebook runs, so a
    dashboard shows no exercise asking for code nobody can type, nor numbers printed for
    code it hides. (Such cells define nothing the rest of their notebook uses: a test checks.)"""
    notebook.cells = [cell for cell in notebook.cells if not skipped(cell)]


def main(argv=None) -> None:
    """``python -m course_utils.voila ARGS``: voila with :func:`leave_out_skipped` as its
    prelaunch hook (a callable, which voila's command line cannot take)."""
    from traitlets.config import Config
    from voila.app import Voila

    config = Config()
    config.VoilaConfiguration.prelaunch_hook = leave_out_skipped
    Voila.launch_instance(argv=argv, config=config)


if __name__ == "__main__":
    main()
