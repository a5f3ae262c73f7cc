//! The way back out: `fieldnotes export` and the admins' download write a WordPress export that,
//! imported into an empty blog, gives back the same blog, field by field.

use std::process::Command;

use app::model::Role;
use integration_tests::{
    Request, TestApp, account_with_token, database_url, fieldnotes_binary, import_fixture,
};
use reqwest::header;
use reqwest::{Method, StatusCode};
use serde_json::json;
use sqlx::PgPool;

/// Every field an export carries, one JSON row per thing, in a stable order. Rows refer to one
/// another by slugs and dates, never by database ids, which an import gives anew. Times are to
/// the second, as WXR writes them.
const BLOG_FIELDS: [(&str, &str); 6] = [
    ("site", "SELECT to_jsonb(s)::text FROM (SELECT title, tagline FROM site) s"),
    (
        "authors",
        "SELECT to_jsonb(u)::text FROM (SELECT slug, display_name, email FROM users) u ORDER BY 1",
    ),
    (
        "categories",
        "SELECT to_jsonb(c)::text FROM (
             SELECT c.slug, c.name, c.description, parent.slug AS parent
             FROM categories c LEFT JOIN categories parent ON parent.id = c.parent_id) c
         ORDER BY 1",
    ),
    (
        "tags",
        "SELECT to_jsonb(t)::text FROM (SELECT slug, name, description FROM tags) t ORDER BY 1",
    ),
    (
        "posts",
        "SELECT to_jsonb(p)::text FROM (
             SELECT p.kind, p.slug, p.title, p.body_html, p.excerpt, p.status,
                    date_trunc('second', p.published_at) AS published_at,
                    date_trunc('second', p.updated_at) AS updated_at, author.slug AS author, p.comment_status, parent.slug AS parent,
                    p.menu_order, p.is_sticky, p.password, p.language, p.language,
                    ARRAY(SELECT c.slug FROM post_categories pc JOIN categories c ON c.id = pc.category_id
                          WHERE pc.post_id = p.id ORDER BY c.slug) AS categories,
                    ARRAY(SELECT t.slug FROM post_tags pt JOIN tags t ON t.id = pt.tag_id
                          WHERE pt.post_id = p.id ORDER BY t.slug) AS tags
             FROM posts p
             LEFT JOIN users author ON author.id = p.author_id
             LEFT JOIN posts parent ON parent.id = p.parent_id) p
         ORDER BY 1",
    ),
    (
        "comments",
        "SELECT to_jsonb(c)::text FROM (
             SELECT p.kind AS post_kind, p.slug AS post,
                    date_trunc('second', c.created_at) AS created_at, c.author_name,
                    c.author_email, c.author_url, c.author_ip, c.body, c.status, c.kind,
                    u.slug AS account, date_trunc('second', parent.created_at) AS parent_created_at,
                    parent.author_name AS parent_author
             FROM comments c
             JOIN posts p ON p.id = c.post_id
             LEFT JOIN users u ON u.id = c.user_id
             LEFT JOIN comments parent ON parent.id = c.parent_id) c
         ORDER BY 1",
    ),
];

async fn blog_fields(pool: &PgPool) -> Vec<(&'static str, Vec<String>)> {
    let mut fields = Vec::new();
    for (name, query) in BLOG_FIELDS {
        let rows: Vec<String> = sqlx::query_scalar(query)
            .fetch_all(pool)
            .await
            .unwrap_or_else(|error| panic!("{name}: {error}"));
        fields.push((name, rows));
    }
    fields
}

/// Empties the blog as a new installation is: no content, the default title.
async fn empty_blog(pool: &PgPool) {
    sqlx::query(
        "TRUNCATE users, posts, categories, tags, comments, media RESTART IDENTITY CASCADE",
    )
    .execute(pool)
    .await
    .expect("the blog is emptied");
    sqlx::query("UPDATE site SET title = DEFAULT, tagline = DEFAULT")
        .execute(pool)
        .await
        .expect("the site is reset");
}

/// A blog with a bit of everything: WordPress's theme test data (nested categories, pages with
/// parents, sticky, private, draft and protected posts, threaded comments, pingbacks), the demo
/// blog (Chinese text and tags), and what people wrote here: a draft never dated, a protected
/// post, a scheduled one and a comment written while signed in.
async fn varied_blog(pool: &PgPool) -> TestApp {
    import_fixture(pool, "themeunittestdata.wordpress.xml")
        .await
        .expect("the theme test data imports");
    import_fixture(pool, "demo.wxr")
        .await
        .expect("the demo imports");
    let app = TestApp::spawn(pool.clone()).await;
    let (_, token) = account_with_token(pool, "ada@example.org", "Ada Lovelace", Role::Admin).await;
    for body in [
        json!({ "title": "Notes, not yet dated", "body_html": "<p>Half a thought ]]> here</p>",
                "status": "draft", "tags": ["田野", "unfinished"] }),
        json!({ "title": "For the group only", "body_html": "<p>Embargoed.</p>",
                "excerpt": "Read with the password.", "status": "published",
                "password": "sesame", "tags": ["田野"], "comments_open": false }),
        json!({ "title": "Open to all", "body_html": "<p>Comments welcome.</p>",
                "status": "published" }),
        json!({ "title": "田野笔记", "body_html": "<p>宁波的废品回收市场。</p>",
                "status": "published", "language": "zh-Hans" }),
        json!({ "title": "Coming in 2030", "body_html": "<p>Later.</p>",
                "status": "scheduled", "published_at": "2030-01-01T09:30:00Z" }),
    ] {
        let reply = Request::json(Method::POST, "/api/v1/posts", &body)
            .by(&token)
            .send(&app)
            .await;
        assert_eq!(reply.status, StatusCode::CREATED, "{}", reply.body);
    }
    let comment = Request::json(
        Method::POST,
        "/api/v1/posts/open-to-all/comments",
        &json!({ "name": "Ada", "email": "ada@example.org", "body": "Signed in & answering" }),
    )
    .by(&token)
    .send(&app)
    .await;
    assert_eq!(comment.status, StatusCode::CREATED, "{}", comment.body);
    sqlx::query("UPDATE site SET title = 'Fieldwork 田野', tagline = 'Notes <from> the field'")
        .execute(pool)
        .await
        .expect("the site is named");
    app
}

fn run_export(pool: &PgPool, file: &std::path::Path) -> std::process::Output {
    Command::new(fieldnotes_binary())
        .args(["export", "--public-url", "https://blog.example.org/"])
        .arg(file)
        .env("DATABASE_URL", database_url(pool))
        .output()
        .expect("fieldnotes export runs")
}

#[sqlx::test(migrator = "app::db::MIGRATOR")]
async fn an_export_imported_into_an_empty_blog_gives_the_same_blog(pool: PgPool) {
    varied_blog(&pool).await;
    let before = blog_fields(&pool).await;
    let holds = |part: &str, patterns: &[&str]| {
        let (_, rows) = before.iter().find(|(name, _)| *name == part).unwrap();
        rows.iter()
            .any(|row| patterns.iter().all(|pattern| row.contains(pattern)))
    };
    for (part, patterns) in [
        (
            "posts",
            &["\"status\": \"draft\"", "\"published_at\": null"][..],
        ),
        (
            "posts",
            &["\"password\": \"sesame\"", "\"tags\": [\"田野\"]"],
        ),
        (
            "posts",
            &["\"kind\": \"page\"", "\"parent\": \"", "\"menu_order\": 3"],
        ),
        (
            "posts",
            &["\"is_sticky\": true", "\"status\": \"published\""],
        ),
        ("posts", &["\"status\": \"scheduled\""]),
        ("posts", &["\"language\": \"zh-Hans\""]),
        ("categories", &["\"parent\": \""]),
        ("comments", &["\"account\": \"ada-lovelace\""]),
        ("comments", &["\"parent_author\": \""]),
        ("comments", &["\"kind\": \"pingback\""]),
    ] {
        assert!(
            holds(part, patterns),
            "the blog has {part} with {patterns:?}"
        );
    }
    let directory = tempfile::tempdir().expect("a directory");
    let file = directory.path().join("blog.xml");
    let exported = run_export(&pool, &file);
    assert!(
        exported.status.success(),
        "{}",
        String::from_utf8_lossy(&exported.stderr)
    );
    assert!(
        String::from_utf8_lossy(&exported.stderr).starts_with("Exported "),
        "{}",
        String::from_utf8_lossy(&exported.stderr)
    );
    let document = std::fs::read_to_string(&file).expect("the export was written");
    for namespace in [
        "xmlns:excerpt=\"http://wordpress.org/export/1.2/excerpt/\"",
        "xmlns:content=\"http://purl.org/rss/1.0/modules/content/\"",
        "xmlns:wfw=\"http://wellformedweb.org/CommentAPI/\"",
        "xmlns:dc=\"http://purl.org/dc/elements/1.1/\"",
        "xmlns:wp=\"http://wordpress.org/export/1.2/\"",
        "<wp:wxr_version>1.2</wp:wxr_version>",
        "<wp:base_site_url>https://blog.example.org</wp:base_site_url>",
        "<link>https://blog.example.org/posts/open-to-all</link>",
    ] {
        assert!(document.contains(namespace), "the export lacks {namespace}");
    }

    empty_blog(&pool).await;
    let imported = server::import::import_wxr(&pool, document.as_bytes(), |_| {})
        .await
        .expect("the export imports");
    assert_eq!(imported.posts.skipped + imported.pages.skipped, 0);
    assert_eq!(imported.comments.skipped, 0);
    let after = blog_fields(&pool).await;
    for ((name, before), (_, after)) in before.iter().zip(&after) {
        for (old, new) in before.iter().zip(after) {
            assert!(
                old == new,
                "{name} differ after the round trip: {}",
                difference(old, new)
            );
        }
        assert_eq!(
            before.len(),
            after.len(),
            "as many {name} after the round trip"
        );
        assert!(!before.is_empty(), "the blog has {name}");
    }
}

/// Where two rows part, with a little of what comes before.
fn difference(old: &str, new: &str) -> String {
    let same = old
        .char_indices()
        .zip(new.chars())
        .find(|((_, a), b)| a != b)
        .map_or(old.len().min(new.len()), |((at, _), _)| at);
    let from = old.floor_char_boundary(same.saturating_sub(80));
    let excerpt = |row: &str| row[from..].chars().take(200).collect::<String>();
    format!("\n  before: …{}\n  after:  …{}", excerpt(old), excerpt(new))
}

#[sqlx::test(migrator = "app::db::MIGRATOR")]
async fn a_failed_export_leaves_no_file_behind(pool: PgPool) {
    let directory = tempfile::tempdir().expect("a directory");
    let file = directory.path().join("missing-directory").join("blog.xml");
    let exported = run_export(&pool, &file);
    assert!(!exported.status.success());
    let message = String::from_utf8_lossy(&exported.stderr);
    assert!(message.contains("blog.xml"), "{message}");
    assert!(!file.exists());
}

#[sqlx::test(migrator = "app::db::MIGRATOR")]
async fn only_administrators_download_the_export(pool: PgPool) {
    let app = varied_blog(&pool).await;
    let (_, author) = account_with_token(&pool, "ann@example.org", "Ann", Role::Author).await;
    let (_, admin) = account_with_token(&pool, "root@example.org", "Root", Role::Admin).await;

    let anonymous = Request::new(Method::POST, "/dashboard/export")
        .send(&app)
        .await;
    assert_eq!(anonymous.status, StatusCode::UNAUTHORIZED);
    let by_author = Request::new(Method::POST, "/dashboard/export")
        .by(&author)
        .send(&app)
        .await;
    assert_eq!(by_author.status, StatusCode::FORBIDDEN);
    let by_token = Request::new(Method::POST, "/dashboard/export")
        .bearer(&admin)
        .send(&app)
        .await;
    assert_eq!(
        by_token.status,
        StatusCode::UNAUTHORIZED,
        "an API token does not export the blog"
    );

    // Never by a plain GET (an image in a post could make one) nor from another site's page.
    let by_link = Request::get("/dashboard/export")
        .by(&admin)
        .send(&app)
        .await;
    assert_eq!(by_link.status, StatusCode::METHOD_NOT_ALLOWED);
    let from_elsewhere = Request::new(Method::POST, "/dashboard/export")
        .with_origin(Some("https://elsewhere.example"))
        .by(&admin)
        .send(&app)
        .await;
    assert_eq!(from_elsewhere.status, StatusCode::FORBIDDEN);

    let download = Request::new(Method::POST, "/dashboard/export")
        .by(&admin)
        .send(&app)
        .await;
    assert_eq!(download.status, StatusCode::OK);
    assert!(
        download
            .header(header::CONTENT_DISPOSITION)
            .starts_with("attachment; filename=\"fieldnotes-"),
        "{}",
        download.header(header::CONTENT_DISPOSITION)
    );
    assert_eq!(download.header(header::CACHE_CONTROL), "private, no-store");
    assert!(download.body.ends_with("</channel>\n</rss>\n"));
    let posts: i64 = sqlx::query_scalar("SELECT count(*) FROM posts")
        .fetch_one(&pool)
        .await
        .unwrap();
    assert_eq!(download.body.matches("<wp:post_id>").count() as i64, posts);
}
