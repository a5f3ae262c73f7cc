-- The listing count changes a transaction notes are taken in at its commit
-- (20261204000001_listing_counts_at_commit.sql) by one deferred event, queued with its first
-- change since they were last taken in, rather than by one event per change: a bulk change of
-- listings (an import's, or a generated blog's) would otherwise run the taking-in function once
-- per changed count at its commit, holding the content generation every other commit waits for.
--
-- Each change is labelled with its transaction, and taking in reads that transaction's rows
-- through an index: not the dead rows of earlier transactions that vacuum has yet to clear (it
-- cannot while a long export or a replica's query still sees them), nor the rows of
-- transactions still under way.
--
-- Taking in locks count rows after the content generation's row; nothing else locks count rows,
-- so that order cannot join a deadlock either.
DROP TRIGGER listing_count_changes_taken_in ON listing_count_changes;
ALTER TABLE listing_count_changes ADD COLUMN transaction xid8 NOT NULL DEFAULT pg_current_xact_id();
CREATE INDEX listing_count_changes_by_transaction ON listing_count_changes (transaction);

-- One row each time a transaction has changes to take in; unlogged like the changes themselves.
CREATE UNLOGGED TABLE listing_counts_to_take_in (
    transaction xid8 NOT NULL DEFAULT pg_current_xact_id()
);
CREATE INDEX listing_counts_to_take_in_by_transaction ON listing_counts_to_take_in (transaction);

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
    IF FOUND AND current_setting('fieldnotes.listing_counts_taken', true) IS DISTINCT FROM 'off' THEN
        PERFORM set_config('fieldnotes.listing_counts_taken', 'off', true);
        INSERT INTO listing_counts_to_take_in DEFAULT VALUES;
    END IF;
    RETURN NULL;
END
$$;

-- As before, but reading only this transaction's rows.
CREATE OR REPLACE FUNCTION take_in_listing_count_changes() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF current_setting('fieldnotes.listing_counts_taken', true) IS DISTINCT FROM 'off' THEN
        RETURN NULL;
    END IF;
    PERFORM set_config('fieldnotes.listing_counts_taken', 'on', true);
    PERFORM raise_content_generation_once();
    DELETE FROM listing_counts_to_take_in WHERE transaction = pg_current_xact_id();
    WITH taken AS (
        DELETE FROM listing_count_changes WHERE transaction = pg_current_xact_id()
        RETURNING scope, scope_id, month, post_count
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

CREATE CONSTRAINT TRIGGER listing_counts_taken_in AFTER INSERT ON listing_counts_to_take_in
DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION take_in_listing_count_changes();
