"""The project's own promises about layout, pins and entry points."""

import re
import tomllib

import yaml


def _pins(requirements):
    return {r.split("==")[0].lower(): r.split("==")[1] for r in requirements if "==" in r}


def test_environment_yml_pins_the_same_versions_as_pyproject(root):
    project = tomllib.loads((root / "pyproject.toml").read_text())["project"]
    declared = _pins(project["dependencies"] + project["optional-dependencies"]["test"])
    environment = yaml.safe_load((root / "environment.yml").read_text())
    pip_section = next(d["pip"] for d in environment["dependencies"] if isinstance(d, dict))
    assert _pins(pip_section) == declared
    assert "python=3.11" in environment["dependencies"]
    assert all("==" in r for r in project["dependencies"]), "every dependency is pinned"


def test_no_importable_package_named_platform(root):
    assert not (root / "platform" / "__init__.py").exists()
    assert (root / "platform" / "merit" / "__init__.py").exists()
    assert (root / "widgets" / "merit_widgets" / "__init__.py").exists()


def test_readme_opens_with_the_two_commands_and_ci_runs_the_second(root):
    readme = (root / "README.md").read_text()
    first_block = re.search(r"```(?:sh|bash|console)?\n(.*?)```", readme, re.S).group(1)
    commands = [
        line.split("#")[0].strip() for line in first_block.splitlines() if line.strip() and not line.startswith("#")
    ]
    assert commands == ["make demo", "make test"]
    ci = (root / ".ci" / "run").read_text()
    assert re.search(r"^make test$", ci, re.M)
