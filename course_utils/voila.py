"""Voila support: the course's GIFs, dashboards without the exercises, and slides.

Voila inlines a markdown image by looking its path up from the server's root folder,
not from the notebook's folder. The notebooks write ``../imgs/neuron.gif``, which is
right for JupyterLab, GitHub and Binder, so :class:`CourseMarkdownRenderer` rewrites
such a path to be seen from the repository root (where notebooks/ lives) before voila
looks it up.

Slides are voila's reveal.js template (``--template=reveal``), with two changes made by
the server :func:`main` starts:

* the template takes reveal.js's stylesheet from a CDN, so without internet every slide
  shows at once, one on top of the other; the server serves the course's own
  :data:`SLIDES_CSS` at :data:`SLIDES_URL` instead, and points the template there;
* reveal.js reads the arrow keys even while a slider has the focus, so a key that moved
  a slider also turned the slide, and it centres a slide before its widget is drawn;
  :data:`SLIDES_JS` (added to the template by :data:`SLIDES_TEMPLATE`) fixes both.

The same server also serves :func:`chapters_page`, the list of chapters that
``python -m course_utils voila`` opens on.
"""

from __future__ import annotations

import hashlib
import html
import os
import posixpath
import sys
import tempfile
from pathlib import Path

import tornado.web
from voila.exporter import VoilaMarkdownRenderer

#: Where the slides' stylesheet is served: ``/<SLIDES_URL>/dist/reveal.css``, as the reveal
#: template asks for it (and ``dist/theme/<name>.css``, the same sheet).
SLIDES_URL = "voila/course-slides"

#: What reveal.js needs from its stylesheet (one screen at a time, fragments hidden until
#: their turn, arrows and a progress bar), and pictures sized for a projector.
SLIDES_CSS = """\
.reveal { position: relative; width: 100%; height: 100%; overflow: hidden; background: white; }
.reveal .slides { position: absolute; margin: auto; pointer-events: none; z-index: 1; text-align: left; }
.reveal .slides section { position: absolute; width: 100%; box-sizing: border-box; pointer-events: auto; }
/* a screen taller than the slide scrolls (with the mouse wheel) */
.reveal .slides section:not(.stack) { max-height: 100%; overflow-y: auto; }
.reveal .slides > section.stack { height: 100%; pointer-events: none; }
.reveal .slides section[hidden], .reveal .slides section.past, .reveal .slides section.future {
  display: none !important;
}
.reveal .slides section .fragment { opacity: 0; visibility: hidden; transition: opacity 0.3s; }
.reveal .slides section .fragment.visible { opacity: 1; visibility: inherit; }
.reveal .backgrounds, .reveal .slide-number, .reveal .speaker-notes, .reveal .pause-overlay,
.reveal aside.notes { display: none; }
.reveal .controls { position: absolute; right: 10px; bottom: 10px; width: 96px; height: 96px;
  z-index: 11; pointer-events: none; }
.reveal .controls button { position: absolute; width: 32px; height: 32px; padding: 0; border: 0;
  background: none; color: #0072B2; font-size: 26px; line-height: 32px; cursor: pointer;
  pointer-events: auto; visibility: hidden; }
.reveal .controls button.enabled { visibility: visible; }
.reveal .controls .navigate-left { left: 0; top: 32px; }
.reveal .controls .navigate-right { right: 0; top: 32px; }
.reveal .controls .navigate-up { left: 32px; top: 0; }
.reveal .controls .navigate-down { left: 32px; bottom: 0; }
.reveal .controls .navigate-left .controls-arrow::before { content: "\\25C0"; }
.reveal .controls .navigate-right .controls-arrow::before { content: "\\25B6"; }
.reveal .controls .navigate-up .controls-arrow::before { content: "\\25B2"; }
.reveal .controls .navigate-down .controls-arrow::before { content: "\\25BC"; }
/* a live widget fills its screen: its picture takes the height its controls leave, at
   its own shape (they are drawn 640 to 1000 pixels wide: half to 3/4 of such a screen) */
.reveal .jp-OutputArea-output > .widget-vbox { height: 640px; }
/* the controls' labels have room for the notebook's font size, not the slides' 20px */
.reveal .jupyter-widgets { --jp-widgets-font-size: 13px; }
.reveal .jp-OutputArea-output > .widget-vbox > .widget-image {
  flex: 1 1 0; min-height: 0; width: 100% !important; max-width: 100% !important;
  height: auto !important; object-fit: contain; object-position: left top;
}
.reveal .progress { position: absolute; left: 0; bottom: 0; width: 100%; height: 4px;
  background: rgba(0, 0, 0, 0.1); z-index: 10; }
.reveal .progress span { display: block; width: 100%; height: 100%; background: #0072B2;
  transform-origin: 0 0; transition: transform 0.5s; }
"""


#: The reveal template's settings for the course's slides: its own stylesheet; a 16:9
#: screen of 1280 x 720 (scaled to fit the window, so 1.5 times larger on a 1920 x 1080
#: projector); no sliding between slides. (Its "scroll" setting needs jQuery from a CDN:
#: :data:`SLIDES_CSS` makes a tall screen scroll instead.)
SLIDES_RESOURCES = {"url_prefix": "/" + SLIDES_URL, "width": 1280, "height": 720, "transition": "none"}


#: Two fixes for widgets on slides. Keys pressed on a widget's control go to the control
#: only (reveal.js listens on the whole page, after the control); Esc leaves the control,
#: so the keys turn slides again. And a slide is laid out again when its size changes:
#: reveal.js centres a slide once, and a widget drawn after that (as on a slide opened
#: by its address) would hang below the window.
SLIDES_JS = """\
document.querySelector(".reveal").addEventListener("keydown", (event) => {
  if (!event.target.closest || !event.target.closest(".jupyter-widgets")) return;
  event.stopPropagation();
  if (event.key === "Escape") event.target.blur();
});
const relayout = new ResizeObserver(() => window.dispatchEvent(new Event("resize")));
document.querySelectorAll(".reveal .slides section:not(.stack)").forEach((s) => relayout.observe(s));
"""

#: voila's reveal template with :data:`SLIDES_JS` at the end of the page.
SLIDES_TEMPLATE = """\
{%- extends 'voila/templates/reveal/index.html.j2' -%}
{% block footer_js %}
{{ super() }}
<script>
""" + SLIDES_JS + """\
</script>
{% endblock footer_js %}
"""


def slides_template_folder() -> Path:
    """A folder holding :data:`SLIDES_TEMPLATE` as ``index.html.j2`` (in the temporary
    folder, named by its content, so every server of the same course shares it)."""
    digest = hashlib.sha256(SLIDES_TEMPLATE.encode()).hexdigest()[:12]
    folder = Path(tempfile.gettempdir(), f"course_slides_{digest}")
    if not (folder / "index.html.j2").exists():
        folder.mkdir(exist_ok=True)
        part = folder / f"index.{os.getpid()}.part"
        part.write_text(SLIDES_TEMPLATE)
        part.replace(folder / "index.html.j2")  # whole, even with two servers starting at once
    return folder


class SlidesStylesheet(tornado.web.RequestHandler):
    """Serves :data:`SLIDES_CSS` (no token needed: it is the same for everyone)."""

    def get(self, name: str) -> None:
        if name != "dist/reveal.css" and not (name.startswith("dist/theme/") and name.endswith(".css")):
            raise tornado.web.HTTPError(404)
        self.set_header("Content-Type", "text/css; charset=utf-8")
        self.finish(SLIDES_CSS if name == "dist/reveal.css" else "")


class CourseMarkdownRenderer(VoilaMarkdownRenderer):
    def image(self, text: str, url: str, title: str | None = None):
        if url.startswith("../"):
            url = posixpath.normpath(posixpath.join("notebooks", url))
        return super().image(text, url, title)


#: The page that lists the chapters (voila's own tree lists the repository's root).
CHAPTERS_URL = "voila/chapters"


def chapters_page(base_url: str = "/") -> str:
    """The chapters, in course order, each a link to its dashboard (from the registry)."""
    from .chapters import CHAPTERS

    rows = "\n".join(
        f'<li><a href="{base_url}voila/render/notebooks/{ch.notebook}.ipynb">{ch.number} '
        f"{html.escape(ch.title)}</a>: {html.escape(ch.summary)}</li>" for ch in CHAPTERS)
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>Neural networks, interactively: the chapters</title>
<style>body {{ font: 17px/1.5 sans-serif; max-width: 60em; margin: 2em auto; padding: 0 1em; }}
li {{ margin: 0.5em 0; }} a {{ color: #0072B2; font-weight: bold; }}</style></head>
<body><h1>Neural networks, interactively</h1>
<p>Each chapter opens as a page with its live widgets (code hidden, exercises left out).
To present one as slides: <code>make slides CHAPTER=01</code>.</p>
<ul>
{rows}
</ul></body></html>
"""


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
    prelaunch hook (a callable, which voila's command line cannot take), serving the
    slides' stylesheet and the :func:`chapters_page` too."""
    from jupyter_server.base.handlers import JupyterHandler
    from jupyter_server.utils import url_path_join
    from traitlets.config import Config
    from voila.app import Voila

    class ChaptersPage(JupyterHandler):
        @tornado.web.authenticated
        def get(self) -> None:
            self.finish(chapters_page(self.base_url))

    class CourseVoila(Voila):
        def setup_template_dirs(self):
            super().setup_template_dirs()
            if self.voila_configuration.template == "reveal":  # SLIDES_TEMPLATE comes first
                self.template_paths.insert(0, str(slides_template_folder()))

        def init_handlers(self):
            return [(url_path_join(self.server_url, SLIDES_URL, "(.*)"), SlidesStylesheet),
                    (url_path_join(self.server_url, CHAPTERS_URL), ChaptersPage),
                    *super().init_handlers()]

    config = Config()
    config.VoilaConfiguration.prelaunch_hook = leave_out_skipped
    if "--template=reveal" in (sys.argv[1:] if argv is None else argv):
        config.VoilaConfiguration.resources = {"reveal": SLIDES_RESOURCES}
    CourseVoila.launch_instance(argv=argv, config=config)


if __name__ == "__main__":
    main()
