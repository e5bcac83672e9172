"""Competency radar: levels held against the levels a position requires.

A plotly ``FigureWidget`` (two ``Scatterpolar`` traces on a 0-5 scale, the PermenPANRB
38/2017 proficiency levels) so a Voila dashboard can update it in place, with the gaps also
written out as text below it, for screen readers and for anyone who cannot read a chart.
"""

from __future__ import annotations

import html
from collections.abc import Mapping

import ipywidgets as widgets
import plotly.graph_objects as go

from merit_widgets.item import lebar_penuh
from merit_widgets.labels import pilih_bahasa, teks

MAX_LEVEL = 5


class RadarKompetensi(widgets.VBox):
    """``RadarKompetensi(dimiliki={"integritas": 2, ...}, dipersyaratkan={"integritas": 3, ...})``.

    The axes are the required competencies, in the order given; ``nama`` maps a code to the
    name to show (defaults to the code).
    """

    def __init__(self, dimiliki: Mapping[str, int], dipersyaratkan: Mapping[str, int], *,
                 nama: Mapping[str, str] | None = None, bahasa: str | None = None) -> None:
        self.bahasa = pilih_bahasa(bahasa)
        self.nama = dict(nama or {})
        self.grafik = go.FigureWidget(layout=go.Layout(
            title=teks(self.bahasa, "radar_judul"),
            polar={"radialaxis": {"range": [0, MAX_LEVEL], "dtick": 1}},
            legend={"orientation": "h"},
            margin={"l": 40, "r": 40, "t": 60, "b": 40},
            autosize=True,
        ))
        self.grafik.add_scatterpolar(name=teks(self.bahasa, "radar_dipersyaratkan"), fill="toself", opacity=0.5)
        self.grafik.add_scatterpolar(name=teks(self.bahasa, "radar_dimiliki"), fill="toself", opacity=0.7)
        self.kesenjangan = widgets.HTML(layout=lebar_penuh())
        super().__init__([self.grafik, self.kesenjangan], layout=lebar_penuh())
        self.perbarui(dimiliki, dipersyaratkan)

    def perbarui(self, dimiliki: Mapping[str, int], dipersyaratkan: Mapping[str, int]) -> None:
        """Redraw for new levels; a required competency missing from ``dimiliki`` counts as level 0."""
        for code, level in [*dimiliki.items(), *dipersyaratkan.items()]:
            if not isinstance(level, int) or not 0 <= level <= MAX_LEVEL:
                raise ValueError(f"level {code} harus bilangan bulat 0-{MAX_LEVEL}, bukan {level!r}")
        codes = list(dipersyaratkan)
        labels = [self.nama.get(code, code) for code in codes]
        closed = labels + labels[:1]  # repeat the first point so the outline closes
        required = [dipersyaratkan[c] for c in codes]
        held = [dimiliki.get(c, 0) for c in codes]
        with self.grafik.batch_update():
            self.grafik.data[0].update(r=required + required[:1], theta=closed)
            self.grafik.data[1].update(r=held + held[:1], theta=closed)
        gaps = [
            teks(self.bahasa, "radar_kurang", nama=label, dimiliki=h, syarat=r, selisih=r - h)
            for label, h, r in zip(labels, held, required, strict=True) if h < r
        ]
        items = "".join(f"<li>{html.escape(g)}</li>" for g in gaps)
        self.kesenjangan.value = f"<ul>{items}</ul>" if gaps else f"<p>{teks(self.bahasa, 'radar_memenuhi')}</p>"
