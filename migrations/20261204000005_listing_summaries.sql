-- What a listing or a feed shows of its posts comes back in the statement that finds them: each
-- page statement hands its post ids to `listing_summaries` and returns the posts as one array of
-- `listing_summary` records beside the count, one round trip to the database where there were
-- two, one after the other. A search's page and a post's page read the function in a statement
-- of their own.
--
-- The fields in the order the application reads them. The excerpt and the start of the body
-- come only for a post whose teaser is yet to be made (`teaser` NULL), or the whole body and
-- excerpt when asked: a post's page reads it through here too.
CREATE TYPE listing_summary AS (
    id            bigint,
    slug          text,
    title         text,
    teaser        text,
    excerpt       text,
    body          text,
    published_at  timestamptz,
    author_slug   text,
    author_name   text,
    comment_count bigint,
    categories    json,
    tags          json,
    protected     boolean,
    language      text
);

-- One SELECT, STABLE: PostgreSQL inlines it into the statement that calls it, and so plans it
-- with the rest, as long as no argument is a sub-select. An unpublished post shows the present
-- time as its date (what a writer's preview shows).
CREATE FUNCTION listing_summaries(ids bigint[], whole_body boolean, teaser_source integer)
RETURNS SETOF listing_summary
LANGUAGE sql STABLE AS $$
    SELECT s.id, s.slug, s.title, s.teaser,
           CASE WHEN whole_body OR s.teaser IS NULL THEN s.excerpt ELSE '' END,
           CASE WHEN whole_body THEN s.body_html
                WHEN s.teaser IS NULL THEN left(s.body_html, teaser_source)
                ELSE '' END,
           coalesce(s.published_at, now()),
           s.author_slug, s.author_name, s.comment_count, s.categories, s.tags, s.protected,
           s.language
    FROM post_summaries s
    WHERE s.id = ANY(ids)
$$;
