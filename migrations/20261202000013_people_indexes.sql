-- Removing a person gives their posts and pages to another and lets go of what points at them:
-- each of these is found through an index, whatever the size of the blog. Emptying the trash
-- reads only what is in it.
CREATE INDEX posts_by_author ON posts (author_id) WHERE author_id IS NOT NULL;
CREATE INDEX comments_by_user ON comments (user_id) WHERE user_id IS NOT NULL;
CREATE INDEX post_revisions_by_saver ON post_revisions (saved_by) WHERE saved_by IS NOT NULL;
CREATE INDEX media_by_uploader ON media (uploaded_by) WHERE uploaded_by IS NOT NULL;
CREATE INDEX posts_in_trash ON posts (id) WHERE status = 'trash';
