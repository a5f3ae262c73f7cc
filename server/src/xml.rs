//! Writing the sitemaps (the feeds are written by the `rss` and `atom_syndication` crates):
//! small helpers over quick-xml, and the answer that carries an XML document.

use std::io;

use app::error::AppError;
use axum::http::header;
use axum::response::Response;
use quick_xml::Writer;
use quick_xml::events::{BytesDecl, BytesText, Event};

pub type XmlWriter = Writer<Vec<u8>>;

/// A writer that has written the XML declaration, indenting by two spaces.
pub fn document() -> io::Result<XmlWriter> {
    let mut writer = Writer::new_with_indent(Vec::new(), b' ', 2);
    writer.write_event(Event::Decl(BytesDecl::new("1.0", Some("UTF-8"), None)))?;
    Ok(writer)
}

/// `<name>text</name>`, the text escaped.
pub fn text(writer: &mut XmlWriter, name: &str, value: &str) -> io::Result<()> {
    writer
        .create_element(name)
        .write_text_content(BytesText::new(value))?;
    Ok(())
}

pub fn finish(writer: XmlWriter) -> io::Result<String> {
    String::from_utf8(writer.into_inner())
        .map_err(|error| io::Error::new(io::ErrorKind::InvalidData, error))
}

/// A written document, or the server error (logged) of one that could not be written.
pub fn written(document: io::Result<String>) -> Result<String, AppError> {
    document.map_err(|error| {
        tracing::error!(%error, "could not write an XML document");
        AppError::Internal
    })
}

/// The answer that carries `document`, which caches may keep for `max_age` seconds.
pub fn respond(content_type: &'static str, max_age: u32, document: String) -> Response {
    crate::caching::cached(max_age, ([(header::CONTENT_TYPE, content_type)], document))
}
