"""The sample widget course (tests/fixtures/courses/etika-pelayanan) on real nbgrader.

Shared by the kernel end-to-end test and the browser test. nbgrader is driven through its
own ``NbGraderAPI`` (generate_assignment, autograde) on a course directory of the test's
own, so these tests do not depend on how Merit's grading engine runs autograde.
"""

from __future__ import annotations

import os
import shutil
import sys
from contextlib import chdir
from dataclasses import dataclass
from pathlib import Path

import nbformat
from nbgrader.api import Gradebook
from nbgrader.apps import NbGraderAPI
from nbgrader.coursedir import CourseDirectory
from traitlets.config import Config

from merit.catalog.release import prepare_for_release

FIXTURE = Path(__file__).resolve().parent / "fixtures" / "courses" / "etika-pelayanan"
COURSE = "etika-pelayanan"
MODULE = "m01-integritas"
NOTEBOOK = "integritas"

# The learner's clicks that score exactly EXPECTED: right, partly right and wrong answers.
ANSWERS_PARTLY_RIGHT = """
soal_gratifikasi.tombol.value = "tolak_jelaskan"
for key in ["umumkan_lowongan", "kriteria_awal", "hasil_tiap_tahap", "info_internal"]:
    soal_transparansi.kotak[key].value = True
soal_absensi.tombol.value = "ingatkan"
target = ["latih", "dampingi", "tunggu", "tolak"]
for position, key in enumerate(target):
    while soal_aplikasi.urutan.index(key) > position:
        here = soal_aplikasi.urutan.index(key)
        soal_aplikasi.pindah(here, here - 1)
soal_aplikasi.tetapkan.click()
soal_jp.kotak.value = "4"
soal_uraian.kotak.value = "Terima kasih atas niat baik Bapak. Layanan ini memang gratis."
soal_refleksi.tombol.value = 4
"""
EXPECTED = {
    "nilai_gratifikasi": 2.0,  # right
    "nilai_transparansi": 2.0,  # 3 right ticks - 1 wrong tick, of 3 right: 2/3 of 3 points
    "nilai_absensi": 4.0,  # weight 4 of the best 5, on 5 points
    "nilai_aplikasi": 2.5,  # one neighbour swap: 5 of 6 pairs in order, of 3 points
    "nilai_jp": 2.0,  # exactly 4
}


def nbgrader_tools_on_path() -> None:
    """nbgrader runs the ``alembic`` executable of this environment when it makes a gradebook."""
    tools = str(Path(sys.executable).parent)
    if tools not in os.environ["PATH"].split(os.pathsep):
        os.environ["PATH"] = tools + os.pathsep + os.environ["PATH"]


@dataclass(frozen=True)
class SampleCourse:
    root: Path

    @property
    def db_url(self) -> str:
        return f"sqlite:///{self.root / 'gradebook.db'}"

    def api(self) -> NbGraderAPI:
        config = Config()
        config.CourseDirectory.root = str(self.root)
        config.CourseDirectory.course_id = COURSE
        config.CourseDirectory.db_url = self.db_url
        config.Exchange.root = str(self.root / "exchange")
        config.Execute.extra_arguments = ["--IPKernelApp.log_level=ERROR"]
        return NbGraderAPI(CourseDirectory(config=config), config=config)

    @property
    def release(self) -> Path:
        return self.root / "release" / MODULE

    def generate(self) -> None:
        with chdir(self.root):
            result = self.api().generate_assignment(MODULE, force=True, create=True)
        assert result["success"], result["log"] + result.get("error", "")

    def hand_out(self, learner_home: Path) -> Path:
        """The released module as a learner's fetched copy (nbgrader fetch copies the folder)."""
        folder = learner_home / MODULE
        shutil.copytree(self.release, folder)
        return folder

    def collect(self, student: str, folder: Path) -> None:
        """What nbgrader submit + collect do: the whole assignment folder, hidden files included."""
        shutil.copytree(folder, self.root / "submitted" / student / MODULE)

    def autograde(self, student: str) -> None:
        with chdir(self.root):
            result = self.api().autograde(MODULE, student, force=True, create=True)
        assert result["success"], result["log"] + result.get("error", "")

    def grades(self, student: str) -> dict[str, tuple[float | None, bool]]:
        """grade id -> (auto score, needs manual grade), as nbgrader's gradebook holds them."""
        with Gradebook(self.db_url, COURSE) as gradebook:
            submitted = gradebook.find_submission_notebook(NOTEBOOK, MODULE, student)
            return {grade.name: (grade.auto_score, grade.needs_manual_grade) for grade in submitted.grades}

    def autograded(self, student: str) -> Path:
        return self.root / "autograded" / student / MODULE


def sample_course(tmp_path: Path) -> SampleCourse:
    """A fresh nbgrader course directory holding the sample module, with its release generated."""
    nbgrader_tools_on_path()
    course = SampleCourse(tmp_path / "kursus")
    shutil.copytree(FIXTURE / "source", course.root / "source")
    for path in (course.root / "source").rglob("*.ipynb"):  # what `merit course build` does first
        nbformat.write(prepare_for_release(nbformat.read(path, as_version=4)), path)
    course.generate()
    return course
