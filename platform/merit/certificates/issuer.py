"""Who issues certificates, read from ``assessments/sertifikat.yml``, and where their files live."""

from __future__ import annotations

import os
from pathlib import Path

from pydantic import Field

from merit.catalog.yamlfile import StrictModel, load_model
from merit.settings import Settings


class Issuer(StrictModel):
    """The issuing agency, as printed on certificates and written into credentials."""

    instansi: str = Field(min_length=1, description="Nama instansi penerbit.")
    id: str = Field(pattern=r"^https://\S+$", description="Pengenal penerbit (URL https milik instansi).")
    verifikasi: str = Field(pattern=r"^https?://\S+$", description="Alamat halaman verifikasi publik.")
    kota: str = Field(min_length=1, description="Kota tempat sertifikat diterbitkan.")

    def verification_url(self, code: str) -> str:
        """The address a certificate's QR code points at."""
        return f"{self.verifikasi}?kode={code}"

    @property
    def status_list_url(self) -> str:
        """Where the Bitstring Status List credential is published (merit serve serves it)."""
        return f"{self.verifikasi.rstrip('/')}/status"


def load_issuer(settings: Settings) -> Issuer:
    return load_model(Issuer, settings.assessments_dir / "sertifikat.yml", settings.root)


def certificate_dir(settings: Settings) -> Path:
    """Issued PDFs and credentials, and the public files (keys, status list) verifiers need."""
    return settings.data_dir / "sertifikat"


def key_dir(settings: Settings) -> Path:
    """The private signing keys: ``MERIT_KUNCI_SERTIFIKAT`` or ``<data dir>/sertifikat/kunci``.

    In production point it at a volume the database host and its backups cannot read.
    """
    configured = os.environ.get("MERIT_KUNCI_SERTIFIKAT")
    return Path(configured) if configured else certificate_dir(settings) / "kunci"


def public_dir(settings: Settings) -> Path:
    """What anyone may have: the public keys (``kunci-publik.json``) and the status list (``status.jwt``)."""
    return certificate_dir(settings) / "publik"
