-- Every published post counts itself in rows other posts count themselves in too: the whole
-- blog's total and month, its author's, its categories' and its tags'. Counted when the post's
-- listings changed, in the middle of its transaction, those rows stayed locked from then until
-- the commit, so writers at once waited for each other across their round trips to the server;
-- and two writers whose posts shared some of those rows could each lock one the other wanted,
-- in any order: a deadlock, found after a second, and one of the two saves refused.
--
-- The listing triggers now note their changes in listing_count_changes, whose rows no two
-- transactions share, and the counts take them in at the commit, after the content generation
-- is raised (20261202000006_content_generation.sql): the one row every committing writer takes,
-- so counts are changed by one commit at a time, and a counted row is held only while its
-- commit lasts. Readers see the counts change with the commit, as before.
--
-- The changes live only inside their transaction (taken in before it commits), so the table is
-- unlogged: nothing of it has to outlive a crash or reach a replica.
CREATE UNLOGGED TABLE listing_count_changes (
    scope      text    NOT NULL,
    scope_id   bigint  NOT NULL,
    month      date    NOT NULL,
    post_count integer NOT NULL
);

CREATE FUNCTION raise_content_generation_once() RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
    IF current_setting('fieldnotes.content_changed', true) IS DISTINCT FROM 'on' THEN
        PERFORM set_config('fieldnotes.content_changed', 'on', true);
        UPDATE content_generation SET generation = generation + 1;
    END IF;
END
$$;

CREATE OR REPLACE FUNCTION raise_content_generation() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    PERFORM raise_content_generation_once();
    RETURN NULL;
END
$$;

-- `fieldnotes.listing_counts_taken` is 'off' while the transaction has changes not taken in.
CREATE OR REPLACE FUNCTION count_listings() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        INSERT INTO listing_count_changes (scope, scope_id, month, post_count)
        SELECT scope, scope_id, listing_month(published_at), count(*) FROM added GROUP BY 1, 2, 3;
    ELSE
        INSERT INTO listing_count_changes (scope, scope_id, month, post_count)
        SELECT scope, scope_id, listing_month(published_at), -count(*) FROM removed GROUP BY 1, 2, 3;
    END IF;
    IF FOUND THEN
        PERFORM set_config('fieldnotes.listing_counts_taken', 'off', true);
    END IF;
    RETURN NULL;
END
$$;

-- Runs at the commit for every change noted; the first takes them all in, the others find the
-- setting on and return. The generation's row first, as every committing writer takes it. A
-- count that grows may start a row; one that shrinks has its row (inserting a negative count,
-- even one that would meet its row, breaks the rows' check).
CREATE FUNCTION take_in_listing_count_changes() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF current_setting('fieldnotes.listing_counts_taken', true) IS DISTINCT FROM 'off' THEN
        RETURN NULL;
    END IF;
    PERFORM set_config('fieldnotes.listing_counts_taken', 'on', true);
    PERFORM raise_content_generation_once();
    WITH taken AS (
        DELETE FROM listing_count_changes RETURNING scope, scope_id, month, post_count
    ), month_changes AS (
        SELECT scope, scope_id, month, sum(post_count)::integer AS change FROM taken GROUP BY 1, 2, 3
    ), total_changes AS (
        SELECT scope, scope_id, sum(change)::integer AS change FROM month_changes GROUP BY 1, 2
    ), months_added AS (
        INSERT INTO listing_months AS m (scope, scope_id, month, post_count)
        SELECT scope, scope_id, month, change FROM month_changes WHERE change > 0
        ON CONFLICT (scope, scope_id, month) DO UPDATE SET post_count = m.post_count + excluded.post_count
    ), months_removed AS (
        UPDATE listing_months m SET post_count = m.post_count + c.change
        FROM month_changes c
        WHERE c.change < 0 AND m.scope = c.scope AND m.scope_id = c.scope_id AND m.month = c.month
    ), totals_added AS (
        INSERT INTO listing_totals AS t (scope, scope_id, post_count)
        SELECT scope, scope_id, change FROM total_changes WHERE change > 0
        ON CONFLICT (scope, scope_id) DO UPDATE SET post_count = t.post_count + excluded.post_count
    )
    UPDATE listing_totals t SET post_count = t.post_count + c.change
    FROM total_changes c
    WHERE c.change < 0 AND t.scope = c.scope AND t.scope_id = c.scope_id;
    RETURN NULL;
END
$$;

CREATE CONSTRAINT TRIGGER listing_count_changes_taken_in AFTER INSERT ON listing_count_changes
DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION take_in_listing_count_changes();
