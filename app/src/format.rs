//! How dates and counts read on the page.

use chrono::{DateTime, Datelike, Utc};

use crate::model::{DateFormat, SiteInfo};

/// The day of `date` in the blog's time zone, written in its date format: "April 19th, 2009".
pub fn site_date(date: DateTime<Utc>, site: &SiteInfo) -> String {
    day(site.zone.local(date), site.date_format)
}

pub fn day(date: DateTime<impl chrono::TimeZone>, format: DateFormat) -> String {
    let (year, month, day) = (date.year(), date.month(), date.day());
    let month_name = month_title(month);
    match format {
        DateFormat::MonthDayOrdinal => {
            let suffix = match (day % 10, day % 100) {
                (_, 11..=13) => "th",
                (1, _) => "st",
                (2, _) => "nd",
                (3, _) => "rd",
                _ => "th",
            };
            format!("{month_name} {day}{suffix}, {year}")
        }
        DateFormat::MonthDay => format!("{month_name} {day}, {year}"),
        DateFormat::DayMonth => format!("{day} {month_name} {year}"),
        DateFormat::Iso => format!("{year:04}-{month:02}-{day:02}"),
        DateFormat::MonthDayNumbers => format!("{month:02}/{day:02}/{year:04}"),
        DateFormat::DayMonthNumbers => format!("{day:02}/{month:02}/{year:04}"),
        DateFormat::Chinese => format!("{year}年{month}月{day}日"),
    }
}

/// "April" for 4; "?" for a number that is no month.
fn month_title(month: u32) -> &'static str {
    MONTHS
        .get(month.saturating_sub(1) as usize)
        .copied()
        .unwrap_or("?")
}

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

/// "April 2009".
pub fn month_name(year: i32, month: u32) -> String {
    format!("{} {year}", month_title(month))
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
        let long_date = |date| day(date, DateFormat::MonthDayOrdinal);
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
    fn every_date_format_writes_the_same_day() {
        let written: Vec<String> = DateFormat::ALL
            .into_iter()
            .map(|format| day(date(2009, 4, 9), format))
            .collect();
        assert_eq!(
            written,
            [
                "April 9th, 2009",
                "April 9, 2009",
                "9 April 2009",
                "2009-04-09",
                "04/09/2009",
                "09/04/2009",
                "2009年4月9日",
            ]
        );
    }

    #[test]
    fn dates_are_written_in_the_blogs_time_zone() {
        use crate::model::ZoneOffsets;
        // New York in 2009: UTC-5, UTC-4 from March 8th 07:00 UTC, UTC-5 from November 1st.
        let site = SiteInfo {
            zone: ZoneOffsets {
                changes: vec![1_236_495_600, 1_257_055_200],
                offsets: vec![-5 * 3600, -4 * 3600, -5 * 3600],
            },
            ..SiteInfo::neutral()
        };
        let at = |text: &str| text.parse::<DateTime<Utc>>().unwrap();
        assert_eq!(
            site_date(at("2009-04-20T03:59:00Z"), &site),
            "April 19th, 2009"
        );
        assert_eq!(
            site_date(at("2009-04-20T04:00:00Z"), &site),
            "April 20th, 2009"
        );
        assert_eq!(
            site_date(at("2009-01-20T04:30:00Z"), &site),
            "January 19th, 2009"
        );
        assert_eq!(
            site_date(at("2009-12-20T05:00:00Z"), &site),
            "December 20th, 2009"
        );
        assert_eq!(
            site_date(at("2009-04-20T03:59:00Z"), &SiteInfo::neutral()),
            "April 20th, 2009"
        );
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
