//! Numbers in addresses: whatever stands where an address expects a number (any integer, one
//! too large for any integer type, a negative one, or no number at all), the answer is 200 when
//! it names something, else 404 for pages, feeds, sitemaps and images and 400 for the JSON API's
//! parameters; never a server error. Every route that reads a number is asked with the usual
//! suspects and with arbitrary values.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::sync::Arc;
use std::time::Duration;

use app::db::{listings, search};
use app::filter::PostFilter;
use app::model::Role;
use integration_tests::{TestApp, account_with_token, import_fixture};
use proptest::prelude::*;
use proptest::test_runner::{Config, TestCaseError, TestRunner};
use sqlx::PgPool;

/// Values that have broken number parsing and arithmetic somewhere before.
const SUSPECTS: [&str; 35] = [
    "0",
    "1",
    "2",
    "-1",
    "-0",
    "+1",
    "01",
    "2009",
    "9999",
    "10000",
    "2147483647",
    "2147483648",
    "-2147483649",
    "4294967295",
    "4294967296",
    "9223372036854775807",
    "9223372036854775808",
    "-9223372036854775808",
    "18446744073709551616",
    "999999999999999",
    "99999999999999999999999999999999",
    "1e3",
    "0x10",
    "1.5",
    "abc",
    "NaN",
    "--1",
    "+-1",
    "1_000",
    "١٢",
    ".",
    "..",
    "%2e",
    "%2E%2e",
    "1\\..",
];

/// Arbitrary text where a number is expected, mostly numbers.
fn number_text() -> impl Strategy<Value = String> {
    prop_oneof![
        any::<i64>().prop_map(|n| n.to_string()),
        any::<u64>().prop_map(|n| n.to_string()),
        (0i64..=30).prop_map(|n| n.to_string()),
        (1990i64..=2030).prop_map(|n| n.to_string()),
        "[0-9]{12,40}",
        "-[0-9]{1,40}",
        "[+]?0{0,3}[0-9]{1,5}",
        "[A-Za-z0-9+._-]{1,12}",
    ]
}

/// What a route answers for a given number.
type Oracle = Arc<dyn Fn(&str) -> u16 + Send + Sync>;

struct Route {
    method: &'static str,
    /// The address, with `{}` where the number goes.
    template: String,
    expect: Oracle,
    /// Signed in as an administrator, through an API token.
    signed_in: bool,
    body: &'static str,
}

fn route(
    template: impl Into<String>,
    expect: impl Fn(&str) -> u16 + Send + Sync + 'static,
) -> Route {
    Route {
        method: "GET",
        template: template.into(),
        expect: Arc::new(expect),
        signed_in: false,
        body: "",
    }
}

/// Every character but letters and digits percent-encoded, for a query string.
fn encoded(text: &str) -> String {
    text.bytes()
        .map(|byte| {
            if byte.is_ascii_alphanumeric() {
                (byte as char).to_string()
            } else {
                format!("%{byte:02X}")
            }
        })
        .collect()
}

/// Expected of addresses whose numbers may lead anywhere (a redirect, a page, a 404): any answer
/// but a server error.
const NOT_AN_ERROR: u16 = 1;

fn status_if(found: bool, otherwise: u16) -> u16 {
    if found { 200 } else { otherwise }
}

fn in_range<T: std::str::FromStr + PartialOrd>(
    text: &str,
    range: std::ops::RangeInclusive<T>,
) -> bool {
    text.parse::<T>()
        .is_ok_and(|number| range.contains(&number))
}

/// The status of `method path`, sent byte for byte as given; 0 when the connection closes
/// without an answer.
fn status(address: &str, method: &str, path: &str, token: Option<&str>, body: &str) -> u16 {
    let mut stream = TcpStream::connect(address).expect("the app listens");
    stream
        .set_read_timeout(Some(Duration::from_secs(60)))
        .unwrap();
    // Tokens act on the JSON API; pages know the session that `account_with_token` starts.
    let authorization = match token {
        Some(token) if path.starts_with("/api/") => format!("Authorization: Bearer {token}\r\n"),
        Some(token) => format!("Cookie: fieldnotes_session={token}\r\n"),
        None => String::new(),
    };
    write!(
        stream,
        "{method} {path} HTTP/1.1\r\nHost: {address}\r\n{authorization}\
         Content-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    )
    .unwrap();
    let mut answer = Vec::new();
    stream
        .read_to_end(&mut answer)
        .unwrap_or_else(|error| panic!("{method} {path}: {error}"));
    String::from_utf8_lossy(&answer[..answer.len().min(12)])
        .strip_prefix("HTTP/1.1 ")
        .and_then(|status| status.parse().ok())
        .unwrap_or(0)
}

async fn last_page(pool: &PgPool, filter: &PostFilter, per_page: u32) -> u32 {
    listings::list_posts(pool, filter, 1, per_page)
        .await
        .unwrap()
        .expect("the filter names what exists")
        .last_page()
        .max(1)
}

async fn routes(pool: &PgPool) -> Vec<Route> {
    let (tag, author): (String, String) = sqlx::query_as(
        "SELECT t.slug, u.slug FROM post_tags pt
         JOIN tags t ON t.id = pt.tag_id JOIN posts p ON p.id = pt.post_id
         JOIN users u ON u.id = p.author_id
         WHERE p.status = 'published'
         GROUP BY t.slug, u.slug ORDER BY count(*) DESC, t.slug LIMIT 1",
    )
    .fetch_one(pool)
    .await
    .unwrap();
    let months: Arc<Vec<(i32, u32)>> = Arc::new(
        listings::archive_months(pool)
            .await
            .unwrap()
            .iter()
            .map(|month| (month.year, month.month))
            .collect(),
    );
    // Posts and pages alike are written in the editor.
    let editable_ids: Arc<Vec<i64>> = Arc::new(
        sqlx::query_scalar("SELECT id FROM posts")
            .fetch_all(pool)
            .await
            .unwrap(),
    );
    let comment_ids: Arc<Vec<i64>> = Arc::new(
        sqlx::query_scalar("SELECT id FROM comments")
            .fetch_all(pool)
            .await
            .unwrap(),
    );
    let combined = PostFilter {
        tag: Some(tag.clone()),
        author: Some(author.clone()),
        ..PostFilter::default()
    };
    let per_page = app::db::site::posts_per_page(pool).await.unwrap();
    let every_post = last_page(pool, &PostFilter::default(), per_page).await;
    let tagged = last_page(
        pool,
        &PostFilter::default().with(app::filter::Part::Tag, &tag),
        per_page,
    )
    .await;
    let of_2009 = PostFilter {
        year: Some(2009),
        ..PostFilter::default()
    };
    let year_pages = last_page(pool, &of_2009, per_page).await;
    let combined_pages = last_page(pool, &combined, per_page).await;
    let word = "recycling";
    let found = search::search_posts(pool, word, 1, Some(per_page))
        .await
        .unwrap();
    let search_pages = found.last_page().max(1);
    let deepest_combined_api_page = (app::filter::MAX_COMBINED_POSTS / 100) as u32;
    let deepest_search_api_page = (search::SEARCH_CAP / 10) as u32;

    let year = |n: &str| in_range(n, 1..=9999i32);
    let month = |n: &str| in_range(n, 1..=12u32);
    let page_of = move |last: u32| move |n: &str| status_if(in_range(n, 1..=last), 404);
    let mut routes = vec![
        route("/archive/{}", move |n| status_if(year(n), 404)),
        route("/archive/2009/{}", move |n| status_if(month(n), 404)),
        route("/archive/{}/feed.xml", move |n| status_if(year(n), 404)),
        route("/archive/{}/atom.xml", move |n| status_if(year(n), 404)),
        route("/archive/2009/{}/feed.xml", move |n| {
            status_if(month(n), 404)
        }),
        route("/archive/2009/{}/atom.xml", move |n| {
            status_if(month(n), 404)
        }),
        route("/posts?year={}", move |n| status_if(year(n), 404)),
        route("/posts?year=2009&month={}", move |n| {
            status_if(month(n), 404)
        }),
        route("/feed.xml?year={}", move |n| status_if(year(n), 404)),
        route("/atom.xml?year=2009&month={}", move |n| {
            status_if(month(n), 404)
        }),
        route("/?page={}", page_of(every_post)),
        route(format!("/tag/{tag}?page={{}}"), page_of(tagged)),
        route("/archive/2009?page={}", page_of(year_pages)),
        route(
            format!("/posts?tag={tag}&author={author}&page={{}}"),
            page_of(combined_pages),
        ),
        route(format!("/search?q={word}&page={{}}"), page_of(search_pages)),
        route("/sitemaps/posts/{}-04.xml", {
            let months = months.clone();
            move |n| {
                status_if(
                    n.parse::<i32>().is_ok_and(|y| months.contains(&(y, 4))),
                    404,
                )
            }
        }),
        route("/sitemaps/posts/2009-{}.xml", {
            let months = months.clone();
            move |n| {
                status_if(
                    n.parse::<u32>().is_ok_and(|m| months.contains(&(2009, m))),
                    404,
                )
            }
        }),
        // Each month's posts fit one sitemap: no second part exists.
        route("/sitemaps/posts/2009-04-{}.xml", |_| 404),
        route("/media/{}/picture.png", |_| 404),
        route("/api/v1/posts?page={}", |n| {
            status_if(in_range(n, 1..=10_000_000u32), 400)
        }),
        route("/api/v1/posts?per_page={}", |n| {
            status_if(in_range(n, 1..=100u32), 400)
        }),
        route("/api/v1/posts?year={}", |n| {
            status_if(in_range(n, 1..=9999u32), 400)
        }),
        route("/api/v1/posts?year=2009&month={}", |n| {
            status_if(in_range(n, 1..=12u32), 400)
        }),
        route(
            format!("/api/v1/posts?tag={tag}&author={author}&per_page=100&page={{}}"),
            move |n| status_if(in_range(n, 1..=deepest_combined_api_page), 400),
        ),
        route(format!("/api/v1/posts?q={word}&page={{}}"), move |n| {
            status_if(in_range(n, 1..=deepest_search_api_page), 400)
        }),
    ];
    // WordPress's own addresses, answered with redirects to the addresses here.
    for template in [
        "/?p={}",
        "/?page_id={}",
        "/page/{}/",
        "/{}/04/",
        "/2009/{}/",
        "/2009/04/{}/",
        "/category/uncategorized/page/{}/",
    ] {
        routes.push(route(template, |_| NOT_AN_ERROR));
    }
    for template in ["/dashboard?before={}", "/dashboard/comments?before={}"] {
        routes.push(Route {
            signed_in: true,
            ..route(template, |_| 200)
        });
    }
    for template in ["/write/{}", "/write/{}/revisions", "/preview/{}"] {
        let editable_ids = editable_ids.clone();
        routes.push(Route {
            signed_in: true,
            ..route(template, move |n| {
                status_if(
                    n.parse::<i64>().is_ok_and(|id| editable_ids.contains(&id)),
                    404,
                )
            })
        });
    }
    routes.push(Route {
        method: "PUT",
        signed_in: true,
        body: r#"{"status":"approved"}"#,
        ..route("/api/v1/comments/{}/status", move |n| {
            match n.parse::<i64>() {
                Ok(id) if comment_ids.contains(&id) => 200,
                // Not a comment this person moderates: there is none.
                Ok(_) => 403,
                Err(_) => 400,
            }
        })
    });
    routes
}

/// Asks `route` with `number`; `Err` with what went wrong when the answer is not the expected one.
fn check(address: &str, token: &str, route: &Route, number: &str) -> Result<(), String> {
    let is_query = route.template.contains("={}");
    let text = if is_query {
        encoded(number)
    } else {
        number
            .bytes()
            .map(|byte| match byte {
                0x80.. => format!("%{byte:02X}"),
                _ => (byte as char).to_string(),
            })
            .collect()
    };
    let path = route.template.replace("{}", &text);
    let got = status(
        address,
        route.method,
        &path,
        route.signed_in.then_some(token),
        route.body,
    );
    // A `.` or `..` segment is no address of anything, whatever the route would make of it.
    let has_dot_segment = path
        .split(['?', '#'])
        .next()
        .unwrap_or_default()
        .split(['/', '\\'])
        .any(|segment| {
            matches!(
                segment.to_lowercase().as_str(),
                "." | ".." | "%2e" | "%2e%2e"
            )
        });
    let want = if has_dot_segment {
        404
    } else {
        (route.expect)(number)
    };
    if got == want || (want == NOT_AN_ERROR && (200..500).contains(&got)) {
        Ok(())
    } else {
        Err(format!(
            "{} {path} answered {got}, not {want}",
            route.method
        ))
    }
}

#[sqlx::test(migrator = "app::db::MIGRATOR")]
async fn numbers_in_addresses_are_found_or_not_never_errors(pool: PgPool) {
    import_fixture(&pool, "demo.wxr").await.unwrap();
    import_fixture(&pool, "themeunittestdata.wordpress.xml")
        .await
        .unwrap();
    let token = account_with_token(&pool, "root@example.org", "Root", Role::Admin)
        .await
        .1;
    let routes = routes(&pool).await;
    let app = TestApp::spawn(pool).await;
    let address = app.address.trim_start_matches("http://").to_string();
    tokio::task::spawn_blocking(move || {
        let mut wrong = Vec::new();
        for route in &routes {
            for number in SUSPECTS {
                if let Err(error) = check(&address, &token, route, number) {
                    wrong.push(error);
                }
            }
        }
        assert!(wrong.is_empty(), "{}", wrong.join("\n"));
        let config = Config {
            cases: 300,
            failure_persistence: None,
            ..Config::default()
        };
        TestRunner::new(config)
            .run(&(0..routes.len(), number_text()), |(index, number)| {
                check(&address, &token, &routes[index], &number).map_err(TestCaseError::fail)
            })
            .unwrap_or_else(|failure| panic!("{failure}"));
    })
    .await
    .unwrap();
}

fn slug() -> impl Strategy<Value = String> {
    "[a-z0-9慈溪宁波 &%/?+#.-]{1,12}"
        .prop_filter("a slug has a letter or digit and no edge spaces", |slug| {
            slug.trim() == slug && slug.chars().any(char::is_alphanumeric)
        })
}

fn post_filter() -> impl Strategy<Value = PostFilter> {
    (
        proptest::option::of(slug()),
        proptest::option::of(slug()),
        proptest::option::of(slug()),
        proptest::option::of((1..=9999i32, proptest::option::of(1..=12u32))),
    )
        .prop_map(|(author, tag, category, date)| PostFilter {
            author,
            tag,
            category,
            year: date.map(|(year, _)| year),
            month: date.and_then(|(_, month)| month),
        })
}

proptest! {
    /// Every listing's address, as pages, pagination, feeds and the sitemap write it, reads back
    /// as the same listing and page.
    #[test]
    fn listing_addresses_read_back_as_written(filter in post_filter(), page in 1..=100_000u32) {
        let address = filter.href(page);
        prop_assert_eq!(PostFilter::from_address(&address), Some((filter, page)), "{}", address);
    }
}
