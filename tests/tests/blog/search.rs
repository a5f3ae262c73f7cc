//! Full-text search in English and Chinese, through the query layer and through the page.

use app::db::search::search_posts;
use app::model::Count;
use integration_tests::{TestApp, import_fixture};
use sqlx::PgPool;

#[sqlx::test(migrator = "app::db::MIGRATOR")]
async fn chinese_words_find_the_posts_that_hold_them(pool: PgPool) {
    import_fixture(&pool, "demo.wxr").await.unwrap();
    let results = search_posts(&pool, "慈溪", 1, Some(10)).await.unwrap();
    assert_eq!(results.total, Count::Exact(1));
    let hit = &results.hits[0];
    assert_eq!(
        hit.post.slug,
        "some-notes-from-government-report-of-renewable-resource-recycling-planning-in-ningbo-cixi"
    );
    assert!(
        hit.excerpt
            .iter()
            .any(|part| part.matched && part.text == "慈溪"),
        "{:?}",
        hit.excerpt
    );

    let apart = search_posts(&pool, "溪慈", 1, Some(10)).await.unwrap();
    assert_eq!(
        apart.total,
        Count::Exact(0),
        "the two characters in the other order are another word"
    );
    let single = search_posts(&pool, "慈", 1, Some(10)).await.unwrap();
    assert!(
        single.total.value() >= 1,
        "a single character finds posts too"
    );
}

#[sqlx::test(migrator = "app::db::MIGRATOR")]
async fn english_words_match_their_other_forms_best_first(pool: PgPool) {
    import_fixture(&pool, "demo.wxr").await.unwrap();
    let results = search_posts(&pool, "recycled", 1, Some(10)).await.unwrap();
    assert!(
        results.total.value() >= 3,
        "recycled, recycling: {results:?}"
    );
    let title = |index: usize| results.hits[index].post.name.to_lowercase();
    assert!(
        title(0).contains("recycling"),
        "a match in the title ranks first: {:?}",
        results.hits
    );
    for hit in &results.hits {
        let in_title = hit.post.name.to_lowercase().contains("recycl");
        assert!(
            in_title || hit.excerpt.iter().any(|part| part.matched),
            "{hit:?}"
        );
    }
    let plural = search_posts(&pool, "clusters", 1, Some(10)).await.unwrap();
    let singular = search_posts(&pool, "cluster", 1, Some(10)).await.unwrap();
    assert_eq!(plural.total, singular.total);
    assert!(singular.total.value() >= 3);
    assert_eq!(
        search_posts(&pool, "zeppelin", 1, Some(10))
            .await
            .unwrap()
            .total,
        Count::Exact(0)
    );
}

#[sqlx::test(migrator = "app::db::MIGRATOR")]
async fn hidden_posts_are_never_found(pool: PgPool) {
    import_fixture(&pool, "demo.wxr").await.unwrap();
    sqlx::query("UPDATE posts SET status = 'draft' WHERE slug LIKE 'some-notes-from-government%'")
        .execute(&pool)
        .await
        .unwrap();
    assert_eq!(
        search_posts(&pool, "慈溪", 1, Some(10))
            .await
            .unwrap()
            .total,
        Count::Exact(0)
    );
}

#[sqlx::test(migrator = "app::db::MIGRATOR")]
async fn the_search_page_answers_every_kind_of_query(pool: PgPool) {
    import_fixture(&pool, "demo.wxr").await.unwrap();
    let app = TestApp::spawn(pool).await;

    let (status, html) = app.get("/search?q=%E6%85%88%E6%BA%AA").await;
    assert_eq!(status, 200);
    assert!(html.contains("1 post found for “慈溪”."), "{html}");
    assert!(html.contains("<mark>慈溪</mark>"));

    let (status, html) = app.get("/search?q=").await;
    assert_eq!(status, 200);
    assert!(html.contains("Type a word or two to look for"));

    let long = "word%20".repeat(60);
    let (status, html) = app.get(&format!("/search?q={long}")).await;
    assert_eq!(status, 200);
    assert!(html.contains("That search is too long"));

    let (_, html) = app.get("/search?q=%21%21%21").await;
    assert!(html.contains("That search has no words to look for"));

    let (_, html) = app.get("/search?q=zeppelin").await;
    assert!(html.contains("Nothing found for “zeppelin”."));

    let (_, html) = app.get("/search?q=%3Cscript%3Ealert(1)%3C/script%3E").await;
    assert!(
        !html.contains("<script>alert(1)"),
        "the query is shown as text"
    );

    assert_eq!(app.get("/search?q=cluster&page=9").await.0, 404);
}
