-- Comments from readers: who may see a comment still waiting for moderation (its writer, known
-- by a random token in a cookie, kept here only as its SHA-256), the words that mark a comment
-- as spam, and the indexes the moderation rules read: an address's recent comments, and whether
-- an e-mail address has had a comment approved before.

ALTER TABLE comments ADD COLUMN commenter_token_hash bytea;

CREATE INDEX comments_by_post ON comments (post_id, created_at, id);
CREATE INDEX comments_approved_by_email ON comments (lower(author_email)) WHERE status = 'approved';
CREATE INDEX comments_by_address ON comments (author_ip, created_at) WHERE author_ip <> '';
CREATE INDEX comments_by_status ON comments (status, id DESC);

ALTER TABLE site ADD COLUMN comment_spam_words text[] NOT NULL DEFAULT '{}';
