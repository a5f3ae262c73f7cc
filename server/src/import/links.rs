//! Links inside imported bodies that lead to the old WordPress site's own posts, pages,
//! categories, tags and archives are rewritten to where those are here, so that a moved blog
//! does not point its readers back at a site that may soon be gone. Links anywhere else, and
//! links to the old site's files (its uploaded images), are left as they are.
//!
//! Bodies are stored as the HTML sanitizer writes them: every link is `href="…"` inside a tag,
//! with `&` written `&amp;` and no `"` in the address. Scanning for that one form finds every
//! link without parsing the HTML again.

use std::collections::HashMap;

use super::wxr::Channel;

const HREF: &str = "href=\"";

/// The old site, as the export's channel names it.
#[derive(Debug, Clone)]
pub struct OldSite {
    /// Its host names, in lower case and without `www.`.
    hosts: Vec<String>,
    /// The path the blog had there (`/blog` for `https://example.org/blog/`), or "".
    base_path: String,
}

/// A link to the old site, taken apart.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OldLink {
    /// The path as written, from the site's root.
    pub path: String,
    /// The path from the blog's own root, as WordPress's archive addresses are written.
    pub blog_path: String,
    pub query: Option<String>,
    /// `#…`, or "".
    pub fragment: String,
}

impl OldSite {
    pub fn of(channel: &Channel) -> Self {
        // Not `base_site_url`: on a network of blogs it is the network's, not this blog's.
        let addresses = [&channel.link, &channel.base_blog_url];
        let mut hosts: Vec<String> = addresses
            .iter()
            .filter_map(|address| split_address(address.trim()).map(|(host, _)| host))
            .collect();
        hosts.sort();
        hosts.dedup();
        let blog_address = [&channel.base_blog_url, &channel.link]
            .into_iter()
            .map(|address| address.trim())
            .find(|address| !address.is_empty())
            .unwrap_or_default();
        let base_path = split_address(blog_address)
            .map(|(_, path)| {
                path.split(['?', '#'])
                    .next()
                    .unwrap_or_default()
                    .trim_end_matches('/')
                    .to_string()
            })
            .unwrap_or_default();
        OldSite { hosts, base_path }
    }

    /// Where `href` leads on the old site: an absolute address on one of its hosts, or a path
    /// from the root (which the old site's editor wrote for its own pages). `None` for a link
    /// anywhere else.
    pub fn target(&self, href: &str) -> Option<OldLink> {
        let href = href.trim();
        let rest = if href.starts_with('/') && !href.starts_with("//") {
            href
        } else {
            let (host, rest) = split_address(href)?;
            if !self.hosts.contains(&host) {
                return None;
            }
            rest
        };
        let (rest, fragment) = match rest.find('#') {
            Some(at) => (&rest[..at], rest[at..].to_string()),
            None => (rest, String::new()),
        };
        let (path, query) = match rest.split_once('?') {
            Some((path, query)) => (path, Some(query.to_string())),
            None => (rest, None),
        };
        let path = if path.is_empty() { "/" } else { path };
        let blog_path = path
            .strip_prefix(&self.base_path)
            .filter(|rest| rest.is_empty() || rest.starts_with('/'))
            .unwrap_or(path);
        Some(OldLink {
            path: path.to_string(),
            blog_path: if blog_path.is_empty() { "/" } else { blog_path }.to_string(),
            query,
            fragment,
        })
    }
}

/// The host (lower case, without `www.`) and the rest of an absolute `http(s)://` address.
fn split_address(address: &str) -> Option<(String, &str)> {
    let lower = address.get(..8).unwrap_or(address).to_ascii_lowercase();
    let after_scheme = if lower.starts_with("https://") {
        &address[8..]
    } else if lower.starts_with("http://") {
        &address[7..]
    } else {
        address.strip_prefix("//")?
    };
    let end = after_scheme
        .find(['/', '?', '#'])
        .unwrap_or(after_scheme.len());
    let host = after_scheme[..end]
        .rsplit('@')
        .next()
        .unwrap_or_default()
        .to_ascii_lowercase();
    let host = host.strip_prefix("www.").unwrap_or(&host).to_string();
    (!host.is_empty()).then_some((host, &after_scheme[end..]))
}

/// Calls `each` with the byte range of every link's address in `body` and the address read
/// (`&amp;` as `&`).
fn scan(body: &str, mut each: impl FnMut(std::ops::Range<usize>, String)) {
    let mut from = 0;
    while let Some(found) = body[from..].find(HREF) {
        let start = from + found + HREF.len();
        let Some(length) = body[start..].find('"') else {
            return;
        };
        let before = &body[..from + found];
        let in_a_tag = before.rfind('<') > before.rfind('>');
        if in_a_tag {
            each(
                start..start + length,
                body[start..start + length].replace("&amp;", "&"),
            );
        }
        from = start + length;
    }
}

/// The addresses `body` links to.
pub fn hrefs(body: &str) -> Vec<String> {
    let mut found = Vec::new();
    scan(body, |_, href| found.push(href));
    found
}

/// `body` with each link that `new_addresses` knows a new address for rewritten; `None` when
/// no link changes.
pub fn rewrite(body: &str, new_addresses: &HashMap<String, Option<String>>) -> Option<String> {
    let mut rewritten = String::with_capacity(body.len());
    let mut copied = 0;
    scan(body, |range, href| {
        if let Some(Some(address)) = new_addresses.get(&href)
            && *address != href
        {
            rewritten.push_str(&body[copied..range.start]);
            rewritten.push_str(&address.replace('&', "&amp;"));
            copied = range.end;
        }
    });
    if copied == 0 {
        return None;
    }
    rewritten.push_str(&body[copied..]);
    Some(rewritten)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn site(link: &str, base_blog_url: &str) -> OldSite {
        OldSite::of(&Channel {
            link: link.into(),
            base_site_url: link.into(),
            base_blog_url: base_blog_url.into(),
            ..Channel::default()
        })
    }

    #[test]
    fn links_to_the_old_site_are_recognised() {
        let site = site("https://www.example.org", "https://example.org/blog/");
        let target = |href| site.target(href);
        assert_eq!(
            target("http://example.org/blog/2009/04/19/a-post/#comments"),
            Some(OldLink {
                path: "/blog/2009/04/19/a-post/".into(),
                blog_path: "/2009/04/19/a-post/".into(),
                query: None,
                fragment: "#comments".into(),
            })
        );
        assert_eq!(
            target("HTTPS://WWW.EXAMPLE.ORG/blog/?p=12").map(|link| (link.blog_path, link.query)),
            Some(("/".into(), Some("p=12".into())))
        );
        assert_eq!(
            target("/blog/category/places/").map(|link| link.blog_path),
            Some("/category/places/".into())
        );
        assert_eq!(
            target("https://example.org").map(|link| link.path),
            Some("/".into())
        );
        assert_eq!(target("https://elsewhere.example/blog/a-post/"), None);
        assert_eq!(target("https://example.org.evil.example/a/"), None);
        assert_eq!(target("//elsewhere.example/a/"), None);
        assert_eq!(target("mailto:someone@example.org"), None);
        assert_eq!(target("a-relative-path/"), None);
    }

    #[test]
    fn only_the_links_with_new_addresses_change() {
        let body = "<p>See <a href=\"https://example.org/?p=1&amp;x=2\">this</a>, \
                    <a href=\"https://other.example/\">that</a> and the text href=\"/?p=1&amp;x=2\".</p>";
        let new_addresses = HashMap::from([
            (
                "https://example.org/?p=1&x=2".to_string(),
                Some("/posts?tag=a&author=b".to_string()),
            ),
            ("https://other.example/".to_string(), None),
        ]);
        assert_eq!(
            hrefs(body),
            ["https://example.org/?p=1&x=2", "https://other.example/"]
        );
        assert_eq!(
            rewrite(body, &new_addresses).as_deref(),
            Some(
                "<p>See <a href=\"/posts?tag=a&amp;author=b\">this</a>, \
                 <a href=\"https://other.example/\">that</a> and the text href=\"/?p=1&amp;x=2\".</p>"
            )
        );
        assert_eq!(rewrite("<p>No links</p>", &new_addresses), None);
    }
}
