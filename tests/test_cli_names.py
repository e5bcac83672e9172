"""Option names follow one rule (docs/contributing.md, "Names"), and renamed options still work.

The old spellings are hidden options: scripts written against them keep running, --help
shows only the new names."""

from __future__ import annotations

import datetime as dt

import pytest
import typer.main
from typer.testing import CliRunner

from merit.cli import app
from tests.conftest import ROOT

# old spelling -> the name that replaced it
RENAMED = {
    "--unit": "--unit-kerja",
    "--skp-tahun": "--skp-tahun-terakhir",
    "--year": "--tahun",
    "--below": "--kurang-dari",
}


@pytest.fixture
def demo_data(demo_runs, monkeypatch: pytest.MonkeyPatch) -> None:
    """The session's demo data (test_demo's two runs): these commands only read it."""
    data, _outputs, _dumps = demo_runs
    monkeypatch.setenv("MERIT_ROOT", str(ROOT))
    monkeypatch.setenv("MERIT_DATA_DIR", str(data))
    monkeypatch.delenv("MERIT_DATABASE_URL", raising=False)


def every_option() -> list[tuple[str, str, bool]]:
    """(command path, flag, hidden) for every option of every command."""
    found = []

    def walk(command, path: str) -> None:
        for name, sub in (getattr(command, "commands", None) or {}).items():
            walk(sub, f"{path} {name}".strip())
        for parameter in command.params:
            if parameter.param_type_name == "option":
                found.extend((path, flag, parameter.hidden) for flag in parameter.opts)

    walk(typer.main.get_command(app), "")
    return found


def test_old_spellings_are_hidden_and_the_new_names_shown_wherever_they_were() -> None:
    options = every_option()
    old = {(path, flag) for path, flag, hidden in options if flag in RENAMED}
    assert {flag for _, flag in old} == set(RENAMED)
    assert all(hidden for path, flag, hidden in options if flag in RENAMED)
    shown = {(path, flag) for path, flag, hidden in options if not hidden}
    assert all((path, RENAMED[flag]) in shown for path, flag in old)


def test_one_flag_never_has_two_spellings_on_show() -> None:
    """`--unit` next to `--unit-kerja`, or `--year` next to `--tahun`, is what the rule ends."""
    shown = {flag for _, flag, hidden in every_option() if not hidden}
    assert sorted(shown & set(RENAMED)) == []


@pytest.mark.parametrize(
    ("new", "old"),
    [
        (["jp", "--tahun", "2026", "--kurang-dari", "20"], ["jp", "--year", "2026", "--below", "20"]),
        (
            ["rank", "kasubbag-kepegawaian", "--unit-kerja", "Sekretariat Daerah", "--skp-tahun-terakhir", "2"],
            ["rank", "kasubbag-kepegawaian", "--unit", "Sekretariat Daerah", "--skp-tahun", "2"],
        ),
    ],
)
def test_old_spellings_give_the_same_answer(demo_data, new: list[str], old: list[str]) -> None:
    runner = CliRunner()
    day = ["--per-tanggal", dt.date(2026, 11, 23).isoformat()] if new[0] == "rank" else []
    with_new = runner.invoke(app, [*new, *day], env={"COLUMNS": "200"})
    with_old = runner.invoke(app, [*old, *day], env={"COLUMNS": "200"})
    assert with_new.exit_code == 0, with_new.output
    assert with_old.output == with_new.output
    if new[0] == "rank":
        said = " ".join(with_new.output.split())
        assert "berasal dari unit kerja: Sekretariat Daerah" in said and "pada tahun 2024 dan 2025" in said


def test_talent_grid_of_one_unit_or_of_a_position_restricted_to_units(demo_data) -> None:
    runner = CliRunner()
    unit = runner.invoke(app, ["talenta", "--unit-kerja", "Sekretariat Daerah"], env={"COLUMNS": "200"})
    assert unit.exit_code == 0, unit.output
    two = runner.invoke(app, ["talenta", "--unit-kerja", "Sekretariat Daerah", "--unit", "Inspektorat"])
    assert two.exit_code == 2 and "tepat satu --unit-kerja" in two.output
