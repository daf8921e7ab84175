"""Presenting a chapter without its code (voila dashboards): the exercise section of every
notebook is marked as skipped (``slideshow.slide_type = "skip"``), the cells it skips
define nothing the rest of the notebook uses, voila's prelaunch hook leaves exactly those
cells out, and the kernel of a closed page is shut down."""

import ast
import copy
import http.client
import os
import secrets
import subprocess
import time
from pathlib import Path

import nbformat
import pytest

from course_utils.__main__ import first_free_port, voila_command
from course_utils.voila import leave_out_skipped, skipped

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))


def cells(notebook: Path):
    return nbformat.read(notebook, 4).cells


@pytest.mark.parametrize("notebook", NOTEBOOKS, ids=lambda p: p.stem)
def test_the_exercise_section_and_nothing_else_is_skipped(notebook):
    found = cells(notebook)
    starts = [i for i, c in enumerate(found) if c.cell_type == "markdown" and c.source.startswith("## Exercises")]
    ends = [i for i, c in enumerate(found) if c.cell_type == "markdown" and c.source.startswith("## Summary")]
    assert len(starts) == 1 and len(ends) == 1 and starts[0] < ends[0], "one '## Exercises' and one '## Summary' cell"
    for i, cell in enumerate(found):
        assert skipped(cell) == (starts[0] <= i < ends[0]), (i, cell.source[:60])
    # the headings start their own cells: nothing before them is skipped with them
    for c in found:
        if c.cell_type == "markdown" and not c.source.startswith(("## Exercises", "## Summary")):
            assert "\n## Exercises" not in c.source and "\n## Summary" not in c.source


def names(source: str, kind) -> set:
    """Names a cell's code binds (kind=ast.Store, with defs and imports) or reads (ast.Load)."""
    tree = ast.parse(source.replace("%matplotlib", "#"))
    found = {n.id for n in ast.walk(tree) if isinstance(n, ast.Name) and isinstance(n.ctx, kind)}
    if kind is ast.Store:
        found |= {n.name for n in ast.walk(tree) if isinstance(n, (ast.FunctionDef, ast.ClassDef))}
        found |= {(a.asname or a.name).split(".")[0] for n in ast.walk(tree)
                  if isinstance(n, (ast.Import, ast.ImportFrom)) for a in n.names}
    return found


@pytest.mark.parametrize("notebook", NOTEBOOKS, ids=lambda p: p.stem)
def test_skipped_cells_define_nothing_the_rest_uses(notebook):
    """So leaving them out cannot break a later cell."""
    found = cells(notebook)
    for i, cell in enumerate(found):
        if cell.cell_type != "code" or not skipped(cell):
            continue
        later = set().union(*(names(c.source, ast.Load) for c in found[i + 1:]
                              if c.cell_type == "code" and not skipped(c)))
        assert not names(cell.source, ast.Store) & later, (i, names(cell.source, ast.Store) & later)


def test_the_prelaunch_hook_leaves_out_exactly_the_skipped_cells():
    notebook = nbformat.read(NOTEBOOKS[0], 4)
    kept = [c.id for c in notebook.cells if not skipped(c)]
    shown = copy.deepcopy(notebook)
    leave_out_skipped(None, shown, str(ROOT))
    assert [c.id for c in shown.cells] == kept and len(kept) < len(notebook.cells)


def children(pid: int) -> list[int]:
    """The processes whose parent is ``pid`` (from /proc)."""
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
                found.append(int(entry.name))
    return found


@pytest.mark.skipif(not Path("/proc").is_dir(), reason="counts kernel processes in /proc")
def test_a_closed_pages_kernel_is_culled():
    port, token = first_free_port(8950), secrets.token_hex(8)
    proc = subprocess.Popen(voila_command(port, open_browser=False, token=token, cull_after=3, cull_every=1),
                            cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                            env=dict(os.environ, PYDEVD_DISABLE_FILE_VALIDATION="1"))
    try:
        deadline = time.monotonic() + 60
        while True:  # the page renders once its kernel has run the notebook
            try:
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
                conn.request("GET", f"/voila/render/notebooks/04_network_types.ipynb?token={token}")
                page = conn.getresponse()
                body = page.read().decode()
                break
            except OSError:
                assert time.monotonic() < deadline, "voila did not answer"
                time.sleep(0.5)
        assert page.status == 200 and "Types of networks" in body
        assert "Not attempted yet" not in body  # the exercises are left out of the dashboard
        assert children(proc.pid), "no kernel was started for the page"
        deadline = time.monotonic() + 40
        while children(proc.pid) and time.monotonic() < deadline:
            time.sleep(0.5)
        assert not children(proc.pid), "the kernel of a closed page is still running"
    finally:
        proc.terminate()
        proc.wait(timeout=20)


# --- slides ----------------------------------------------------------------------------
# Every registered chapter's deck (voila's reveal.js template reads each cell's slide type).

from course_utils import slides
from course_utils.chapters import CHAPTERS

REGISTERED = [ROOT / "notebooks" / f"{ch.notebook}.ipynb" for ch in CHAPTERS]


def kind(cell) -> str:
    return cell.get("metadata", {}).get("slideshow", {}).get("slide_type", "")


@pytest.mark.parametrize("notebook", REGISTERED, ids=lambda p: p.stem)
def test_the_deck_is_the_rules(notebook):
    found = cells(notebook)
    assert [kind(c) for c in found] == slides.slide_types(found), (
        f"run: python -m course_utils.slides notebooks/{notebook.name}")


@pytest.mark.parametrize("notebook", REGISTERED, ids=lambda p: p.stem)
def test_a_deck_starts_with_a_slide_and_shows_one_picture_per_screen(notebook):
    found = cells(notebook)
    shown = [c for c in found if kind(c) != "skip"]
    assert kind(shown[0]) == "slide"
    for c in shown:
        assert kind(c) in ("slide", "subslide", "fragment", "-"), (kind(c), c.source[:60])
        if c.cell_type == "markdown" and c.source.startswith("## "):
            assert kind(c) == "slide", c.source[:60]
    for screen in slides.screens(found):
        pictures = [i for i in screen if slides.is_picture(found[i])]
        assert len(pictures) <= 1, f"cells {pictures} share a screen"
        if any(slides.is_widget(found[i]) for i in screen):  # a live widget has its screen to itself
            assert [i for i in screen if slides.text_lines(found[i]) or slides.is_picture(found[i])] == pictures, screen
    exercises = slides.exercise_section(found)
    assert exercises and all(kind(found[i]) == "skip" for i in exercises)


def test_the_rule_on_a_small_notebook():
    md = nbformat.v4.new_markdown_cell
    printed = nbformat.v4.new_code_cell("print(1)", outputs=[nbformat.v4.new_output("stream", text="1\n")])
    widget = nbformat.v4.new_code_cell("interactive(S())", outputs=[nbformat.v4.new_output(
        "display_data", data={slides.WIDGET: {"model_id": "x"}, "text/plain": "S"})])
    found = [md("# Title"), nbformat.v4.new_code_cell("import numpy"), md("## A picture\n\n![x](../imgs/x.gif)"),
             md("A line about it."), printed, widget, md("Things to try."), md("### Deeper"),
             md("## Exercises"), printed, md("## Summary")]
    assert slides.slide_types(found) == ["slide", "-", "slide", "-", "fragment", "subslide", "subslide",
                                         "subslide", "skip", "skip", "slide"]
    long_text = md("\n".join(["a line"] * slides.SCREEN_LINES))
    assert slides.slide_types([md("# T"), long_text, md("more")]) == ["slide", "subslide", "subslide"]


def test_applying_the_rule_changes_only_slide_metadata(tmp_path):
    bare = nbformat.read(REGISTERED[0], 4)
    for cell in bare.cells:
        cell.metadata.pop("slideshow", None)
    path = tmp_path / "bare.ipynb"
    nbformat.write(bare, path)
    assert slides.apply(path) and not slides.apply(path)  # a second time changes nothing
    again = nbformat.read(path, 4)
    assert [kind(c) for c in again.cells] == slides.slide_types(bare.cells)
    for cell in again.cells + bare.cells:
        cell.metadata.pop("slideshow", None)
    assert again == bare


def test_check_lists_a_stale_deck(tmp_path, capsys):
    notebook = nbformat.read(REGISTERED[0], 4)
    notebook.cells[0].metadata["slideshow"] = {"slide_type": "fragment"}
    path = tmp_path / "stale.ipynb"
    nbformat.write(notebook, path)
    before = path.read_bytes()
    assert slides.main(["--check", str(path)]) == 1 and "out of date" in capsys.readouterr().out
    assert path.read_bytes() == before
