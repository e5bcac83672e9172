"""Certificates of completed courses: a PDF in Indonesian and a signed Open Badges 3.0 credential.

``issuer`` says who issues (assessments/sertifikat.yml); ``keys`` keeps the Ed25519 signing
keys; ``credential`` builds, signs and verifies the credential; ``statuslist`` is the
Bitstring Status List that revokes; ``issuing`` records certificates in the registry;
``pdf`` renders the printable certificate. See docs/certificates.md.
"""
