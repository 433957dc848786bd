-- A live-class chat message whose text was erased (its author's erasure
-- request) or expired (retention) keeps its row, so a transcript keeps its
-- order and shows "message effacé"; its text, author and name are blanked.
ALTER TABLE live_chat_message
  ADD COLUMN erased_at timestamptz,
  ADD COLUMN erased_reason text CHECK (erased_reason IN ('erasure', 'retention'));
