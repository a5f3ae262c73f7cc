-- Signing in without handing anyone a lock. Failed sign-ins are counted per e-mail address tried
-- (its SHA-256: what people type there is not kept) and client address, which refuses a guesser
-- after a few tries without touching anyone else; and per e-mail address alone for every client
-- that has not signed in to the account before, which slows down a guesser spread over many
-- addresses. A browser that signed in to an account keeps a device cookie, whose hash is kept here:
-- with it, only its own failures count. Rows are forgotten once they are old.

DROP TABLE failed_sign_ins;

CREATE TABLE sign_in_failures (
    email_hash     bytea NOT NULL,
    -- NULL: the failures of all clients without a device cookie for the account, together.
    client_address inet,
    failures       integer NOT NULL CHECK (failures >= 0),
    last_failed_at timestamptz NOT NULL,
    UNIQUE NULLS NOT DISTINCT (email_hash, client_address)
);
CREATE INDEX sign_in_failures_by_age ON sign_in_failures (last_failed_at);

CREATE TABLE sign_in_devices (
    token_hash        bytea NOT NULL,
    user_id           bigint NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    failures          integer NOT NULL DEFAULT 0 CHECK (failures >= 0),
    last_signed_in_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (token_hash, user_id)
);
CREATE INDEX sign_in_devices_by_user ON sign_in_devices (user_id, last_signed_in_at DESC);
CREATE INDEX sign_in_devices_by_age ON sign_in_devices (last_signed_in_at);

-- Sessions end after a while unused too; `last_seen_at` is brought up to date at most hourly.
ALTER TABLE sessions ADD COLUMN last_seen_at timestamptz NOT NULL DEFAULT now();
CREATE INDEX sessions_by_last_seen ON sessions (last_seen_at);

-- A commenter is known by the cookie that wrote an approved comment, no longer by an e-mail
-- address anyone can type.
DROP INDEX comments_approved_by_email;
CREATE INDEX comments_approved_by_commenter ON comments (commenter_token_hash)
    WHERE status = 'approved';
