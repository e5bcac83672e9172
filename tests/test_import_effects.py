"""Importing Merit changes nothing outside Merit's own modules.

Tests import Merit modules, and every process the test session starts afterwards inherits
the session's environment, including the stock ``nbgrader autograde`` runs Merit is
compared with. So no Merit module may set environment variables or plant entries in
``sys.modules`` when it is imported; what Merit's own processes need, they set where they
start (``merit.cli.main``).
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from tests.stock import stock_environment

ROOT = Path(__file__).resolve().parents[1]

# Run in a fresh interpreter: import every module of both packages, one after another,
# and after each compare the environment and sys.modules with what they were before.
# Alembic's migration scripts are run by alembic, not imported.
PROBE = """
import importlib, importlib.util, json, os, pkgutil, sys, types

def modules_under(path, prefix):
    # Found on disk, not imported: walk_packages would import each package to look inside.
    for info in pkgutil.iter_modules([path], prefix):
        # Scripts, not modules: `python -m X` entry points run their program on import, and
        # JupyterHub's config file is executed by its loader, which defines get_config.
        if ".migrations" in info.name or info.name.endswith(".__main__") or info.name.endswith("jupyterhub_config"):
            continue
        yield info.name
        if info.ispkg:
            yield from modules_under(os.path.join(path, info.name.rpartition(".")[2]), info.name + ".")

names = []
for top in ("merit", "merit_widgets"):
    names.append(top)
    names.extend(modules_under(importlib.util.find_spec(top).submodule_search_locations[0], top + "."))
before_env = dict(os.environ)
before_modules = dict(sys.modules)
effects = {}
for name in names:
    importlib.import_module(name)
    env, modules = dict(os.environ), dict(sys.modules)
    keys = sorted(env.keys() | before_env.keys())
    found = [f"os.environ[{key!r}]: {before_env.get(key)!r} -> {env.get(key)!r}"
             for key in keys if env.get(key) != before_env.get(key)]
    found += [f"sys.modules[{key!r}] replaced or removed"
              for key, value in before_modules.items() if modules.get(key) is not value]
    found += [
        f"sys.modules[{key!r}] = {value!r}"
        for key, value in modules.items()
        if key not in before_modules and not isinstance(value, types.ModuleType)
    ]
    if found:
        effects[name] = found
    before_env, before_modules = env, modules
print(json.dumps({"imported": names, "effects": effects}))
"""


def test_importing_any_merit_module_changes_no_process_wide_state() -> None:
    done = subprocess.run(
        [sys.executable, "-c", PROBE], capture_output=True, text=True, cwd=ROOT, env=stock_environment()
    )
    assert done.returncode == 0, done.stderr[-3000:]
    result = json.loads(done.stdout.splitlines()[-1])
    assert "merit.cli" in result["imported"] and "merit.grading.kernelfast" in result["imported"]
    assert len(result["imported"]) > 80
    assert result["effects"] == {}


def test_nbformat_validates_with_fastjsonschema_by_default() -> None:
    """Merit sets no NBFORMAT_VALIDATOR: the fast validator is nbformat's own default."""
    code = "from nbformat.json_compat import get_current_validator; print(get_current_validator().name)"
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=stock_environment(), check=True
    )
    assert done.stdout.strip() == "fastjsonschema"
