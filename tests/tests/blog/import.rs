//! Importing WordPress exports: the demo blog, WordPress's theme unit test data, re-imports,
//! and files that must be refused without a trace.

use chrono::{TimeZone, Utc};
use integration_tests::{fixture, import_fixture};
use server::import::{ImportError, Tally};
use sqlx::PgPool;

async fn count(pool: &PgPool, query: &'static str) -> i64 {
    sqlx::query_scalar::<_, i64>(query)
        .fetch_one(pool)
        .await
        .expect(query)
}

/// The number of rows of every table an import writes.
const ROW_COUNTS: [&str; 7] = [
    "SELECT count(*) FROM users",
    "SELECT count(*) FROM categories",
    "SELECT count(*) FROM tags",
    "SELECT count(*) FROM posts",
    "SELECT count(*) FROM post_categories",
    "SELECT count(*) FROM post_tags",
    "SELECT count(*) FROM comments",
];

async fn row_counts(pool: &PgPool) -> Vec<i64> {
    let mut counts = Vec::new();
    for query in ROW_COUNTS {
        counts.push(count(pool, query).await);
    }
    counts
}

#[sqlx::test(migrator = "app::db::MIGRATOR")]
async fn the_seed_blog_imports_whole(pool: PgPool) {
    let summary = import_fixture(&pool, "demo.wxr")
        .await
        .expect("the seed imports");
    assert_eq!(
        summary.posts,
        Tally {
            imported: 9,
            updated: 0,
            skipped: 0
        }
    );
    assert_eq!(summary.categories.imported, 4);
    assert_eq!(summary.authors, Tally::default());

    assert_eq!(
        count(
            &pool,
            "SELECT count(*) FROM posts WHERE status = 'published'"
        )
        .await,
        9
    );
    assert_eq!(count(&pool, "SELECT count(*) FROM categories").await, 4);
    assert_eq!(count(&pool, "SELECT count(*) FROM users").await, 0);
    assert_eq!(
        count(
            &pool,
            "SELECT count(*) FROM posts WHERE author_id IS NOT NULL"
        )
        .await,
        0
    );

    let (title, published_at, categories): (String, chrono::DateTime<Utc>, Vec<String>) = sqlx::query_as(
        "SELECT p.title, p.published_at, array_agg(c.name ORDER BY c.name)
         FROM posts p JOIN post_categories pc ON pc.post_id = p.id JOIN categories c ON c.id = pc.category_id
         WHERE p.slug = 'using-sassens-theory-to-explain-the-phenomenon-of-cluster'
         GROUP BY p.id",
    )
    .fetch_one(&pool)
    .await
    .expect("the newest seed post");
    assert_eq!(
        title,
        "Using Sassen’s theory to explain the phenomenon of cluster"
    );
    assert_eq!(
        published_at,
        Utc.with_ymd_and_hms(2009, 4, 19, 12, 0, 0).unwrap()
    );
    assert_eq!(categories, ["creative industries", "theory"]);

    let chinese = count(
        &pool,
        "SELECT count(*) FROM posts WHERE body_html LIKE '%慈溪%'",
    )
    .await;
    assert!(chinese >= 1, "the Chinese text came through");

    let site: (String, String) = sqlx::query_as("SELECT title, tagline FROM site")
        .fetch_one(&pool)
        .await
        .unwrap();
    assert_eq!(
        site,
        (
            "Creative and Waste Industries in Ningbo".into(),
            "Fieldwork notes, April 2009".into()
        )
    );
}

#[sqlx::test(migrator = "app::db::MIGRATOR")]
async fn seed_dates_and_times_are_kept(pool: PgPool) {
    import_fixture(&pool, "demo.wxr").await.unwrap();
    let dates: Vec<chrono::DateTime<Utc>> =
        sqlx::query_scalar("SELECT published_at FROM posts ORDER BY published_at DESC")
            .fetch_all(&pool)
            .await
            .unwrap();
    assert_eq!(dates.len(), 9);
    assert_eq!(
        dates[0],
        Utc.with_ymd_and_hms(2009, 4, 19, 12, 0, 0).unwrap()
    );
    assert_eq!(
        dates[1],
        Utc.with_ymd_and_hms(2009, 4, 17, 12, 0, 0).unwrap()
    );
    assert_eq!(
        dates[2],
        Utc.with_ymd_and_hms(2009, 4, 17, 11, 0, 0).unwrap()
    );
    assert!(
        dates
            .iter()
            .all(|date| date.format("%Y-%m").to_string() == "2009-04")
    );
}

#[sqlx::test(migrator = "app::db::MIGRATOR")]
async fn theme_unit_test_data_imports_with_every_count(pool: PgPool) {
    let summary = import_fixture(&pool, "themeunittestdata.wordpress.xml")
        .await
        .expect("imports");
    assert_eq!(summary.authors.imported, 2);
    // The file declares 110 tags, and its posts use 4 more that it does not declare (columns,
    // content, sample, test-tag); like WordPress, the import creates those rather than lose them.
    assert_eq!(summary.tags.imported, 114);
    assert_eq!(summary.posts.imported, 58);
    assert_eq!(summary.pages.imported, 21);
    assert_eq!(summary.comments.imported, 33);
    assert_eq!(summary.attachments, 37);
    assert_eq!(summary.menu_items, 70);

    assert_eq!(count(&pool, "SELECT count(*) FROM users").await, 2);
    assert_eq!(count(&pool, "SELECT count(*) FROM categories").await, 68);
    assert_eq!(
        count(
            &pool,
            "SELECT count(*) FROM categories WHERE parent_id IS NOT NULL"
        )
        .await,
        10
    );
    assert_eq!(count(&pool, "SELECT count(*) FROM tags").await, 114);
    let undeclared = count(
        &pool,
        "SELECT count(DISTINCT t.slug) FROM tags t JOIN post_tags pt ON pt.tag_id = t.id
         WHERE t.slug IN ('columns', 'content', 'sample', 'test-tag')",
    )
    .await;
    assert_eq!(
        undeclared, 4,
        "the undeclared tags are filed with their posts"
    );
    assert_eq!(
        count(&pool, "SELECT count(*) FROM posts WHERE kind = 'post'").await,
        58
    );
    assert_eq!(
        count(
            &pool,
            "SELECT count(*) FROM posts WHERE kind = 'post' AND status = 'published'"
        )
        .await,
        56
    );
    assert_eq!(
        count(
            &pool,
            "SELECT count(*) FROM posts WHERE kind = 'post' AND status = 'draft'"
        )
        .await,
        1
    );
    assert_eq!(
        count(
            &pool,
            "SELECT count(*) FROM posts WHERE kind = 'post' AND status = 'scheduled'"
        )
        .await,
        1
    );
    assert_eq!(
        count(&pool, "SELECT count(*) FROM posts WHERE kind = 'page'").await,
        21
    );
    assert_eq!(count(&pool, "SELECT count(*) FROM comments").await, 33);
    assert_eq!(
        count(
            &pool,
            "SELECT count(*) FROM comments WHERE parent_id IS NOT NULL"
        )
        .await,
        10
    );
    assert_eq!(
        count(
            &pool,
            "SELECT count(*) FROM comments WHERE status = 'pending'"
        )
        .await,
        3
    );
    assert_eq!(
        count(
            &pool,
            "SELECT count(*) FROM comments WHERE kind = 'pingback'"
        )
        .await,
        2
    );
    assert_eq!(
        count(
            &pool,
            "SELECT count(*) FROM comments WHERE kind = 'trackback'"
        )
        .await,
        2
    );

    let untitled = count(
        &pool,
        "SELECT count(*) FROM posts WHERE kind = 'post' AND title = ''",
    )
    .await;
    assert_eq!(
        untitled, 1,
        "the untitled post is kept, with a slug of its own"
    );
    let most_tags = count(
        &pool,
        "SELECT max(n) FROM (SELECT count(*) AS n FROM post_tags GROUP BY post_id) t",
    )
    .await;
    assert!(
        most_tags > 20,
        "posts with many tags keep them all ({most_tags})"
    );
}

#[sqlx::test(migrator = "app::db::MIGRATOR")]
async fn importing_again_creates_no_duplicates(pool: PgPool) {
    import_fixture(&pool, "themeunittestdata.wordpress.xml")
        .await
        .unwrap();
    let before = row_counts(&pool).await;

    let again = import_fixture(&pool, "themeunittestdata.wordpress.xml")
        .await
        .unwrap();
    assert_eq!(
        again.posts,
        Tally {
            imported: 0,
            updated: 58,
            skipped: 0
        }
    );
    assert_eq!(again.pages.imported, 0);
    assert_eq!(again.comments.imported, 0);
    assert_eq!(again.tags.imported, 0);
    assert_eq!(again.categories.imported, 0);
    assert_eq!(again.authors.imported, 0);
    assert_eq!(row_counts(&pool).await, before);
}

#[sqlx::test(migrator = "app::db::MIGRATOR")]
async fn malformed_files_are_refused_and_nothing_is_written(pool: PgPool) {
    import_fixture(&pool, "demo.wxr").await.unwrap();
    let before = count(&pool, "SELECT count(*) FROM posts").await;
    let cases = [
        ("malformed.xml", 27),
        ("malformed-simple.xml", 14),
        ("crazy-cdata.xml", 18),
        ("invalid-version-tag.xml", 33),
    ];
    for (name, line) in cases {
        match import_fixture(&pool, name).await {
            Err(ImportError::Wxr(error)) => {
                let message = error.to_string();
                assert!(
                    message.starts_with(&format!("line {line}, column ")),
                    "{name}: {message}"
                );
            }
            other => panic!("{name} was not refused: {other:?}"),
        }
        assert_eq!(
            count(&pool, "SELECT count(*) FROM posts").await,
            before,
            "{name} wrote posts"
        );
    }
    assert_eq!(count(&pool, "SELECT count(*) FROM comments").await, 0);
    assert_eq!(count(&pool, "SELECT count(*) FROM categories").await, 4);
}

#[sqlx::test(migrator = "app::db::MIGRATOR")]
async fn a_file_refused_half_way_leaves_no_trace(pool: PgPool) {
    let error = import_fixture(&pool, "malformed-simple.xml")
        .await
        .unwrap_err();
    assert!(error.to_string().contains("nothing was changed"), "{error}");
    assert_eq!(row_counts(&pool).await, [0; 7]);
}

#[sqlx::test(migrator = "app::db::MIGRATOR")]
async fn every_well_formed_export_of_the_corpus_imports(pool: PgPool) {
    let files = [
        "64-block-test-data.xml",
        "a11y-unit-test-data.xml",
        "cdata-edge.xml",
        "missing-tags.xml",
        "namespace-edge-cases.xml",
        "slashes.xml",
        "small-export.xml",
        "valid-wxr-1.0.xml",
        "valid-wxr-1.1.xml",
        "wxr-simple.xml",
        "wxr-utf-8-challenges.xml",
    ];
    for name in files {
        assert!(fixture(name).exists(), "{name}");
        let summary = import_fixture(&pool, name)
            .await
            .unwrap_or_else(|error| panic!("{name}: {error}"));
        assert!(
            summary.posts.imported + summary.posts.updated + summary.pages.imported > 0,
            "{name}: {summary}"
        );
    }
}

#[sqlx::test(migrator = "app::db::MIGRATOR")]
async fn e_mail_logins_are_never_shown(pool: PgPool) {
    let export = r#"<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0" xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:wp="http://wordpress.org/export/1.2/">
<channel><title>T</title><wp:wxr_version>1.2</wp:wxr_version>
<item><title>A</title><dc:creator>jane.doe@example.org</dc:creator><wp:post_id>1</wp:post_id>
<wp:post_type>post</wp:post_type><wp:status>publish</wp:status></item>
<item><title>B</title><wp:post_id>2</wp:post_id><wp:post_type>post</wp:post_type><wp:status>publish</wp:status>
<wp:post_date_gmt>2999-01-01 00:00:00</wp:post_date_gmt></item>
</channel></rss>"#;
    server::import::import_wxr(&pool, export.as_bytes(), |_| {})
        .await
        .unwrap();
    let (slug, name): (String, String) = sqlx::query_as("SELECT slug, display_name FROM users")
        .fetch_one(&pool)
        .await
        .unwrap();
    assert_eq!((slug.as_str(), name.as_str()), ("jane-doe", "jane.doe"));
    let status: String = sqlx::query_scalar("SELECT status FROM posts WHERE title = 'B'")
        .fetch_one(&pool)
        .await
        .unwrap();
    assert_eq!(
        status, "scheduled",
        "a post published with a date to come is scheduled"
    );
}

#[sqlx::test(migrator = "app::db::MIGRATOR")]
async fn unicode_and_missing_values_get_readable_slugs(pool: PgPool) {
    import_fixture(&pool, "wxr-utf-8-challenges.xml")
        .await
        .unwrap();
    import_fixture(&pool, "missing-tags.xml").await.unwrap();
    let slugs: Vec<String> = sqlx::query_scalar("SELECT slug FROM posts ORDER BY slug")
        .fetch_all(&pool)
        .await
        .unwrap();
    assert!(
        slugs.contains(&"hello-world-utf8-test".to_string()),
        "{slugs:?}"
    );
    assert!(slugs.contains(&"no-author-post".to_string()), "{slugs:?}");
    assert!(
        slugs
            .iter()
            .all(|slug| !slug.is_empty() && !slug.contains(' ')),
        "{slugs:?}"
    );
}

#[sqlx::test(migrator = "app::db::MIGRATOR")]
async fn chinese_posts_of_a_mixed_blog_are_marked_as_chinese(pool: PgPool) {
    let export = r#"<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/"
  xmlns:wp="http://wordpress.org/export/1.2/">
<channel><title>Mixed</title><link>https://mixed.example</link><wp:wxr_version>1.2</wp:wxr_version>
  <item><title>回收</title><link>https://mixed.example/zh/</link>
    <content:encoded><![CDATA[<p>宁波的废品回收市场很大 (the recycling market).</p>]]></content:encoded>
    <wp:post_id>1</wp:post_id><wp:post_date_gmt>2009-04-19 10:00:00</wp:post_date_gmt>
    <wp:post_name>zh</wp:post_name><wp:status>publish</wp:status><wp:post_type>post</wp:post_type></item>
  <item><title>Recycling</title><link>https://mixed.example/en/</link>
    <content:encoded><![CDATA[<p>The recycling market of Ningbo (宁波) is large.</p>]]></content:encoded>
    <wp:post_id>2</wp:post_id><wp:post_date_gmt>2009-04-20 10:00:00</wp:post_date_gmt>
    <wp:post_name>en</wp:post_name><wp:status>publish</wp:status><wp:post_type>post</wp:post_type></item>
  <item><title>Noted</title><link>https://mixed.example/noted/</link>
    <content:encoded><![CDATA[<p>Plain English.</p>]]></content:encoded>
    <wp:post_id>3</wp:post_id><wp:post_date_gmt>2009-04-21 10:00:00</wp:post_date_gmt>
    <wp:post_name>noted</wp:post_name><wp:status>publish</wp:status><wp:post_type>post</wp:post_type>
    <wp:postmeta><wp:meta_key>_fieldnotes_language</wp:meta_key><wp:meta_value>yue</wp:meta_value></wp:postmeta></item>
</channel></rss>"#;
    server::import::import_wxr(&pool, export.as_bytes(), |_| {})
        .await
        .expect("the export imports");
    let languages: Vec<(String, Option<String>)> =
        sqlx::query_as("SELECT slug, language FROM posts ORDER BY slug")
            .fetch_all(&pool)
            .await
            .unwrap();
    assert_eq!(
        languages,
        [
            ("en".to_string(), None),
            ("noted".to_string(), Some("yue".to_string())),
            ("zh".to_string(), Some("zh".to_string())),
        ]
    );
    let app = integration_tests::TestApp::spawn(pool.clone()).await;
    let (_, page) = app.get("/posts/zh").await;
    assert!(page.contains("<html lang=\"en\""), "the blog's language");
    assert!(
        page.contains("<article lang=\"zh\" class=\"post\">"),
        "the post's own"
    );
    let (_, home) = app.get("/").await;
    assert!(home.contains("<article lang=\"zh\" class=\"post-teaser\">"));
}
