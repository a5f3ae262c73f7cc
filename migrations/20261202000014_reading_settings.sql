-- How the blog's pages write dates and how many posts a listing page holds.
--
-- The time zone is kept by name (as PostgreSQL's zone database names it) and, beside it, as the
-- instants at which its offset from UTC changes between 1990 and 2070 with the offsets in force
-- from each: pages are rendered in the browser too, which holds no zone database, so they are
-- given the zone's offsets with the blog's other facts. Dates outside those years take the
-- nearest offset known.
CREATE FUNCTION zone_offsets(zone text, OUT changes bigint[], OUT offsets integer[])
LANGUAGE sql STABLE SET timezone = 'UTC' AS $$
    WITH days AS (
        SELECT day, (extract(epoch FROM day AT TIME ZONE zone) - extract(epoch FROM day))::integer AS utc_offset
        FROM generate_series(timestamptz '1990-01-01 00:00+00', timestamptz '2070-01-01 00:00+00',
                             interval '1 day') day
    ), moved AS (
        SELECT day FROM (
            SELECT day, utc_offset, lag(utc_offset) OVER (ORDER BY day) AS before FROM days
        ) compared
        WHERE utc_offset <> before
    ), steps AS (
        SELECT step, (extract(epoch FROM step AT TIME ZONE zone) - extract(epoch FROM step))::integer AS utc_offset
        FROM moved, generate_series(moved.day - interval '1 day', moved.day, interval '15 minutes') step
    ), changed AS (
        SELECT step, utc_offset FROM (
            SELECT step, utc_offset, lag(utc_offset) OVER (ORDER BY step) AS before FROM steps
        ) compared
        WHERE utc_offset <> before
    )
    SELECT coalesce(array_agg(extract(epoch FROM step)::bigint ORDER BY step), '{}'),
           (SELECT utc_offset FROM days ORDER BY day LIMIT 1)
               || coalesce(array_agg(utc_offset ORDER BY step), '{}')
    FROM changed
$$;

ALTER TABLE site
    ADD COLUMN time_zone text NOT NULL DEFAULT 'UTC',
    ADD COLUMN zone_changes bigint[] NOT NULL DEFAULT '{}',
    ADD COLUMN zone_offsets integer[] NOT NULL DEFAULT '{0}',
    ADD COLUMN date_format text NOT NULL DEFAULT 'F jS, Y'
        CHECK (date_format IN ('F jS, Y', 'F j, Y', 'j F Y', 'Y-m-d', 'm/d/Y', 'd/m/Y', 'Y年n月j日')),
    ADD COLUMN posts_per_page integer NOT NULL DEFAULT 10 CHECK (posts_per_page BETWEEN 1 AND 100);
