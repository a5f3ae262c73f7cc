-- Renaming a category or tag rewrites the names kept for each of its posts (`post_names`). For a
-- term of up to `rename_batch()` posts the rename does that itself, as before. For more, a single
-- statement would grow with the blog (some 40 µs a post: an imported "Uncategorized" of 300,000
-- posts would outlast any statement limit), so the rename only notes the term here, and the server
-- rewrites its posts' names a batch at a time, each batch in a transaction of its own; listings
-- show the old name on some of those posts for the seconds that takes.
CREATE TABLE renamed_terms (
    kind         text NOT NULL CHECK (kind IN ('category', 'tag')),
    term_id      bigint NOT NULL,
    -- The posts up to this id have their names rewritten.
    done_through bigint NOT NULL DEFAULT 0,
    PRIMARY KEY (kind, term_id)
);

-- How many posts' names a rename rewrites itself, and the server then rewrites per transaction.
CREATE FUNCTION rename_batch() RETURNS integer
LANGUAGE sql IMMUTABLE AS 'SELECT 2000';

-- The first `how_many` posts filed under a category or tag, by id, after the post `after_post`.
CREATE FUNCTION filed_under(filed_kind text, filed_term bigint, after_post bigint, how_many integer)
RETURNS bigint[]
LANGUAGE sql STABLE AS $$
    SELECT CASE filed_kind
        WHEN 'category' THEN ARRAY(
            SELECT post_id FROM post_categories
            WHERE category_id = filed_term AND post_id > after_post
            ORDER BY post_id LIMIT how_many)
        ELSE ARRAY(
            SELECT post_id FROM post_tags
            WHERE tag_id = filed_term AND post_id > after_post
            ORDER BY post_id LIMIT how_many)
    END
$$;

-- A category or tag (as the trigger's argument says) renamed. Filings under it begun before the
-- rename commit first (and those begun after it wait), so that each either is seen by the rewrite
-- or sees the new name itself.
CREATE FUNCTION term_renamed() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
    filed bigint[];
BEGIN
    IF TG_ARGV[0] = 'category' THEN
        LOCK TABLE post_categories IN SHARE MODE;
    ELSE
        LOCK TABLE post_tags IN SHARE MODE;
    END IF;
    filed := filed_under(TG_ARGV[0], NEW.id, 0, rename_batch() + 1);
    IF cardinality(filed) <= rename_batch() THEN
        PERFORM refresh_post_names(filed);
    ELSE
        INSERT INTO renamed_terms (kind, term_id) VALUES (TG_ARGV[0], NEW.id)
        ON CONFLICT (kind, term_id) DO UPDATE SET done_through = 0;
    END IF;
    RETURN NULL;
END
$$;

DROP TRIGGER categories_renamed ON categories;
DROP TRIGGER tags_renamed ON tags;
DROP FUNCTION category_renamed();
DROP FUNCTION tag_renamed();
CREATE TRIGGER categories_renamed AFTER UPDATE OF slug, name ON categories
FOR EACH ROW WHEN (OLD.slug IS DISTINCT FROM NEW.slug OR OLD.name IS DISTINCT FROM NEW.name)
EXECUTE FUNCTION term_renamed('category');
CREATE TRIGGER tags_renamed AFTER UPDATE OF slug, name ON tags
FOR EACH ROW WHEN (OLD.slug IS DISTINCT FROM NEW.slug OR OLD.name IS DISTINCT FROM NEW.name)
EXECUTE FUNCTION term_renamed('tag');

-- Rewrites the names of the next `rename_batch()` posts of one renamed term (one that no other
-- server process is working on), and forgets the term once all its posts are done. Returns how
-- many posts it rewrote: 0 when no renamed term is left waiting. It waits at most a second for a
-- post another transaction holds, and then fails, to be tried again later: holding the term's row
-- meanwhile, it would make a second rename of the term wait, and with it the post's writer.
CREATE FUNCTION rewrite_renamed_names() RETURNS integer
LANGUAGE plpgsql AS $$
DECLARE
    renamed renamed_terms;
    targets bigint[];
BEGIN
    PERFORM set_config('lock_timeout', '1s', true);
    LOOP
        SELECT * INTO renamed FROM renamed_terms ORDER BY kind, term_id LIMIT 1 FOR UPDATE SKIP LOCKED;
        IF NOT FOUND THEN
            RETURN 0;
        END IF;
        targets := filed_under(renamed.kind, renamed.term_id, renamed.done_through, rename_batch());
        IF cardinality(targets) > 0 THEN
            PERFORM refresh_post_names(targets);
            UPDATE renamed_terms SET done_through = targets[cardinality(targets)]
            WHERE kind = renamed.kind AND term_id = renamed.term_id;
            -- Pages kept with the old names are made again.
            UPDATE content_generation SET generation = generation + 1;
            RETURN cardinality(targets);
        END IF;
        DELETE FROM renamed_terms WHERE kind = renamed.kind AND term_id = renamed.term_id;
    END LOOP;
END
$$;
