"""environment.yml (conda, Binder) and pyproject.toml list the same packages and ranges."""

import re
import tomllib
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent


def split(requirement: str) -> tuple[str, str]:
    name, spec = re.match(r"\s*([A-Za-z0-9_.\-]+)\s*(.*)", requirement).groups()
    return name.lower().replace("_", "-"), spec.replace(" ", "")


def test_environment_yml_matches_pyproject():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    wanted = dict(split(r) for r in project["dependencies"] + project["optional-dependencies"]["test"])
    env = yaml.safe_load((ROOT / "environment.yml").read_text())
    conda = dict(split(d) for d in env["dependencies"] if isinstance(d, str))
    conda.pop("python")
    conda.pop("pip", None)
    assert conda == wanted


def test_lock_pins_every_dependency():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    names = {split(r)[0] for r in project["dependencies"] + project["optional-dependencies"]["test"]}
    locked = dict(line.split("==") for line in (ROOT / "requirements.lock").read_text().split()
                  if "==" in line)
    locked = {k.lower().replace("_", "-"): v for k, v in locked.items()}
    assert names <= set(locked), f"not pinned in requirements.lock: {names - set(locked)}"
