-- What a person says about themselves, shown on their author page (plain text).
ALTER TABLE users ADD COLUMN bio text NOT NULL DEFAULT '' CHECK (char_length(bio) <= 2000);

-- An account an administrator has turned off: it cannot sign in and its sessions and API tokens
-- stop working, but its posts stay its own and it can be turned on again.
ALTER TABLE users ADD COLUMN disabled_at timestamptz;

-- One-time sign-in links, which an administrator hands on to a new person (or one who forgot
-- their password), since the blog sends no e-mail: whoever opens it within its time chooses the
-- account's password, once. Only a hash of the link's secret is kept.
CREATE TABLE sign_in_links (
    token_hash bytea PRIMARY KEY,
    user_id    bigint NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    created_by bigint REFERENCES users (id) ON DELETE SET NULL,
    expires_at timestamptz NOT NULL
);
CREATE INDEX sign_in_links_by_user ON sign_in_links (user_id);
