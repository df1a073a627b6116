"""Schema migrations for the ELP database (sqlite-utils Migrations; append new steps, never edit old ones)."""

from __future__ import annotations

from sqlite_utils import Database, Migrations

migrations = Migrations("elp")


@migrations()
def m001_initial(db: Database) -> None:
    """Conversations, respondents, answers, the answer audit log and processed inbound ids."""
    db["conversations"].create(
        {
            "channel": str,
            "user_id": str,
            "respondent_id": int,
            "display_name": str,
            "state": str,
            "created_at": str,
            "updated_at": str,
        },
        pk=("channel", "user_id"),
        not_null={"channel", "user_id", "state", "created_at", "updated_at"},
    )
    db["respondents"].create(
        {
            "id": int,
            "channel": str,
            "user_id": str,
            "display_name": str,
            "name": str,
            "role": str,
            "school": str,
            "school_type": str,
            "quote_consent": str,
            "status": str,
            "reference": str,
            "started_at": str,
            "updated_at": str,
            "submitted_at": str,
            "amended_at": str,
        },
        pk="id",
        not_null={"channel", "user_id", "status", "started_at", "updated_at"},
        defaults={"status": "in_progress"},
    )
    db["respondents"].create_index(["channel", "user_id"], unique=True)
    db["respondents"].create_index(["reference"], unique=True)
    db["answers"].create(
        {
            "respondent_id": int,
            "question_id": str,
            "choice": str,
            "comment": str,
            "answered_at": str,
        },
        pk=("respondent_id", "question_id"),
        not_null={"respondent_id", "question_id", "answered_at"},
        foreign_keys=[("respondent_id", "respondents", "id")],
    )
    db["answer_log"].create(
        {
            "id": int,
            "respondent_id": int,
            "question_id": str,
            "choice": str,
            "comment": str,
            "at": str,
            "after_submission": int,
        },
        pk="id",
        not_null={"respondent_id", "question_id", "at", "after_submission"},
        foreign_keys=[("respondent_id", "respondents", "id")],
    )
    db["answer_log"].create_index(["respondent_id", "question_id"])
    db["inbound_seen"].create(
        {"channel": str, "message_id": str, "at": str},
        pk=("channel", "message_id"),
        not_null={"channel", "message_id", "at"},
    )
    # The audit trail is append-only: refuse edits at the database level, not just in code.
    db.execute(
        "CREATE TRIGGER answer_log_no_update BEFORE UPDATE ON answer_log "
        "BEGIN SELECT RAISE(ABORT, 'answer_log is append-only'); END"
    )


@migrations()
def m002_schools_and_unanswered(db: Database) -> None:
    """The school directory (from GIAS), the respondent's matched school, and questions not answered."""
    db["schools"].create(
        {
            "urn": str,
            "name": str,
            "la": str,
            "establishment_type": str,
            "type_group": str,
            "phase": str,
            "pupils": int,
            "fee_band": str,
            "open": int,
            "member": int,
            "updated_at": str,
        },
        pk="urn",
        not_null={"urn", "name", "la", "fee_band", "open", "member", "updated_at"},
        defaults={"open": 1, "member": 0},
    )
    db["schools"].create_index(["la", "open"])
    db["respondents"].add_column("school_urn", str)
    db["unanswered"].create(
        {
            "id": int,
            "channel": str,
            "user_id": str,
            "question": str,
            "normalised": str,
            "suggestions": str,
            "asked_at": str,
        },
        pk="id",
        not_null={"question", "normalised", "asked_at"},
    )
    db["unanswered"].create_index(["normalised"])


@migrations()
def m003_inbound_owner(db: Database) -> None:
    """Whose message each processed id was, so erasing a person's data erases these too."""
    db["inbound_seen"].add_column("user_id", str)
    db["inbound_seen"].create_index(["channel", "user_id"])


@migrations()
def m004_results_reference_sequence(db: Database) -> None:
    """References from a sequence that never goes back (erasure frees no number); the pupil count given."""
    db["reference_sequence"].create({"prefix": str, "last": int}, pk="prefix", not_null={"prefix", "last"})
    # Carry on from the highest reference already handed out, per prefix (e.g. ELP-2026).
    db.execute(
        "INSERT INTO reference_sequence (prefix, last)"
        " SELECT rtrim(reference, '0123456789') AS stem, max(CAST(substr(reference, length(rtrim(reference,"
        " '0123456789')) + 1) AS INTEGER)) FROM respondents WHERE reference IS NOT NULL GROUP BY stem"
    )
    db.execute("UPDATE reference_sequence SET prefix = rtrim(prefix, '-')")
    db["respondents"].add_column("pupils", int)


@migrations()
def m005_outbox(db: Database) -> None:
    """Replies committed with their turn and kept until the channel has sent them (survives a crash)."""
    db["outbox"].create(
        {
            "id": int,
            "channel": str,
            "user_id": str,
            "message_id": str,
            "replies": str,
            "created_at": str,
            "sent_at": str,
        },
        pk="id",
        not_null={"channel", "user_id", "replies", "created_at"},
    )
    db["outbox"].create_index(["channel", "message_id"])
    db.execute("CREATE INDEX idx_outbox_unsent ON outbox (channel, id) WHERE sent_at IS NULL")


@migrations()
def m006_web_invitations(db: Database) -> None:
    """The web channel: invitation links (token hashes only), browser sessions and the chat history."""
    db["web_invitations"].create(
        {
            "id": int,
            "token_hash": str,
            "user_key": str,
            "role": str,
            "school_urn": str,
            "school": str,
            "name": str,
            "email": str,
            "created_at": str,
            "revoked_at": str,
        },
        pk="id",
        not_null={"token_hash", "user_key", "role", "created_at"},
    )
    db["web_invitations"].create_index(["token_hash"], unique=True)
    db["web_invitations"].create_index(["user_key"], unique=True)
    db["web_sessions"].create(
        {"id_hash": str, "invitation_id": int, "csrf": str, "created_at": str},
        pk="id_hash",
        not_null={"invitation_id", "csrf", "created_at"},
        foreign_keys=[("invitation_id", "web_invitations", "id")],
    )
    # One row per message shown in the web chat; an inbound row and its replies share a client message id.
    db["web_messages"].create(
        {
            "id": int,
            "channel": str,
            "user_id": str,
            "client_id": str,
            "direction": str,
            "text": str,
            "buttons": str,
            "at": str,
        },
        pk="id",
        not_null={"channel", "user_id", "client_id", "direction", "text", "at"},
    )
    db["web_messages"].create_index(["channel", "user_id", "client_id"])


@migrations()
def m007_teams_references_and_reminders(db: Database) -> None:
    """Teams conversation references and sent cards, and the reminder log (every channel)."""
    db["teams_references"].create(
        {"user_id": str, "conversation_id": str, "reference": str, "updated_at": str},
        pk="user_id",
        not_null={"user_id", "conversation_id", "reference", "updated_at"},
    )
    db["teams_cards"].create(
        {"activity_id": str, "conversation_id": str, "user_id": str, "card": str, "sent_at": str},
        pk=("conversation_id", "activity_id"),
        not_null={"activity_id", "conversation_id", "user_id", "card", "sent_at"},
    )
    db["teams_cards"].create_index(["user_id"])
    db["reminder_log"].create(
        {"id": int, "channel": str, "user_id": str, "sent_at": str},
        pk="id",
        not_null={"channel", "user_id", "sent_at"},
    )
    db["reminder_log"].create_index(["channel", "user_id", "sent_at"])
