-- How many of the stored listing counts (`listing_months`, `listing_totals`) differ from what
-- `post_listings` says: 0 while the counts taken in at each commit stay true. The tests and the
-- benchmark of writers publishing at once ask it, and so can anyone checking a blog by hand.
CREATE FUNCTION listing_counts_that_differ() RETURNS bigint
LANGUAGE sql STABLE AS $$
    WITH month_truth AS (
        SELECT scope, scope_id, listing_month(published_at) AS month, count(*)::integer AS post_count
        FROM post_listings GROUP BY 1, 2, 3
    ), months_kept AS (
        SELECT scope, scope_id, month, post_count FROM listing_months WHERE post_count > 0
    ), total_truth AS (
        SELECT scope, scope_id, count(*)::integer AS post_count FROM post_listings GROUP BY 1, 2
    )
    SELECT (SELECT count(*) FROM ((TABLE month_truth EXCEPT TABLE months_kept)
                                  UNION ALL (TABLE months_kept EXCEPT TABLE month_truth)) differing)
         + (SELECT count(*) FROM listing_totals kept
            FULL JOIN total_truth truth USING (scope, scope_id)
            WHERE coalesce(kept.post_count, 0) <> coalesce(truth.post_count, 0))
$$;
