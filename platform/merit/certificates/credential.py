"""The Open Badges 3.0 credential of a completed course, signed as a VC-JWT with Ed25519.

Format: Open Badges 3.0 §8.2 (JSON Web Token proof format): the JWT payload is the
``OpenBadgeCredential`` itself (W3C VC Data Model 2.0), with the registered claims
``iss`` (issuer id), ``jti`` (credential id) and ``nbf`` (``validFrom``) added; the JOSE
header names ``alg: Ed25519`` (RFC 9864's name for EdDSA over Ed25519, RFC 8037) and the
signing key's ``kid``. Signing
and verifying are joserfc's (docs/certificates.md says why this library and this format).

Verification is offline: the verifier holds the issuer's published key set and status
list (two files), never the registry.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from joserfc import jws
from joserfc.errors import JoseError
from joserfc.jwk import KeySet

from merit.certificates import statuslist
from merit.certificates.issuer import Issuer
from merit.certificates.keys import SigningKey
from merit.errors import MeritError

CONTEXT = ["https://www.w3.org/ns/credentials/v2", "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"]
ALGORITHMS = ["Ed25519"]  # RFC 9864's fully specified name; it deprecates "EdDSA"
TYPE = "OpenBadgeCredential"


@dataclass(frozen=True)
class Achievement:
    """What a certificate states: everything the PDF prints, from the registry."""

    code: str
    name: str
    nip: str
    course_id: str
    course_title: str
    jp: int
    completed_on: dt.date
    issued_at: dt.datetime
    score_pct: float
    levels: tuple[tuple[str, str, int], ...]  # (competency code, name, level reached)
    status_index: int


def _iso(moment: dt.datetime) -> str:
    return moment.replace(microsecond=0).isoformat() + "Z"


def hashed_nip(nip: str, salt: str) -> str:
    """OB 3.0 IdentityObject hash: ``sha256$`` + hex SHA-256 of the NIP and the salt."""
    return "sha256$" + hashlib.sha256((nip + salt).encode()).hexdigest()


def build(issuer: Issuer, achievement: Achievement) -> dict[str, Any]:
    """The unsigned OpenBadgeCredential.

    The NIP is carried hashed (with the verification code as salt): whoever holds the
    certificate can prove it is theirs, whoever finds the credential learns no NIP.
    """
    a = achievement
    course_url = f"{issuer.id}/kursus/{a.course_id}"
    levels = [
        {
            "id": f"{course_url}#{code}",
            "type": ["ResultDescription"],
            "name": f"Kompetensi {name}",
            "resultType": "RubricCriterionLevel",
            "rubricCriterionLevel": [
                {"id": f"{course_url}#{code}-level-{n}", "type": ["RubricCriterionLevel"], "name": f"Level {n}"}
                for n in range(1, 6)
            ],
        }
        for code, name, _ in a.levels
    ]
    return {
        "@context": CONTEXT,
        "id": issuer.verification_url(a.code),
        "type": ["VerifiableCredential", TYPE],
        "issuer": {"id": issuer.id, "type": ["Profile"], "name": issuer.instansi},
        "validFrom": _iso(a.issued_at),
        "name": f"Sertifikat {a.course_title}",
        "credentialSubject": {
            "type": ["AchievementSubject"],
            "identifier": [
                {"type": "IdentityObject", "identityType": "name", "hashed": False, "identityHash": a.name},
                {
                    "type": "IdentityObject",
                    "identityType": "identifier",
                    "hashed": True,
                    "identityHash": hashed_nip(a.nip, a.code),
                    "salt": a.code,
                },
            ],
            "achievement": {
                "id": course_url,
                "type": ["Achievement"],
                "achievementType": "Course",
                "name": a.course_title,
                "description": f"Pelatihan {a.course_title}, {a.jp} JP (1 JP = 45 menit).",
                "criteria": {
                    "narrative": "Semua modul dikumpulkan, penilaian manual selesai, dan nilai mencapai nilai lulus."
                },
                "creditsAvailable": a.jp,
                "resultDescription": levels,
            },
            "creditsEarned": a.jp,
            "activityEndDate": _iso(dt.datetime.combine(a.completed_on, dt.time())),
            "result": [
                {
                    "type": ["Result"],
                    "resultDescription": f"{course_url}#{code}",
                    "achievedLevel": f"{course_url}#{code}-level-{level}",
                }
                for code, _, level in a.levels
            ],
        },
        "credentialStatus": {
            "id": f"{issuer.status_list_url}#{a.status_index}",
            "type": "BitstringStatusListEntry",
            "statusPurpose": "revocation",
            "statusListIndex": str(a.status_index),
            "statusListCredential": issuer.status_list_url,
        },
    }


def sign(credential: dict[str, Any], key: SigningKey) -> str:
    """The credential as a compact JWS (VC-JWT) signed by ``key``."""
    moment = dt.datetime.fromisoformat(credential["validFrom"].removesuffix("Z")).replace(tzinfo=dt.UTC)
    issuer = credential["issuer"]
    payload = {
        **credential,
        "iss": issuer["id"] if isinstance(issuer, dict) else issuer,
        "jti": credential["id"],
        "nbf": int(moment.timestamp()),
    }
    header = {"alg": ALGORITHMS[0], "kid": key.kid, "typ": "JWT"}
    return jws.serialize_compact(
        header, json.dumps(payload, ensure_ascii=False).encode(), key.key, algorithms=ALGORITHMS
    )


def status_list(issuer: Issuer, revoked: list[int], key: SigningKey, at: dt.datetime) -> str:
    """The signed BitstringStatusListCredential naming every revoked index."""
    credential = {
        "@context": ["https://www.w3.org/ns/credentials/v2"],
        "id": issuer.status_list_url,
        "type": ["VerifiableCredential", "BitstringStatusListCredential"],
        "issuer": issuer.id,
        "validFrom": _iso(at),
        "credentialSubject": {
            "id": f"{issuer.status_list_url}#daftar",
            "type": "BitstringStatusList",
            "statusPurpose": "revocation",
            "encodedList": statuslist.encode(sorted(revoked)),
        },
    }
    return sign(credential, key)


def signed_levels(token: str) -> dict[str, int]:
    """competency code -> level, as written in a credential Merit issued (read, not verified)."""
    payload = json.loads(jws.extract_compact(token.encode()).payload)
    levels = {}
    for result in payload["credentialSubject"]["result"]:
        code = result["resultDescription"].rpartition("#")[2]
        levels[code] = int(result["achievedLevel"].rpartition("-level-")[2])
    return levels


class Status(StrEnum):
    VALID = "sah"
    REVOKED = "dicabut"
    INVALID = "tidak sah"


@dataclass(frozen=True)
class Verification:
    """What verifying a credential found; ``name`` and ``course`` only when the signature holds."""

    status: Status
    reason: str
    code: str = ""
    name: str = ""
    course: str = ""


def _open(token: str, keys: KeySet) -> dict[str, Any]:
    """The payload of a compact JWS signed by one of ``keys``; JoseError or ValueError otherwise."""
    header = jws.extract_compact(token.strip().encode()).headers()
    if header.get("alg") not in ALGORITHMS:
        raise ValueError(f"algoritme tanda tangan {header.get('alg')!r} tidak diterima (hanya Ed25519)")
    kid = header.get("kid")
    key = next((k for k in keys if k.kid == kid), None)
    if key is None:
        raise ValueError(f"kunci penanda tangan {kid!r} tidak dikenal penerbit")
    verified = jws.deserialize_compact(token.strip(), key, algorithms=ALGORITHMS)
    payload = json.loads(verified.payload)
    if not isinstance(payload, dict):
        raise ValueError("isi kredensial bukan objek JSON")
    return payload


def _check_claims(payload: dict[str, Any], issuer_id: str) -> None:
    """The JWT claims must restate the credential (OB 3.0 §8.2), and the issuer must be the expected one."""
    if TYPE not in payload.get("type", []) and "AchievementCredential" not in payload.get("type", []):
        raise ValueError("bukan OpenBadgeCredential")
    issuer = payload.get("issuer", {})
    issuer_value = issuer.get("id") if isinstance(issuer, dict) else issuer
    if issuer_value != issuer_id or payload.get("iss") != issuer_id:
        raise ValueError(f"penerbit {issuer_value!r} bukan {issuer_id!r}")
    if payload.get("jti") != payload.get("id"):
        raise ValueError("klaim jti tidak sama dengan id kredensial")
    valid_from = dt.datetime.fromisoformat(str(payload.get("validFrom", "")).removesuffix("Z")).replace(tzinfo=dt.UTC)
    if payload.get("nbf") != int(valid_from.timestamp()):
        raise ValueError("klaim nbf tidak sama dengan validFrom")


def verify(token: str, keys: KeySet, status_token: str, issuer_id: str) -> Verification:
    """Check signature, issuer, claims and revocation status of one credential, offline."""
    try:
        payload = _open(token, keys)
        _check_claims(payload, issuer_id)
        entry = payload["credentialStatus"]
        index = int(entry["statusListIndex"])
        subject = payload["credentialSubject"]
        name = next(i["identityHash"] for i in subject["identifier"] if i["identityType"] == "name")
        course = subject["achievement"]["name"]
        code = str(payload["id"]).rpartition("kode=")[2]
    except (JoseError, ValueError, KeyError, TypeError, StopIteration) as exc:
        return Verification(Status.INVALID, f"kredensial tidak sah: {exc or type(exc).__name__}")
    try:
        status = _open(status_token, keys)
        if status.get("id") != entry["statusListCredential"] or status.get("iss") != issuer_id:
            raise ValueError("daftar status bukan milik kredensial ini")
        revoked = statuslist.is_set(status["credentialSubject"]["encodedList"], index)
    except (JoseError, ValueError, KeyError, TypeError, MeritError) as exc:
        return Verification(Status.INVALID, f"daftar status tidak dapat dipercaya: {exc or type(exc).__name__}")
    if revoked:
        return Verification(Status.REVOKED, "sertifikat telah dicabut oleh penerbit", code, name, course)
    return Verification(Status.VALID, "tanda tangan sah dan sertifikat tidak dicabut", code, name, course)
