-- Who may see a post or a page, written once: readers see it when it is published, or scheduled
-- and its time has come. Drafts, private posts and the trash are never shown; a password is a
-- further check (see app/src/protection.rs). Every reading path asks this function: the
-- `public_posts` view, the listings' `due_listings`, and the queries of app/src/db. The planner
-- inlines it, so it costs what the condition itself costs and keeps using the indexes.
CREATE FUNCTION is_public(status text, published_at timestamptz) RETURNS boolean
LANGUAGE sql STABLE AS $$
    SELECT status IN ('published', 'scheduled') AND published_at <= now()
$$;

CREATE OR REPLACE VIEW public_posts AS
SELECT *
FROM posts
WHERE kind = 'post' AND is_public(status, published_at);

CREATE OR REPLACE FUNCTION due_listings(target bigint)
RETURNS TABLE (scope text, scope_id bigint, published_at timestamptz)
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
      AND is_public(p.status, p.published_at)
$$;
