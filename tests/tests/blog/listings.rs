//! Listings with every filter, checked against the same question asked directly of the tables
//! the content lives in; and the counts and names the listings keep, through every kind of change.

use std::time::{Duration, Instant};

use app::db::listings::{COUNT_CAP, MAX_SCANNED_POSTS, list_posts};
use app::db::scheduling::publish_due_posts;
use app::db::terms::rewrite_renamed_names;
use app::filter::PostFilter;
use app::model::{Count, PostListing};
use integration_tests::{ServerProcess, database_url, import_fixture};
use sqlx::{PgConnection, PgPool};

/// The slugs a filter should list, newest first, straight from posts, post_tags,
/// post_categories and the category tree.
async fn expected(pool: &PgPool, filter: &PostFilter) -> Vec<String> {
    sqlx::query_scalar(
        "WITH RECURSIVE below (id) AS (
             SELECT id FROM categories WHERE slug = $3
             UNION SELECT c.id FROM categories c JOIN below b ON c.parent_id = b.id
         )
         SELECT p.slug FROM posts p
         LEFT JOIN users u ON u.id = p.author_id
         WHERE p.kind = 'post' AND p.status IN ('published', 'scheduled') AND p.published_at <= now()
           AND ($1::text IS NULL OR u.slug = $1)
           AND ($2::text IS NULL OR EXISTS (
               SELECT 1 FROM post_tags pt JOIN tags t ON t.id = pt.tag_id WHERE pt.post_id = p.id AND t.slug = $2))
           AND ($3::text IS NULL OR EXISTS (
               SELECT 1 FROM post_categories pc JOIN below b ON b.id = pc.category_id WHERE pc.post_id = p.id))
           AND ($4::int IS NULL OR extract(year FROM p.published_at AT TIME ZONE 'UTC') = $4)
           AND ($5::int IS NULL OR extract(month FROM p.published_at AT TIME ZONE 'UTC') = $5)
         ORDER BY p.published_at DESC, p.id DESC",
    )
    .bind(&filter.author)
    .bind(&filter.tag)
    .bind(&filter.category)
    .bind(filter.year)
    .bind(filter.month.map(|month| month as i32))
    .fetch_all(pool)
    .await
    .unwrap()
}

/// Every page of a listing, in order.
async fn all_pages(
    pool: &PgPool,
    filter: &PostFilter,
    per_page: u32,
) -> (Vec<PostListing>, Vec<String>) {
    let mut pages = Vec::new();
    let mut slugs = Vec::new();
    for page in 1.. {
        let listing = list_posts(pool, filter, page, per_page)
            .await
            .unwrap()
            .expect("the filter resolves");
        let done = listing.posts.is_empty();
        slugs.extend(listing.posts.iter().map(|post| post.slug.clone()));
        pages.push(listing);
        if done {
            break;
        }
    }
    (pages, slugs)
}

/// Whether the filter names an author, tag or category without published posts, which readers
/// are not shown at all.
async fn names_the_unpublished(pool: &PgPool, filter: &PostFilter) -> bool {
    let parts = [
        filter
            .author
            .as_deref()
            .map(|author| self::filter(Some(author), None, None, None, None)),
        filter
            .tag
            .as_deref()
            .map(|tag| self::filter(None, Some(tag), None, None, None)),
        filter
            .category
            .as_deref()
            .map(|category| self::filter(None, None, Some(category), None, None)),
    ];
    for part in parts.into_iter().flatten() {
        if expected(pool, &part).await.is_empty() {
            return true;
        }
    }
    false
}

async fn check(pool: &PgPool, filter: PostFilter, per_page: u32) -> usize {
    if names_the_unpublished(pool, &filter).await {
        let listing = list_posts(pool, &filter, 1, per_page).await.unwrap();
        assert!(listing.is_none(), "{filter:?} is not shown");
        return 0;
    }
    let want = expected(pool, &filter).await;
    let (pages, got) = all_pages(pool, &filter, per_page).await;
    assert_eq!(got, want, "{filter:?}");
    let total = pages[0].total;
    assert_eq!(total, Count::Exact(want.len() as u64), "{filter:?}");
    for page in &pages {
        let before = (page.page - 1) as usize * per_page as usize;
        let expected_len = want.len().saturating_sub(before).min(per_page as usize);
        assert_eq!(
            page.posts.len(),
            expected_len,
            "{filter:?} page {}",
            page.page
        );
        assert_eq!(
            page.has_next(),
            before + (per_page as usize) < want.len(),
            "{filter:?} page {}",
            page.page
        );
    }
    want.len()
}

async fn theme(pool: &PgPool) {
    import_fixture(pool, "demo.wxr").await.unwrap();
    import_fixture(pool, "themeunittestdata.wordpress.xml")
        .await
        .unwrap();
}

fn filter(
    author: Option<&str>,
    tag: Option<&str>,
    category: Option<&str>,
    year: Option<i32>,
    month: Option<u32>,
) -> PostFilter {
    PostFilter {
        author: author.map(str::to_string),
        tag: tag.map(str::to_string),
        category: category.map(str::to_string),
        year,
        month,
    }
}

#[sqlx::test(migrator = "app::db::MIGRATOR")]
async fn every_single_filter_lists_the_right_posts(pool: PgPool) {
    theme(&pool).await;
    assert_eq!(check(&pool, PostFilter::default(), 10).await, 65);
    assert_eq!(
        check(&pool, PostFilter::default(), 7).await,
        65,
        "page boundaries that do not fall on months"
    );
    let tags: Vec<String> = sqlx::query_scalar("SELECT slug FROM tags")
        .fetch_all(&pool)
        .await
        .unwrap();
    for tag in &tags {
        check(&pool, filter(None, Some(tag), None, None, None), 3).await;
    }
    let categories: Vec<String> = sqlx::query_scalar("SELECT slug FROM categories")
        .fetch_all(&pool)
        .await
        .unwrap();
    for category in &categories {
        check(&pool, filter(None, None, Some(category), None, None), 4).await;
    }
    for author in ["themedemos", "themereviewteam"] {
        assert!(check(&pool, filter(Some(author), None, None, None, None), 5).await > 0);
    }
    assert_eq!(
        check(&pool, filter(None, None, None, Some(2009), Some(4)), 10).await,
        9
    );
    let years: Vec<i32> = sqlx::query_scalar(
        "SELECT DISTINCT extract(year FROM published_at AT TIME ZONE 'UTC')::int FROM posts WHERE published_at IS NOT NULL",
    )
    .fetch_all(&pool)
    .await
    .unwrap();
    for year in years {
        check(&pool, filter(None, None, None, Some(year), None), 4).await;
    }
}

#[sqlx::test(migrator = "app::db::MIGRATOR")]
async fn child_categories_count_into_their_parents(pool: PgPool) {
    theme(&pool).await;
    let (parent, child): (String, String) = sqlx::query_as(
        "SELECT p.slug, c.slug FROM categories c JOIN categories p ON p.id = c.parent_id
         JOIN post_categories pc ON pc.category_id = c.id
         GROUP BY p.slug, c.slug ORDER BY count(*) DESC LIMIT 1",
    )
    .fetch_one(&pool)
    .await
    .unwrap();
    let parent_posts = check(&pool, filter(None, None, Some(&parent), None, None), 10).await;
    let child_posts = check(&pool, filter(None, None, Some(&child), None, None), 10).await;
    assert!(
        parent_posts >= child_posts && child_posts > 0,
        "{parent} {parent_posts} ⊇ {child} {child_posts}"
    );
    let child_listing = list_posts(&pool, &filter(None, None, Some(&child), None, None), 1, 100)
        .await
        .unwrap()
        .unwrap();
    let parent_listing = list_posts(
        &pool,
        &filter(None, None, Some(&parent), None, None),
        1,
        100,
    )
    .await
    .unwrap()
    .unwrap();
    for post in &child_listing.posts {
        assert!(
            parent_listing
                .posts
                .iter()
                .any(|other| other.slug == post.slug),
            "{} missing from {parent}",
            post.slug
        );
    }
}

#[sqlx::test(migrator = "app::db::MIGRATOR")]
async fn combined_filters_list_what_every_part_allows(pool: PgPool) {
    theme(&pool).await;
    let combinations: Vec<(String, String)> = sqlx::query_as(
        "SELECT DISTINCT u.slug, t.slug FROM posts p JOIN users u ON u.id = p.author_id
         JOIN post_tags pt ON pt.post_id = p.id JOIN tags t ON t.id = pt.tag_id",
    )
    .fetch_all(&pool)
    .await
    .unwrap();
    assert!(combinations.len() > 50);
    for (author, tag) in &combinations {
        check(&pool, filter(Some(author), Some(tag), None, None, None), 2).await;
    }
    check(
        &pool,
        filter(Some("themedemos"), None, Some("markup"), None, None),
        3,
    )
    .await;
    check(
        &pool,
        filter(None, Some("content-2"), Some("markup"), Some(2013), None),
        2,
    )
    .await;
    check(
        &pool,
        filter(
            Some("themedemos"),
            None,
            Some("uncategorized"),
            Some(2013),
            Some(1),
        ),
        2,
    )
    .await;
    assert_eq!(
        check(
            &pool,
            filter(
                Some("themereviewteam"),
                None,
                Some("creative-industries"),
                None,
                None
            ),
            5
        )
        .await,
        0
    );
}

#[sqlx::test(migrator = "app::db::MIGRATOR")]
async fn unknown_names_and_pages_past_the_end(pool: PgPool) {
    theme(&pool).await;
    for unknown in [
        filter(Some("nobody"), None, None, None, None),
        filter(None, Some("no-such-tag"), None, None, None),
        filter(None, None, Some("no-such-category"), None, None),
    ] {
        assert!(
            list_posts(&pool, &unknown, 1, 10).await.unwrap().is_none(),
            "{unknown:?}"
        );
    }
    let past = list_posts(&pool, &PostFilter::default(), 8, 10)
        .await
        .unwrap()
        .unwrap();
    assert!(past.posts.is_empty());
    assert_eq!(past.total, Count::Exact(65));
    let empty_month = list_posts(&pool, &filter(None, None, None, Some(1999), Some(1)), 1, 10)
        .await
        .unwrap()
        .unwrap();
    assert!(empty_month.posts.is_empty());
    assert_eq!(empty_month.total, Count::Exact(0));
}

/// How many of the counts the triggers keep differ from counts made from scratch.
async fn counts_that_differ(pool: &PgPool) -> i64 {
    sqlx::query_scalar("SELECT listing_counts_that_differ()")
        .fetch_one(pool)
        .await
        .unwrap()
}

/// How many posts' kept names and comment counts differ from their filings and comments.
async fn names_that_differ(pool: &PgPool) -> i64 {
    sqlx::query_scalar("SELECT post_names_that_differ()")
        .fetch_one(pool)
        .await
        .unwrap()
}

async fn assert_kept_listings_are_true(pool: &PgPool) {
    assert_eq!(
        counts_that_differ(pool).await,
        0,
        "stored listing counts differ from the listings"
    );
    assert_eq!(
        names_that_differ(pool).await,
        0,
        "stored names differ from the filings and comments"
    );
}

#[sqlx::test(migrator = "app::db::MIGRATOR")]
async fn counts_that_differ_from_the_listings_are_found(pool: PgPool) {
    theme(&pool).await;
    assert_kept_listings_are_true(&pool).await;
    for tampering in [
        "UPDATE listing_totals SET post_count = post_count + 1 WHERE scope = 'all'",
        "DELETE FROM listing_months WHERE (scope, scope_id, month) IN
             (SELECT scope, scope_id, month FROM listing_months WHERE scope = 'tag' LIMIT 1)",
    ] {
        sqlx::query(tampering).execute(&pool).await.unwrap();
    }
    assert_eq!(counts_that_differ(&pool).await, 2);
}

#[sqlx::test(migrator = "app::db::MIGRATOR")]
async fn names_that_differ_from_the_filings_are_found(pool: PgPool) {
    theme(&pool).await;
    assert_kept_listings_are_true(&pool).await;
    for tampering in [
        "UPDATE post_names SET tags = '[]'
         WHERE post_id = (SELECT min(post_id) FROM post_tags)",
        "DELETE FROM post_names
         WHERE post_id = (SELECT min(post_id) FROM comments WHERE status = 'approved' AND kind = 'comment')",
    ] {
        sqlx::query(tampering).execute(&pool).await.unwrap();
    }
    assert_eq!(names_that_differ(&pool).await, 2);
}

#[sqlx::test(migrator = "app::db::MIGRATOR")]
async fn listings_follow_every_change(pool: PgPool) {
    theme(&pool).await;
    assert_kept_listings_are_true(&pool).await;
    let changes = [
        "UPDATE posts SET status = 'draft' WHERE slug = 'using-sassens-theory-to-explain-the-phenomenon-of-cluster'",
        "UPDATE posts SET status = 'trash' WHERE id = (SELECT min(id) FROM posts WHERE kind = 'post' AND author_id IS NOT NULL)",
        "UPDATE posts SET published_at = published_at - interval '3 years' WHERE slug = 'fu-hanqings-essay-question-the-final-one'",
        "UPDATE posts SET author_id = (SELECT min(id) FROM users) WHERE author_id IS NULL",
        "DELETE FROM post_tags WHERE tag_id = (SELECT id FROM tags WHERE slug = 'content')",
        "INSERT INTO post_tags (post_id, tag_id) SELECT p.id, t.id FROM posts p, tags t WHERE t.slug = '8bit' AND p.kind = 'post' ON CONFLICT DO NOTHING",
        "UPDATE categories SET parent_id = (SELECT id FROM categories WHERE slug = 'theory') WHERE slug = 'markup'",
        "UPDATE categories SET parent_id = NULL WHERE slug = 'child-1'",
        "DELETE FROM categories WHERE slug = 'parent'",
        "DELETE FROM tags WHERE slug = 'alignment-2'",
        "DELETE FROM posts WHERE slug = 'clip-shanghai-creative-industry-park'",
        "UPDATE posts SET status = 'published' WHERE kind = 'post' AND status = 'draft'",
        "UPDATE tags SET name = 'Eight bits' WHERE slug = '8bit'",
        "UPDATE categories SET name = 'Theories' WHERE slug = 'theory'",
        "UPDATE tags SET slug = slug || '-renamed' WHERE id = (SELECT max(tag_id) FROM post_tags) AND slug <> '8bit'",
        "UPDATE comments SET status = 'spam' WHERE id = (SELECT min(id) FROM comments WHERE status = 'approved')",
        "INSERT INTO comments (post_id, body, status) SELECT min(id), 'Seen.', 'approved' FROM posts WHERE kind = 'post'",
        "DELETE FROM comments WHERE id = (SELECT max(id) FROM comments WHERE status = 'approved')",
    ];
    for change in changes {
        sqlx::query(change)
            .execute(&pool)
            .await
            .unwrap_or_else(|error| panic!("{change}: {error}"));
        assert_kept_listings_are_true(&pool).await;
        check(&pool, PostFilter::default(), 10).await;
        check(&pool, filter(None, Some("8bit"), None, None, None), 10).await;
        check(&pool, filter(None, None, Some("theory"), None, None), 10).await;
        check(&pool, filter(None, None, Some("markup"), None, None), 10).await;
    }
    let renamed = list_posts(&pool, &filter(None, Some("8bit"), None, None, None), 1, 10)
        .await
        .unwrap()
        .unwrap();
    assert!(
        renamed.posts[0]
            .tags
            .iter()
            .any(|tag| tag.slug == "8bit" && tag.name == "Eight bits")
    );
}

/// Two writers file two posts under the same two tags, in opposite orders, at once. Were the
/// counts changed as each filing is made, each writer would hold one tag's count the other wants
/// next, and PostgreSQL would refuse one of the two saves as a deadlock. Counted at the commits,
/// both go through.
#[sqlx::test(migrator = "app::db::MIGRATOR")]
async fn writers_filing_under_the_same_tags_at_once_both_commit(pool: PgPool) {
    theme(&pool).await;
    let posts: Vec<i64> = sqlx::query_scalar(
        "SELECT post_id FROM post_listings WHERE scope = 'all' ORDER BY post_id LIMIT 2",
    )
    .fetch_all(&pool)
    .await
    .unwrap();
    let tags: Vec<i64> = sqlx::query_scalar(
        "INSERT INTO tags (slug, name) VALUES ('first-of-two', 'First'), ('second-of-two', 'Second')
         RETURNING id",
    )
    .fetch_all(&pool)
    .await
    .unwrap();
    async fn file(writer: &mut PgConnection, post: i64, tag: i64) -> sqlx::Result<()> {
        sqlx::query("INSERT INTO post_tags (post_id, tag_id) VALUES ($1, $2)")
            .bind(post)
            .bind(tag)
            .execute(writer)
            .await
            .map(drop)
    }
    let mut first = pool.begin().await.unwrap();
    let mut second = pool.begin().await.unwrap();
    file(&mut first, posts[0], tags[0]).await.unwrap();
    file(&mut second, posts[1], tags[1]).await.unwrap();
    let (first_filed, second_filed) = tokio::time::timeout(Duration::from_secs(30), async {
        tokio::join!(
            file(&mut first, posts[0], tags[1]),
            file(&mut second, posts[1], tags[0]),
        )
    })
    .await
    .expect("neither writer waits for the other before its commit");
    first_filed.expect("the first writer's second filing");
    second_filed.expect("the second writer's second filing");
    first.commit().await.unwrap();
    second.commit().await.unwrap();

    let counted: Vec<i32> = sqlx::query_scalar(
        "SELECT post_count FROM listing_totals WHERE scope = 'tag' AND scope_id = ANY($1)",
    )
    .bind(&tags)
    .fetch_all(&pool)
    .await
    .unwrap();
    assert_eq!(counted, [2, 2]);
    assert_kept_listings_are_true(&pool).await;
}

/// Runs `first` in a transaction, then `then` in a second one, and commits the first once the
/// second waits for a lock it holds (or after 5 s without): both must commit within 30 s.
async fn while_another_commits(pool: &PgPool, first: &'static str, then: &'static str) {
    let mut first_writer = pool.begin().await.unwrap();
    sqlx::query(first)
        .execute(&mut *first_writer)
        .await
        .unwrap();
    let mut second_writer = pool.begin().await.unwrap();
    let second_pid: i32 = sqlx::query_scalar("SELECT pg_backend_pid()")
        .fetch_one(&mut *second_writer)
        .await
        .unwrap();
    let commit_first_once_second_waits = async {
        for _ in 0..100 {
            let waiting: bool = sqlx::query_scalar(
                "SELECT coalesce(bool_or(wait_event_type = 'Lock'), false)
                 FROM pg_stat_activity WHERE pid = $1",
            )
            .bind(second_pid)
            .fetch_one(pool)
            .await
            .unwrap();
            if waiting {
                break;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        first_writer.commit().await
    };
    let (second, committed) = tokio::time::timeout(Duration::from_secs(30), async {
        tokio::join!(
            sqlx::query(then).execute(&mut *second_writer),
            commit_first_once_second_waits,
        )
    })
    .await
    .expect("both writers finish");
    committed.unwrap();
    second.unwrap();
    second_writer.commit().await.unwrap();
}

/// Two readers comment on one post at once: each counts the other's comment.
#[sqlx::test(migrator = "app::db::MIGRATOR")]
async fn comments_made_at_once_on_one_post_both_count(pool: PgPool) {
    theme(&pool).await;
    let comment = "INSERT INTO comments (post_id, body, status)
                   SELECT min(id), 'At once.', 'approved' FROM posts WHERE kind = 'post'";
    while_another_commits(&pool, comment, comment).await;
    assert_kept_listings_are_true(&pool).await;
}

/// A tag renamed while a post is filed under it: the post shows the new name.
#[sqlx::test(migrator = "app::db::MIGRATOR")]
async fn a_post_filed_while_its_tag_is_renamed_shows_the_new_name(pool: PgPool) {
    theme(&pool).await;
    while_another_commits(
        &pool,
        "UPDATE tags SET name = 'Eight bits' WHERE slug = '8bit'",
        "INSERT INTO post_tags (post_id, tag_id)
         SELECT p.id, t.id FROM posts p, tags t WHERE t.slug = '8bit' AND p.kind = 'post'
         ON CONFLICT DO NOTHING",
    )
    .await;
    assert_kept_listings_are_true(&pool).await;
}

/// `count` published posts, `generated-1` onwards, filed under a new tag `many` and a new category
/// `lots`.
async fn generated_posts_under_many_and_lots(pool: &PgPool, count: i32) {
    sqlx::query(
        "INSERT INTO posts (slug, title, status, published_at)
         SELECT 'generated-' || n, 'Generated ' || n, 'published', timestamptz '2010-01-01' + n * interval '1 hour'
         FROM generate_series(1, $1) n",
    )
    .bind(count)
    .execute(pool)
    .await
    .unwrap();
    for filing in [
        "WITH t AS (INSERT INTO tags (slug, name) VALUES ('many', 'many') RETURNING id)
         INSERT INTO post_tags (post_id, tag_id)
         SELECT p.id, t.id FROM posts p, t WHERE p.slug LIKE 'generated-%'",
        "WITH c AS (INSERT INTO categories (slug, name) VALUES ('lots', 'lots') RETURNING id)
         INSERT INTO post_categories (post_id, category_id)
         SELECT p.id, c.id FROM posts p, c WHERE p.slug LIKE 'generated-%'",
    ] {
        sqlx::query(filing).execute(pool).await.unwrap();
    }
}

/// A page of ten of the posts filed both under the tag `many` and the category `lots`.
async fn many_and_lots(pool: &PgPool, page: u32) -> PostListing {
    list_posts(
        pool,
        &filter(None, Some("many"), Some("lots"), None, None),
        page,
        10,
    )
    .await
    .unwrap()
    .unwrap()
}

/// A tag and a category of more posts than a rename rewrites itself: the renames only note them,
/// and their posts' names are rewritten a batch at a time, by two server processes at once, each
/// post's once.
#[sqlx::test(migrator = "app::db::MIGRATOR")]
async fn names_under_a_renamed_term_of_many_posts_are_rewritten_in_batches(pool: PgPool) {
    import_fixture(&pool, "demo.wxr").await.unwrap();
    let batch: i32 = sqlx::query_scalar("SELECT rename_batch()")
        .fetch_one(&pool)
        .await
        .unwrap();
    let many = batch + 500;
    generated_posts_under_many_and_lots(&pool, many).await;
    assert_kept_listings_are_true(&pool).await;

    for rename in [
        "UPDATE tags SET name = 'Many renamed' WHERE slug = 'many'",
        "UPDATE categories SET name = 'Lots renamed' WHERE slug = 'lots'",
    ] {
        sqlx::query(rename).execute(&pool).await.unwrap();
    }
    assert_eq!(
        names_that_differ(&pool).await,
        i64::from(many),
        "the names wait"
    );

    let mut rewritten = 0;
    let mut rounds = 0;
    loop {
        let (one, other) = tokio::join!(rewrite_renamed_names(&pool), rewrite_renamed_names(&pool));
        let round = one.unwrap() + other.unwrap();
        if round == 0 {
            break;
        }
        rewritten += round;
        rounds += 1;
        assert!(rounds <= 2 * many / batch + 2, "the rewrite ends");
    }
    assert_eq!(rewritten, 2 * many, "each post once under each term");
    assert!(rounds > 1, "in batches");
    assert_kept_listings_are_true(&pool).await;
    let waiting: i64 = sqlx::query_scalar("SELECT count(*) FROM renamed_terms")
        .fetch_one(&pool)
        .await
        .unwrap();
    assert_eq!(waiting, 0);
    let listed = many_and_lots(&pool, 1).await;
    let post = &listed.posts[0];
    assert_eq!(post.tags[0].name, "Many renamed");
    assert_eq!(post.categories[0].name, "Lots renamed");

    // A serving process rewrites them by itself, soon after the rename.
    let _server =
        ServerProcess::start(&["--no-demo"], &[("DATABASE_URL", database_url(&pool))]).await;
    sqlx::query("UPDATE tags SET name = 'Many again' WHERE slug = 'many'")
        .execute(&pool)
        .await
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(60);
    while names_that_differ(&pool).await > 0 {
        assert!(
            Instant::now() < deadline,
            "the server rewrote the names within a minute"
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

#[sqlx::test(migrator = "app::db::MIGRATOR")]
async fn scheduled_posts_are_published_when_due(pool: PgPool) {
    import_fixture(&pool, "demo.wxr").await.unwrap();
    let set = |query: &'static str| {
        let pool = pool.clone();
        async move { sqlx::query(query).execute(&pool).await.unwrap() }
    };
    let listed = |pool: PgPool| async move {
        list_posts(&pool, &PostFilter::default(), 1, 20)
            .await
            .unwrap()
            .unwrap()
            .posts
            .len()
    };
    set("UPDATE posts SET status = 'scheduled', published_at = now() + interval '1 hour' WHERE slug = 'the-trip-of-e-waste-recycling'").await;
    assert_eq!(listed(pool.clone()).await, 8);
    assert_eq!(publish_due_posts(&pool).await.unwrap(), 0, "not due yet");

    // Time passing changes no row: stand in for it with the trigger off for a moment.
    set("ALTER TABLE posts DISABLE TRIGGER posts_listed").await;
    set("UPDATE posts SET published_at = now() - interval '1 second' WHERE slug = 'the-trip-of-e-waste-recycling'").await;
    set("ALTER TABLE posts ENABLE TRIGGER posts_listed").await;
    assert_eq!(listed(pool.clone()).await, 8);

    // Every server process publishes what is due: of two at once, one publishes it.
    let (first, second) = tokio::join!(publish_due_posts(&pool), publish_due_posts(&pool));
    assert_eq!(first.unwrap() + second.unwrap(), 1, "published once");
    assert_eq!(listed(pool.clone()).await, 9);
    let status: String =
        sqlx::query_scalar("SELECT status FROM posts WHERE slug = 'the-trip-of-e-waste-recycling'")
            .fetch_one(&pool)
            .await
            .unwrap();
    assert_eq!(status, "published");
    assert_kept_listings_are_true(&pool).await;
}

#[sqlx::test(migrator = "app::db::MIGRATOR")]
async fn combined_counts_stop_at_the_cap(pool: PgPool) {
    import_fixture(&pool, "demo.wxr").await.unwrap();
    generated_posts_under_many_and_lots(&pool, COUNT_CAP as i32 + 50).await;
    let single = list_posts(&pool, &filter(None, Some("many"), None, None, None), 1, 10)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(single.total, Count::Exact(COUNT_CAP as u64 + 50));
    let combined = many_and_lots(&pool, 1).await;
    assert_eq!(
        combined.total,
        Count::MoreThan(COUNT_CAP as u64),
        "more than the cap"
    );
    assert!(combined.has_next());
    let past_reach = many_and_lots(&pool, COUNT_CAP as u32 / 10 + 1).await;
    assert!(
        past_reach.posts.is_empty(),
        "a combination pages through its newest {COUNT_CAP} posts only"
    );
    let deep = list_posts(&pool, &PostFilter::default(), 900, 10)
        .await
        .unwrap()
        .unwrap();
    let expected_deep = &expected(&pool, &PostFilter::default()).await[8990..9000];
    let got: Vec<&str> = deep.posts.iter().map(|post| post.slug.as_str()).collect();
    assert_eq!(got, expected_deep);
}

#[sqlx::test(migrator = "app::db::MIGRATOR")]
async fn combined_filters_read_a_bounded_part_of_their_narrowest_scope(pool: PgPool) {
    theme(&pool).await;
    let (author, author_id, tag, tag_id): (String, i64, String, i64) = sqlx::query_as(
        "SELECT u.slug, u.id, t.slug, t.id FROM posts p
         JOIN users u ON u.id = p.author_id
         JOIN post_tags pt ON pt.post_id = p.id JOIN tags t ON t.id = pt.tag_id
         WHERE p.status = 'published' ORDER BY p.published_at LIMIT 1",
    )
    .fetch_one(&pool)
    .await
    .unwrap();
    let both = filter(Some(&author), Some(&tag), None, None, None);
    let found = expected(&pool, &both).await;
    assert!(!found.is_empty());

    // The month counts say that both the author and the tag have many newer posts, of which
    // none has both: the scan stops in their newest month, short of the old posts.
    for (scope, id) in [("author", author_id), ("tag", tag_id)] {
        sqlx::query(
            "INSERT INTO listing_months (scope, scope_id, month, post_count)
             VALUES ($1, $2, date '2030-01-01', $3)",
        )
        .bind(scope)
        .bind(id)
        .bind(MAX_SCANNED_POSTS as i32 + 1)
        .execute(&pool)
        .await
        .unwrap();
    }
    let bounded = list_posts(&pool, &both, 1, 10).await.unwrap().unwrap();
    assert_eq!(bounded.total, Count::AtLeast(0));
    assert!(bounded.posts.is_empty());
    assert!(!bounded.has_next());

    let year = found_year(&pool, &found[0]).await;
    let within_year = filter(Some(&author), Some(&tag), None, Some(year), None);
    let listed = list_posts(&pool, &within_year, 1, 100)
        .await
        .unwrap()
        .unwrap();
    let slugs: Vec<String> = listed.posts.iter().map(|post| post.slug.clone()).collect();
    assert_eq!(
        slugs,
        expected(&pool, &within_year).await,
        "narrowed to a year"
    );
    assert!(
        matches!(listed.total, Count::Exact(_)),
        "{:?}",
        listed.total
    );
}

async fn found_year(pool: &PgPool, slug: &str) -> i32 {
    sqlx::query_scalar(
        "SELECT extract(year FROM published_at AT TIME ZONE 'UTC')::int FROM posts WHERE slug = $1",
    )
    .bind(slug)
    .fetch_one(pool)
    .await
    .unwrap()
}
