//! Turning stored HTML into what a page may show: bodies cleaned of anything that could run or
//! restyle the site, and plain-text teasers for listings.

use std::sync::LazyLock;

use ammonia::Builder;

/// Embedded players a post may carry; any other frame is emptied.
pub const ALLOWED_FRAME_SOURCES: [&str; 4] = [
    "https://www.youtube.com/embed/",
    "https://www.youtube-nocookie.com/embed/",
    "https://player.vimeo.com/video/",
    "https://www.vimeo.com/video/",
];

static BODY: LazyLock<Builder<'static>> = LazyLock::new(body_sanitizer);

/// Class names a post keeps: those WordPress gives (alignment, sizes, captions, blocks), none of
/// the site's own, so that a post cannot restyle or hide parts of the page.
fn post_classes(value: &str) -> String {
    const PREFIXES: [&str; 6] = ["align", "size-", "wp-", "has-", "is-", "attachment-"];
    value
        .split_whitespace()
        .filter(|class| PREFIXES.iter().any(|prefix| class.starts_with(prefix)))
        .collect::<Vec<_>>()
        .join(" ")
}

/// What a post's body may keep: the formatting an editor produces, images, and players of known
/// video sites; ids are prefixed so that a post cannot clobber the page's own.
fn body_sanitizer() -> Builder<'static> {
    let mut builder = Builder::default();
    builder
        .add_tags([
            "figure",
            "figcaption",
            "iframe",
            "video",
            "audio",
            "source",
            "tfoot",
        ])
        .add_generic_attributes(["class", "id"])
        .add_tag_attributes("img", ["loading", "srcset", "sizes"])
        .add_tag_attributes(
            "iframe",
            ["src", "width", "height", "title", "allowfullscreen"],
        )
        .add_tag_attributes("video", ["src", "controls", "width", "height", "poster"])
        .add_tag_attributes("audio", ["src", "controls"])
        .add_tag_attributes("source", ["src", "type"])
        .set_tag_attribute_value(
            "iframe",
            "sandbox",
            "allow-scripts allow-same-origin allow-presentation",
        )
        .rm_tag_attributes("blockquote", ["cite"])
        .rm_tag_attributes("q", ["cite"])
        .rm_tag_attributes("del", ["cite"])
        .rm_tag_attributes("ins", ["cite"])
        .id_prefix(Some("post-"))
        .attribute_filter(|element, attribute, value| match (element, attribute) {
            ("iframe", "src") => ALLOWED_FRAME_SOURCES
                .iter()
                .any(|source| value.starts_with(source))
                .then_some(value.into()),
            (_, "srcset") => srcset_is_safe(value).then_some(value.into()),
            (_, "class") => Some(post_classes(value).into()),
            _ => Some(value.into()),
        });
    builder
}

/// Whether every address in a `srcset` is a web or relative address: ammonia checks `src` and
/// `href` against its schemes, but not this list of addresses.
fn srcset_is_safe(value: &str) -> bool {
    value.split(',').all(|candidate| {
        let address = candidate.split_whitespace().next().unwrap_or("");
        let scheme_end = address.find([':', '/', '?', '#']);
        match scheme_end {
            Some(end) if address.as_bytes()[end] == b':' => {
                let scheme = address[..end].to_ascii_lowercase();
                scheme == "http" || scheme == "https"
            }
            _ => true,
        }
    })
}

static TEXT_ONLY: LazyLock<Builder<'static>> = LazyLock::new(Builder::empty);

/// A body as it is stored: whatever the editor, the API or an import delivered, cleaned against
/// the allow-list. Every body passes through here before it is saved.
///
/// Removing an element can leave markup that a browser reads differently (a table row that was
/// in a removed section is put in a body of its own), so the cleaned body is read and cleaned
/// once more: what is stored then comes out of a further cleaning as it went in, and a body
/// exported and imported again is the same.
pub fn clean_body(html: &str) -> String {
    let once = BODY.clean(html).to_string();
    BODY.clean(&once).to_string()
}

/// `zh` when most of the letters of a body are Chinese characters (each of which stands for about
/// as much as a word of letters), so that a Chinese post of a mixed blog can be marked as such;
/// `None` otherwise.
pub fn written_language(html: &str) -> Option<&'static str> {
    let text = plain_text(html);
    let han = text.chars().filter(|c| is_han(*c)).count();
    let words = text
        .split(|c: char| !c.is_alphabetic() || is_han(c))
        .filter(|word| !word.is_empty())
        .count();
    (han > 0 && han >= words).then_some("zh")
}

fn is_han(c: char) -> bool {
    matches!(c, '\u{4E00}'..='\u{9FFF}' | '\u{3400}'..='\u{4DBF}' | '\u{F900}'..='\u{FAFF}' | '\u{20000}'..='\u{2FA1F}')
}

/// The body of a post, safe to insert into a page. Stored bodies were cleaned when saved; they
/// are cleaned again here, so that a change to the allow-list holds for old posts too.
pub fn safe_body(html: &str) -> String {
    BODY.clean(&paragraphs(html)).to_string()
}

/// Elements that stand as blocks of their own: text next to them is not put in a paragraph.
const BLOCK_TAGS: [&str; 44] = [
    "address",
    "article",
    "aside",
    "audio",
    "blockquote",
    "caption",
    "details",
    "dd",
    "div",
    "dl",
    "dt",
    "fieldset",
    "figcaption",
    "figure",
    "footer",
    "form",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "header",
    "hr",
    "iframe",
    "li",
    "main",
    "math",
    "nav",
    "object",
    "ol",
    "p",
    "pre",
    "section",
    "style",
    "script",
    "svg",
    "table",
    "tbody",
    "td",
    "tfoot",
    "th",
    "tr",
    "ul",
];

/// Puts text separated by blank lines into paragraphs and turns lone line breaks into `<br>`, as
/// WordPress does when it shows a post: its exports keep classic posts as text with line breaks.
/// Text already in block elements, and everything inside `<pre>`, stays as it is. One pass.
pub fn paragraphs(html: &str) -> String {
    let html = html.replace("\r\n", "\n");
    let lower = html.to_ascii_lowercase();
    let mut out = String::with_capacity(html.len() + html.len() / 8);
    let mut at = 0;
    while at < html.len() {
        let (text_end, pre_end) = match next_pre(&lower, at) {
            Some(start) => {
                let end = lower[start..]
                    .find("</pre>")
                    .map_or(html.len(), |end| start + end + "</pre>".len());
                (start, Some(end))
            }
            None => (html.len(), None),
        };
        paragraphs_of(&html[at..text_end], &mut out);
        if let Some(end) = pre_end {
            out.push_str(&html[text_end..end]);
            out.push('\n');
            at = end;
        } else {
            at = text_end;
        }
    }
    out
}

/// Where the next `<pre>` element starts (not `<preview>` or the like).
fn next_pre(lower: &str, from: usize) -> Option<usize> {
    let mut search = from;
    while let Some(found) = lower[search..].find("<pre") {
        let start = search + found;
        match lower.as_bytes().get(start + 4) {
            Some(b'>' | b' ' | b'\t' | b'\n' | b'/') => return Some(start),
            _ => search = start + 4,
        }
    }
    None
}

fn paragraphs_of(text: &str, out: &mut String) {
    for chunk in text
        .split("\n\n")
        .map(str::trim)
        .filter(|chunk| !chunk.is_empty())
    {
        if starts_with_block(chunk) {
            out.push_str(chunk);
        } else {
            out.push_str("<p>");
            out.push_str(&chunk.replace('\n', "<br>\n"));
            out.push_str("</p>");
        }
        out.push('\n');
    }
}

fn starts_with_block(chunk: &str) -> bool {
    let Some(tag) = chunk.strip_prefix('<') else {
        return false;
    };
    if tag.starts_with("!--") {
        return true;
    }
    let name: String = tag
        .trim_start_matches('/')
        .chars()
        .take_while(char::is_ascii_alphanumeric)
        .collect::<String>()
        .to_ascii_lowercase();
    BLOCK_TAGS.contains(&name.as_str())
}

/// The body of a post for a feed: safe as on the page, and with every link and image address
/// made absolute against `base_url`, since feed readers show it away from the site.
pub fn feed_body(html: &str, base_url: &str) -> String {
    let Ok(base) = ammonia::Url::parse(base_url) else {
        return safe_body(html);
    };
    let mut builder = body_sanitizer();
    builder.url_relative(ammonia::UrlRelative::RewriteWithBase(base));
    builder.clean(&paragraphs(html)).to_string()
}

/// The address of the first image in a body made safe by [`safe_body`], whose attribute values
/// are all double-quoted (with `"` escaped inside).
pub fn first_image(safe_html: &str) -> Option<String> {
    let start = safe_html.find("<img ")? + "<img ".len();
    let mut rest = &safe_html[start..];
    loop {
        rest = rest.trim_start();
        if rest.starts_with('>') || rest.starts_with("/>") || rest.is_empty() {
            return None;
        }
        let name_end = rest.find(['=', ' ', '>'])?;
        let name = &rest[..name_end];
        rest = &rest[name_end..];
        let Some(quoted) = rest.strip_prefix("=\"") else {
            continue;
        };
        let value_end = quoted.find('"')?;
        if name == "src" {
            return Some(quoted[..value_end].replace("&amp;", "&"));
        }
        rest = &quoted[value_end + 1..];
    }
}

/// The images a body names, by the first segment of their addresses (`/media/{segment}/…`), in
/// any address attribute of any element (links, images, sources, posters, `srcset`s). Relative
/// addresses count, and absolute ones on any site when the segment is a random key (which names
/// no image elsewhere); an absolute address with a number may well be another site's.
pub fn media_references(html: &str) -> Vec<String> {
    use std::sync::{Arc, Mutex};

    const ADDRESS_ATTRIBUTES: [&str; 4] = ["src", "href", "srcset", "poster"];
    if !html.contains("/media/") {
        return Vec::new();
    }
    let found = Arc::new(Mutex::new(Vec::new()));
    let collected = Arc::clone(&found);
    let mut reader = Builder::empty();
    reader
        .add_tags(["a", "img", "video", "audio", "source"])
        .add_generic_attributes(ADDRESS_ATTRIBUTES)
        .add_url_schemes(["http", "https"])
        .url_relative(ammonia::UrlRelative::PassThrough)
        .attribute_filter(move |_, attribute, value| {
            if ADDRESS_ATTRIBUTES.contains(&attribute) {
                let segments = value
                    .split(',')
                    .filter_map(|candidate| candidate.split_whitespace().next())
                    .filter_map(media_segment);
                if let Ok(mut collected) = collected.lock() {
                    collected.extend(segments.map(str::to_string));
                }
            }
            Some(value.into())
        });
    reader.clean(html);
    let mut segments = found.lock().map(|found| found.clone()).unwrap_or_default();
    segments.sort();
    segments.dedup();
    segments
}

/// The segment after `/media/` of an address, as [`media_references`] counts it.
fn media_segment(address: &str) -> Option<&str> {
    let (path, absolute) = match address.split_once("://") {
        Some((scheme, rest))
            if scheme.eq_ignore_ascii_case("http") || scheme.eq_ignore_ascii_case("https") =>
        {
            (&rest[rest.find('/')?..], true)
        }
        Some(_) => return None,
        None => (address, false),
    };
    let (segment, _) = path.strip_prefix("/media/")?.split_once('/')?;
    let is_key = segment.len() == 32 && segment.bytes().all(|b| b.is_ascii_hexdigit());
    (is_key || !absolute).then_some(segment)
}

/// Plain text made safe to stand as HTML: every character that could start markup is escaped.
pub fn escape(text: &str) -> String {
    ammonia::clean_text(text)
}

/// Plain text as HTML that shows it exactly as written: only `&`, `<` and `>` are escaped, so
/// that spaces and line breaks stay as they are (unlike [`escape`]).
pub fn text_as_html(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

/// The text of an HTML fragment, without markup, whitespace collapsed.
pub fn plain_text(html: &str) -> String {
    text_of(html)
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

/// The text of an HTML fragment, without markup, keeping its line breaks (at most one blank line
/// in a row) and collapsing other whitespace.
pub fn plain_paragraphs(html: &str) -> String {
    let text = text_of(html);
    let mut lines: Vec<String> = Vec::new();
    for line in text
        .lines()
        .map(|line| line.split_whitespace().collect::<Vec<_>>().join(" "))
    {
        let blank_again = line.is_empty() && lines.last().is_none_or(String::is_empty);
        if !blank_again {
            lines.push(line);
        }
    }
    lines.join("\n").trim_end().to_string()
}

fn text_of(html: &str) -> String {
    TEXT_ONLY
        .clean(html)
        .to_string()
        .replace("&nbsp;", " ")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&amp;", "&")
}

/// A post's title and the text of its body, one line per paragraph, heading, list item or line
/// break: what a comparison of two revisions reads.
pub fn text_lines(title: &str, body: &str) -> Vec<String> {
    const LINE_ENDS: [&str; 14] = [
        "</p>",
        "</h1>",
        "</h2>",
        "</h3>",
        "</h4>",
        "</h5>",
        "</h6>",
        "</li>",
        "</blockquote>",
        "</pre>",
        "</figcaption>",
        "<br>",
        "<br/>",
        "<br />",
    ];
    let mut marked = body.to_string();
    for end in LINE_ENDS {
        marked = marked
            .replace(end, &format!("{end}\n"))
            .replace(&end.to_ascii_uppercase(), &format!("{end}\n"));
    }
    std::iter::once(title.trim().to_string())
        .chain(
            text_of(&marked)
                .lines()
                .map(|line| line.split_whitespace().collect::<Vec<_>>().join(" "))
                .filter(|line| !line.is_empty()),
        )
        .collect()
}

/// At most `max_chars` characters of `text`, cut after a whole word where the text has spaces,
/// with an ellipsis when anything was cut.
pub fn teaser(text: &str, max_chars: usize) -> String {
    let Some((cut, _)) = text.char_indices().nth(max_chars) else {
        return text.to_string();
    };
    let head = &text[..cut];
    let head = match head.rfind(' ') {
        Some(space) if space > cut / 2 => &head[..space],
        _ => head,
    };
    format!("{}…", head.trim_end_matches([' ', ',', ';', ':', '.']))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chinese_text_is_told_from_english() {
        assert_eq!(
            written_language("<p>宁波的废品回收市场 (recycling market) 很大。</p>"),
            Some("zh")
        );
        assert_eq!(
            written_language("<p>The recycling market of Ningbo (宁波) is large.</p>"),
            None
        );
        assert_eq!(written_language("<p>Plain English.</p>"), None);
        assert_eq!(written_language(""), None);
    }

    #[test]
    fn a_cleaned_body_stays_as_it_is() {
        let bodies = [
            "<table><tbody><tr><td>a</td></tr></tbody><tfoot><tr><td>b</td></tr></tfoot></table>",
            "<p><button><p>x</p></button>",
        ];
        for body in bodies {
            let stored = clean_body(body);
            assert_eq!(clean_body(&stored), stored, "{body}");
        }
        assert!(clean_body(bodies[0]).contains("<tfoot>"));
    }

    #[test]
    fn scripts_and_handlers_are_removed() {
        let body = safe_body(
            r#"<p onclick="alert(1)">Hi<script>alert(2)</script></p><a href="javascript:alert(3)">x</a>"#,
        );
        assert!(!body.contains("alert"), "{body}");
        assert!(body.contains("<p>Hi</p>"), "{body}");
    }

    #[test]
    fn video_frames_stay_only_for_known_players() {
        let youtube = safe_body(r#"<iframe src="https://www.youtube.com/embed/abc"></iframe>"#);
        assert!(
            youtube.contains(r#"src="https://www.youtube.com/embed/abc""#),
            "{youtube}"
        );
        assert!(youtube.contains("sandbox="), "{youtube}");
        let other = safe_body(r#"<iframe src="https://evil.example/"></iframe>"#);
        assert!(!other.contains("evil"), "{other}");
    }

    #[test]
    fn formatting_survives() {
        let html = r#"<h2>Title</h2><p><strong>b</strong> <em>i</em> <a href="https://example.org/">l</a></p><ul><li>x</li></ul><blockquote>q</blockquote><img src="/a.png" alt="A">"#;
        let body = safe_body(html);
        for part in [
            "<h2>",
            "<strong>",
            "<em>",
            "<ul>",
            "<blockquote>",
            r#"alt="A""#,
        ] {
            assert!(body.contains(part), "{part} missing from {body}");
        }
    }

    #[test]
    fn text_with_blank_lines_becomes_paragraphs() {
        assert_eq!(
            paragraphs("One\nline\n\nTwo"),
            "<p>One<br>\nline</p>\n<p>Two</p>\n"
        );
        assert_eq!(
            paragraphs("Intro\r\n\r\n<h2>Heading</h2>\n\n<ul>\n<li>a</li>\n</ul>"),
            "<p>Intro</p>\n<h2>Heading</h2>\n<ul>\n<li>a</li>\n</ul>\n"
        );
        assert_eq!(
            paragraphs("<!-- wp:paragraph -->\n<p>x</p>"),
            "<!-- wp:paragraph -->\n<p>x</p>\n"
        );
        assert_eq!(
            paragraphs("a\n\n<pre>keep\n\n  this</pre>\n\nb"),
            "<p>a</p>\n<pre>keep\n\n  this</pre>\n<p>b</p>\n"
        );
        assert!(safe_body("Line one\n\nLine two").contains("<p>Line two</p>"));
        assert_eq!(
            paragraphs("<preview>a</preview>\n\nb"),
            "<p><preview>a</preview></p>\n<p>b</p>\n"
        );
        assert_eq!(paragraphs("a\n\n<pre>open"), "<p>a</p>\n<pre>open\n");
    }

    #[test]
    fn feed_bodies_have_absolute_links() {
        let body = feed_body(
            r#"<a href="/posts/x">x</a><img src="/img/a.png" alt="">"#,
            "https://blog.example/",
        );
        assert!(
            body.contains(r#"href="https://blog.example/posts/x""#),
            "{body}"
        );
        assert!(
            body.contains(r#"src="https://blog.example/img/a.png""#),
            "{body}"
        );
    }

    #[test]
    fn the_images_a_body_names_are_found() {
        let key = "0123456789abcdef0123456789abcdef";
        let body = format!(
            r#"<p><img src="/media/12/a.png" srcset="/media/13/b.png 2x, /media/{key}/c.png 3x">
            <a href="https://blog.example/media/{key}/c.png">c</a>
            <a href="https://elsewhere.example/media/14/d.png">d</a>
            <video poster="/media/15/e.png" src="/video.mp4"></video>
            /media/16/in-text.png <img src="/mediaX/17/f.png"></p>"#
        );
        assert_eq!(media_references(&body), [key, "12", "13", "15"]);
        assert!(media_references("<p>none</p>").is_empty());
    }

    #[test]
    fn the_first_image_is_found() {
        let body = safe_body(
            r#"<p>x</p><img alt="a" src="https://example.org/a.jpg?x=1&amp;y=2"><img src="/b.png">"#,
        );
        assert_eq!(
            first_image(&body).as_deref(),
            Some("https://example.org/a.jpg?x=1&y=2")
        );
        assert_eq!(first_image("<p>no image</p>"), None);
    }

    #[test]
    fn text_lines_follow_the_blocks() {
        assert_eq!(
            text_lines(
                " Title ",
                "<h2>Head</h2><p>One<br>two</p><ul><li>a</li><li><strong>b</strong></li></ul>"
            ),
            ["Title", "Head", "One", "two", "a", "b"]
        );
    }

    #[test]
    fn plain_text_drops_markup_and_keeps_characters() {
        assert_eq!(
            plain_text("<p>Fish &amp; chips</p>\n<p>in  慈溪 &lt;3</p><script>x()</script>"),
            "Fish & chips in 慈溪 <3"
        );
    }

    #[test]
    fn plain_paragraphs_keep_line_breaks() {
        assert_eq!(
            plain_paragraphs(
                "<p>Hi <b>there</b></p>\n\n\n\nSecond   line\nthird <script>x</script>"
            ),
            "Hi there\n\nSecond line\nthird"
        );
    }

    #[test]
    fn teasers_cut_at_word_boundaries() {
        assert_eq!(teaser("short", 10), "short");
        assert_eq!(teaser("one two three four", 10), "one two…");
        assert_eq!(teaser("宁波的创意产业园区", 4), "宁波的创…");
    }
}
