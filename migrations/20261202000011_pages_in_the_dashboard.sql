-- Pages are written in the editor too, and the dashboard lists them apart from the posts,
-- newest first, as it lists posts.
CREATE INDEX posts_dashboard_pages ON posts (dashboard_date(published_at, updated_at) DESC, id DESC)
    WHERE kind = 'page';
