-- A number that grows with every committed change readers could see, so that each server process
-- can tell whether a page it keeps is still current by reading one row (see
-- server/src/page_cache.rs). It is raised at commit time, once per transaction, by a deferred
-- trigger on every table whose rows pages show: taking the row's lock last, when the
-- transaction holds every other lock it needs, it cannot join a deadlock. Readers see the new
-- number only once the change it stands for is visible too.
CREATE TABLE content_generation (
    only_row   boolean PRIMARY KEY DEFAULT true CHECK (only_row),
    generation bigint NOT NULL
);
INSERT INTO content_generation (generation) VALUES (0);

CREATE FUNCTION raise_content_generation() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF current_setting('fieldnotes.content_changed', true) IS DISTINCT FROM 'on' THEN
        PERFORM set_config('fieldnotes.content_changed', 'on', true);
        UPDATE content_generation SET generation = generation + 1;
    END IF;
    RETURN NULL;
END
$$;

DO $$
DECLARE
    shown text;
BEGIN
    FOREACH shown IN ARRAY ARRAY['posts', 'comments', 'tags', 'categories', 'post_tags',
                                 'post_categories', 'users', 'site', 'media', 'post_media']
    LOOP
        EXECUTE format(
            'CREATE CONSTRAINT TRIGGER %I AFTER INSERT OR UPDATE OR DELETE ON %I
             DEFERRABLE INITIALLY DEFERRED FOR EACH ROW
             EXECUTE FUNCTION raise_content_generation()',
            shown || '_change_content_generation', shown);
    END LOOP;
END
$$;
