"""Slides: the rule that turns a chapter's cells into a deck, and the command that applies it.

Each cell's ``metadata.slideshow.slide_type`` says where it goes in the deck (voila's
reveal.js template reads it, as RISE and ``nbconvert --to slides`` do). The rule:

1. The exercise section (from the ``## Exercises`` heading up to ``## Summary``) is
   ``"skip"``: a deck has no cells to type answers in, and dashboards leave it out too.
2. The first cell, and every markdown cell that starts with a ``# `` or ``## ``
   heading, starts a ``"slide"``; a ``### `` heading starts a ``"subslide"`` (one screen
   down).
3. Any other cell starts a ``"subslide"`` when it would not fit on the screen so far: a
   screen holds one picture at most (a GIF or a figure) and about :data:`SCREEN_LINES`
   lines of text, a picture counting as :data:`PICTURE_LINES` of them. A live widget
   takes a screen of its own.
4. Otherwise the cell joins the screen: markdown as ``"-"``, a code cell's printed
   output as a ``"fragment"`` (it shows on the next key press, after the text that
   leads to it). A code cell that shows nothing (the imports at the top) is ``"-"``
   wherever it is: the slides hide code.

Only metadata changes: sources and outputs stay as they are, byte for byte.

Apply it to notebooks with ``python -m course_utils.slides notebooks/NN_name.ipynb ...``
(``--check`` lists those whose deck is out of date, exit status 1).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

#: Lines of text (at the slides' font size) that fit on one screen of the deck.
SCREEN_LINES = 16
#: What a GIF or a still figure counts for, in lines of text.
PICTURE_LINES = 10
#: What a live widget (its controls and picture) counts for: the whole screen, since the
#: slides' stylesheet makes its picture as large as the screen leaves room for.
WIDGET_LINES = SCREEN_LINES
#: Output types that are a picture.
PICTURES = ("image/png", "image/gif", "image/jpeg", "image/svg+xml")
WIDGET = "application/vnd.jupyter.widget-view+json"


def _source(cell) -> str:
    source = cell.get("source", "")
    return "".join(source) if isinstance(source, list) else source


def heading(cell) -> str:
    """``"#"``, ``"##"`` or ``"###"`` for a markdown cell that starts with that heading, else ``""``."""
    if cell.get("cell_type") != "markdown":
        return ""
    first = _source(cell).split(" ", 1)[0]
    return first if first in ("#", "##", "###") else ""


def is_widget(cell) -> bool:
    """A code cell that shows a live widget."""
    return any(WIDGET in out.get("data", {}) for out in cell.get("outputs", []))


def is_picture(cell) -> bool:
    """A cell that shows a picture: a live widget, a figure, or a markdown image."""
    if cell.get("cell_type") == "markdown":
        source = _source(cell)
        return "![" in source or "<img" in source
    return any(kind in out.get("data", {}) for out in cell.get("outputs", []) for kind in PICTURES + (WIDGET,))


def text_lines(cell) -> int:
    """About how many lines of text a cell puts on a slide (code is hidden: only what it prints)."""
    if cell.get("cell_type") == "markdown":
        return sum(1 for line in _source(cell).splitlines() if line.strip())
    lines = 0
    for out in cell.get("outputs", []):
        if out.get("output_type") == "stream":
            text = out.get("text", "")
        else:
            text = out.get("data", {}).get("text/plain", "") if not is_picture({"outputs": [out]}) else ""
        text = "".join(text) if isinstance(text, list) else text
        lines += len(text.splitlines())
    return lines


def exercise_section(cells) -> set[int]:
    """Indices of the cells from the ``## Exercises`` heading up to (not including) ``## Summary``."""
    inside, found = False, set()
    for i, cell in enumerate(cells):
        if heading(cell) == "##":
            source = _source(cell)
            if source.startswith("## Exercises"):
                inside = True
            elif source.startswith("## Summary"):
                inside = False
        if inside:
            found.add(i)
    return found


def slide_types(cells) -> list[str]:
    """The slide type of every cell, by the rule in this module's docstring."""
    skipped = exercise_section(cells)
    types, pictures, lines = [], 0, 0  # pictures and lines on the screen so far
    for i, cell in enumerate(cells):
        picture = is_picture(cell)
        size = WIDGET_LINES if is_widget(cell) else text_lines(cell) + (PICTURE_LINES if picture else 0)
        if i in skipped:
            types.append("skip")
            continue
        level = heading(cell)
        if not types or level in ("#", "##"):
            kind = "slide"
        elif not size:  # shows nothing (code is hidden on slides)
            kind = "-"
        elif level == "###" or (picture and pictures) or (lines and lines + size > SCREEN_LINES):
            kind = "subslide"
        elif cell.get("cell_type") == "code" and not picture:
            kind = "fragment"
        else:
            kind = "-"
        if kind in ("slide", "subslide"):
            pictures, lines = 0, 0
        pictures, lines = pictures + picture, lines + size
        types.append(kind)
    return types


def screens(cells) -> list[list[int]]:
    """The deck's screens (a slide or a subslide, with its fragments): lists of cell indices."""
    found = []
    for i, cell in enumerate(cells):
        kind = cell.get("metadata", {}).get("slideshow", {}).get("slide_type", "-")
        if kind == "skip":
            continue
        if kind in ("slide", "subslide") or not found:
            found.append([])
        found[-1].append(i)
    return found


def positions(cells) -> dict[int, tuple[int, int]]:
    """Where each shown cell is in the deck: reveal.js's (slide, subslide) numbers, as in
    the address ``#/slide/subslide``."""
    found, h, v = {}, -1, 0
    for i, cell in enumerate(cells):
        kind = cell.get("metadata", {}).get("slideshow", {}).get("slide_type", "-")
        if kind == "skip":
            continue
        if kind == "slide" or h < 0:
            h, v = h + 1, 0
        elif kind == "subslide":
            v += 1
        found[i] = (h, v)
    return found


def apply(path: Path, check: bool = False) -> bool:
    """Set the slide types of the notebook at ``path`` (only their metadata); return whether
    any changed. With ``check``, only say so and write nothing."""
    import nbformat

    notebook = nbformat.read(path, as_version=4)
    changed = False
    for cell, kind in zip(notebook.cells, slide_types(notebook.cells)):
        if cell.metadata.get("slideshow", {}).get("slide_type") != kind:
            cell.metadata.setdefault("slideshow", {})["slide_type"] = kind
            changed = True
    if changed and not check:
        nbformat.write(notebook, path)
    return changed


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m course_utils.slides",
                                     description="Set each cell's slide type by the deck rule.")
    parser.add_argument("notebooks", nargs="+", type=Path)
    parser.add_argument("--check", action="store_true", help="only list notebooks whose deck is out of date")
    args = parser.parse_args(argv)
    stale = [path for path in args.notebooks if apply(path, check=args.check)]
    for path in stale:
        print(f"{path}: {'out of date' if args.check else 'slide types set'}")
    return 1 if args.check and stale else 0


if __name__ == "__main__":
    sys.exit(main())
