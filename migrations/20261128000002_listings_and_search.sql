-- Listings that stay fast at a million posts. Every listed post has one row in post_listings for
-- each way a reader can find it: among all posts, under its author, under each of its tags, and
-- under each of its categories and every category above them. Each listing is then one range
-- of one index, newest first. Per-month and total counts of those rows, kept by a trigger, give
-- page counts, sidebars and the place of any page without counting posts one by one.

CREATE TABLE post_listings (
    scope        text        NOT NULL CHECK (scope IN ('all', 'author', 'tag', 'category')),
    scope_id     bigint      NOT NULL,
    published_at timestamptz NOT NULL,
    post_id      bigint      NOT NULL REFERENCES posts (id) ON DELETE CASCADE,
    PRIMARY KEY (scope, scope_id, published_at, post_id)
);
CREATE INDEX post_listings_by_post ON post_listings (post_id, scope, scope_id);

CREATE TABLE listing_months (
    scope      text    NOT NULL,
    scope_id   bigint  NOT NULL,
    month      date    NOT NULL,
    post_count integer NOT NULL CHECK (post_count >= 0),
    PRIMARY KEY (scope, scope_id, month)
);

CREATE TABLE listing_totals (
    scope      text    NOT NULL,
    scope_id   bigint  NOT NULL,
    post_count integer NOT NULL CHECK (post_count >= 0),
    PRIMARY KEY (scope, scope_id)
);
CREATE INDEX listing_totals_by_count ON listing_totals (scope, post_count DESC);

-- Months are calendar months in UTC, as dates are shown.
CREATE FUNCTION listing_month(published_at timestamptz) RETURNS date
LANGUAGE sql IMMUTABLE PARALLEL SAFE
RETURN date_trunc('month', published_at AT TIME ZONE 'UTC')::date;

-- The counts follow the rows, a statement at a time.
CREATE FUNCTION count_listings() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        INSERT INTO listing_months (scope, scope_id, month, post_count)
        SELECT scope, scope_id, listing_month(published_at), count(*) FROM added GROUP BY 1, 2, 3
        ON CONFLICT (scope, scope_id, month)
        DO UPDATE SET post_count = listing_months.post_count + excluded.post_count;
        INSERT INTO listing_totals (scope, scope_id, post_count)
        SELECT scope, scope_id, count(*) FROM added GROUP BY 1, 2
        ON CONFLICT (scope, scope_id) DO UPDATE SET post_count = listing_totals.post_count + excluded.post_count;
    ELSE
        UPDATE listing_months m SET post_count = m.post_count - removed_rows.post_count
        FROM (SELECT scope, scope_id, listing_month(published_at) AS month, count(*) AS post_count
              FROM removed GROUP BY 1, 2, 3) removed_rows
        WHERE m.scope = removed_rows.scope AND m.scope_id = removed_rows.scope_id AND m.month = removed_rows.month;
        UPDATE listing_totals t SET post_count = t.post_count - removed_rows.post_count
        FROM (SELECT scope, scope_id, count(*) AS post_count FROM removed GROUP BY 1, 2) removed_rows
        WHERE t.scope = removed_rows.scope AND t.scope_id = removed_rows.scope_id;
    END IF;
    RETURN NULL;
END
$$;

CREATE TRIGGER post_listings_added AFTER INSERT ON post_listings
REFERENCING NEW TABLE AS added FOR EACH STATEMENT EXECUTE FUNCTION count_listings();
CREATE TRIGGER post_listings_removed AFTER DELETE ON post_listings
REFERENCING OLD TABLE AS removed FOR EACH STATEMENT EXECUTE FUNCTION count_listings();

-- Where a post should be listed, as its present state says: posts that are published, or
-- scheduled and due, are listed among all posts, under their author, their tags, and their
-- categories and every category above those.
CREATE FUNCTION due_listings(target bigint) RETURNS TABLE (scope text, scope_id bigint, published_at timestamptz)
LANGUAGE sql STABLE AS $$
    WITH RECURSIVE filed_under (category_id) AS (
        SELECT category_id FROM post_categories WHERE post_id = target
        UNION
        SELECT c.parent_id FROM categories c JOIN filed_under f ON c.id = f.category_id
        WHERE c.parent_id IS NOT NULL
    ),
    scopes (scope, scope_id) AS (
        SELECT 'all', 0::bigint
        UNION ALL SELECT 'author', author_id FROM posts WHERE id = target AND author_id IS NOT NULL
        UNION ALL SELECT 'tag', tag_id FROM post_tags WHERE post_id = target
        UNION ALL SELECT 'category', category_id FROM filed_under
    )
    SELECT s.scope, s.scope_id, p.published_at
    FROM posts p, scopes s
    WHERE p.id = target
      AND p.kind = 'post'
      AND p.status IN ('published', 'scheduled')
      AND p.published_at <= now()
$$;

-- Brings a post's rows in line with where it should be listed, touching only what changed. The
-- post's row lock keeps two transactions from refreshing the same post at once.
CREATE FUNCTION refresh_post_listings(target bigint) RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
    PERFORM 1 FROM posts WHERE id = target FOR UPDATE;
    DELETE FROM post_listings l
    WHERE l.post_id = target
      AND (l.scope, l.scope_id, l.published_at) NOT IN (SELECT * FROM due_listings(target));
    INSERT INTO post_listings (scope, scope_id, published_at, post_id)
    SELECT d.scope, d.scope_id, d.published_at, target FROM due_listings(target) d
    ON CONFLICT DO NOTHING;
END
$$;

CREATE FUNCTION post_changed() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    PERFORM refresh_post_listings(NEW.id);
    RETURN NULL;
END
$$;

CREATE TRIGGER posts_listed AFTER INSERT OR UPDATE OF kind, status, published_at, author_id ON posts
FOR EACH ROW EXECUTE FUNCTION post_changed();

-- Filing changes are refreshed once per post and statement, however many tags it sets.
CREATE FUNCTION filing_added() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    PERFORM refresh_post_listings(post_id) FROM (SELECT DISTINCT post_id FROM added) changed;
    RETURN NULL;
END
$$;

CREATE FUNCTION filing_removed() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    PERFORM refresh_post_listings(post_id) FROM (SELECT DISTINCT post_id FROM removed) changed;
    RETURN NULL;
END
$$;

CREATE TRIGGER post_tags_added AFTER INSERT ON post_tags
REFERENCING NEW TABLE AS added FOR EACH STATEMENT EXECUTE FUNCTION filing_added();
CREATE TRIGGER post_tags_removed AFTER DELETE ON post_tags
REFERENCING OLD TABLE AS removed FOR EACH STATEMENT EXECUTE FUNCTION filing_removed();
CREATE TRIGGER post_categories_added AFTER INSERT ON post_categories
REFERENCING NEW TABLE AS added FOR EACH STATEMENT EXECUTE FUNCTION filing_added();
CREATE TRIGGER post_categories_removed AFTER DELETE ON post_categories
REFERENCING OLD TABLE AS removed FOR EACH STATEMENT EXECUTE FUNCTION filing_removed();

-- A category moved under another parent changes where the posts of its whole subtree are listed.
CREATE FUNCTION category_moved() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    PERFORM refresh_post_listings(post_id)
    FROM (
        WITH RECURSIVE subtree (id) AS (
            SELECT NEW.id
            UNION
            SELECT c.id FROM categories c JOIN subtree s ON c.parent_id = s.id
        )
        SELECT DISTINCT pc.post_id FROM post_categories pc JOIN subtree s ON s.id = pc.category_id
    ) moved;
    RETURN NULL;
END
$$;

CREATE TRIGGER categories_moved AFTER UPDATE OF parent_id ON categories
FOR EACH ROW WHEN (OLD.parent_id IS DISTINCT FROM NEW.parent_id) EXECUTE FUNCTION category_moved();

-- The posts listed in one scope between two months, that are also listed under the given author,
-- tag and category (NULL: any). A plain SQL function, which the planner inlines into each query.
-- The months are always given, so that they bound the index scan in every plan.
CREATE FUNCTION filtered_posts(
    in_scope text,
    in_scope_id bigint,
    from_month date,
    until_month date,
    with_author bigint,
    with_tag bigint,
    with_category bigint
) RETURNS TABLE (post_id bigint, published_at timestamptz)
LANGUAGE sql STABLE AS $$
    SELECT l.post_id, l.published_at
    FROM post_listings l
    WHERE l.scope = in_scope
      AND l.scope_id = in_scope_id
      AND l.published_at >= from_month::timestamp AT TIME ZONE 'UTC'
      AND l.published_at < until_month::timestamp AT TIME ZONE 'UTC'
      AND (with_author IS NULL OR EXISTS (
          SELECT 1 FROM post_listings m
          WHERE m.post_id = l.post_id AND m.scope = 'author' AND m.scope_id = with_author))
      AND (with_tag IS NULL OR EXISTS (
          SELECT 1 FROM post_listings m
          WHERE m.post_id = l.post_id AND m.scope = 'tag' AND m.scope_id = with_tag))
      AND (with_category IS NULL OR EXISTS (
          SELECT 1 FROM post_listings m
          WHERE m.post_id = l.post_id AND m.scope = 'category' AND m.scope_id = with_category))
$$;

-- Scheduled posts are listed when their time comes (the server refreshes them then).
CREATE INDEX posts_scheduled ON posts (published_at) WHERE status = 'scheduled';

SELECT refresh_post_listings(id) FROM posts;

-- Full-text search. The tokens are made by the application (which cuts Chinese into
-- characters and pairs of characters and stems English words), so PostgreSQL indexes them as
-- they are, with the 'simple' configuration; the title weighs more than the body.
ALTER TABLE posts
    ADD COLUMN search_vector tsvector NOT NULL DEFAULT ''::tsvector,
    ADD COLUMN search_version smallint NOT NULL DEFAULT 0;
CREATE INDEX posts_search ON posts USING gin (search_vector);

-- The view names its columns as they were when it was made: make it again to include these.
CREATE OR REPLACE VIEW public_posts AS
SELECT *
FROM posts
WHERE kind = 'post'
  AND status IN ('published', 'scheduled')
  AND published_at <= now();
CREATE INDEX posts_search_stale ON posts (search_version, id);

-- The listing indexes of the posts table itself are superseded by post_listings.
DROP INDEX posts_public_by_date;
DROP INDEX posts_by_author;
