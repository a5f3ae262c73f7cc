-- Imports write many rows per post (the post, then its categories and tags). Rather than refresh
-- a post's listings after each of them, an import sets `fieldnotes.defer_listings` for its
-- transaction and refreshes every post it touched once, at the end.
--
-- The post's row is locked FOR NO KEY UPDATE while its listings are refreshed: enough to keep
-- two refreshes of one post apart, without blocking the foreign-key checks of tags being added.
--
-- Scheduled posts whose time has come become published; the server does that when they are due.

CREATE OR REPLACE FUNCTION listings_deferred() RETURNS boolean
LANGUAGE sql STABLE
RETURN coalesce(current_setting('fieldnotes.defer_listings', true), '') = 'on';

CREATE OR REPLACE FUNCTION refresh_post_listings(target bigint) RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
    PERFORM 1 FROM posts WHERE id = target FOR NO KEY UPDATE;
    DELETE FROM post_listings l
    WHERE l.post_id = target
      AND (l.scope, l.scope_id, l.published_at) NOT IN (SELECT * FROM due_listings(target));
    INSERT INTO post_listings (scope, scope_id, published_at, post_id)
    SELECT d.scope, d.scope_id, d.published_at, target FROM due_listings(target) d
    ON CONFLICT DO NOTHING;
END
$$;

-- The same for many posts at once, in two statements: how an import ends.
CREATE FUNCTION refresh_many_post_listings(targets bigint[]) RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
    PERFORM 1 FROM posts WHERE id = ANY(targets) ORDER BY id FOR NO KEY UPDATE;
    DELETE FROM post_listings l
    WHERE l.post_id = ANY(targets)
      AND (l.scope, l.scope_id, l.published_at, l.post_id) NOT IN (
          SELECT d.scope, d.scope_id, d.published_at, t.id
          FROM unnest(targets) AS t (id), due_listings(t.id) d);
    INSERT INTO post_listings (scope, scope_id, published_at, post_id)
    SELECT d.scope, d.scope_id, d.published_at, t.id
    FROM unnest(targets) AS t (id), due_listings(t.id) d
    ON CONFLICT DO NOTHING;
END
$$;

CREATE OR REPLACE FUNCTION post_changed() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF NOT listings_deferred() THEN
        PERFORM refresh_post_listings(NEW.id);
    END IF;
    RETURN NULL;
END
$$;

CREATE OR REPLACE FUNCTION filing_added() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF NOT listings_deferred() THEN
        PERFORM refresh_post_listings(post_id) FROM (SELECT DISTINCT post_id FROM added) changed;
    END IF;
    RETURN NULL;
END
$$;

CREATE OR REPLACE FUNCTION filing_removed() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF NOT listings_deferred() THEN
        PERFORM refresh_post_listings(post_id) FROM (SELECT DISTINCT post_id FROM removed) changed;
    END IF;
    RETURN NULL;
END
$$;

-- Only approved comments count, and pingbacks and trackbacks are not comments.
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
         WHERE pt.post_id = p.id) AS tags
FROM posts p
LEFT JOIN users u ON u.id = p.author_id;

DROP INDEX comments_approved_by_post;
CREATE INDEX comments_approved_by_post ON comments (post_id, created_at)
    WHERE status = 'approved' AND kind = 'comment';
