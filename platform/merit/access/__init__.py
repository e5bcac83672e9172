"""Who is looking, and what they may see: the one seam every page asks, on the server.

``viewer`` holds the viewer and their roles and answers every permission question;
``accounts`` keeps logins in the registry (Argon2id hashes, session tokens stored as
SHA-256); ``identity`` turns a request into a viewer, pluggably (``MERIT_IDENTITAS``) so
that JupyterHub's user can take the place of Merit's own login; ``log`` writes every
view of another person's personal data to the access log (UU 27/2022).
"""

from merit.access.viewer import ADMIN, HR, LEARNER, ROLES, TRAINER, Refused, Role, Viewer

__all__ = ["ADMIN", "HR", "LEARNER", "ROLES", "TRAINER", "Refused", "Role", "Viewer"]
