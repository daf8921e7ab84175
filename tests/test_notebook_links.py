"""Every relative link in every notebook's markdown points to a file that exists: a chapter
that is still to come is named in plain text, never linked."""

import json
import re
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest

NOTEBOOKS = sorted((Path(__file__).resolve().parent.parent / "notebooks").glob("*.ipynb"))
#: [text](target) and ![alt](target "title"), <a href="target"> and <img src="target">
LINK = re.compile(r"!?\[[^\]]*\]\(\s*<?([^)\s>]+)>?(?:\s+\"[^\"]*\")?\s*\)"
                  r"|<(?:a|img)\b[^>]*?\b(?:href|src)\s*=\s*[\"']([^\"']+)[\"']", re.I)


def relative_links(markdown: str) -> list[str]:
    """The targets of the links in ``markdown`` that point into the repository (no scheme
    such as https: or mailto:, not an anchor on the same page), without code spans."""
    text = re.sub(r"```.*?```|`[^`\n]*`", "", markdown, flags=re.S)
    found = [a or b for a, b in LINK.findall(text)]
    return [t for t in found if not urlsplit(t).scheme and not t.startswith(("#", "//"))]


def test_the_link_finder_finds_what_markdown_links_to():
    md = ('See [layers](03_layers.ipynb), ![a GIF](../imgs/x.gif "title"), <img src="../imgs/y.png">,\n'
          '[the web](https://example.org), [here](#top), `[not](a_link.md)` and\n'
          '```\n[also not](b.md)\n```\n[with anchor](03_layers.ipynb#exercises)')
    assert relative_links(md) == ["03_layers.ipynb", "../imgs/x.gif", "../imgs/y.png",
                                  "03_layers.ipynb#exercises"]


@pytest.mark.parametrize("notebook", NOTEBOOKS, ids=lambda p: p.name)
def test_every_relative_link_points_to_a_file_that_exists(notebook):
    cells = json.loads(notebook.read_text())["cells"]
    broken = []
    for cell in cells:
        if cell["cell_type"] != "markdown":
            continue
        for target in relative_links("".join(cell["source"])):
            path = (notebook.parent / unquote(urlsplit(target).path)).resolve()
            if not path.is_file():
                broken.append(target)
    assert not broken, f"{notebook.name} links to files that do not exist: {broken}"
