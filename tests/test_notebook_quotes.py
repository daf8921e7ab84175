"""Code the notebooks quote from the package is the package's real code: every line of a
```python block that starts with a comment such as ``# course_utils/nn/optim.py:
Adam._update`` must be a line of that function's source ("..." marks lines left out)."""

import functools
import importlib
import inspect
import json
import re
from pathlib import Path

import pytest

NOTEBOOKS = sorted((Path(__file__).resolve().parent.parent / "notebooks").glob("*.ipynb"))
HEADER = re.compile(r"# (course_utils/[\w/]+)\.py: ([\w.]+)")


def quoted_blocks(notebook: Path):
    """(name, lines, source) of each quoted block in the notebook's markdown."""
    text = "\n".join("".join(c["source"]) for c in json.loads(notebook.read_text())["cells"]
                     if c["cell_type"] == "markdown")
    for block in re.findall(r"```python\n(.*?)```", text, flags=re.S):
        first, *lines = block.strip("\n").splitlines()
        found = HEADER.fullmatch(first.strip())
        if found:
            module = importlib.import_module(found.group(1).replace("/", "."))
            where = functools.reduce(getattr, found.group(2).split("."), module)
            yield f"{found.group(1)}: {found.group(2)}", lines, inspect.getsource(where)


@pytest.mark.parametrize("notebook", NOTEBOOKS, ids=lambda p: p.stem)
def test_quoted_code_is_the_packages(notebook):
    for name, lines, source in quoted_blocks(notebook):
        source_lines = {line.strip() for line in source.splitlines()}
        for line in lines:
            if line.strip() and line.strip() != "...":
                assert line.strip() in source_lines, f"{name}: {line.strip()!r} is not in the source"
