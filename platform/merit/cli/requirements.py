"""The administrative-requirement options shared by ``rank``, ``talenta`` and ``laporan seleksi``.

:func:`requirement_options` adds the same six options (and their earlier spellings, hidden)
to a command and hands the
command one :class:`EligibilityRule` (the command line's layer of requirements) instead,
so the options are declared once and read the same way everywhere.
"""

from __future__ import annotations

import functools
import inspect
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import typer

from merit.cli.common import user_errors
from merit.errors import MeritError
from merit.golongan import check_golongan
from merit.predikat import PREDIKAT

if TYPE_CHECKING:
    from merit.catalog.eligibility import EligibilityRule

OPTIONS: dict[str, tuple[Any, Any]] = {
    "golongan_min": (str | None, typer.Option(None, "--golongan-min", help="Golongan paling rendah, misalnya III/c.")),
    "masa_kerja_min": (
        int | None,
        typer.Option(None, "--masa-kerja-min", min=0, max=45, help="Masa kerja minimal (tahun) sejak TMT CPNS di NIP."),
    ),
    "unit": (
        list[str] | None,
        typer.Option(None, "--unit-kerja", help="Unit kerja asal kandidat (boleh berulang)."),
    ),
    "skp_min": (
        str | None,
        typer.Option(None, "--skp-min", help=f"Predikat SKP paling rendah ({', '.join(PREDIKAT)}) atau 'tidak'."),
    ),
    "skp_tahun": (
        int | None,
        typer.Option(None, "--skp-tahun-terakhir", min=1, max=5, help="Berapa tahun SKP terakhir yang dinilai."),
    ),
    "tanpa_syarat": (bool, typer.Option(False, "--tanpa-syarat", help="Abaikan semua syarat administrasi.")),
}
# Earlier spellings, still accepted but not shown in --help (docs/contributing.md, "Names").
OLD_SPELLINGS: dict[str, tuple[Any, Any]] = {
    "unit": (list[str] | None, typer.Option(None, "--unit", hidden=True)),
    "skp_tahun": (int | None, typer.Option(None, "--skp-tahun", min=1, max=5, hidden=True)),
}


def _skp_min(value: str) -> str | None:
    if value.strip().lower() in ("tidak", "none", "-"):
        return None
    match = next((p for p in PREDIKAT if p.lower() == " ".join(value.split()).lower()), None)
    if match is None:
        raise MeritError(f"Predikat SKP '{value}' tidak dikenal; gunakan {', '.join(PREDIKAT)} atau 'tidak'.")
    return match


def override_rule(
    golongan_min: str | None = None,
    masa_kerja_min: int | None = None,
    unit: list[str] | None = None,
    skp_min: str | None = None,
    skp_tahun: int | None = None,
    tanpa_syarat: bool = False,
) -> EligibilityRule:
    """The command line's layer of requirements: only the options given are set."""
    from merit.catalog.eligibility import EligibilityRule

    values: dict[str, object] = {}
    if tanpa_syarat:
        values.update(golongan_min=None, masa_kerja_min=None, units=None, skp_min=None)
    if golongan_min is not None:
        values["golongan_min"] = check_golongan(golongan_min)
    if masa_kerja_min is not None:
        values["masa_kerja_min"] = masa_kerja_min
    if unit:
        values["units"] = unit
    if skp_min is not None:
        values["skp_min"] = _skp_min(skp_min)
    if skp_tahun is not None:
        values["skp_years"] = skp_tahun
    return EligibilityRule(**values)


def requirement_options(command: Callable[..., None]) -> Callable[..., None]:
    """Give ``command`` the requirement options; it receives them as ``requirements: EligibilityRule``.

    typer needs the annotations of the parameters it sees as types, but ``requirements``
    is not one of them: its annotation is left unevaluated, so that command modules can
    import EligibilityRule (and with it the whole catalog) for type checking only.
    """
    own = inspect.signature(command)
    kept = [_evaluated(p, command) for name, p in own.parameters.items() if name != "requirements"]
    added = [
        inspect.Parameter(name, inspect.Parameter.KEYWORD_ONLY, default=option, annotation=kind)
        for name, (kind, option) in OPTIONS.items()
    ] + [
        inspect.Parameter(f"{name}_old", inspect.Parameter.KEYWORD_ONLY, default=option, annotation=kind)
        for name, (kind, option) in OLD_SPELLINGS.items()
    ]

    @functools.wraps(command)
    def wrapper(**kwargs: Any) -> None:
        options = {name: kwargs.pop(name) for name in OPTIONS}
        for name in OLD_SPELLINGS:
            old = kwargs.pop(f"{name}_old")
            if isinstance(old, list):
                options[name] = [*(options[name] or []), *old]
            elif old is not None and options[name] is None:
                options[name] = old
        with user_errors():
            requirements = override_rule(**options)
        command(**kwargs, requirements=requirements)

    wrapper.__signature__ = own.replace(parameters=kept + added, return_annotation=None)  # type: ignore[attr-defined]
    wrapper.__annotations__ = {p.name: p.annotation for p in kept + added}
    return wrapper


def _evaluated(parameter: inspect.Parameter, command: Callable[..., None]) -> inspect.Parameter:
    """``parameter`` with its annotation, a string under ``from __future__ import annotations``,
    evaluated in the command's module, as ``inspect.signature(eval_str=True)`` would."""
    if not isinstance(parameter.annotation, str):
        return parameter
    return parameter.replace(annotation=eval(parameter.annotation, command.__globals__))
