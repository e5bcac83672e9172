"""docs/deploy.md and its zero-to-jupyterhub values file say only what the chart and Merit read."""

from __future__ import annotations

import yaml
from traitlets.config import Config, PyFileConfigLoader

from merit.hub.config import write_nbgrader_config
from merit.hub.options import HubOptions

# The keys of jupyterhub/zero-to-jupyterhub-k8s's values.schema.yaml (chart for JupyterHub
# 5.x, read at commit 48ea50e) on the paths the values file uses. A dict lists a level whose
# schema forbids other keys; OPEN marks a level the chart passes through unchecked.
OPEN = "open"
CHART = {
    "hub": {
        "image": {"name": None, "tag": None, "pullPolicy": None, "pullSecrets": None},
        "db": {"type": None, "pvc": None, "upgrade": None, "url": None, "password": None},
        "extraEnv": OPEN,
        "service": {
            "type": None,
            "ports": None,
            "annotations": None,
            "extraPorts": None,
            "loadBalancerIP": None,
            "ipFamilyPolicy": None,
            "ipFamilies": None,
        },
        "extraVolumes": None,
        "extraVolumeMounts": None,
        "extraConfig": OPEN,
        "config": OPEN,  # traitlets classes, each starting with a capital
        "services": OPEN,
        "loadRoles": OPEN,
    },
    "proxy": {
        "https": {
            "enabled": None,
            "type": None,
            "letsencrypt": {"contactEmail": None, "acmeServer": None},
            "manual": None,
            "secret": None,
            "hosts": None,
        },
    },
    "singleuser": {
        "image": {"name": None, "tag": None, "pullPolicy": None, "pullSecrets": None},
        "defaultUrl": None,
        "extraEnv": OPEN,
        "extraFiles": OPEN,
        "storage": {
            "capacity": None,
            "dynamic": None,
            "extraLabels": None,
            "extraVolumeMounts": None,
            "extraVolumes": None,
            "homeMountPath": None,
            "static": None,
            "type": None,
        },
    },
    "cull": {
        "enabled": None,
        "users": None,
        "adminUsers": None,
        "removeNamedServers": None,
        "timeout": None,
        "every": None,
        "concurrency": None,
        "maxAge": None,
    },
}
DB_TYPES = {"sqlite-pvc", "sqlite-memory", "mysql", "postgres", "other"}


def unknown_keys(values: dict, schema: dict, path: str = "") -> list[str]:
    found = []
    for key, value in values.items():
        where = f"{path}.{key}" if path else key
        if key not in schema:
            found.append(where)
        elif isinstance(schema[key], dict) and isinstance(value, dict):
            found += unknown_keys(value, schema[key], where)
    return found


def test_values_file_uses_only_keys_the_chart_reads(root, tmp_path, monkeypatch):
    values = yaml.safe_load((root / "docs/examples/z2jh-values.yaml").read_text())
    assert unknown_keys(values, CHART) == []
    assert values["hub"]["db"]["type"] in DB_TYPES
    assert all(name[0].isupper() for name in values["hub"]["config"])
    for spec in values["singleuser"]["extraFiles"].values():
        assert set(spec) <= {"mountPath", "stringData", "data", "binaryData", "mode"} and "mountPath" in spec
    # The hub runs Merit's generator; the learners' nbgrader configuration is the one Merit writes.
    assert "configure_courses(c" in values["hub"]["extraConfig"]["merit"]
    exec(values["hub"]["extraConfig"]["merit"].split("\n")[0])  # the import resolves
    mounted = tmp_path / "mounted"
    mounted.mkdir()
    (mounted / "nbgrader_config.py").write_text(values["singleuser"]["extraFiles"]["nbgrader-config"]["stringData"])
    monkeypatch.setenv("MERIT_DATA_DIR", str(tmp_path / "data"))
    from merit.settings import Settings

    generated = write_nbgrader_config(Settings(), HubOptions())
    load = PyFileConfigLoader("nbgrader_config.py", str(mounted)).load_config
    assert load() == PyFileConfigLoader("nbgrader_config.py", str(generated)).load_config()
    assert isinstance(load(), Config)
    env = values["singleuser"]["extraEnv"]
    assert env["MERIT_EXCHANGE_URL"].endswith("/services/merit-exchange/")
    assert "MERIT_HUB_UNIX_USERS" in values["hub"]["extraEnv"]
    assert set(HubOptions.model_fields) >= {
        name.removeprefix("MERIT_HUB_").lower() for name in values["hub"]["extraEnv"] if name.startswith("MERIT_HUB_")
    }


def test_deploy_doc_covers_each_part_of_a_deployment(root):
    text = (root / "docs/deploy.md").read_text()
    for needle in [
        "merit hub mulai",
        "merit hub sinkron",
        "merit kelas import",
        "MERIT_HUB_DB_URL",
        "postgresql",
        "TLS",
        "GenericOAuthenticator",
        "systemdspawner",
        "DockerSpawner",
        "KubeSpawner",
        "docs/examples/z2jh-values.yaml",
        "merit grade --scheduler",
        "pg_dump",
        "exchange",
        "Memantau",
    ]:
        assert needle in text, needle
