"""The pages as ipywidgets: each view is built from a service's result and redraws itself on a click.

Tables are one HTML widget each (a page of 25 candidates is one widget, not 250), which
keeps the browser's work small; the clickable parts are ordinary ipywidgets whose
callbacks run in the page's kernel, on the server, where every permission is checked.
"""
