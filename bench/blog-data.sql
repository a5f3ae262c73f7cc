-- A large blog for the listing benchmark: :posts posts over twenty years by 20 authors, each
-- filed under one of 90 subcategories (of 10 categories) and three of 2,000 tags.
--
-- Rows go in set by set for speed, with the triggers off; post_listings is then filled with
-- exactly the rows those triggers would have written, and its own statement triggers keep the
-- per-month and total counts, as in the running blog; each post's names go into post_names as
-- the function the triggers use reads them. The last query checks the counts.

\set ON_ERROR_STOP on
SET session_replication_role = replica;

INSERT INTO users (slug, display_name)
SELECT 'author-' || n, 'Author ' || n FROM generate_series(1, 20) n;

INSERT INTO categories (slug, name)
SELECT 'section-' || n, 'Section ' || n FROM generate_series(1, 10) n;
INSERT INTO categories (slug, name, parent_id)
SELECT 'section-' || s || '-' || n, 'Section ' || s || '.' || n, (SELECT id FROM categories WHERE slug = 'section-' || s)
FROM generate_series(1, 10) s, generate_series(1, 9) n;

INSERT INTO tags (slug, name)
SELECT 'tag-' || n, 'Tag ' || n FROM generate_series(1, 2000) n;

INSERT INTO posts (slug, title, body_html, teaser, status, published_at, updated_at, author_id, search_version, search_vector)
SELECT 'post-' || n,
       'Post number ' || n,
       '<p>Field notes ' || n || ' on recycling and creative industries in Ningbo, 宁波的创意产业 ' || (n % 97) || '.</p>',
       'Field notes ' || n || ' on recycling and creative industries in Ningbo, 宁波的创意产业 ' || (n % 97) || '.',
       'published',
       timestamptz '2005-01-01' + n * interval '10 minutes',
       timestamptz '2005-01-01' + n * interval '10 minutes',
       (SELECT min(id) FROM users) + (n % 20),
       1,
       to_tsvector('simple', 'post number ' || n || ' field notes recycl creativ industri ningbo')
FROM generate_series(1, :posts) n;

INSERT INTO post_categories (post_id, category_id)
SELECT p.id, c.id
FROM posts p
JOIN categories c ON c.slug = 'section-' || (1 + p.id % 10) || '-' || (1 + (p.id / 10) % 9);

INSERT INTO post_tags (post_id, tag_id)
SELECT DISTINCT p.id, (SELECT min(id) FROM tags) + (p.id * 7 + k * 631) % 2000
FROM posts p, generate_series(0, 2) k;

SET session_replication_role = origin;

INSERT INTO post_listings (scope, scope_id, published_at, post_id)
SELECT 'all', 0, published_at, id FROM posts
UNION ALL
SELECT 'author', author_id, published_at, id FROM posts
UNION ALL
SELECT 'tag', pt.tag_id, p.published_at, p.id FROM post_tags pt JOIN posts p ON p.id = pt.post_id
UNION ALL
SELECT 'category', pc.category_id, p.published_at, p.id FROM post_categories pc JOIN posts p ON p.id = pc.post_id
UNION ALL
SELECT 'category', c.parent_id, p.published_at, p.id
FROM post_categories pc JOIN posts p ON p.id = pc.post_id JOIN categories c ON c.id = pc.category_id
WHERE c.parent_id IS NOT NULL;

INSERT INTO post_names SELECT * FROM post_names_as_filed(ARRAY(SELECT id FROM posts));

VACUUM ANALYZE;

SELECT (SELECT count(*) FROM posts) AS posts,
       (SELECT count(*) FROM post_listings) AS listing_rows,
       (SELECT post_count FROM listing_totals WHERE scope = 'all') AS counted;
