//! Which posts a listing shows, and the address of every listing: the one grammar that pages,
//! pagination links, feeds, the sitemap and the JSON API all write and read.
//!
//! Any combination of author, tag, category, year and month narrows a listing. A filter with one
//! part has an address of its own (`/tag/{slug}`, `/archive/2009/04`…); any other combination
//! lives at `/posts?author=…&tag=…`, so that every state can be shared, reloaded and reached
//! with the back button. A page past the first adds `page=N`. [`PostFilter::href`] writes an
//! address, [`PostFilter::from_address`] reads it back; [`PostFilter::parse_query`] reads the
//! query parameters the JSON API and feeds take, saying what is wrong with them.

use percent_encoding::percent_decode_str;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct PostFilter {
    pub author: Option<String>,
    pub tag: Option<String>,
    pub category: Option<String>,
    pub year: Option<i32>,
    pub month: Option<u32>,
}

/// The most posts a combination of filters (two or more of author, tag and category) pages
/// through. Such a listing finds its posts by walking the smallest part's posts and checking
/// the others for each, so a deeper page would cost each request a longer walk; narrowing the
/// combination to a year or a month reaches older posts.
pub const MAX_COMBINED_POSTS: u64 = 10_000;

/// What is wrong with the parameters of a listing, in words for the person who wrote them.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct FilterError(pub String);

/// A whole number from `range`, or `None` when `value` is missing; the parameter's `name` and
/// value are in the error.
pub fn parse_number(
    name: &str,
    value: Option<&str>,
    range: std::ops::RangeInclusive<u32>,
) -> Result<Option<u32>, FilterError> {
    let Some(value) = value else { return Ok(None) };
    value
        .trim()
        .parse::<u32>()
        .ok()
        .filter(|number| range.contains(number))
        .map(Some)
        .ok_or_else(|| {
            FilterError(format!(
                "`{name}` must be a whole number from {} to {}, not “{value}”",
                range.start(),
                range.end()
            ))
        })
}

/// The filter's parts, as they appear in a query string.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Part {
    Author,
    Tag,
    Category,
    /// The year, and with it the month.
    Year,
    Month,
}

impl PostFilter {
    /// Reads `author`, `tag`, `category`, `year` and `month` from query parameters; an error says
    /// which number no listing can have and why (an empty one included). A name (slug) is taken
    /// as it is, an empty one as none: one that names nothing is a listing not found.
    pub fn parse_query(get: impl Fn(&str) -> Option<String>) -> Result<Self, FilterError> {
        let text = |key: &str| {
            get(key)
                .map(|value| value.trim().to_string())
                .filter(|value| !value.is_empty())
        };
        let year = parse_number("year", get("year").as_deref(), 1..=9999)?;
        let month = parse_number("month", get("month").as_deref(), 1..=12)?;
        if month.is_some() && year.is_none() {
            return Err(FilterError("`month` needs a `year`".to_string()));
        }
        Ok(PostFilter {
            author: text("author"),
            tag: text("tag"),
            category: text("category"),
            year: year.map(|year| year as i32),
            month,
        })
    }

    /// [`PostFilter::parse_query`], for pages: `None` for any mistake, and for a name no listing
    /// can have, which are pages not found.
    pub fn from_query(get: impl Fn(&str) -> Option<String>) -> Option<Self> {
        Self::parse_query(get).ok().filter(PostFilter::is_valid)
    }

    /// The listing and page that an address [`PostFilter::href`] writes stands for: `/`,
    /// `/tag/{slug}`, `/category/{slug}`, `/author/{slug}`, `/archive/{year}`,
    /// `/archive/{year}/{month}` or `/posts?…`, each with `?page=N` past the first page. `None`
    /// for an address of no listing, or a filter or page no listing has.
    pub fn from_address(address: &str) -> Option<(PostFilter, u32)> {
        let (path, query) = address.split_once('?').unwrap_or((address, ""));
        let pairs: Vec<(String, String)> = form_urlencoded::parse(query.as_bytes())
            .into_owned()
            .collect();
        let get = |key: &str| {
            pairs
                .iter()
                .find(|(name, _)| name == key)
                .map(|(_, value)| value.clone())
        };
        let page = match get("page") {
            None => 1,
            Some(page) => page.trim().parse::<u32>().ok().filter(|page| *page >= 1)?,
        };
        let segments = path
            .split('/')
            .filter(|segment| !segment.is_empty())
            .map(|segment| Some(percent_decode_str(segment).decode_utf8().ok()?.into_owned()))
            .collect::<Option<Vec<String>>>()?;
        let only = |part: Part, slug: &str| PostFilter::default().with(part, slug);
        let filter = match segments.as_slice() {
            [] => PostFilter::default(),
            [posts] if posts == "posts" => PostFilter::from_query(get)?,
            [kind, slug] if kind == "tag" => only(Part::Tag, slug),
            [kind, slug] if kind == "category" => only(Part::Category, slug),
            [kind, slug] if kind == "author" => only(Part::Author, slug),
            [archive, year] if archive == "archive" => {
                PostFilter::from_query(|key| (key == "year").then(|| year.clone()))?
            }
            [archive, year, month] if archive == "archive" => {
                PostFilter::from_query(|key| match key {
                    "year" => Some(year.clone()),
                    "month" => Some(month.clone()),
                    _ => None,
                })?
            }
            _ => return None,
        };
        filter.is_valid().then_some((filter, page))
    }

    /// Whether a listing can have this filter: a month needs a year, both in range, and no
    /// slug holds a NUL character (which no stored text can).
    pub fn is_valid(&self) -> bool {
        let slugs_ok = [&self.author, &self.tag, &self.category]
            .into_iter()
            .flatten()
            .all(|slug| !slug.contains('\0'));
        let year_ok = self.year.is_none_or(|year| (1..=9999).contains(&year));
        let month_ok = match self.month {
            Some(month) => self.year.is_some() && (1..=12).contains(&month),
            None => true,
        };
        slugs_ok && year_ok && month_ok
    }

    pub fn is_empty(&self) -> bool {
        *self == PostFilter::default()
    }

    /// Whether two or more of author, tag and category narrow the listing together.
    pub fn is_combined(&self) -> bool {
        [&self.author, &self.tag, &self.category]
            .into_iter()
            .filter(|part| part.is_some())
            .count()
            > 1
    }

    /// Whether page `page` (from 1) of `per_page` posts starts past the posts this listing
    /// reaches: for a combination of filters, its newest [`MAX_COMBINED_POSTS`].
    pub fn is_beyond_reach(&self, page: u32, per_page: u32) -> bool {
        let skipped = u64::from(page.saturating_sub(1)) * u64::from(per_page);
        self.is_combined() && skipped >= MAX_COMBINED_POSTS
    }

    pub fn with(&self, part: Part, value: &str) -> PostFilter {
        let mut filter = self.clone();
        match part {
            Part::Author => filter.author = Some(value.to_string()),
            Part::Tag => filter.tag = Some(value.to_string()),
            Part::Category => filter.category = Some(value.to_string()),
            Part::Year => filter.year = value.parse().ok(),
            Part::Month => filter.month = value.parse().ok(),
        }
        filter
    }

    pub fn without(&self, part: Part) -> PostFilter {
        let mut filter = self.clone();
        match part {
            Part::Author => filter.author = None,
            Part::Tag => filter.tag = None,
            Part::Category => filter.category = None,
            Part::Year => {
                filter.year = None;
                filter.month = None;
            }
            Part::Month => filter.month = None,
        }
        filter
    }

    /// The address of page `page` of this listing.
    pub fn href(&self, page: u32) -> String {
        let base = self.path();
        match (page > 1, base.contains('?')) {
            (false, _) => base,
            (true, false) => format!("{base}?page={page}"),
            (true, true) => format!("{base}&page={page}"),
        }
    }

    /// The address of this listing's RSS feed.
    pub fn feed_href(&self) -> String {
        let path = self.path();
        match path.split_once('?') {
            Some((_, query)) => format!("/feed.xml?{query}"),
            None if path == "/" => "/feed.xml".to_string(),
            None => format!("{path}/feed.xml"),
        }
    }

    fn path(&self) -> String {
        let only = |part: &Option<String>| {
            let others = [&self.author, &self.tag, &self.category]
                .into_iter()
                .filter(|other| other.is_some())
                .count();
            others == 1 && part.is_some() && self.year.is_none()
        };
        match self {
            _ if self.is_empty() => "/".to_string(),
            PostFilter {
                author: Some(slug), ..
            } if only(&self.author) => format!("/author/{}", escape_url_part(slug)),
            PostFilter {
                tag: Some(slug), ..
            } if only(&self.tag) => format!("/tag/{}", escape_url_part(slug)),
            PostFilter {
                category: Some(slug),
                ..
            } if only(&self.category) => format!("/category/{}", escape_url_part(slug)),
            PostFilter {
                author: None,
                tag: None,
                category: None,
                year: Some(year),
                month: None,
            } => {
                format!("/archive/{year}")
            }
            PostFilter {
                author: None,
                tag: None,
                category: None,
                year: Some(year),
                month: Some(month),
            } => {
                format!("/archive/{year}/{month:02}")
            }
            _ => {
                let pairs = [
                    ("author", self.author.clone()),
                    ("tag", self.tag.clone()),
                    ("category", self.category.clone()),
                    ("year", self.year.map(|year| year.to_string())),
                    ("month", self.month.map(|month| month.to_string())),
                ];
                let query: Vec<String> = pairs
                    .into_iter()
                    .filter_map(|(key, value)| {
                        value.map(|value| format!("{key}={}", escape_url_part(&value)))
                    })
                    .collect();
                format!("/posts?{}", query.join("&"))
            }
        }
    }
}

/// The address of a post.
pub fn post_href(slug: &str) -> String {
    format!("/posts/{}", escape_url_part(slug))
}

/// The address of a page.
pub fn page_href(slug: &str) -> String {
    format!("/pages/{}", escape_url_part(slug))
}

/// Percent-encodes what may not stand in a URL's path or query part as it is. Letters of every
/// script stay readable in the source (a Chinese tag's address reads as Chinese, as in
/// WordPress); browsers encode them on the wire. Written here rather than with the
/// `percent-encoding` crate, which escapes every byte outside ASCII.
pub fn escape_url_part(text: &str) -> String {
    let mut encoded = String::with_capacity(text.len());
    for c in text.chars() {
        if c.is_alphanumeric() || matches!(c, '-' | '_' | '.' | '~') {
            encoded.push(c);
        } else {
            let mut bytes = [0; 4];
            for byte in c.encode_utf8(&mut bytes).bytes() {
                encoded.push_str(&format!("%{byte:02X}"));
            }
        }
    }
    encoded
}

#[cfg(test)]
mod tests {
    use super::*;

    fn filter(pairs: &[(&str, &str)]) -> Option<PostFilter> {
        PostFilter::from_query(|key| {
            pairs
                .iter()
                .find(|(k, _)| *k == key)
                .map(|(_, v)| v.to_string())
        })
    }

    #[test]
    fn single_parts_have_addresses_of_their_own() {
        assert_eq!(PostFilter::default().href(1), "/");
        assert_eq!(PostFilter::default().href(3), "/?page=3");
        let tag = PostFilter::default().with(Part::Tag, "8bit");
        assert_eq!(tag.href(1), "/tag/8bit");
        assert_eq!(tag.href(2), "/tag/8bit?page=2");
        assert_eq!(tag.feed_href(), "/tag/8bit/feed.xml");
        let month = PostFilter {
            year: Some(2009),
            month: Some(4),
            ..PostFilter::default()
        };
        assert_eq!(month.href(1), "/archive/2009/04");
        assert_eq!(month.without(Part::Month).href(1), "/archive/2009");
    }

    #[test]
    fn combinations_live_under_posts() {
        let both = PostFilter::default()
            .with(Part::Tag, "t")
            .with(Part::Author, "a");
        assert_eq!(both.href(2), "/posts?author=a&tag=t&page=2");
        assert_eq!(both.feed_href(), "/feed.xml?author=a&tag=t");
        assert_eq!(both.without(Part::Author).href(1), "/tag/t");
        let dated = PostFilter {
            tag: Some("t".into()),
            year: Some(2009),
            month: Some(4),
            ..PostFilter::default()
        };
        assert_eq!(dated.href(1), "/posts?tag=t&year=2009&month=4");
        assert_eq!(dated.without(Part::Year).href(1), "/tag/t");
    }

    #[test]
    fn query_strings_are_read_and_checked() {
        let read = filter(&[("tag", "t"), ("year", "2009"), ("month", "4")]).unwrap();
        assert_eq!(
            read,
            PostFilter {
                tag: Some("t".into()),
                year: Some(2009),
                month: Some(4),
                ..Default::default()
            }
        );
        assert_eq!(filter(&[("month", "4")]), None, "a month needs a year");
        assert_eq!(filter(&[("year", "2009"), ("month", "13")]), None);
        assert_eq!(filter(&[("year", "abc")]), None);
        assert_eq!(filter(&[("tag", "  ")]), Some(PostFilter::default()));
        assert_eq!(filter(&[("tag", "a\0b")]), None);
    }

    #[test]
    fn mistakes_in_query_parameters_are_named() {
        let error = |pairs: &[(&str, &str)]| {
            PostFilter::parse_query(|key| {
                pairs
                    .iter()
                    .find(|(k, _)| *k == key)
                    .map(|(_, v)| v.to_string())
            })
            .unwrap_err()
            .to_string()
        };
        assert_eq!(
            error(&[("year", "x")]),
            "`year` must be a whole number from 1 to 9999, not “x”"
        );
        assert_eq!(error(&[("month", "4")]), "`month` needs a `year`");
        assert_eq!(
            error(&[("year", "2009"), ("month", "")]),
            "`month` must be a whole number from 1 to 12, not “”"
        );
    }

    #[test]
    fn addresses_are_read_back() {
        let read = PostFilter::from_address;
        assert_eq!(read("/"), Some((PostFilter::default(), 1)));
        assert_eq!(read("/?page=3"), Some((PostFilter::default(), 3)));
        assert_eq!(
            read("/tag/%E6%85%88%E6%BA%AA?page=2"),
            Some((PostFilter::default().with(Part::Tag, "慈溪"), 2))
        );
        assert_eq!(
            read("/archive/2009/04"),
            Some((
                PostFilter {
                    year: Some(2009),
                    month: Some(4),
                    ..PostFilter::default()
                },
                1
            ))
        );
        assert_eq!(
            read("/posts?author=a&tag=t%20u&page=2"),
            Some((
                PostFilter::default()
                    .with(Part::Author, "a")
                    .with(Part::Tag, "t u"),
                2
            ))
        );
        for wrong in [
            "/tag",
            "/tag/a/b",
            "/archive/2009/13",
            "/archive/x",
            "/posts?month=4",
            "/?page=0",
            "/?page=x",
            "/nothing",
        ] {
            assert_eq!(read(wrong), None, "{wrong}");
        }
    }

    #[test]
    fn slugs_are_encoded_where_needed() {
        assert_eq!(escape_url_part("慈溪"), "慈溪");
        assert_eq!(escape_url_part("a b&c"), "a%20b%26c");
    }
}
