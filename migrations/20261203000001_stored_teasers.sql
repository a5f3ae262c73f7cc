-- What a listing shows of a post (its excerpt as plain text, or the start of its body; nothing
-- of a protected post) is made once, when the post is written, instead of on every listing.
-- NULL until then: the server makes the missing ones in the background, and listings make them
-- as they go meanwhile.
ALTER TABLE posts ADD COLUMN teaser text;
CREATE INDEX posts_teaser_missing ON posts (id) WHERE teaser IS NULL;

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
       p.password IS NOT NULL AS protected,
       p.language,
       p.teaser
FROM posts p
LEFT JOIN users u ON u.id = p.author_id;

-- A change to what a teaser is made of that does not make a new one (a statement run by hand,
-- say) leaves none: listings then make it as they go, as for the posts written before.
CREATE FUNCTION forget_teaser() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    NEW.teaser := NULL;
    RETURN NEW;
END
$$;

CREATE TRIGGER posts_teaser_outdated
    BEFORE UPDATE OF excerpt, body_html, password ON posts
    FOR EACH ROW
    WHEN (OLD.excerpt IS DISTINCT FROM NEW.excerpt
          OR OLD.body_html IS DISTINCT FROM NEW.body_html
          OR (OLD.password IS NULL) <> (NEW.password IS NULL))
    EXECUTE FUNCTION forget_teaser();
