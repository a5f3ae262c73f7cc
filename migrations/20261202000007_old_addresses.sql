-- Where an imported post or page was on the WordPress site it came from: the path of its
-- permalink (the item's <link>), percent-decoded and without a trailing slash, such as
-- /2009/04/19/some-post. Old links are answered with a redirect to the post's address here.
ALTER TABLE posts ADD COLUMN wp_path text;
CREATE INDEX posts_by_wp_path ON posts (wp_path) WHERE wp_path IS NOT NULL;

-- WordPress's own addresses of a post, /?p=ID and /?page_id=ID, name it by its id there.
CREATE INDEX posts_by_wp_post_id ON posts (wp_post_id) WHERE wp_post_id IS NOT NULL;
