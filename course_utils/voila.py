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
