-- Guessing a protected post's password is slowed down like guessing a person's: tries are counted
-- per post and client address (an IPv6 client by its /64 network) and forgotten when one is right,
-- and a client that made too many is refused for a while. Rows are forgotten once they are old.
CREATE TABLE post_password_tries (
    post_id        bigint NOT NULL REFERENCES posts (id) ON DELETE CASCADE,
    client_address inet NOT NULL,
    tries          integer NOT NULL CHECK (tries >= 0),
    last_tried_at  timestamptz NOT NULL,
    PRIMARY KEY (post_id, client_address)
);
CREATE INDEX post_password_tries_by_age ON post_password_tries (last_tried_at);
