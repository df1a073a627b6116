"""Invitation links: create them (one per member school, one more person, an admin), revoke and reissue."""

from __future__ import annotations

import secrets
from dataclasses import dataclass

from adapters.web._security import new_token, token_hash
from storage import Store
from storage.schools import schools as directory_schools


@dataclass(frozen=True)
class Issued:
    """A link just made: shown once (only its hash is stored)."""

    invitation_id: int
    token: str
    school_urn: str | None
    school: str | None
    name: str | None
    email: str | None

    def link(self, base_url: str) -> str:
        """The full link to send."""
        return f"{base_url.rstrip('/')}/c/{self.token}"


def invite(
    store: Store,
    *,
    role: str,
    now: str,
    school_urn: str | None = None,
    school: str | None = None,
    name: str | None = None,
    email: str | None = None,
) -> Issued:
    """Create one invitation (role respondent or admin) and return its link's token."""
    if role not in ("respondent", "admin"):
        raise ValueError(f"unknown role {role!r}")
    token = new_token()
    with store.transaction():
        invitation_id = store.add_invitation(
            token_hash=token_hash(token),
            user_key="w" + secrets.token_hex(10),
            role=role,
            now=now,
            school_urn=school_urn,
            school=school,
            name=name,
            email=email,
        )
    return Issued(invitation_id, token, school_urn, school, name, email)


def invite_members(store: Store, now: str) -> tuple[list[Issued], int]:
    """One link per member school that has no live school link yet; returns (new links, schools skipped)."""
    live = {
        i["school_urn"]
        for i in store.invitations()
        if i["role"] == "respondent" and i["revoked_at"] is None and i["school_urn"] and not i["email"]
    }
    issued, skipped = [], 0
    for row in directory_schools(store, members_only=True):
        if row["urn"] in live:
            skipped += 1
            continue
        issued.append(invite(store, role="respondent", now=now, school_urn=row["urn"], school=row["name"]))
    return issued, skipped


def reissue(store: Store, invitation_id: int) -> Issued | None:
    """A new link for an existing invitation (same respondent, answers kept); None if there is none."""
    row = store.invitation(invitation_id)
    if row is None:
        return None
    token = new_token()
    with store.transaction():
        store.reissue_invitation(invitation_id, token_hash(token))
    return Issued(invitation_id, token, row["school_urn"], row["school"], row["name"], row["email"])


def revoke(store: Store, invitation_id: int, now: str) -> bool:
    """Stop a link working (and end its sessions); False if there was no live invitation with that number."""
    with store.transaction():
        return store.revoke_invitation(invitation_id, now)
