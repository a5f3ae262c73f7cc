-- Writing: the revisions every save keeps, the trash a deleted post waits in, the images people
-- upload, and the indexes of the dashboard, where writers find their own and everyone's posts
-- newest first, whatever their status.

-- A post in the trash remembers the status it had, to return to it when restored (a draft, for
-- trash that came from an import).
ALTER TABLE posts
    ADD COLUMN status_before_trash text
        CHECK (status_before_trash IN ('draft', 'published', 'scheduled', 'private'));

CREATE INDEX posts_dashboard ON posts (id DESC) WHERE kind = 'post';
CREATE INDEX posts_dashboard_by_status ON posts (status, id DESC) WHERE kind = 'post';
CREATE INDEX posts_dashboard_by_author ON posts (author_id, id DESC) WHERE kind = 'post';

-- A post as one save left it. Autosaves keep one revision per writer and post, replaced by the
-- next autosave until an explicit save keeps the state for good.
CREATE TABLE post_revisions (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    post_id     bigint NOT NULL REFERENCES posts (id) ON DELETE CASCADE,
    saved_by    bigint REFERENCES users (id) ON DELETE SET NULL,
    saved_at    timestamptz NOT NULL DEFAULT now(),
    is_autosave boolean NOT NULL DEFAULT false,
    title       text NOT NULL,
    excerpt     text NOT NULL,
    body_html   text NOT NULL
);
CREATE INDEX post_revisions_by_post ON post_revisions (post_id, id DESC);

-- Uploaded images, kept in the database so that every server process can serve them.
CREATE TABLE media (
    id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    uploaded_by  bigint REFERENCES users (id) ON DELETE SET NULL,
    uploaded_at  timestamptz NOT NULL DEFAULT now(),
    file_name    text NOT NULL CHECK (file_name <> ''),
    content_type text NOT NULL CHECK (content_type IN ('image/jpeg', 'image/png', 'image/gif', 'image/webp')),
    byte_size    integer NOT NULL CHECK (byte_size BETWEEN 1 AND 10485760),
    bytes        bytea NOT NULL
);
ALTER TABLE media ALTER COLUMN bytes SET STORAGE EXTERNAL;

-- Tag names as the editor completes them, by their beginning.
CREATE INDEX tags_by_name ON tags (lower(name) text_pattern_ops);
