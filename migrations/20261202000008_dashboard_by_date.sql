-- The dashboard lists posts newest first by their date: the publication date, or for a post
-- never published its last change. Imported posts arrive in the export's order, so their ids
-- say nothing of their dates.
DROP INDEX posts_dashboard;
DROP INDEX posts_dashboard_by_status;
DROP INDEX posts_dashboard_by_author;

CREATE FUNCTION dashboard_date(published_at timestamptz, updated_at timestamptz)
RETURNS timestamptz LANGUAGE sql IMMUTABLE PARALLEL SAFE
RETURN coalesce(published_at, updated_at);

CREATE INDEX posts_dashboard ON posts (dashboard_date(published_at, updated_at) DESC, id DESC)
    WHERE kind = 'post';
CREATE INDEX posts_dashboard_by_status
    ON posts (status, dashboard_date(published_at, updated_at) DESC, id DESC) WHERE kind = 'post';
CREATE INDEX posts_dashboard_by_author
    ON posts (author_id, dashboard_date(published_at, updated_at) DESC, id DESC) WHERE kind = 'post';
