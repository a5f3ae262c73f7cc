-- Search ranks at most the 5,001 newest posts that match, so that a word found in most of a
-- million posts costs what a rarer one does: the planner then walks the posts newest first and
-- stops, instead of ranking every match. Past 5,000, counts say "more than 5,000".
CREATE OR REPLACE FUNCTION search_matches(
    tokens text,
    from_month date,
    until_month date,
    with_author bigint,
    with_tag bigint,
    with_category bigint
) RETURNS TABLE (post_id bigint, rank real, published_at timestamptz)
LANGUAGE sql STABLE AS $$
    WITH candidates AS (
        SELECT p.id, p.search_vector, p.published_at
        FROM public_posts p
        WHERE p.search_vector @@ plainto_tsquery('simple', tokens)
          AND p.published_at >= from_month::timestamp AT TIME ZONE 'UTC'
          AND p.published_at < until_month::timestamp AT TIME ZONE 'UTC'
          AND (with_author IS NULL OR EXISTS (
              SELECT 1 FROM post_listings m
              WHERE m.post_id = p.id AND m.scope = 'author' AND m.scope_id = with_author))
          AND (with_tag IS NULL OR EXISTS (
              SELECT 1 FROM post_listings m
              WHERE m.post_id = p.id AND m.scope = 'tag' AND m.scope_id = with_tag))
          AND (with_category IS NULL OR EXISTS (
              SELECT 1 FROM post_listings m
              WHERE m.post_id = p.id AND m.scope = 'category' AND m.scope_id = with_category))
        ORDER BY p.published_at DESC
        LIMIT 5001
    )
    SELECT c.id, ts_rank_cd(c.search_vector, plainto_tsquery('simple', tokens)), c.published_at
    FROM candidates c
$$;

-- The newest public posts first: the path the planner takes for words most posts hold.
CREATE INDEX posts_public_by_date ON posts (published_at DESC)
    WHERE kind = 'post' AND status IN ('published', 'scheduled');
