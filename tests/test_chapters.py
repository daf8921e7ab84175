"""The chapter registry is the one list of chapters: the README, notebooks/ and the
exercise modules agree with it."""

import importlib
import re
from pathlib import Path

from course_utils import chapters

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text()


def readme_rows() -> list[tuple[str, str, str]]:
    """(name, link, what you learn) of every row of the README's chapter table."""
    rows = re.findall(r"^\| \[([^\]]+)\]\(([^)]+)\) \| (.+?) \|$", README, flags=re.M)
    assert rows, "the README has no chapter table"
    return rows


def test_readme_table_is_the_registry_in_order():
    expected = [(ch.notebook, f"notebooks/{ch.notebook}.ipynb", ch.summary) for ch in chapters.CHAPTERS]
    assert readme_rows() == expected


def test_every_notebook_is_registered_and_every_chapter_has_its_notebook():
    on_disk = sorted(p.stem for p in (ROOT / "notebooks").glob("*.ipynb"))
    assert on_disk == sorted(ch.notebook for ch in chapters.CHAPTERS)


def test_chapters_are_in_course_order_and_numbered_like_their_notebooks():
    numbers = [ch.number for ch in chapters.CHAPTERS]
    assert numbers == sorted(numbers) and len(set(numbers)) == len(numbers)
    for ch in chapters.CHAPTERS:
        assert ch.notebook.startswith(ch.number + "_")


def test_each_chapter_names_real_scenes_and_exercises():
    for ch in chapters.CHAPTERS:
        assert chapters.scene_classes([ch]), ch.notebook
        module = importlib.import_module(f"course_utils.exercises.{ch.exercises}")
        assert any(name.startswith("check_") for name in vars(module)), ch.exercises
        control_labels = {p.label for cls in chapters.scene_classes([ch]) for p in cls.params}
        assert ch.control in control_labels, f"{ch.notebook}: no control labelled {ch.control!r}"
        if ch.play:  # the browser test presses the Play of this control: it must be a step
            first = chapters.scene_classes([ch])[0]
            assert any(p.name == "step" and p.label == ch.control for p in first.params), ch.notebook


def test_gif_names_are_written_once_in_the_scenes():
    gifs = chapters.gif_scenes()
    assert set(gifs) == {p.stem for p in (ROOT / "imgs").glob("*.gif")}
    for name, cls in gifs.items():
        assert cls.gif_name == name


def test_a_chapter_is_found_by_its_notebook():
    assert chapters.chapter("03_layers.ipynb").title == "Layers"
    try:
        chapters.chapter("99_missing")
    except KeyError as exc:
        assert "01_neurons" in str(exc)
    else:
        raise AssertionError("an unknown notebook must raise KeyError")
