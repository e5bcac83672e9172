"""Question items and charts for Merit course notebooks and Voila pages.

Kept apart from the ``merit`` platform package so that a course notebook needs only
ipywidgets (and plotly for the radar chart). A trainer writes an item in a read-only cell::

    from merit_widgets import PilihanTunggal
    soal_skenario = PilihanTunggal("skenario", "Apa yang Anda lakukan?",
                                   pilihan={"tolak": "...", "terima": "..."}, kompetensi="integritas")
    soal_skenario

and scores it in an nbgrader hidden-test cell with ``nilai(soal_skenario, kunci="tolak", poin=2)``.
See docs/widgets.md.
"""

from typing import Any

from merit_widgets.choice import PilihanBerbobot, PilihanGanda, PilihanTunggal
from merit_widgets.item import KesalahanSoal, Soal
from merit_widgets.likert import Likert
from merit_widgets.numeric import IsianAngka
from merit_widgets.progress import ProgresJP
from merit_widgets.ranking import Peringkat
from merit_widgets.scoring import nilai, wajib_dijawab
from merit_widgets.submit import TombolKirim
from merit_widgets.varian import Varian, varian
from merit_widgets.written import Uraian

__version__ = "0.1.0"

# The item classes a notebook constructs; ``merit course build`` looks for these names.
JENIS_SOAL = (PilihanTunggal, PilihanGanda, PilihanBerbobot, Peringkat, IsianAngka, Uraian, Likert)

__all__ = [
    "IsianAngka",
    "JENIS_SOAL",
    "KesalahanSoal",
    "Likert",
    "Peringkat",
    "PilihanBerbobot",
    "PilihanGanda",
    "PilihanTunggal",
    "ProgresJP",
    "RadarKompetensi",
    "Soal",
    "TombolKirim",
    "Uraian",
    "Varian",
    "nilai",
    "varian",
    "wajib_dijawab",
]


def __getattr__(name: str) -> Any:
    """Import plotly only when a notebook asks for the radar chart: question pages load faster."""
    if name == "RadarKompetensi":
        from merit_widgets.radar import RadarKompetensi

        return RadarKompetensi
    raise AttributeError(f"module 'merit_widgets' has no attribute {name!r}")
