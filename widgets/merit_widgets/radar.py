"""Competency radar: levels held against the levels a position requires.

A plotly ``FigureWidget`` (two ``Scatterpolar`` traces on a 0-5 scale, the PermenPANRB
38/2017 proficiency levels) so a Voila dashboard can update it in place, with the gaps also
written out as text below it, for screen readers and for anyone who cannot read a chart.
"""

from __future__ import annotations

import html
import textwrap
from collections.abc import Mapping

import ipywidgets as widgets
import plotly.graph_objects as go

from merit_widgets.item import lebar_penuh
from merit_widgets.labels import pilih_bahasa, teks

MAX_LEVEL = 5
LABEL_WIDTH = 20  # characters per line of an axis label: long names wrap instead of leaving the chart


class RadarKompetensi(widgets.VBox):
    """``RadarKompetensi(dimiliki={"integritas": 2, ...}, dipersyaratkan={"integritas": 3, ...})``.

    The axes are the required competencies, in the order given; ``nama`` maps a code to the
    name to show (defaults to the code).
    """

    def __init__(
        self,
        dimiliki: Mapping[str, int],
        dipersyaratkan: Mapping[str, int],
        *,
        nama: Mapping[str, str] | None = None,
        bahasa: str | None = None,
    ) -> None:
        self.bahasa = pilih_bahasa(bahasa)
        self.nama = dict(nama or {})
        labels, required, held = self._titik(dimiliki, dipersyaratkan)
        # The traces get their data at construction: the widget's first state is what
        # the browser draws; later changes go through perbarui().
        self.grafik = go.FigureWidget(
            data=[
                go.Scatterpolar(
                    name=teks(self.bahasa, "radar_dipersyaratkan"), r=required, theta=labels, fill="toself", opacity=0.5
                ),
                go.Scatterpolar(
                    name=teks(self.bahasa, "radar_dimiliki"), r=held, theta=labels, fill="toself", opacity=0.7
                ),
            ],
            layout=go.Layout(
                title=teks(self.bahasa, "radar_judul"),
                polar={"radialaxis": {"range": [0, MAX_LEVEL], "dtick": 1}},
                legend={"orientation": "h"},
                # Room around the circle for wrapped axis labels (up to 15 competencies).
                margin={"l": 90, "r": 90, "t": 70, "b": 70},
                height=560,
                autosize=True,
            ),
        )
        self.kesenjangan = widgets.HTML(layout=lebar_penuh())
        super().__init__([self.grafik, self.kesenjangan], layout=lebar_penuh())
        self._tulis_kesenjangan(dimiliki, dipersyaratkan)

    def _titik(
        self, dimiliki: Mapping[str, int], dipersyaratkan: Mapping[str, int]
    ) -> tuple[list[str], list[int], list[int]]:
        """Axis labels, required and held levels, with the first point repeated to close the outline."""
        for code, level in [*dimiliki.items(), *dipersyaratkan.items()]:
            if not isinstance(level, int) or not 0 <= level <= MAX_LEVEL:
                raise ValueError(f"level {code} harus bilangan bulat 0-{MAX_LEVEL}, bukan {level!r}")
        codes = list(dipersyaratkan) + list(dipersyaratkan)[:1]
        return (
            ["<br>".join(textwrap.wrap(self.nama.get(c, c), LABEL_WIDTH)) for c in codes],
            [dipersyaratkan[c] for c in codes],
            [dimiliki.get(c, 0) for c in codes],
        )

    def perbarui(self, dimiliki: Mapping[str, int], dipersyaratkan: Mapping[str, int]) -> None:
        """Redraw for new levels; a required competency missing from ``dimiliki`` counts as level 0."""
        labels, required, held = self._titik(dimiliki, dipersyaratkan)
        with self.grafik.batch_update():
            self.grafik.data[0].update(r=required, theta=labels)
            self.grafik.data[1].update(r=held, theta=labels)
        self._tulis_kesenjangan(dimiliki, dipersyaratkan)

    def _tulis_kesenjangan(self, dimiliki: Mapping[str, int], dipersyaratkan: Mapping[str, int]) -> None:
        gaps = [
            teks(
                self.bahasa,
                "radar_kurang",
                nama=self.nama.get(code, code),
                dimiliki=dimiliki.get(code, 0),
                syarat=level,
                selisih=level - dimiliki.get(code, 0),
            )
            for code, level in dipersyaratkan.items()
            if dimiliki.get(code, 0) < level
        ]
        items = "".join(f"<li>{html.escape(g)}</li>" for g in gaps)
        self.kesenjangan.value = f"<ul>{items}</ul>" if gaps else f"<p>{teks(self.bahasa, 'radar_memenuhi')}</p>"
