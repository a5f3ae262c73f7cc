-- The names a listing shows of a post (its categories and tags, as JSON arrays of {slug, name}
-- ordered by name) and its count of approved comments are kept in `post_names`, current at every
-- change to a filing, a category's or tag's name or slug, or a comment, instead of being gathered
-- anew for every post of every listing. A post with neither filings nor comments may have no row:
-- `post_summaries` reads that as none. Filings are added and removed, never updated in place.
--
-- Writers already at work wait while the names are first gathered, so none is missed.
LOCK TABLE posts, post_tags, post_categories, comments, categories, tags IN SHARE MODE;

CREATE TABLE post_names (
    post_id       bigint PRIMARY KEY REFERENCES posts (id) ON DELETE CASCADE,
    categories    json NOT NULL,
    tags          json NOT NULL,
    comment_count integer NOT NULL
);

-- What `post_names` should hold for these posts (each once), as the filings and comments say now.
CREATE FUNCTION post_names_as_filed(targets bigint[])
RETURNS TABLE (post_id bigint, categories json, tags json, comment_count integer)
LANGUAGE sql STABLE AS $$
    SELECT t.id,
           (SELECT coalesce(json_agg(json_build_object('slug', c.slug, 'name', c.name) ORDER BY c.name, c.slug), '[]')
              FROM post_categories pc
              JOIN categories c ON c.id = pc.category_id
             WHERE pc.post_id = t.id),
           (SELECT coalesce(json_agg(json_build_object('slug', g.slug, 'name', g.name) ORDER BY g.name, g.slug), '[]')
              FROM post_tags pt
              JOIN tags g ON g.id = pt.tag_id
             WHERE pt.post_id = t.id),
           (SELECT count(*)::integer
              FROM comments c
             WHERE c.post_id = t.id AND c.status = 'approved' AND c.kind = 'comment')
    FROM (SELECT DISTINCT id FROM unnest(targets) AS target (id)) AS t
    WHERE EXISTS (SELECT 1 FROM posts p WHERE p.id = t.id)
$$;

-- The posts are locked first, in the order of their ids, as `refresh_many_post_listings` does;
-- the names are then read in a statement of their own, which sees what a writer who held a
-- post before committed. Two writers commenting on one post at once both count.
CREATE FUNCTION refresh_post_names(targets bigint[]) RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
    PERFORM 1 FROM posts WHERE id = ANY(targets) ORDER BY id FOR NO KEY UPDATE;
    INSERT INTO post_names (post_id, categories, tags, comment_count)
    SELECT * FROM post_names_as_filed(targets)
    ON CONFLICT (post_id) DO UPDATE
    SET categories = excluded.categories, tags = excluded.tags, comment_count = excluded.comment_count;
END
$$;

-- The first filling, under the lock above: no post need be locked one by one.
INSERT INTO post_names SELECT * FROM post_names_as_filed(ARRAY(SELECT id FROM posts));

-- Filings under categories and tags, or comments, added or removed: their posts' names.
CREATE FUNCTION refresh_names_of_changed() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    PERFORM refresh_post_names(ARRAY(SELECT post_id FROM changed));
    RETURN NULL;
END
$$;

CREATE TRIGGER post_tags_names_added AFTER INSERT ON post_tags
REFERENCING NEW TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION refresh_names_of_changed();
CREATE TRIGGER post_tags_names_removed AFTER DELETE ON post_tags
REFERENCING OLD TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION refresh_names_of_changed();
CREATE TRIGGER post_categories_names_added AFTER INSERT ON post_categories
REFERENCING NEW TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION refresh_names_of_changed();
CREATE TRIGGER post_categories_names_removed AFTER DELETE ON post_categories
REFERENCING OLD TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION refresh_names_of_changed();
CREATE TRIGGER comments_counted_added AFTER INSERT ON comments
REFERENCING NEW TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION refresh_names_of_changed();
CREATE TRIGGER comments_counted_removed AFTER DELETE ON comments
REFERENCING OLD TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION refresh_names_of_changed();

-- A comment approved, sent to spam or moved to another post: the posts it was and is under.
-- Edits to its text or its author's details change no count.
CREATE FUNCTION refresh_names_of_recounted() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    PERFORM refresh_post_names(ARRAY(
        SELECT unnest(ARRAY[b.post_id, a.post_id])
        FROM before b JOIN after a ON a.id = b.id
        WHERE (a.post_id, a.status, a.kind) IS DISTINCT FROM (b.post_id, b.status, b.kind)));
    RETURN NULL;
END
$$;

CREATE TRIGGER comments_counted_changed AFTER UPDATE ON comments
REFERENCING OLD TABLE AS before NEW TABLE AS after
FOR EACH STATEMENT EXECUTE FUNCTION refresh_names_of_recounted();

-- A category or tag renamed: the posts filed under it. Filings under it wait until the rename
-- commits (and the rename for those begun before), so that none keeps the old name.
CREATE FUNCTION category_renamed() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    LOCK TABLE post_categories IN SHARE MODE;
    PERFORM refresh_post_names(ARRAY(
        SELECT pc.post_id FROM post_categories pc WHERE pc.category_id = NEW.id));
    RETURN NULL;
END
$$;

CREATE FUNCTION tag_renamed() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    LOCK TABLE post_tags IN SHARE MODE;
    PERFORM refresh_post_names(ARRAY(SELECT pt.post_id FROM post_tags pt WHERE pt.tag_id = NEW.id));
    RETURN NULL;
END
$$;

CREATE TRIGGER categories_renamed AFTER UPDATE OF slug, name ON categories
FOR EACH ROW WHEN (OLD.slug IS DISTINCT FROM NEW.slug OR OLD.name IS DISTINCT FROM NEW.name)
EXECUTE FUNCTION category_renamed();
CREATE TRIGGER tags_renamed AFTER UPDATE OF slug, name ON tags
FOR EACH ROW WHEN (OLD.slug IS DISTINCT FROM NEW.slug OR OLD.name IS DISTINCT FROM NEW.name)
EXECUTE FUNCTION tag_renamed();

-- What a listing shows of a post, now reading the names and the count kept above.
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
       coalesce(n.comment_count, 0)::bigint AS comment_count,
       coalesce(n.categories, '[]') AS categories,
       coalesce(n.tags, '[]') AS tags,
       p.password IS NOT NULL AS protected,
       p.language,
       p.teaser
FROM posts p
LEFT JOIN users u ON u.id = p.author_id
LEFT JOIN post_names n ON n.post_id = p.id;

-- How many posts' kept names or count differ from what their filings and comments say: 0 while
-- the triggers above keep them true. The tests ask it, and so can anyone checking a blog by hand.
CREATE FUNCTION post_names_that_differ() RETURNS bigint
LANGUAGE sql STABLE AS $$
    SELECT count(*)
    FROM posts p
    LEFT JOIN post_names kept ON kept.post_id = p.id
    CROSS JOIN LATERAL post_names_as_filed(ARRAY[p.id]) truth
    WHERE coalesce(kept.categories::text, '[]') <> truth.categories::text
       OR coalesce(kept.tags::text, '[]') <> truth.tags::text
       OR coalesce(kept.comment_count, 0) <> truth.comment_count
$$;
