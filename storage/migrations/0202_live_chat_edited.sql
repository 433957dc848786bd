-- A live-class chat message its author corrected: the row holds the latest
-- text and when it was changed; every version stays in the trace records
-- (chat.message, then chat.edited), so the archive keeps what was first said.
ALTER TABLE live_chat_message ADD COLUMN edited_at timestamptz;
