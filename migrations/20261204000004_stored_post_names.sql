-- The names a listing shows of a post (its categories and tags, as JSON arrays of {slug, name}
-- ordered by name) and its count of approved comments are kept in `post_names`, current at every
-- change to a filing, a category's or tag's name or slug, or a comment, instead of being gathered
-- anew for every post of every listing. A post with neither filings nor comments may have no row:
-- `post_summaries` reads that as none.
CREATE TABLE post_names (
    post_id       bigint PRIMARY KEY REFERENCES posts (id) ON DELETE CASCADE,
    categories    json NOT NULL,
    tags          json NOT NULL,
    comment_count integer NOT NULL
);

-- What `post_names` should hold for these posts, as the filings and comments say now.
CREATE FUNCTION post_names_as_filed(targets bigint[])
RETURNS TABLE (post_id bigint, categories json, tags json, comment_count integer)
LANGUAGE sql STABLE AS $$
    SELECT t.id,
           (SELECT coalesce(json_agg(json_build_object('slug', c.slug, 'name', c.name) ORDER BY c.name), '[]')
              FROM post_categories pc
              JOIN categories c ON c.id = pc.category_id
             WHERE pc.post_id = t.id),
           (SELECT coalesce(json_agg(json_build_object('slug', g.slug, 'name', g.name) ORDER BY g.name), '[]')
              FROM post_tags pt
              JOIN tags g ON g.id = pt.tag_id
             WHERE pt.post_id = t.id),
           (SELECT count(*)::integer
              FROM comments c
             WHERE c.post_id = t.id AND c.status = 'approved' AND c.kind = 'comment')
    FROM unnest(targets) AS t (id)
    WHERE EXISTS (SELECT 1 FROM posts p WHERE p.id = t.id)
$$;

-- Rows are written in the order of their posts' ids, so that two refreshes of overlapping posts
-- wait for each other rather than deadlock.
CREATE FUNCTION refresh_post_names(targets bigint[]) RETURNS void
LANGUAGE sql AS $$
    INSERT INTO post_names (post_id, categories, tags, comment_count)
    SELECT * FROM post_names_as_filed(targets) ORDER BY post_id
    ON CONFLICT (post_id) DO UPDATE
    SET categories = excluded.categories, tags = excluded.tags, comment_count = excluded.comment_count
$$;

SELECT refresh_post_names(ARRAY(SELECT id FROM posts));

-- Rows that name a post (its filings under categories and tags, its comments) added or removed:
-- those posts' names and count.
CREATE FUNCTION refresh_names_of_added() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    PERFORM refresh_post_names(ARRAY(SELECT DISTINCT post_id FROM added));
    RETURN NULL;
END
$$;

CREATE FUNCTION refresh_names_of_removed() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    PERFORM refresh_post_names(ARRAY(SELECT DISTINCT post_id FROM removed));
    RETURN NULL;
END
$$;

CREATE TRIGGER post_tags_names_added AFTER INSERT ON post_tags
REFERENCING NEW TABLE AS added FOR EACH STATEMENT EXECUTE FUNCTION refresh_names_of_added();
CREATE TRIGGER post_tags_names_removed AFTER DELETE ON post_tags
REFERENCING OLD TABLE AS removed FOR EACH STATEMENT EXECUTE FUNCTION refresh_names_of_removed();
CREATE TRIGGER post_categories_names_added AFTER INSERT ON post_categories
REFERENCING NEW TABLE AS added FOR EACH STATEMENT EXECUTE FUNCTION refresh_names_of_added();
CREATE TRIGGER post_categories_names_removed AFTER DELETE ON post_categories
REFERENCING OLD TABLE AS removed FOR EACH STATEMENT EXECUTE FUNCTION refresh_names_of_removed();
CREATE TRIGGER comments_counted_added AFTER INSERT ON comments
REFERENCING NEW TABLE AS added FOR EACH STATEMENT EXECUTE FUNCTION refresh_names_of_added();
CREATE TRIGGER comments_counted_removed AFTER DELETE ON comments
REFERENCING OLD TABLE AS removed FOR EACH STATEMENT EXECUTE FUNCTION refresh_names_of_removed();

-- A comment approved, sent to spam, moved or edited: the posts it was and is under.
CREATE FUNCTION refresh_names_of_changed() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    PERFORM refresh_post_names(ARRAY(SELECT post_id FROM before UNION SELECT post_id FROM after));
    RETURN NULL;
END
$$;

CREATE TRIGGER comments_counted_changed AFTER UPDATE ON comments
REFERENCING OLD TABLE AS before NEW TABLE AS after
FOR EACH STATEMENT EXECUTE FUNCTION refresh_names_of_changed();

CREATE FUNCTION category_renamed() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    PERFORM refresh_post_names(ARRAY(
        SELECT pc.post_id FROM post_categories pc WHERE pc.category_id = NEW.id));
    RETURN NULL;
END
$$;

CREATE FUNCTION tag_renamed() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
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
