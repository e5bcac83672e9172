"""The Ed25519 keys that sign credentials: creation, storage and rotation.

Each key is a JWK (RFC 8037, ``kty: OKP``, ``crv: Ed25519``) named by its RFC 7638
thumbprint, which is also the ``kid`` in every credential it signs. Private keys live one
per file in the key folder (:func:`merit.certificates.issuer.key_dir`), created with mode
0600; the newest one named in ``aktif`` signs. Rotation adds a new key and makes it active;
the retired key's *public* half stays in the published key set, so certificates it signed
keep verifying, and its private half can be moved offline or destroyed. A key that leaked
is withdrawn (:func:`withdraw`): it leaves the published set and everything it signed stops
verifying, so those certificates are re-issued.
"""

from __future__ import annotations

import datetime as dt
import json
import os
from dataclasses import dataclass
from pathlib import Path

from joserfc.jwk import KeySet, OKPKey

from merit.errors import MeritError

ACTIVE = "aktif"
PUBLIC_SET = "kunci-publik.json"


@dataclass(frozen=True)
class SigningKey:
    kid: str
    key: OKPKey
    created: str


def _write_private(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as handle:
        handle.write(text)


def _key_files(folder: Path) -> list[Path]:
    return sorted(folder.glob("*.jwk.json")) if folder.is_dir() else []


def _load(path: Path) -> SigningKey:
    data = json.loads(path.read_text())
    created = str(data.pop("merit_dibuat", ""))
    key = OKPKey.import_key(data)
    return SigningKey(str(key.kid), key, created)


def list_keys(folder: Path) -> list[SigningKey]:
    """Every private key in ``folder``, oldest first."""
    return sorted((_load(p) for p in _key_files(folder)), key=lambda k: (k.created, k.kid))


def create_key(folder: Path, public: Path) -> SigningKey:
    """Create a new Ed25519 key, make it the active one, and publish its public half."""
    key = OKPKey.generate_key("Ed25519", private=True, auto_kid=True)
    created = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
    data = {**key.as_dict(private=True), "merit_dibuat": created}
    _write_private(folder / f"{key.kid}.jwk.json", json.dumps(data))
    (folder / ACTIVE).write_text(str(key.kid))
    publish(folder, public)
    return SigningKey(str(key.kid), key, created)


def active_key(folder: Path) -> SigningKey:
    """The key that signs new credentials and status lists."""
    marker = folder / ACTIVE
    if not marker.is_file():
        raise MeritError(
            f"Belum ada kunci penanda tangan sertifikat di {folder}: buat dulu dengan `merit sertifikat kunci buat`."
        )
    kid = marker.read_text().strip()
    path = folder / f"{kid}.jwk.json"
    if not path.is_file():
        raise MeritError(f"Kunci aktif {kid} tidak ada di {folder}: berkas {path.name} hilang.")
    return _load(path)


def publish(folder: Path, public: Path) -> Path:
    """Write the public key set verifiers use: every key still in ``folder``, public halves only."""
    withdrawn = set(_withdrawn(folder))
    keys = [k for k in list_keys(folder) if k.kid not in withdrawn]
    document = {"keys": [{**k.key.as_dict(private=False), "merit_dibuat": k.created} for k in keys]}
    public.mkdir(parents=True, exist_ok=True)
    target = public / PUBLIC_SET
    temporary = target.with_suffix(".tmp")
    temporary.write_text(json.dumps(document, indent=2))
    temporary.replace(target)
    return target


def _withdrawn(folder: Path) -> list[str]:
    listed = folder / "ditarik"
    return listed.read_text().split() if listed.is_file() else []


def withdraw(folder: Path, public: Path, kid: str) -> None:
    """Take a leaked key out of the published set; the active key cannot be withdrawn."""
    if kid not in {k.kid for k in list_keys(folder)}:
        raise MeritError(f"Kunci {kid} tidak ada di {folder}.")
    if (folder / ACTIVE).is_file() and (folder / ACTIVE).read_text().strip() == kid:
        raise MeritError(f"Kunci {kid} sedang aktif: rotasi dulu (`merit sertifikat kunci rotasi`), lalu tarik.")
    with (folder / "ditarik").open("a") as handle:
        handle.write(kid + "\n")
    publish(folder, public)


def read_public_set(path: Path) -> KeySet:
    """The trusted public keys, from a published ``kunci-publik.json``."""
    if not path.is_file():
        raise MeritError(f"Berkas kunci publik {path} tidak ditemukan.")
    try:
        data = json.loads(path.read_text())
        return KeySet.import_key_set(
            {"keys": [{k: v for k, v in d.items() if k != "merit_dibuat"} for d in data["keys"]]}
        )
    except (ValueError, KeyError, TypeError) as exc:
        raise MeritError(f"Berkas kunci publik {path} tidak dapat dibaca ({exc}).") from None
