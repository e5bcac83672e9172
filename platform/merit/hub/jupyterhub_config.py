"""JupyterHub configuration for ``merit hub mulai``: everything comes from merit.hub.config.

A site adds its own settings (TLS, a single sign-on's endpoints) in a file named by
``MERIT_HUB_EXTRA_CONFIG``, loaded after Merit's; see docs/deploy.md.
"""

import os

from merit.hub.config import configure

c = get_config()  # type: ignore[name-defined]  # noqa: F821 - defined by traitlets' config loader
configure(c)
if os.environ.get("MERIT_HUB_EXTRA_CONFIG"):
    load_subconfig(os.environ["MERIT_HUB_EXTRA_CONFIG"])  # type: ignore[name-defined]  # noqa: F821
