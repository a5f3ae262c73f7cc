-- What readers may see beyond a post's status.
--
-- A post (or page) may be protected by a password. The password is kept as written, as WordPress
-- keeps it, because exports carry it and writers read it back in the editor. Readers who give it
-- receive the post's random key in a cookie, never the password; a new password makes a new key,
-- which shuts out everyone who unlocked the post before.
--
-- Uploaded images are served to everyone only while a visible post (published or due, not
-- protected) uses them, so every save records which images a post's body uses. New uploads are
-- addressed by a random key rather than their id; older ones keep their numbered addresses.

ALTER TABLE posts
    ADD COLUMN password text CHECK (password <> ''),
    ADD COLUMN password_key bytea;

CREATE FUNCTION keep_password_key() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.password IS NULL THEN
        NEW.password_key := NULL;
    ELSIF TG_OP = 'INSERT' OR OLD.password IS DISTINCT FROM NEW.password OR OLD.password_key IS NULL THEN
        NEW.password_key := uuid_send(gen_random_uuid()) || uuid_send(gen_random_uuid());
    ELSE
        NEW.password_key := OLD.password_key;
    END IF;
    RETURN NEW;
END
$$;

CREATE TRIGGER posts_password_key BEFORE INSERT OR UPDATE OF password, password_key ON posts
FOR EACH ROW EXECUTE FUNCTION keep_password_key();

-- The views name their columns as they were when they were made: make them again to include
-- these.
CREATE OR REPLACE VIEW public_posts AS
SELECT *
FROM posts
WHERE kind = 'post'
  AND status IN ('published', 'scheduled')
  AND published_at <= now();

CREATE OR REPLACE VIEW post_summaries AS
SELECT p.id,
       p.kind,
       p.slug,
       p.title,
       p.excerpt,
       p.body_html,
       p.status,
       p.published_at,
       u.slug         AS author_slug,
       u.display_name AS author_name,
       (SELECT count(*)
          FROM comments c
         WHERE c.post_id = p.id AND c.status = 'approved' AND c.kind = 'comment') AS comment_count,
       (SELECT coalesce(json_agg(json_build_object('slug', c.slug, 'name', c.name) ORDER BY c.name), '[]')
          FROM post_categories pc
          JOIN categories c ON c.id = pc.category_id
         WHERE pc.post_id = p.id) AS categories,
       (SELECT coalesce(json_agg(json_build_object('slug', t.slug, 'name', t.name) ORDER BY t.name), '[]')
          FROM post_tags pt
          JOIN tags t ON t.id = pt.tag_id
         WHERE pt.post_id = p.id) AS tags,
       p.password IS NOT NULL AS protected
FROM posts p
LEFT JOIN users u ON u.id = p.author_id;

ALTER TABLE media ADD COLUMN url_key text UNIQUE CHECK (url_key ~ '^[0-9a-f]{32}$');

CREATE TABLE post_media (
    post_id  bigint NOT NULL REFERENCES posts (id) ON DELETE CASCADE,
    media_id bigint NOT NULL REFERENCES media (id) ON DELETE CASCADE,
    PRIMARY KEY (post_id, media_id)
);
CREATE INDEX post_media_by_media ON post_media (media_id, post_id);

-- Images already in posts keep being shown where they are used.
INSERT INTO post_media (post_id, media_id)
SELECT DISTINCT p.id, m.id
FROM posts p
CROSS JOIN LATERAL regexp_matches(p.body_html, '/media/([0-9]{1,18})/', 'g') AS found (parts)
JOIN media m ON m.id = found.parts[1]::bigint
WHERE p.body_html LIKE '%/media/%';
