-- The published posts that hold every token of a search, between two months, that are also
-- listed under the given author, tag and category (NULL: any), with their rank. A plain SQL
-- function, which the planner inlines into the queries that count and page the matches.
CREATE FUNCTION search_matches(
    tokens text,
    from_month date,
    until_month date,
    with_author bigint,
    with_tag bigint,
    with_category bigint
) RETURNS TABLE (post_id bigint, rank real, published_at timestamptz)
LANGUAGE sql STABLE AS $$
    SELECT p.id, ts_rank_cd(p.search_vector, query), p.published_at
    FROM public_posts p, plainto_tsquery('simple', tokens) query
    WHERE p.search_vector @@ query
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
$$;
