"""Load a YAML file into a pydantic model, with Indonesian errors naming file and field.

Trainers edit these files by hand, so a mistake must be reported as
``courses/x/course.yml, kolom modules[0].id: wajib diisi`` rather than a traceback.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, TypeVar

import yaml
from pydantic import BaseModel, ConfigDict, ValidationError
from pydantic_core import ErrorDetails

from merit.errors import MeritError, Problem, ProblemsFound

M = TypeVar("M", bound=BaseModel)

# libyaml's safe loader (PyYAML's C extension, in its wheels) builds the same data as the
# pure-Python one, several times faster. Every command reads the whole catalog before it
# starts, so that is start-up time (measured in benchmarks/RESULTS.md).
_SafeLoader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

# Indonesian wording for the pydantic error types that hand-written YAML runs into.
_MESSAGES = {
    "missing": "wajib diisi",
    "extra_forbidden": "kolom tidak dikenal (salah ketik?)",
    "int_parsing": "harus berupa bilangan bulat",
    "int_type": "harus berupa bilangan bulat",
    "float_parsing": "harus berupa angka",
    "string_type": "harus berupa teks",
    "list_type": "harus berupa daftar",
    "dict_type": "harus berupa pemetaan (kunci: nilai)",
    "model_type": "harus berupa pemetaan (kunci: nilai)",
    "greater_than_equal": "harus lebih besar atau sama dengan {ge}",
    "less_than_equal": "harus lebih kecil atau sama dengan {le}",
    "greater_than": "harus lebih besar dari {gt}",
    "too_short": "tidak boleh kosong",
    "string_pattern_mismatch": "format tidak sesuai pola {pattern}",
    "literal_error": "harus salah satu dari {expected}",
    "bool_parsing": "harus true atau false",
}


class StrictModel(BaseModel):
    """Base for content models: unknown keys are errors, so typos do not pass silently."""

    model_config = ConfigDict(extra="forbid", frozen=True)


def _field_path(loc: tuple[Any, ...]) -> str:
    path = ""
    for part in loc:
        path += f"[{part}]" if isinstance(part, int) else (f".{part}" if path else str(part))
    return path or "(akar berkas)"


def _reason(error: ErrorDetails) -> str:
    template = _MESSAGES.get(error["type"])
    if template is None:
        return error["msg"]
    try:
        return template.format(**error.get("ctx", {}))
    except (KeyError, IndexError):
        return template


def display_path(path: Path, root: Path | None = None) -> str:
    """Show paths relative to the project so messages stay short and machine-independent."""
    if root is not None:
        try:
            return str(path.resolve().relative_to(root.resolve()))
        except ValueError:
            pass
    return str(path)


def read_yaml(path: Path, root: Path | None = None) -> Any:
    """Parse a YAML file, reporting a syntax error with its line number."""
    shown = display_path(path, root)
    if not path.is_file():
        raise MeritError(f"Berkas {shown} tidak ditemukan.")
    try:
        return yaml.load(path.read_text(encoding="utf-8"), Loader=_SafeLoader)  # noqa: S506 - a safe loader
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = f" baris {mark.line + 1}" if mark is not None else ""
        raise MeritError(f"{shown}{line}: YAML tidak valid ({exc}).") from None


def load_model(model: type[M], path: Path, root: Path | None = None) -> M:
    """Read ``path`` and validate it as ``model``; all field errors are reported at once."""
    data = read_yaml(path, root)
    shown = display_path(path, root)
    try:
        return model.model_validate(data if data is not None else {})
    except ValidationError as exc:
        problems = [Problem(f"{shown}, kolom {_field_path(err['loc'])}", _reason(err)) for err in exc.errors()]
        raise ProblemsFound(f"Berkas {shown} tidak valid:", problems) from None
