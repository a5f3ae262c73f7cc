-- The language a blog is written in (a BCP 47 tag such as en, zh or zh-Hant), the pages' `lang`;
-- and a post's own, when it differs (a Chinese post on an English blog), so that browsers,
-- screen readers and search engines read each text in its language.
ALTER TABLE site ADD COLUMN language text NOT NULL DEFAULT 'en'
    CHECK (language ~ '^[A-Za-z]{2,3}(-[A-Za-z0-9]{1,8})*$' AND length(language) <= 35);
ALTER TABLE posts ADD COLUMN language text
    CHECK (language ~ '^[A-Za-z]{2,3}(-[A-Za-z0-9]{1,8})*$' AND length(language) <= 35);

CREATE OR REPLACE VIEW post_summaries AS
SELECT p.id,
       p.kind,
       p.slug,
       p.title,
       p.excerpt,
       p.body_html,
       p.status,
       p.published_at,
       u.slug         AS author_slug,
       u.display_name AS author_name,
       (SELECT count(*)
          FROM comments c
         WHERE c.post_id = p.id AND c.status = 'approved' AND c.kind = 'comment') AS comment_count,
       (SELECT coalesce(json_agg(json_build_object('slug', c.slug, 'name', c.name) ORDER BY c.name), '[]')
          FROM post_categories pc
          JOIN categories c ON c.id = pc.category_id
         WHERE pc.post_id = p.id) AS categories,
       (SELECT coalesce(json_agg(json_build_object('slug', t.slug, 'name', t.name) ORDER BY t.name), '[]')
          FROM post_tags pt
          JOIN tags t ON t.id = pt.tag_id
         WHERE pt.post_id = p.id) AS tags,
       p.password IS NOT NULL AS protected,
       p.language
FROM posts p
LEFT JOIN users u ON u.id = p.author_id;
