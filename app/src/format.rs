//! How dates and counts read on the page.

use chrono::{DateTime, Datelike, Utc};

/// "April 19th, 2009".
pub fn long_date(date: DateTime<Utc>) -> String {
    let day = date.day();
    let suffix = match (day % 10, day % 100) {
        (_, 11..=13) => "th",
        (1, _) => "st",
        (2, _) => "nd",
        (3, _) => "rd",
        _ => "th",
    };
    format!("{} {day}{suffix}, {}", date.format("%B"), date.year())
}

/// "April 2009".
pub fn month_name(year: i32, month: u32) -> String {
    const MONTHS: [&str; 12] = [
        "January",
        "February",
        "March",
        "April",
        "May",
        "June",
        "July",
        "August",
        "September",
        "October",
        "November",
        "December",
    ];
    let name = MONTHS
        .get(month.saturating_sub(1) as usize)
        .copied()
        .unwrap_or("?");
    format!("{name} {year}")
}

/// "1 post", "12 posts", "more than 10000 posts", "at least 3 posts".
pub fn post_count(count: crate::model::Count) -> String {
    match count {
        crate::model::Count::Exact(1) => "1 post".to_string(),
        crate::model::Count::Exact(count) => format!("{count} posts"),
        crate::model::Count::MoreThan(count) => format!("more than {count} posts"),
        crate::model::Count::AtLeast(0) => "no posts among the newest looked at".to_string(),
        crate::model::Count::AtLeast(1) => "at least 1 post".to_string(),
        crate::model::Count::AtLeast(count) => format!("at least {count} posts"),
    }
}

/// The class that indents an entry of a tree `depth` levels deep (`depth-0` to `depth-6`;
/// deeper entries are indented as much as the sixth level), for pages that carry no inline
/// styles.
pub fn depth_class(depth: u32) -> String {
    format!("depth-{}", depth.min(6))
}

/// "No Comments", "1 Comment", "12 Comments".
pub fn comment_count(count: i64) -> String {
    match count {
        0 => "No Comments".to_string(),
        1 => "1 Comment".to_string(),
        n => format!("{n} Comments"),
    }
}

/// Plain text cut into pieces, each a web address (`true`) or the text between them, so that
/// the addresses can be shown as links and everything else as text.
pub fn link_parts(text: &str) -> Vec<(bool, String)> {
    let mut parts: Vec<(bool, String)> = Vec::new();
    let mut rest = text;
    while let Some(start) = ["https://", "http://"]
        .iter()
        .filter_map(|scheme| rest.find(scheme))
        .min()
    {
        let after = &rest[start..];
        let end = after
            .find(|c: char| c.is_whitespace() || matches!(c, '<' | '>' | '"'))
            .unwrap_or(after.len());
        let address = after[..end].trim_end_matches(['.', ',', ';', ':', '!', '?', ')', '\'']);
        let scheme_only = address.ends_with("//");
        if start > 0 {
            parts.push((false, rest[..start].to_string()));
        }
        parts.push((!scheme_only, address.to_string()));
        rest = &rest[start + address.len()..];
    }
    if !rest.is_empty() {
        parts.push((false, rest.to_string()));
    }
    parts
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn addresses_in_text_become_links() {
        assert_eq!(
            link_parts("See https://example.org/a?b=1. And http://x.y"),
            vec![
                (false, "See ".to_string()),
                (true, "https://example.org/a?b=1".to_string()),
                (false, ". And ".to_string()),
                (true, "http://x.y".to_string()),
            ]
        );
        assert_eq!(
            link_parts("no links"),
            vec![(false, "no links".to_string())]
        );
        assert_eq!(
            link_parts("<script>https://</script>"),
            vec![
                (false, "<script>".to_string()),
                (false, "https://".to_string()),
                (false, "</script>".to_string()),
            ]
        );
    }
    use chrono::TimeZone;

    fn date(year: i32, month: u32, day: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(year, month, day, 12, 0, 0).unwrap()
    }

    #[test]
    fn long_dates_use_english_ordinals() {
        assert_eq!(long_date(date(2009, 4, 19)), "April 19th, 2009");
        assert_eq!(long_date(date(2009, 4, 1)), "April 1st, 2009");
        assert_eq!(long_date(date(2009, 4, 2)), "April 2nd, 2009");
        assert_eq!(long_date(date(2009, 4, 3)), "April 3rd, 2009");
        assert_eq!(long_date(date(2009, 4, 11)), "April 11th, 2009");
        assert_eq!(long_date(date(2009, 4, 12)), "April 12th, 2009");
        assert_eq!(long_date(date(2009, 4, 13)), "April 13th, 2009");
        assert_eq!(long_date(date(2009, 4, 21)), "April 21st, 2009");
        assert_eq!(long_date(date(2009, 4, 22)), "April 22nd, 2009");
        assert_eq!(long_date(date(2009, 12, 31)), "December 31st, 2009");
    }

    #[test]
    fn months_and_counts_read_like_english() {
        assert_eq!(month_name(2009, 4), "April 2009");
        assert_eq!(post_count(crate::model::Count::Exact(1)), "1 post");
        assert_eq!(post_count(crate::model::Count::Exact(9)), "9 posts");
        assert_eq!(
            post_count(crate::model::Count::MoreThan(10000)),
            "more than 10000 posts"
        );
    }

    #[test]
    fn comment_counts_read_like_sentences() {
        assert_eq!(comment_count(0), "No Comments");
        assert_eq!(comment_count(1), "1 Comment");
        assert_eq!(comment_count(2), "2 Comments");
    }
}
