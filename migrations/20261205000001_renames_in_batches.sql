-- Renaming a category or tag rewrites the names kept for each of its posts (`post_names`). For a
-- term of up to 2,000 posts the rename does that itself, as before. For more, a single statement
-- would grow with the blog (some 40 µs a post: an imported "Uncategorized" of 300,000 posts would
-- outlast any statement limit), so the rename only notes the term here, and the server rewrites
-- its posts' names a batch at a time, each batch in a transaction of its own; listings show the
-- old name on some of those posts for the seconds that takes.
CREATE TABLE renamed_terms (
    kind         text NOT NULL CHECK (kind IN ('category', 'tag')),
    term_id      bigint NOT NULL,
    -- The posts up to this id have their names rewritten.
    done_through bigint NOT NULL DEFAULT 0,
    PRIMARY KEY (kind, term_id)
);

-- After a rename: the names of the posts `filed` under the term (the first 2,001 found) rewritten
-- now when they are all, or else the term noted for the server.
CREATE FUNCTION rewrite_or_note_names(renamed_kind text, renamed_id bigint, filed bigint[])
RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
    IF cardinality(filed) <= 2000 THEN
        PERFORM refresh_post_names(filed);
    ELSE
        INSERT INTO renamed_terms (kind, term_id) VALUES (renamed_kind, renamed_id)
        ON CONFLICT (kind, term_id) DO UPDATE SET done_through = 0;
    END IF;
END
$$;

-- Filings under the term begun before the rename commit first (and those begun after it wait),
-- so that each either is seen by the rewrite or sees the new name itself.
CREATE OR REPLACE FUNCTION category_renamed() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    LOCK TABLE post_categories IN SHARE MODE;
    PERFORM rewrite_or_note_names('category', NEW.id, ARRAY(
        SELECT pc.post_id FROM post_categories pc WHERE pc.category_id = NEW.id LIMIT 2001));
    RETURN NULL;
END
$$;

CREATE OR REPLACE FUNCTION tag_renamed() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    LOCK TABLE post_tags IN SHARE MODE;
    PERFORM rewrite_or_note_names('tag', NEW.id, ARRAY(
        SELECT pt.post_id FROM post_tags pt WHERE pt.tag_id = NEW.id LIMIT 2001));
    RETURN NULL;
END
$$;

-- Rewrites the names of the next `batch` posts of one renamed term (one that no other server
-- process is working on), and forgets the term once all its posts are done. Returns how many
-- posts it rewrote: 0 when no renamed term is left waiting. It waits at most a second for a post
-- another transaction holds, and then fails, to be tried again later: holding the term's row
-- meanwhile, it would make a second rename of the term wait, and with it the post's writer.
CREATE FUNCTION rewrite_renamed_names(batch integer) RETURNS integer
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
        IF renamed.kind = 'category' THEN
            targets := ARRAY(
                SELECT post_id FROM post_categories
                WHERE category_id = renamed.term_id AND post_id > renamed.done_through
                ORDER BY post_id LIMIT batch);
        ELSE
            targets := ARRAY(
                SELECT post_id FROM post_tags
                WHERE tag_id = renamed.term_id AND post_id > renamed.done_through
                ORDER BY post_id LIMIT batch);
        END IF;
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
