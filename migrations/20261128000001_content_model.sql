-- The content model: the people who write, their posts and pages, how posts are filed
-- (nested categories, tags), and the readers' comments. Rows that came from a WordPress
-- export remember where they came from so that importing the same export again updates them.

CREATE TABLE site (
    singleton        boolean PRIMARY KEY DEFAULT true CHECK (singleton),
    title            text NOT NULL DEFAULT 'Fieldnotes',
    tagline          text NOT NULL DEFAULT '',
    demo_imported_at timestamptz
);
INSERT INTO site DEFAULT VALUES;

CREATE TABLE users (
    id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    slug          text NOT NULL UNIQUE CHECK (slug <> ''),
    display_name  text NOT NULL,
    email         text,
    role          text NOT NULL DEFAULT 'author' CHECK (role IN ('admin', 'editor', 'author')),
    password_hash text,
    wp_login      text UNIQUE,
    created_at    timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX users_email_key ON users (lower(email));

CREATE TABLE posts (
    id             bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    kind           text NOT NULL DEFAULT 'post' CHECK (kind IN ('post', 'page')),
    slug           text NOT NULL CHECK (slug <> ''),
    title          text NOT NULL DEFAULT '',
    body_html      text NOT NULL DEFAULT '',
    excerpt        text NOT NULL DEFAULT '',
    status         text NOT NULL CHECK (status IN ('draft', 'published', 'scheduled', 'private', 'trash')),
    published_at   timestamptz,
    created_at     timestamptz NOT NULL DEFAULT now(),
    updated_at     timestamptz NOT NULL DEFAULT now(),
    author_id      bigint REFERENCES users (id) ON DELETE SET NULL,
    comment_status text NOT NULL DEFAULT 'open' CHECK (comment_status IN ('open', 'closed')),
    parent_id      bigint REFERENCES posts (id) ON DELETE SET NULL,
    menu_order     integer NOT NULL DEFAULT 0,
    is_sticky      boolean NOT NULL DEFAULT false,
    wp_site        text,
    wp_post_id     bigint,
    wp_guid        text,
    UNIQUE (kind, slug),
    UNIQUE (wp_site, wp_post_id),
    CHECK (status IN ('draft', 'trash') OR published_at IS NOT NULL)
);

-- What readers may see: published posts, and scheduled ones once their time has come.
-- Every public listing reads through this view, so no query can forget the rule.
CREATE VIEW public_posts AS
SELECT *
FROM posts
WHERE kind = 'post'
  AND status IN ('published', 'scheduled')
  AND published_at <= now();

-- Newest first, for the home page and the archives.
CREATE INDEX posts_public_by_date ON posts (published_at DESC, id DESC)
    WHERE kind = 'post' AND status IN ('published', 'scheduled');
CREATE INDEX posts_by_author ON posts (author_id, published_at DESC, id DESC)
    WHERE kind = 'post' AND status IN ('published', 'scheduled');

CREATE TABLE categories (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    slug        text NOT NULL UNIQUE CHECK (slug <> ''),
    name        text NOT NULL,
    description text NOT NULL DEFAULT '',
    parent_id   bigint REFERENCES categories (id) ON DELETE SET NULL,
    CHECK (parent_id <> id)
);
CREATE INDEX categories_by_parent ON categories (parent_id);

CREATE TABLE tags (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    slug        text NOT NULL UNIQUE CHECK (slug <> ''),
    name        text NOT NULL,
    description text NOT NULL DEFAULT ''
);

CREATE TABLE post_categories (
    post_id     bigint NOT NULL REFERENCES posts (id) ON DELETE CASCADE,
    category_id bigint NOT NULL REFERENCES categories (id) ON DELETE CASCADE,
    PRIMARY KEY (post_id, category_id)
);
CREATE INDEX post_categories_by_category ON post_categories (category_id, post_id);

CREATE TABLE post_tags (
    post_id bigint NOT NULL REFERENCES posts (id) ON DELETE CASCADE,
    tag_id  bigint NOT NULL REFERENCES tags (id) ON DELETE CASCADE,
    PRIMARY KEY (post_id, tag_id)
);
CREATE INDEX post_tags_by_tag ON post_tags (tag_id, post_id);

CREATE TABLE comments (
    id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    post_id       bigint NOT NULL REFERENCES posts (id) ON DELETE CASCADE,
    parent_id     bigint REFERENCES comments (id) ON DELETE SET NULL,
    user_id       bigint REFERENCES users (id) ON DELETE SET NULL,
    author_name   text NOT NULL DEFAULT '',
    author_email  text NOT NULL DEFAULT '',
    author_url    text NOT NULL DEFAULT '',
    author_ip     text NOT NULL DEFAULT '',
    body          text NOT NULL,
    status        text NOT NULL CHECK (status IN ('approved', 'pending', 'spam', 'trash')),
    kind          text NOT NULL DEFAULT 'comment' CHECK (kind IN ('comment', 'pingback', 'trackback')),
    created_at    timestamptz NOT NULL DEFAULT now(),
    wp_comment_id bigint,
    UNIQUE (post_id, wp_comment_id)
);
CREATE INDEX comments_approved_by_post ON comments (post_id, created_at) WHERE status = 'approved';
CREATE INDEX comments_by_parent ON comments (parent_id) WHERE parent_id IS NOT NULL;

-- Everything a listing shows about a post, in one row: the author, the approved comments'
-- count, and the categories and tags as JSON arrays of {slug, name}.
CREATE VIEW post_summaries AS
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
         WHERE c.post_id = p.id AND c.status = 'approved') AS comment_count,
       (SELECT coalesce(json_agg(json_build_object('slug', c.slug, 'name', c.name) ORDER BY c.name), '[]')
          FROM post_categories pc
          JOIN categories c ON c.id = pc.category_id
         WHERE pc.post_id = p.id) AS categories,
       (SELECT coalesce(json_agg(json_build_object('slug', t.slug, 'name', t.name) ORDER BY t.name), '[]')
          FROM post_tags pt
          JOIN tags t ON t.id = pt.tag_id
         WHERE pt.post_id = p.id) AS tags
FROM posts p
LEFT JOIN users u ON u.id = p.author_id;
