//! A streaming reader for WordPress eXtended RSS (WXR 1.0, 1.1 and 1.2) exports.
//!
//! Exports can be hundreds of megabytes, so the file is read as a stream of records (authors,
//! terms, items) that the importer writes one at a time. The reader checks well-formedness as it
//! goes and reports problems with the line and column where they were found.

use std::collections::VecDeque;
use std::io::{self, BufRead, Read};
use std::str::FromStr;

use chrono::{DateTime, FixedOffset, NaiveDateTime};
use quick_xml::encoding::EncodingError;
use quick_xml::escape::resolve_xml_entity;
use quick_xml::events::{BytesRef, BytesStart, Event};
use quick_xml::name::ResolveResult;
use quick_xml::{NsReader, XmlVersion};

/// The channel-level facts of an export, filled in as the reader meets them.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Channel {
    pub title: String,
    pub link: String,
    pub description: String,
    pub base_site_url: String,
    pub base_blog_url: String,
    /// The `wp:wxr_version`, once seen: "1.0", "1.1" or "1.2".
    pub version: Option<String>,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Record {
    Author(Author),
    Category(Category),
    Tag(Tag),
    Item(Box<Item>),
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct Author {
    /// `wp:author_id`, which comments' `wp:comment_user_id` refer to.
    pub id: Option<i64>,
    pub login: String,
    pub email: String,
    pub display_name: String,
    pub first_name: String,
    pub last_name: String,
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct Category {
    pub slug: String,
    pub name: String,
    /// The parent's slug, when the category is nested.
    pub parent: Option<String>,
    pub description: String,
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct Tag {
    pub slug: String,
    pub name: String,
    pub description: String,
}

/// A `<category domain="…" nicename="…">` entry of an item: a category, a tag or another taxonomy.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ItemTerm {
    pub domain: String,
    pub slug: String,
    pub name: String,
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct Item {
    pub title: String,
    pub link: String,
    pub guid: String,
    pub pub_date: Option<DateTime<FixedOffset>>,
    /// The author's login (`dc:creator`).
    pub creator: String,
    pub content: String,
    pub excerpt: String,
    pub post_id: Option<i64>,
    /// `wp:post_date`, in the site's own time zone.
    pub post_date: Option<NaiveDateTime>,
    /// `wp:post_date_gmt`, in UTC; `None` when absent or WordPress's "0000-00-00 00:00:00".
    pub post_date_gmt: Option<NaiveDateTime>,
    pub modified_gmt: Option<NaiveDateTime>,
    pub comment_status: String,
    pub post_name: String,
    pub status: String,
    pub post_parent: Option<i64>,
    pub menu_order: i32,
    pub post_type: String,
    pub is_sticky: bool,
    /// What readers must give to see the text; empty for none.
    pub post_password: String,
    /// The language Fieldnotes noted for the post (its `_fieldnotes_language` post meta).
    pub language: Option<String>,
    pub terms: Vec<ItemTerm>,
    pub comments: Vec<Comment>,
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct Comment {
    pub id: Option<i64>,
    pub author: String,
    pub author_email: String,
    pub author_url: String,
    pub author_ip: String,
    pub date: Option<NaiveDateTime>,
    pub date_gmt: Option<NaiveDateTime>,
    pub content: String,
    /// `wp:comment_approved`: "1", "0", "spam" or "trash".
    pub approved: String,
    /// `wp:comment_type`: "" or "comment", "pingback", "trackback".
    pub kind: String,
    /// The WordPress id of the comment replied to; `None` for 0 or absent.
    pub parent: Option<i64>,
    pub user_id: Option<i64>,
}

#[derive(Debug, Clone, thiserror::Error, PartialEq)]
pub enum WxrError {
    /// The file is not well-formed XML, or not a WXR export at all. `line` and `column` are
    /// 1-based; the column counts bytes from the start of the line.
    #[error("line {line}, column {column}: {message}")]
    Invalid {
        line: u64,
        column: u64,
        message: String,
    },
    #[error("could not read the file: {0}")]
    Io(String),
}

pub struct WxrReader<R: BufRead> {
    xml: NsReader<LineTracker<R>>,
    buffer: Vec<u8>,
    open_elements: Vec<OpenElement>,
    /// Where the event last read starts in the input.
    event_start: u64,
    stage: Stage,
    channel: Channel,
    /// The first error met; every later call returns it again.
    error: Option<WxrError>,
}

impl<R: BufRead> WxrReader<R> {
    pub fn new(reader: R) -> Self {
        let mut xml = NsReader::from_reader(LineTracker::new(reader));
        let config = xml.config_mut();
        config.expand_empty_elements = true;
        config.check_comments = true;
        Self {
            xml,
            buffer: Vec::new(),
            open_elements: Vec::new(),
            event_start: 0,
            stage: Stage::BeforeRoot,
            channel: Channel::default(),
            error: None,
        }
    }

    /// The next author, term or item, or `None` at the end of a complete, valid export.
    /// After an error, every call returns that error again.
    pub fn next_record(&mut self) -> Result<Option<Record>, WxrError> {
        if let Some(error) = &self.error {
            return Err(error.clone());
        }
        let record = self.read_record();
        if let Err(error) = &record {
            self.error = Some(error.clone());
        }
        record
    }

    pub fn channel(&self) -> &Channel {
        &self.channel
    }

    /// How many bytes of the input have been read so far (for progress reporting).
    pub fn bytes_read(&self) -> u64 {
        self.xml.get_ref().bytes_read()
    }

    fn read_record(&mut self) -> Result<Option<Record>, WxrError> {
        loop {
            match self.stage {
                Stage::BeforeRoot => self.read_root()?,
                Stage::InRss { channel_seen } => self.read_rss_child(channel_seen)?,
                Stage::InChannel => {
                    if let Some(record) = self.read_channel_child()? {
                        return Ok(Some(record));
                    }
                }
                Stage::AfterRoot => self.read_after_root()?,
                Stage::Finished => return Ok(None),
            }
        }
    }

    fn read_root(&mut self) -> Result<(), WxrError> {
        match self.next_node()? {
            Node::Start(element) if element.name() == (Rss, "rss") => {
                self.stage = Stage::InRss {
                    channel_seen: false,
                };
                Ok(())
            }
            Node::Start(element) => Err(element.position.invalid(format!(
                "not a WordPress export: the root element is <{}>, not <rss>",
                element.qualified_name
            ))),
            Node::Text(text) => self.refuse_text_outside_root(&text),
            Node::End | Node::Eof => {
                Err(self.invalid_here("not a WordPress export: the file has no <rss> element"))
            }
        }
    }

    fn read_rss_child(&mut self, channel_seen: bool) -> Result<(), WxrError> {
        match self.next_child()? {
            Some(_) if channel_seen => self.skip(),
            Some(element) if element.name() == (Rss, "channel") => {
                self.stage = Stage::InChannel;
                Ok(())
            }
            Some(element) => Err(element.position.invalid(format!(
                "not a WordPress export: <{}> in place of <channel>",
                element.qualified_name
            ))),
            None if channel_seen => {
                self.stage = Stage::AfterRoot;
                Ok(())
            }
            None => Err(self.invalid_here("not a WordPress export: no <channel> in <rss>")),
        }
    }

    /// Reads one child of `<channel>`: a record, a channel fact, or something to skip.
    fn read_channel_child(&mut self) -> Result<Option<Record>, WxrError> {
        let Some(element) = self.next_child()? else {
            if self.channel.version.is_none() {
                return Err(self.invalid_here("not a WordPress export: no wp:wxr_version"));
            }
            self.stage = Stage::InRss { channel_seen: true };
            return Ok(None);
        };
        match element.name() {
            (Rss, "title") => self.channel.title = self.read_scalar()?,
            (Rss, "link") => self.channel.link = self.read_scalar()?,
            (Rss, "description") => self.channel.description = self.read_scalar()?,
            (Wp, "base_site_url") => self.channel.base_site_url = self.read_scalar()?,
            (Wp, "base_blog_url") => self.channel.base_blog_url = self.read_scalar()?,
            (Wp, "wxr_version") => {
                let version = self.read_scalar()?;
                if !WXR_VERSIONS.contains(&version.as_str()) {
                    return Err(element
                        .position
                        .invalid(format!("unsupported WXR version '{version}'")));
                }
                self.channel.version = Some(version);
            }
            (Wp, "author") => return Ok(Some(Record::Author(self.read_author()?))),
            (Wp, "category") => return Ok(Some(Record::Category(self.read_category()?))),
            (Wp, "tag") => return Ok(Some(Record::Tag(self.read_tag()?))),
            (Wp, "term") => return self.read_term(),
            (Rss, "item") => return Ok(Some(Record::Item(Box::new(self.read_item()?)))),
            _ => self.skip()?,
        }
        Ok(None)
    }

    fn read_after_root(&mut self) -> Result<(), WxrError> {
        match self.next_node()? {
            Node::Start(element) => Err(element.position.invalid(format!(
                "<{}> after the end of the root element",
                element.qualified_name
            ))),
            Node::Text(text) => self.refuse_text_outside_root(&text),
            Node::End | Node::Eof => {
                self.stage = Stage::Finished;
                Ok(())
            }
        }
    }

    fn refuse_text_outside_root(&self, text: &str) -> Result<(), WxrError> {
        if trim_xml_whitespace(text).is_empty() {
            Ok(())
        } else {
            Err(self.invalid_here("text outside the root element"))
        }
    }

    fn read_author(&mut self) -> Result<Author, WxrError> {
        let mut author = Author::default();
        while let Some(element) = self.next_child()? {
            match element.name() {
                (Wp, "author_id") => author.id = self.read_nonzero_id()?,
                (Wp, "author_login") => author.login = self.read_scalar()?,
                (Wp, "author_email") => author.email = self.read_scalar()?,
                (Wp, "author_display_name") => author.display_name = self.read_scalar()?,
                (Wp, "author_first_name") => author.first_name = self.read_scalar()?,
                (Wp, "author_last_name") => author.last_name = self.read_scalar()?,
                _ => self.skip()?,
            }
        }
        Ok(author)
    }

    fn read_category(&mut self) -> Result<Category, WxrError> {
        let mut category = Category::default();
        while let Some(element) = self.next_child()? {
            match element.name() {
                (Wp, "category_nicename") => category.slug = self.read_scalar()?,
                (Wp, "cat_name") => category.name = self.read_scalar()?,
                (Wp, "category_parent") => category.parent = self.read_optional()?,
                (Wp, "category_description") => category.description = self.read_scalar()?,
                _ => self.skip()?,
            }
        }
        Ok(category)
    }

    fn read_tag(&mut self) -> Result<Tag, WxrError> {
        let mut tag = Tag::default();
        while let Some(element) = self.next_child()? {
            match element.name() {
                (Wp, "tag_slug") => tag.slug = self.read_scalar()?,
                (Wp, "tag_name") => tag.name = self.read_scalar()?,
                (Wp, "tag_description") => tag.description = self.read_scalar()?,
                _ => self.skip()?,
            }
        }
        Ok(tag)
    }

    /// A WXR 1.2 `wp:term`: a category or a tag, or `None` for other taxonomies.
    fn read_term(&mut self) -> Result<Option<Record>, WxrError> {
        let mut taxonomy = String::new();
        let mut term = Category::default();
        while let Some(element) = self.next_child()? {
            match element.name() {
                (Wp, "term_taxonomy") => taxonomy = self.read_scalar()?,
                (Wp, "term_slug") => term.slug = self.read_scalar()?,
                (Wp, "term_name") => term.name = self.read_scalar()?,
                (Wp, "term_parent") => term.parent = self.read_optional()?,
                (Wp, "term_description") => term.description = self.read_scalar()?,
                _ => self.skip()?,
            }
        }
        Ok(match taxonomy.as_str() {
            "category" => Some(Record::Category(term)),
            "post_tag" => Some(Record::Tag(Tag {
                slug: term.slug,
                name: term.name,
                description: term.description,
            })),
            _ => None,
        })
    }

    fn read_item(&mut self) -> Result<Item, WxrError> {
        let mut item = Item::default();
        while let Some(element) = self.next_child()? {
            match element.name() {
                (Rss, "title") => item.title = self.read_scalar()?,
                (Rss, "link") => item.link = self.read_scalar()?,
                (Rss, "guid") => item.guid = self.read_scalar()?,
                (Rss, "pubDate") => {
                    item.pub_date = DateTime::parse_from_rfc2822(&self.read_scalar()?).ok();
                }
                (Rss, "category") => {
                    let name = self.read_scalar()?;
                    // Like WordPress, ignore the bare `<category>` duplicates of WXR 1.0.
                    if let Some(slug) = element.attribute("nicename") {
                        item.terms.push(ItemTerm {
                            domain: element.attribute("domain").unwrap_or_default().to_owned(),
                            slug: slug.to_owned(),
                            name,
                        });
                    }
                }
                (Dc, "creator") => item.creator = self.read_scalar()?,
                (Content, "encoded") => item.content = self.read_text()?,
                (Excerpt, "encoded") => item.excerpt = self.read_text()?,
                (Wp, "post_id") => item.post_id = self.read_number()?,
                (Wp, "post_date") => item.post_date = self.read_date()?,
                (Wp, "post_date_gmt") => item.post_date_gmt = self.read_date()?,
                (Wp, "post_modified_gmt") => item.modified_gmt = self.read_date()?,
                (Wp, "comment_status") => item.comment_status = self.read_scalar()?,
                (Wp, "post_name") => item.post_name = self.read_scalar()?,
                (Wp, "status") => item.status = self.read_scalar()?,
                (Wp, "post_parent") => item.post_parent = self.read_nonzero_id()?,
                (Wp, "menu_order") => item.menu_order = self.read_number()?.unwrap_or_default(),
                (Wp, "post_type") => item.post_type = self.read_scalar()?,
                (Wp, "is_sticky") => item.is_sticky = self.read_scalar()? == "1",
                (Wp, "post_password") => item.post_password = self.read_scalar()?,
                (Wp, "comment") => item.comments.push(self.read_comment()?),
                (Wp, "postmeta") => {
                    if let Some((key, value)) = self.read_meta()?
                        && key == LANGUAGE_META_KEY
                    {
                        item.language = Some(value);
                    }
                }
                _ => self.skip()?,
            }
        }
        Ok(item)
    }

    /// A `wp:postmeta`'s key and value.
    fn read_meta(&mut self) -> Result<Option<(String, String)>, WxrError> {
        let (mut key, mut value) = (None, String::new());
        while let Some(element) = self.next_child()? {
            match element.name() {
                (Wp, "meta_key") => key = Some(self.read_scalar()?),
                (Wp, "meta_value") => value = self.read_text()?,
                _ => self.skip()?,
            }
        }
        Ok(key.map(|key| (key, value)))
    }

    fn read_comment(&mut self) -> Result<Comment, WxrError> {
        let mut comment = Comment::default();
        while let Some(element) = self.next_child()? {
            match element.name() {
                (Wp, "comment_id") => comment.id = self.read_number()?,
                (Wp, "comment_author") => comment.author = self.read_scalar()?,
                (Wp, "comment_author_email") => comment.author_email = self.read_scalar()?,
                (Wp, "comment_author_url") => comment.author_url = self.read_scalar()?,
                (Wp, "comment_author_IP") => comment.author_ip = self.read_scalar()?,
                (Wp, "comment_date") => comment.date = self.read_date()?,
                (Wp, "comment_date_gmt") => comment.date_gmt = self.read_date()?,
                (Wp, "comment_content") => comment.content = self.read_text()?,
                (Wp, "comment_approved") => comment.approved = self.read_scalar()?,
                (Wp, "comment_type") => comment.kind = self.read_scalar()?,
                (Wp, "comment_parent") => comment.parent = self.read_nonzero_id()?,
                (Wp, "comment_user_id") => comment.user_id = self.read_nonzero_id()?,
                _ => self.skip()?,
            }
        }
        Ok(comment)
    }

    /// The text of the element just started, with surrounding whitespace trimmed.
    fn read_scalar(&mut self) -> Result<String, WxrError> {
        let text = self.read_text()?;
        Ok(trim_xml_whitespace(&text).to_owned())
    }

    fn read_optional(&mut self) -> Result<Option<String>, WxrError> {
        let text = self.read_scalar()?;
        Ok(Some(text).filter(|text| !text.is_empty()))
    }

    /// The number in the element just started; `None` when empty or not a number.
    fn read_number<T: FromStr>(&mut self) -> Result<Option<T>, WxrError> {
        Ok(self.read_scalar()?.parse().ok())
    }

    /// A reference to another post, comment or user, where WordPress writes 0 for none.
    fn read_nonzero_id(&mut self) -> Result<Option<i64>, WxrError> {
        Ok(self.read_number()?.filter(|&id| id != 0))
    }

    /// A WordPress date; `None` when empty or unparsable, as "0000-00-00 00:00:00" is.
    fn read_date(&mut self) -> Result<Option<NaiveDateTime>, WxrError> {
        let text = self.read_scalar()?;
        Ok(NaiveDateTime::parse_from_str(&text, WORDPRESS_DATE_FORMAT).ok())
    }

    /// The text of the element just started, its text and CDATA pieces joined. Child elements,
    /// which WXR never puts in a value, are skipped.
    fn read_text(&mut self) -> Result<String, WxrError> {
        let mut text = String::new();
        loop {
            match self.next_node()? {
                Node::Text(piece) if text.is_empty() => text = piece,
                Node::Text(piece) => text.push_str(&piece),
                Node::Start(_) => self.skip()?,
                Node::End | Node::Eof => return Ok(text),
            }
        }
    }

    /// The next child element of the current element, or `None` at the current element's end.
    fn next_child(&mut self) -> Result<Option<Element>, WxrError> {
        loop {
            match self.next_node()? {
                Node::Start(element) => return Ok(Some(element)),
                Node::Text(_) => {}
                Node::End | Node::Eof => return Ok(None),
            }
        }
    }

    /// Skips the rest of the element just started.
    fn skip(&mut self) -> Result<(), WxrError> {
        let depth = self.open_elements.len();
        while self.open_elements.len() >= depth {
            self.next_node()?;
        }
        Ok(())
    }

    /// Reads the next event that matters, checking what quick-xml leaves to its user: `]]>` in
    /// text, entity references, and elements left open at the end of the file.
    fn next_node(&mut self) -> Result<Node, WxrError> {
        loop {
            self.buffer.clear();
            self.event_start = self.xml.buffer_position();
            self.xml.get_mut().forget_before(self.event_start);
            let (namespace, event) = match self.xml.read_resolved_event_into(&mut self.buffer) {
                Ok((resolved, event)) => (Namespace::of(&resolved), event),
                Err(error) => return Err(self.translate(error)),
            };
            let lines = self.xml.get_ref();
            match event {
                Event::Start(start) => {
                    let element =
                        Element::new(namespace, &start, lines.position(self.event_start))?;
                    self.open_elements.push(OpenElement {
                        name: element.qualified_name.clone(),
                        line: element.position.line,
                    });
                    return Ok(Node::Start(element));
                }
                Event::End(_) => {
                    self.open_elements.pop();
                    return Ok(Node::End);
                }
                Event::Text(text) => {
                    if let Some(index) = text.find("]]>") {
                        let position = lines.position(self.event_start + index as u64);
                        return Err(position.invalid("`]]>` in text outside a CDATA section"));
                    }
                    return Ok(Node::Text(text.xml10_content().into_owned()));
                }
                Event::CData(cdata) => return Ok(Node::Text(cdata.xml10_content().into_owned())),
                Event::GeneralRef(reference) => {
                    return resolve_reference(&reference)
                        .map(Node::Text)
                        .map_err(|message| lines.position(self.event_start).invalid(message));
                }
                Event::Eof => {
                    return match self.open_elements.last() {
                        None => Ok(Node::Eof),
                        Some(open) => Err(lines.position(self.event_start).invalid(format!(
                            "the file ends before <{}> is closed (opened on line {})",
                            open.name, open.line
                        ))),
                    };
                }
                // With `expand_empty_elements`, `<a/>` comes as a Start and an End, not as Empty.
                Event::Empty(_)
                | Event::Comment(_)
                | Event::Decl(_)
                | Event::PI(_)
                | Event::DocType(_) => {}
            }
        }
    }

    fn translate(&self, error: quick_xml::Error) -> WxrError {
        let offset = match &error {
            quick_xml::Error::Io(error) => return WxrError::Io(error.to_string()),
            quick_xml::Error::Encoding(EncodingError::Utf8(error)) => {
                self.event_start + error.valid_up_to() as u64
            }
            // quick-xml sets `error_position` for syntax and well-formedness errors only.
            _ => self.xml.error_position().max(self.event_start),
        };
        let message = match error {
            quick_xml::Error::Encoding(_) => "the file is not valid UTF-8".to_owned(),
            error => error.to_string(),
        };
        self.xml.get_ref().position(offset).invalid(message)
    }

    /// An error at the start of the event last read.
    fn invalid_here(&self, message: &str) -> WxrError {
        self.xml
            .get_ref()
            .position(self.event_start)
            .invalid(message)
    }
}

const UTF8_BOM: &[u8] = b"\xEF\xBB\xBF";
const WXR_VERSIONS: [&str; 3] = ["1.0", "1.1", "1.2"];
/// The post meta in which Fieldnotes writes a post's own language.
pub const LANGUAGE_META_KEY: &str = "_fieldnotes_language";
pub const WORDPRESS_DATE_FORMAT: &str = "%Y-%m-%d %H:%M:%S";
const CONTENT_NAMESPACE: &str = "http://purl.org/rss/1.0/modules/content/";
const DUBLIN_CORE_NAMESPACE: &str = "http://purl.org/dc/elements/1.1/";

/// Where the reader is in the document, between two records.
#[derive(Debug, Clone, Copy)]
enum Stage {
    BeforeRoot,
    InRss { channel_seen: bool },
    InChannel,
    AfterRoot,
    Finished,
}

/// The namespaces of a WXR file, told apart by URI whatever their prefix.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Namespace {
    /// No namespace: the RSS elements.
    Rss,
    Wp,
    Excerpt,
    Content,
    Dc,
    Other,
}

use Namespace::{Content, Dc, Excerpt, Rss, Wp};

impl Namespace {
    /// An undeclared prefix counts as an unknown namespace, so its element is ignored.
    fn of(resolved: &ResolveResult) -> Self {
        match resolved {
            ResolveResult::Unbound => Rss,
            ResolveResult::Bound(namespace) => Self::from_uri(namespace.into_inner()),
            ResolveResult::Unknown(_) => Self::Other,
        }
    }

    fn from_uri(uri: &str) -> Self {
        let wordpress = uri
            .strip_prefix("http://wordpress.org/export/")
            .or_else(|| uri.strip_prefix("https://wordpress.org/export/"));
        match (uri, wordpress) {
            (CONTENT_NAMESPACE, _) => Content,
            (DUBLIN_CORE_NAMESPACE, _) => Dc,
            (_, Some("1.0/" | "1.1/" | "1.2/")) => Wp,
            (_, Some("1.0/excerpt/" | "1.1/excerpt/" | "1.2/excerpt/")) => Excerpt,
            _ => Self::Other,
        }
    }
}

#[derive(Debug, Clone, Copy)]
struct Position {
    line: u64,
    column: u64,
}

impl Position {
    fn invalid(self, message: impl Into<String>) -> WxrError {
        WxrError::Invalid {
            line: self.line,
            column: self.column,
            message: message.into(),
        }
    }
}

enum Node {
    Start(Element),
    /// A piece of character data: text, CDATA or a resolved reference.
    Text(String),
    End,
    Eof,
}

struct Element {
    namespace: Namespace,
    qualified_name: String,
    /// Names and normalized values.
    attributes: Vec<(String, String)>,
    position: Position,
}

impl Element {
    fn new(namespace: Namespace, start: &BytesStart, position: Position) -> Result<Self, WxrError> {
        let qualified_name = start.name().into_inner().to_owned();
        let attributes = start
            .attributes()
            .map(|attribute| {
                let attribute = attribute.map_err(quick_xml::Error::from)?;
                let value = attribute.normalized_value_with(
                    XmlVersion::Implicit1_0,
                    1,
                    resolve_xml_entity,
                )?;
                Ok((attribute.key.into_inner().to_owned(), value.into_owned()))
            })
            .collect::<Result<_, quick_xml::Error>>()
            .map_err(|error| {
                position.invalid(format!("bad attribute in <{qualified_name}>: {error}"))
            })?;
        Ok(Self {
            namespace,
            qualified_name,
            attributes,
            position,
        })
    }

    fn name(&self) -> (Namespace, &str) {
        let local_name = self
            .qualified_name
            .split_once(':')
            .map_or(self.qualified_name.as_str(), |(_, local_name)| local_name);
        (self.namespace, local_name)
    }

    fn attribute(&self, name: &str) -> Option<&str> {
        self.attributes
            .iter()
            .find(|(key, _)| key == name)
            .map(|(_, value)| value.as_str())
    }
}

struct OpenElement {
    name: String,
    line: u64,
}

fn resolve_reference(reference: &BytesRef) -> Result<String, String> {
    if reference.is_char_ref() {
        return match reference.resolve_char_ref() {
            Ok(Some(character)) if is_xml_char(character) => Ok(character.to_string()),
            _ => Err(format!("invalid character reference &{};", &**reference)),
        };
    }
    resolve_xml_entity(reference)
        .map(str::to_owned)
        .ok_or_else(|| format!("unknown entity &{};", &**reference))
}

/// Whether XML 1.0 allows the character in a document (the `Char` production).
pub fn is_xml_char(character: char) -> bool {
    matches!(
        character,
        '\t' | '\n' | '\r' | ' '..='\u{D7FF}' | '\u{E000}'..='\u{FFFD}' | '\u{10000}'..
    )
}

fn trim_xml_whitespace(text: &str) -> &str {
    text.trim_matches([' ', '\t', '\r', '\n'])
}

/// Passes the input through to the parser, noting where lines start so that byte offsets can be
/// told as lines and columns. Newlines before the current event are only counted, not kept.
/// A UTF-8 byte order mark at the start is hidden from the parser, and offsets count from after it.
struct LineTracker<R> {
    inner: R,
    /// The length of the byte order mark skipped, once the start has been looked at.
    bom_length: Option<u64>,
    /// Bytes handed to the parser.
    consumed: u64,
    /// Bytes looked at for newlines, including some the parser may not have consumed yet.
    scanned: u64,
    /// The offsets of the newlines from the current event on.
    newlines: VecDeque<u64>,
    forgotten_lines: u64,
    last_forgotten_newline: Option<u64>,
}

impl<R> LineTracker<R> {
    fn new(inner: R) -> Self {
        Self {
            inner,
            bom_length: None,
            consumed: 0,
            scanned: 0,
            newlines: VecDeque::new(),
            forgotten_lines: 0,
            last_forgotten_newline: None,
        }
    }

    fn bytes_read(&self) -> u64 {
        self.bom_length.unwrap_or_default() + self.consumed
    }

    fn forget_before(&mut self, offset: u64) {
        while let Some(newline) = self.newlines.front().copied().filter(|&n| n < offset) {
            self.newlines.pop_front();
            self.forgotten_lines += 1;
            self.last_forgotten_newline = Some(newline);
        }
    }

    /// The position of a byte offset at or after the last `forget_before`.
    fn position(&self, offset: u64) -> Position {
        let newlines_before = self.newlines.partition_point(|&newline| newline < offset);
        let line_start = match newlines_before.checked_sub(1) {
            Some(index) => self.newlines[index] + 1,
            None => self.last_forgotten_newline.map_or(0, |newline| newline + 1),
        };
        Position {
            line: self.forgotten_lines + newlines_before as u64 + 1,
            column: offset.saturating_sub(line_start) + 1,
        }
    }
}

impl<R: BufRead> Read for LineTracker<R> {
    fn read(&mut self, out: &mut [u8]) -> io::Result<usize> {
        let available = self.fill_buf()?;
        let amount = available.len().min(out.len());
        out[..amount].copy_from_slice(&available[..amount]);
        self.consume(amount);
        Ok(amount)
    }
}

impl<R: BufRead> BufRead for LineTracker<R> {
    fn fill_buf(&mut self) -> io::Result<&[u8]> {
        if self.bom_length.is_none() {
            let has_bom = self.inner.fill_buf()?.starts_with(UTF8_BOM);
            if has_bom {
                self.inner.consume(UTF8_BOM.len());
            }
            self.bom_length = Some(if has_bom { UTF8_BOM.len() as u64 } else { 0 });
        }
        let available = self.inner.fill_buf()?;
        let already_scanned = (self.scanned - self.consumed) as usize;
        let newlines = available.iter().enumerate().skip(already_scanned);
        for (index, _) in newlines.filter(|(_, byte)| **byte == b'\n') {
            self.newlines.push_back(self.consumed + index as u64);
        }
        self.scanned = self.scanned.max(self.consumed + available.len() as u64);
        Ok(available)
    }

    fn consume(&mut self, amount: usize) {
        self.consumed += amount as u64;
        self.inner.consume(amount);
    }
}

#[cfg(test)]
mod tests {
    use std::cell::Cell;
    use std::collections::HashSet;
    use std::fs::File;
    use std::io::BufReader;
    use std::rc::Rc;

    use chrono::NaiveDate;

    use super::*;

    const FIXTURES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../fixtures");

    fn open_fixture(name: &str) -> WxrReader<BufReader<File>> {
        let path = format!("{FIXTURES}/{name}");
        let file = File::open(&path).unwrap_or_else(|error| panic!("{path}: {error}"));
        WxrReader::new(BufReader::new(file))
    }

    fn read_all<R: BufRead>(reader: &mut WxrReader<R>) -> Result<Vec<Record>, WxrError> {
        let mut records = Vec::new();
        while let Some(record) = reader.next_record()? {
            records.push(record);
        }
        Ok(records)
    }

    fn fixture_records(name: &str) -> Vec<Record> {
        read_all(&mut open_fixture(name)).unwrap_or_else(|error| panic!("{name}: {error}"))
    }

    fn fixture_error(name: &str) -> WxrError {
        read_all(&mut open_fixture(name)).expect_err(name)
    }

    fn parse(xml: &str) -> Result<Vec<Record>, WxrError> {
        read_all(&mut WxrReader::new(xml.as_bytes()))
    }

    /// A WXR 1.2 export whose channel holds `body`, starting on line 5.
    fn export(body: &str) -> String {
        format!(
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>
<rss version=\"2.0\" xmlns:excerpt=\"http://wordpress.org/export/1.2/excerpt/\" \
     xmlns:content=\"http://purl.org/rss/1.0/modules/content/\" \
     xmlns:dc=\"http://purl.org/dc/elements/1.1/\" xmlns:wp=\"http://wordpress.org/export/1.2/\">
<channel>
<wp:wxr_version>1.2</wp:wxr_version>
{body}
</channel>
</rss>
"
        )
    }

    fn only_item(item_body: &str) -> Item {
        let records = parse(&export(&format!("<item>{item_body}</item>"))).unwrap();
        match <[Record; 1]>::try_from(records) {
            Ok([Record::Item(item)]) => *item,
            other => panic!("expected one item, got {other:?}"),
        }
    }

    fn invalid(line: u64, column: u64, message: &str) -> WxrError {
        WxrError::Invalid {
            line,
            column,
            message: message.to_owned(),
        }
    }

    fn authors(records: &[Record]) -> Vec<&Author> {
        records
            .iter()
            .filter_map(|record| match record {
                Record::Author(author) => Some(author),
                _ => None,
            })
            .collect()
    }

    fn categories(records: &[Record]) -> Vec<&Category> {
        records
            .iter()
            .filter_map(|record| match record {
                Record::Category(category) => Some(category),
                _ => None,
            })
            .collect()
    }

    fn tags(records: &[Record]) -> Vec<&Tag> {
        records
            .iter()
            .filter_map(|record| match record {
                Record::Tag(tag) => Some(tag),
                _ => None,
            })
            .collect()
    }

    fn items(records: &[Record]) -> Vec<&Item> {
        records
            .iter()
            .filter_map(|record| match record {
                Record::Item(item) => Some(&**item),
                _ => None,
            })
            .collect()
    }

    fn date(text: &str) -> Option<NaiveDateTime> {
        NaiveDateTime::parse_from_str(text, WORDPRESS_DATE_FORMAT).ok()
    }

    #[test]
    fn seed_blog() {
        let mut reader = open_fixture("demo.wxr");
        let records = read_all(&mut reader).unwrap();
        assert_eq!(
            reader.channel().title,
            "Creative and Waste Industries in Ningbo"
        );
        assert_eq!(reader.channel().version.as_deref(), Some("1.2"));
        assert!(authors(&records).is_empty());
        assert!(tags(&records).is_empty());
        let category_slugs: Vec<_> = categories(&records)
            .iter()
            .map(|c| c.slug.as_str())
            .collect();
        assert_eq!(
            category_slugs,
            ["creative-industries", "theory", "video", "waste-industries"]
        );
        assert_eq!(categories(&records)[0].name, "creative industries");
        assert_eq!(categories(&records)[0].parent, None);

        let items = items(&records);
        assert_eq!(items.len(), 9);
        assert!(items.iter().all(|item| item.post_type == "post"));
        let first = items[0];
        assert_eq!(
            first.title,
            "Using Sassen’s theory to explain the phenomenon of cluster"
        );
        assert_eq!(
            first.post_name,
            "using-sassens-theory-to-explain-the-phenomenon-of-cluster"
        );
        assert_eq!(first.post_id, Some(1));
        assert_eq!(first.post_date_gmt, date("2009-04-19 12:00:00"));
        assert_eq!(
            first.pub_date,
            DateTime::parse_from_rfc3339("2009-04-19T12:00:00+00:00").ok()
        );
        assert_eq!(first.status, "publish");
        assert_eq!(first.post_parent, None);
        assert_eq!(first.creator, "");
        let first_terms: Vec<_> = first
            .terms
            .iter()
            .map(|term| (term.domain.as_str(), term.slug.as_str(), term.name.as_str()))
            .collect();
        assert_eq!(
            first_terms,
            [
                ("category", "creative-industries", "creative industries"),
                ("category", "theory", "theory"),
            ]
        );
        assert!(
            first
                .content
                .starts_with("<p>According to Sassen (1991, 1994)")
        );
        assert!(
            items
                .iter()
                .any(|item| item.content.contains("慈溪市供销合作社联合社2009"))
        );

        assert_eq!(reader.next_record(), Ok(None));
        assert_eq!(reader.bytes_read(), 21241);
    }

    #[test]
    fn theme_unit_test_data_counts() {
        let records = fixture_records("wordpress/themeunittestdata.wordpress.xml");
        assert_eq!(authors(&records).len(), 2);
        assert_eq!(authors(&records)[1].login, "themereviewteam");

        // 68 `wp:category` plus one `wp:term` of taxonomy "category" repeating the slug "6-1".
        let categories = categories(&records);
        assert_eq!(categories.len(), 69);
        let slugs: HashSet<_> = categories.iter().map(|c| c.slug.as_str()).collect();
        assert_eq!(slugs.len(), 68);
        assert_eq!(categories.iter().filter(|c| c.slug == "6-1").count(), 2);
        assert_eq!(categories.iter().filter(|c| c.parent.is_some()).count(), 10);
        assert_eq!(tags(&records).len(), 110);

        let items = items(&records);
        let of_type = |post_type: &str| items.iter().filter(|i| i.post_type == post_type).count();
        assert_eq!(of_type("post"), 58);
        assert_eq!(of_type("page"), 21);
        assert_eq!(of_type("attachment"), 37);
        assert_eq!(of_type("nav_menu_item"), 70);
        assert_eq!(items.len(), 186);
        let posts_with_status = |status: &str| {
            let matching = |item: &&&Item| item.post_type == "post" && item.status == status;
            items.iter().filter(matching).count()
        };
        assert_eq!(posts_with_status("publish"), 56);
        assert_eq!(posts_with_status("draft"), 1);
        assert_eq!(posts_with_status("future"), 1);
        assert_eq!(items.iter().filter(|item| item.is_sticky).count(), 1);

        let comments: Vec<&Comment> = items.iter().flat_map(|item| &item.comments).collect();
        assert_eq!(comments.len(), 33);
        assert_eq!(comments.iter().filter(|c| c.parent.is_some()).count(), 10);
        assert_eq!(comments.iter().filter(|c| c.approved == "0").count(), 3);
        assert_eq!(comments.iter().filter(|c| c.kind == "pingback").count(), 2);
        assert_eq!(comments.iter().filter(|c| c.kind == "trackback").count(), 2);
    }

    #[test]
    fn every_valid_fixture_parses_to_the_end() {
        let valid = [
            "demo.wxr",
            "wordpress/64-block-test-data.xml",
            "wordpress/a11y-unit-test-data.xml",
            "wordpress/cdata-edge.xml",
            "wordpress/missing-tags.xml",
            "wordpress/namespace-edge-cases.xml",
            "wordpress/slashes.xml",
            "wordpress/small-export.xml",
            "wordpress/themeunittestdata.wordpress.xml",
            "wordpress/valid-wxr-1.0.xml",
            "wordpress/valid-wxr-1.1.xml",
            "wordpress/wxr-simple.xml",
            "wordpress/wxr-utf-8-challenges.xml",
        ];
        for name in valid {
            let mut reader = open_fixture(name);
            let records = read_all(&mut reader).unwrap_or_else(|error| panic!("{name}: {error}"));
            assert!(!records.is_empty(), "{name}");
            assert!(reader.channel().version.is_some(), "{name}");
            let size = std::fs::metadata(format!("{FIXTURES}/{name}"))
                .unwrap()
                .len();
            assert_eq!(reader.bytes_read(), size, "{name}");
            assert_eq!(reader.next_record(), Ok(None), "{name}");
        }
    }

    #[test]
    fn wxr_versions_1_0_and_1_1() {
        let records = fixture_records("wordpress/valid-wxr-1.0.xml");
        let post = items(&records)[0];
        // The bare `<category>` and the nicename-less `domain="tag"` duplicates are ignored.
        let terms: Vec<_> = post.terms.iter().map(|term| term.slug.as_str()).collect();
        assert_eq!(terms, ["uncategorized"]);
        let records = fixture_records("wordpress/valid-wxr-1.1.xml");
        assert_eq!(authors(&records)[0].display_name, "John Doe");
        assert_eq!(categories(&records)[0].description, "The alpha category");
        assert_eq!(tags(&records)[0].description, "The Clippable post_tag");
    }

    #[test]
    fn utf8_challenges_come_through_intact() {
        let mut reader = open_fixture("wordpress/wxr-utf-8-challenges.xml");
        let records = read_all(&mut reader).unwrap();
        let channel = reader.channel();
        assert_eq!(
            channel.title,
            "My WordPress Website 🚀 \u{202E}\u{202D}مرحبا"
        );
        assert_eq!(
            channel.description,
            "Site with \u{A0}\u{200B}\u{2060}\u{FEFF} invisible chars and \u{FFFD} replacement"
        );
        let author = authors(&records)[0];
        assert_eq!(author.login, "admin\u{200C}\u{200B}\u{200D}\u{200E}");
        assert_eq!(author.first_name, "🅰️");
        assert_eq!(author.last_name, "&#x1F1FA;&#x1F1F8;𝕌𝕟𝕚𝕔𝕠𝕕𝕖");
        let item = items(&records)[0];
        assert_eq!(
            item.title,
            "\"The Road \u{202E}Not\u{202C} Taken\" by Rob\u{202D}ert \u{202E}Frost \u{202A}🌲\u{202C}"
        );
        assert_eq!(
            item.guid,
            "https://playground.internal/path/🚀/\u{202E}tsop\u{202C}/?p=1&test=💫\u{200C}\u{200B}\u{200D}\u{200E}"
        );
        assert_eq!(item.post_name, "hello-w\u{202E}orld\u{202C}-utf8-💫-test");
        assert!(item.content.contains("🚀🌟💫⭐️🔥💯🎉🎊🌈🦄"));
        assert!(item.content.contains("&#xD800;&#xDC00;"));
        assert_eq!(item.terms[0].slug, "uncat\u{202E}egorized\u{202C}");
    }

    #[test]
    fn namespace_edge_cases_fixture() {
        let records = fixture_records("wordpress/namespace-edge-cases.xml");
        let logins: Vec<_> = authors(&records).iter().map(|a| a.login.as_str()).collect();
        // `wp:` rebound to a fake URI and `custom:` are ignored; `wp2:` is the WXR 1.1 namespace.
        assert_eq!(logins, ["real_user", "version_conflict"]);
        let items = items(&records);
        let ids: Vec<_> = items.iter().map(|item| item.post_id).collect();
        // `alt:post_id` is bound to the WXR namespace and comes last; the hijacked item has none.
        assert_eq!(ids, [Some(999), Some(2), Some(3), Some(4), None, Some(6)]);
        let hijacked = items[4];
        assert_eq!(hijacked.title, "Hijacked Namespace");
        assert_eq!(hijacked.post_type, "");
        assert_eq!(hijacked.content, "This attempts to hijack the wp namespace");
        assert!(items[5].content.starts_with("&lol1;&lol1;"));
        let slugs: Vec<_> = categories(&records)
            .iter()
            .map(|c| c.slug.as_str())
            .collect();
        assert_eq!(slugs, ["old-version", "new-version"]);
    }

    #[test]
    fn cdata_edge_fixture() {
        let records = fixture_records("wordpress/cdata-edge.xml");
        assert_eq!(items(&records)[0].content, "ends with sequence ]] >");
    }

    #[test]
    fn malformed_fixture_is_refused() {
        assert_eq!(
            fixture_error("wordpress/malformed.xml"),
            invalid(
                27,
                1,
                "not a WordPress export: <notachanneltag> in place of <channel>"
            )
        );
    }

    #[test]
    fn malformed_simple_fixture_is_refused() {
        // The file's 13 lines end with a newline, so its end is at the start of line 14.
        assert_eq!(
            fixture_error("wordpress/malformed-simple.xml"),
            invalid(
                14,
                1,
                "the file ends before <item> is closed (opened on line 9)"
            )
        );
    }

    #[test]
    fn crazy_cdata_fixture_is_refused() {
        // `<![CDATA[Content with nested <![CDATA[ tags ]]>` ends at the first `]]>`,
        // leaving ` :)]]>` as text.
        assert_eq!(
            fixture_error("wordpress/crazy-cdata.xml"),
            invalid(18, 70, "`]]>` in text outside a CDATA section")
        );
    }

    #[test]
    fn invalid_version_fixture_is_refused() {
        assert_eq!(
            fixture_error("wordpress/invalid-version-tag.xml"),
            invalid(33, 2, "unsupported WXR version 'abc'")
        );
    }

    #[test]
    fn namespaces_are_matched_by_uri_not_prefix() {
        let xml = r#"<rss xmlns:w="https://wordpress.org/export/1.1/"
  xmlns:fake="http://example.com/fake/">
<channel>
<w:wxr_version>1.1</w:wxr_version>
<item xmlns:text="http://purl.org/rss/1.0/modules/content/"
  xmlns:creator="http://purl.org/dc/elements/1.1/">
<title>Prefixes</title>
<post_id xmlns="http://wordpress.org/export/1.2/">7</post_id>
<w:post_type>page</w:post_type>
<fake:status>draft</fake:status>
<status xmlns="http://example.com/fake/">pending</status>
<undeclared:post_name>nowhere</undeclared:post_name>
<text:encoded>Body</text:encoded>
<short xmlns="http://wordpress.org/export/1.0/excerpt/"><encoded>Short</encoded></short>
<encoded xmlns="http://wordpress.org/export/1.0/excerpt/">Excerpt</encoded>
<creator:creator>ana</creator:creator>
<wp:comment xmlns:wp="http://wordpress.org/export/1.2/">
  <wp:comment_id>3</wp:comment_id>
</wp:comment>
<link xmlns="http://example.com/fake/">http://example.com/</link>
</item>
</channel>
</rss>"#;
        let records = parse(xml).unwrap();
        let item = items(&records)[0];
        assert_eq!(item.title, "Prefixes");
        assert_eq!(item.post_id, Some(7));
        assert_eq!(item.post_type, "page");
        assert_eq!(item.status, "");
        assert_eq!(item.post_name, "");
        assert_eq!(item.content, "Body");
        assert_eq!(item.excerpt, "Excerpt");
        assert_eq!(item.creator, "ana");
        assert_eq!(item.comments[0].id, Some(3));
        assert_eq!(item.link, "");
    }

    #[test]
    fn cdata_end_in_text_is_refused() {
        let xml = export("<item><title>fine ]] > but not ]]> this</title></item>");
        assert_eq!(
            parse(&xml),
            Err(invalid(5, 32, "`]]>` in text outside a CDATA section"))
        );
        let xml = export(
            "<item>\n<content:encoded><![CDATA[a <![CDATA[ b ]]> c]]></content:encoded>\n</item>",
        );
        assert_eq!(
            parse(&xml),
            Err(invalid(6, 46, "`]]>` in text outside a CDATA section"))
        );
    }

    #[test]
    fn end_of_file_inside_an_element_is_refused() {
        let xml = export("<wp:author>\n<wp:author_login>ana");
        let truncated = &xml[..xml.find("</channel>").unwrap()];
        assert_eq!(
            parse(truncated),
            Err(invalid(
                7,
                1,
                "the file ends before <wp:author_login> is closed (opened on line 6)"
            ))
        );
        assert_eq!(
            parse("<rss>\n<channel>"),
            Err(invalid(
                2,
                10,
                "the file ends before <channel> is closed (opened on line 2)"
            ))
        );
    }

    #[test]
    fn entities_and_character_references_are_unescaped() {
        let item = only_item(
            r#"<title>&lt;b&gt; &amp; &quot;q&quot; &apos;a&apos; &#20013;&#x6587;</title>
<category domain="post_tag" nicename="r&amp;d">R&amp;D &#x1F600;</category>
<content:encoded>&lt;p&gt;x&lt;/p&gt;</content:encoded>"#,
        );
        assert_eq!(item.title, "<b> & \"q\" 'a' 中文");
        assert_eq!(item.terms[0].slug, "r&d");
        assert_eq!(item.terms[0].name, "R&D 😀");
        assert_eq!(item.content, "<p>x</p>");
    }

    #[test]
    fn unknown_entities_and_bad_references_are_refused() {
        assert_eq!(
            parse(&export("<title>a&nbsp;b</title>")),
            Err(invalid(5, 9, "unknown entity &nbsp;"))
        );
        assert_eq!(
            parse(&export("<title>a&#1;b</title>")),
            Err(invalid(5, 9, "invalid character reference &#1;"))
        );
        assert_eq!(
            parse(&export(
                "<item><category domain=\"&foo;\">x</category></item>"
            )),
            Err(invalid(
                5,
                7,
                "bad attribute in <category>: at 1..4: unrecognized entity `foo`"
            ))
        );
        let Err(WxrError::Invalid { line, message, .. }) = parse(&export("<title>a & b</title>"))
        else {
            panic!("a lone & must be refused");
        };
        assert_eq!(line, 5);
        assert!(message.contains("not closed"), "{message}");
    }

    #[test]
    fn text_and_cdata_pieces_are_joined() {
        let item = only_item(
            "<title>\n  Hello <![CDATA[<b>world</b>]]> &amp; <!-- note --> more  \n</title>
<content:encoded>  <![CDATA[a]]> b <!-- c --><![CDATA[ d ]]>\n</content:encoded>
<excerpt:encoded><![CDATA[ one ]]><![CDATA[two ]]></excerpt:encoded>
<wp:comment><wp:comment_content>\n  kept  \n</wp:comment_content></wp:comment>",
        );
        assert_eq!(item.title, "Hello <b>world</b> &  more");
        assert_eq!(item.content, "  a b  d \n");
        assert_eq!(item.excerpt, " one two ");
        assert_eq!(item.comments[0].content, "\n  kept  \n");
    }

    #[test]
    fn line_ends_are_normalized() {
        let item = only_item("<content:encoded>a\r\nb<![CDATA[\r\nc]]></content:encoded>");
        assert_eq!(item.content, "a\nb\nc");
    }

    #[test]
    fn zero_and_missing_values_become_none() {
        let item = only_item(
            "<pubDate>Mon, 30 Nov -0001 00:00:00 +0000</pubDate>
<wp:post_date>0000-00-00 00:00:00</wp:post_date>
<wp:post_date_gmt></wp:post_date_gmt>
<wp:post_modified_gmt>yesterday</wp:post_modified_gmt>
<wp:post_parent>0</wp:post_parent>
<wp:post_id>not a number</wp:post_id>
<wp:menu_order/>
<wp:is_sticky>0</wp:is_sticky>
<wp:comment><wp:comment_parent>0</wp:comment_parent><wp:comment_user_id>0</wp:comment_user_id>
<wp:comment_date_gmt>0000-00-00 00:00:00</wp:comment_date_gmt></wp:comment>",
        );
        assert_eq!(item.pub_date, None);
        assert_eq!(item.post_date, None);
        assert_eq!(item.post_date_gmt, None);
        assert_eq!(item.modified_gmt, None);
        assert_eq!(item.post_parent, None);
        assert_eq!(item.post_id, None);
        assert_eq!(item.menu_order, 0);
        assert!(!item.is_sticky);
        assert_eq!(item.comments[0], Comment::default());
        assert_eq!(only_item(""), Item::default());
    }

    #[test]
    fn item_fields_in_any_order() {
        let item = only_item(
            r#"
<wp:comment>
  <wp:comment_type><![CDATA[pingback]]></wp:comment_type>
  <wp:comment_id>12</wp:comment_id>
  <wp:comment_author><![CDATA[ Bo ]]></wp:comment_author>
  <wp:comment_author_email>bo@example.com</wp:comment_author_email>
  <wp:comment_author_url>https://bo.example.com</wp:comment_author_url>
  <wp:comment_author_IP>192.0.2.1</wp:comment_author_IP>
  <wp:comment_date>2024-01-02 03:04:05</wp:comment_date>
  <wp:comment_date_gmt>2024-01-02 02:04:05</wp:comment_date_gmt>
  <wp:comment_content><![CDATA[Nice.]]></wp:comment_content>
  <wp:comment_approved>spam</wp:comment_approved>
  <wp:comment_parent>11</wp:comment_parent>
  <wp:comment_user_id>4</wp:comment_user_id>
  <wp:commentmeta><wp:meta_key>k</wp:meta_key><wp:meta_value>v</wp:meta_value></wp:commentmeta>
</wp:comment>
<wp:is_sticky>1</wp:is_sticky>
<wp:post_password><![CDATA[open sesame]]></wp:post_password>
<category nicename="news" domain="post_tag"><![CDATA[News]]></category>
<category domain="category" nicename="misc">Misc</category>
<category>Bare</category>
<wp:post_type><![CDATA[page]]></wp:post_type>
<wp:postmeta><wp:meta_key>_edit_last</wp:meta_key><wp:meta_value>1</wp:meta_value></wp:postmeta>
<wp:menu_order> 3 </wp:menu_order>
<wp:post_parent>40</wp:post_parent>
<wp:status>private</wp:status>
<wp:post_name> about </wp:post_name>
<wp:comment_status>closed</wp:comment_status>
<wp:post_modified_gmt>2024-01-03 00:00:00</wp:post_modified_gmt>
<wp:post_date_gmt>2024-01-01 23:00:00</wp:post_date_gmt>
<wp:post_date>2024-01-02 00:00:00</wp:post_date>
<wp:post_id>41</wp:post_id>
<wp:ping_status>open</wp:ping_status>
<excerpt:encoded>Short</excerpt:encoded>
<content:encoded>Long</content:encoded>
<dc:creator><![CDATA[ana]]></dc:creator>
<guid isPermaLink="false">https://example.com/?page_id=41</guid>
<pubDate>Tue, 02 Jan 2024 00:00:00 +0100</pubDate>
<link>https://example.com/about/</link>
<title>About</title>
<unknown><deeply><nested>stuff</nested></deeply></unknown>
"#,
        );
        let expected = Item {
            title: "About".into(),
            link: "https://example.com/about/".into(),
            guid: "https://example.com/?page_id=41".into(),
            pub_date: DateTime::parse_from_rfc3339("2024-01-02T00:00:00+01:00").ok(),
            creator: "ana".into(),
            content: "Long".into(),
            excerpt: "Short".into(),
            post_id: Some(41),
            post_date: date("2024-01-02 00:00:00"),
            post_date_gmt: date("2024-01-01 23:00:00"),
            modified_gmt: date("2024-01-03 00:00:00"),
            comment_status: "closed".into(),
            post_name: "about".into(),
            status: "private".into(),
            post_parent: Some(40),
            menu_order: 3,
            post_type: "page".into(),
            is_sticky: true,
            post_password: "open sesame".into(),
            language: None,
            terms: vec![
                ItemTerm {
                    domain: "post_tag".into(),
                    slug: "news".into(),
                    name: "News".into(),
                },
                ItemTerm {
                    domain: "category".into(),
                    slug: "misc".into(),
                    name: "Misc".into(),
                },
            ],
            comments: vec![Comment {
                id: Some(12),
                author: "Bo".into(),
                author_email: "bo@example.com".into(),
                author_url: "https://bo.example.com".into(),
                author_ip: "192.0.2.1".into(),
                date: date("2024-01-02 03:04:05"),
                date_gmt: date("2024-01-02 02:04:05"),
                content: "Nice.".into(),
                approved: "spam".into(),
                kind: "pingback".into(),
                parent: Some(11),
                user_id: Some(4),
            }],
        };
        assert_eq!(item, expected);
        assert_eq!(
            item.post_date.map(|date| date.date()),
            NaiveDate::from_ymd_opt(2024, 1, 2)
        );
    }

    #[test]
    fn authors_and_terms() {
        let records = parse(&export(
            r#"<wp:author>
  <wp:author_id>1</wp:author_id><wp:author_login>ana</wp:author_login>
  <wp:author_email>ana@example.com</wp:author_email>
  <wp:author_display_name><![CDATA[Ana B]]></wp:author_display_name>
  <wp:author_first_name>Ana</wp:author_first_name><wp:author_last_name>B</wp:author_last_name>
</wp:author>
<wp:category>
  <wp:cat_name>Child</wp:cat_name><wp:category_nicename>child</wp:category_nicename>
  <wp:category_parent>parent</wp:category_parent>
</wp:category>
<wp:tag><wp:tag_slug>t</wp:tag_slug><wp:tag_name>T</wp:tag_name></wp:tag>
<wp:term>
  <wp:term_taxonomy>category</wp:term_taxonomy><wp:term_slug>c</wp:term_slug>
  <wp:term_parent></wp:term_parent><wp:term_name>C</wp:term_name>
  <wp:term_description>Cs</wp:term_description>
</wp:term>
<wp:term>
  <wp:term_taxonomy>post_tag</wp:term_taxonomy><wp:term_slug>pt</wp:term_slug>
  <wp:term_name>PT</wp:term_name>
</wp:term>
<wp:term><wp:term_taxonomy>nav_menu</wp:term_taxonomy><wp:term_slug>menu</wp:term_slug></wp:term>"#,
        ))
        .unwrap();
        let expected = [
            Record::Author(Author {
                id: Some(1),
                login: "ana".into(),
                email: "ana@example.com".into(),
                display_name: "Ana B".into(),
                first_name: "Ana".into(),
                last_name: "B".into(),
            }),
            Record::Category(Category {
                slug: "child".into(),
                name: "Child".into(),
                parent: Some("parent".into()),
                description: String::new(),
            }),
            Record::Tag(Tag {
                slug: "t".into(),
                name: "T".into(),
                description: String::new(),
            }),
            Record::Category(Category {
                slug: "c".into(),
                name: "C".into(),
                parent: None,
                description: "Cs".into(),
            }),
            Record::Tag(Tag {
                slug: "pt".into(),
                name: "PT".into(),
                description: String::new(),
            }),
        ];
        assert_eq!(records, expected);
    }

    #[test]
    fn channel_facts_are_read_as_they_come() {
        let xml = export(
            "<title> Blog </title><link>https://blog.example.com</link>
<description>About things</description>
<wp:base_site_url>https://example.com</wp:base_site_url>
<wp:base_blog_url>https://blog.example.com</wp:base_blog_url>
<image><title>Not the blog title</title></image>
<item><title>First</title></item>",
        );
        let mut reader = WxrReader::new(xml.as_bytes());
        assert_eq!(reader.channel(), &Channel::default());
        assert!(matches!(reader.next_record(), Ok(Some(Record::Item(_)))));
        let expected = Channel {
            title: "Blog".into(),
            link: "https://blog.example.com".into(),
            description: "About things".into(),
            base_site_url: "https://example.com".into(),
            base_blog_url: "https://blog.example.com".into(),
            version: Some("1.2".into()),
        };
        assert_eq!(reader.channel(), &expected);
        assert!(reader.bytes_read() < xml.len() as u64);
        assert_eq!(reader.next_record(), Ok(None));
        assert_eq!(reader.bytes_read(), xml.len() as u64);
    }

    #[test]
    fn documents_that_are_not_exports_are_refused() {
        let cases = [
            (
                "<?xml version=\"1.0\"?>\n<feed><channel/></feed>",
                invalid(
                    2,
                    1,
                    "not a WordPress export: the root element is <feed>, not <rss>",
                ),
            ),
            (
                "<rss>\n  <notachanneltag/>\n</rss>",
                invalid(
                    2,
                    3,
                    "not a WordPress export: <notachanneltag> in place of <channel>",
                ),
            ),
            (
                "<rss>\n</rss>",
                invalid(2, 1, "not a WordPress export: no <channel> in <rss>"),
            ),
            (
                "<rss><channel>\n<title>Blog</title>\n</channel></rss>",
                invalid(3, 1, "not a WordPress export: no wp:wxr_version"),
            ),
            (
                "<!-- nothing -->\n",
                invalid(
                    2,
                    1,
                    "not a WordPress export: the file has no <rss> element",
                ),
            ),
            (
                "Warning: headers already sent\n<rss/>",
                invalid(1, 1, "text outside the root element"),
            ),
        ];
        for (xml, error) in cases {
            assert_eq!(parse(xml), Err(error), "{xml}");
        }
        let xml = export("").replace("1.2</wp:wxr_version>", " 1.3 </wp:wxr_version>");
        assert_eq!(
            parse(&xml),
            Err(invalid(4, 1, "unsupported WXR version '1.3'"))
        );
        let xml = format!("{}<rss/>", export(""));
        assert_eq!(
            parse(&xml),
            Err(invalid(8, 1, "<rss> after the end of the root element"))
        );
    }

    #[test]
    fn xml_errors_carry_their_position() {
        let xml = export("<item>\n  <title>x</link>\n</item>");
        assert_eq!(
            parse(&xml),
            Err(invalid(
                6,
                11,
                "ill-formed document: expected `</title>`, but `</link>` was found"
            ))
        );
        let xml = export("<item>\n<title a=\"1\" a=\"2\">x</title></item>");
        let Err(WxrError::Invalid {
            line,
            column,
            message,
        }) = parse(&xml)
        else {
            panic!("a duplicated attribute must be refused");
        };
        assert_eq!((line, column), (6, 1));
        assert!(message.contains("duplicated attribute"), "{message}");
        let xml = export("<!-- a -- b -->");
        let Err(WxrError::Invalid { line, .. }) = parse(&xml) else {
            panic!("`--` in a comment must be refused");
        };
        assert_eq!(line, 5);
    }

    #[test]
    fn invalid_utf8_is_refused() {
        let mut xml = export("<item>\n<title>caf").into_bytes();
        let end = xml.len() - "\n</channel>\n</rss>\n".len();
        xml.splice(end..end, b"\xE9</title></item>".iter().copied());
        assert_eq!(
            read_all(&mut WxrReader::new(xml.as_slice())),
            Err(invalid(6, 11, "the file is not valid UTF-8"))
        );
    }

    #[test]
    fn a_byte_order_mark_is_skipped() {
        let xml = format!("\u{FEFF}{}", export("<item><title>a</title></item>"));
        let mut reader = WxrReader::new(xml.as_bytes());
        assert_eq!(items(&read_all(&mut reader).unwrap())[0].title, "a");
        assert_eq!(reader.bytes_read(), xml.len() as u64);
        let xml = format!("\u{FEFF}{}", export("<title>a&nbsp;</title>"));
        assert_eq!(parse(&xml), Err(invalid(5, 9, "unknown entity &nbsp;")));
        assert_eq!(
            parse("\u{FEFF}<feed/>"),
            Err(invalid(
                1,
                1,
                "not a WordPress export: the root element is <feed>, not <rss>"
            ))
        );
    }

    #[test]
    fn errors_are_final() {
        let xml = export("<item><title>a</title></item>\n<item><title>b</tilte></item>\n<item/>");
        let mut reader = WxrReader::new(xml.as_bytes());
        assert!(matches!(reader.next_record(), Ok(Some(Record::Item(_)))));
        let error = reader.next_record().unwrap_err();
        assert!(
            matches!(error, WxrError::Invalid { line: 6, .. }),
            "{error}"
        );
        assert_eq!(reader.next_record(), Err(error.clone()));
        assert_eq!(reader.next_record(), Err(error));
    }

    struct FailingReader;

    impl Read for FailingReader {
        fn read(&mut self, _: &mut [u8]) -> io::Result<usize> {
            Err(io::Error::other("the disk went away"))
        }
    }

    #[test]
    fn read_errors_are_io_errors() {
        let xml = export("<item><title>a</title></item>");
        let input = BufReader::new(xml.as_bytes()[..100].chain(FailingReader));
        assert_eq!(
            read_all(&mut WxrReader::new(input)),
            Err(WxrError::Io("the disk went away".into()))
        );
    }

    /// An export of `items` generated one item at a time, as it is read.
    struct SyntheticExport {
        items: usize,
        chunks_made: Rc<Cell<usize>>,
        chunk: Vec<u8>,
        offset: usize,
    }

    impl SyntheticExport {
        fn chunk(&self, index: usize) -> String {
            match index {
                0 => export("").replace("</channel>\n</rss>\n", ""),
                index if index <= self.items => format!(
                    "<item><title>Post {index}</title><wp:post_id>{index}</wp:post_id>\
                     <content:encoded><![CDATA[{}]]></content:encoded></item>\n",
                    "Lorem ipsum dolor sit amet. ".repeat(10)
                ),
                index if index == self.items + 1 => "</channel>\n</rss>\n".to_owned(),
                _ => String::new(),
            }
        }
    }

    impl Read for SyntheticExport {
        fn read(&mut self, out: &mut [u8]) -> io::Result<usize> {
            if self.offset == self.chunk.len() {
                self.chunk = self.chunk(self.chunks_made.get()).into_bytes();
                self.offset = 0;
                self.chunks_made.set(self.chunks_made.get() + 1);
            }
            let amount = out.len().min(self.chunk.len() - self.offset);
            out[..amount].copy_from_slice(&self.chunk[self.offset..self.offset + amount]);
            self.offset += amount;
            Ok(amount)
        }
    }

    #[test]
    fn a_large_export_is_read_as_a_stream() {
        let chunks_made = Rc::new(Cell::new(0));
        let export = SyntheticExport {
            items: 20_000,
            chunks_made: Rc::clone(&chunks_made),
            chunk: Vec::new(),
            offset: 0,
        };
        let mut reader = WxrReader::new(BufReader::new(export));
        let Ok(Some(Record::Item(first))) = reader.next_record() else {
            panic!("the first item must come first");
        };
        assert_eq!(first.post_id, Some(1));
        assert!(chunks_made.get() < 50, "{} chunks read", chunks_made.get());
        assert!(reader.bytes_read() < 16 * 1024);
        let mut count = 1;
        let mut last_id = None;
        while let Some(record) = reader.next_record().unwrap() {
            let Record::Item(item) = record else {
                panic!("only items expected");
            };
            assert_eq!(item.title, format!("Post {}", count + 1));
            count += 1;
            last_id = item.post_id;
        }
        assert_eq!(count, 20_000);
        assert_eq!(last_id, Some(20_000));
        assert!(reader.bytes_read() > 20_000 * 300);
    }
}
