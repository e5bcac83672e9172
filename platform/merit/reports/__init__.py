"""Documents Merit produces for people outside the system: selection announcements."""

# The formats merit.reports.formats writes, named here so that the command line offers
# them as the default of `merit laporan seleksi --format` without importing openpyxl and
# reportlab (see merit/cli/__init__.py).
FORMATS = ("csv", "xlsx", "pdf")
