-- The id the page gave a chat message before sending it: a message sent
-- again after its acknowledgement was lost (a node killed after the commit,
-- a forwarded call timing out, a socket dropped) carries the same id and is
-- stored once. Unique per author and space (a live session's messages belong
-- to its space); null for old pages, and blanked with the text on erasure.
ALTER TABLE live_chat_message ADD COLUMN client_id text;
CREATE UNIQUE INDEX live_chat_message_client
  ON live_chat_message (author_id, space_id, client_id)
  WHERE client_id IS NOT NULL;
