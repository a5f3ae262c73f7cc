//! Full-text search for English and Chinese alike.
//!
//! PostgreSQL's text search parsers do not split Chinese into words, and a dictionary-based
//! segmenter would need a dictionary for every language. So text is cut into tokens here, the same
//! way for posts and for queries: words of alphabetic scripts are lowercased and stemmed (English
//! Snowball, so "industries" finds "industry"), and runs of Chinese, Japanese or Korean characters
//! give every single character and every pair of neighbouring characters. A query of two or more
//! such characters looks for its pairs, so 慈溪 finds posts that contain 慈溪 and not those that
//! merely hold 慈 and 溪 apart. A post matches when it holds every token of the query.
//!
//! PostgreSQL stores the tokens as they are (the 'simple' configuration) in a GIN index.

use std::ops::Range;
use std::sync::LazyLock;

use rust_stemmers::{Algorithm, Stemmer};

use crate::model::Highlighted;

/// Bump when tokens change: posts indexed by an older version are indexed again at start.
pub const TOKENIZER_VERSION: i16 = 1;

static ENGLISH: LazyLock<Stemmer> = LazyLock::new(|| Stemmer::create(Algorithm::English));

/// A piece of text: a word of an alphabetic script, or a run of CJK characters.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Piece<'a> {
    text: &'a str,
    range: Range<usize>,
    cjk: bool,
}

fn is_cjk(c: char) -> bool {
    matches!(c,
        '\u{3040}'..='\u{30FF}'       // Hiragana, Katakana
        | '\u{3400}'..='\u{4DBF}'     // CJK Extension A
        | '\u{4E00}'..='\u{9FFF}'     // CJK Unified Ideographs
        | '\u{AC00}'..='\u{D7AF}'     // Hangul syllables
        | '\u{F900}'..='\u{FAFF}'     // CJK Compatibility Ideographs
        | '\u{20000}'..='\u{2FA1F}'   // CJK Extensions B to F, Compatibility Supplement
    )
}

fn pieces(text: &str) -> Vec<Piece<'_>> {
    let mut pieces = Vec::new();
    let mut current: Option<(usize, bool)> = None;
    for (index, c) in text.char_indices() {
        let kind = if is_cjk(c) {
            Some(true)
        } else if c.is_alphanumeric() {
            Some(false)
        } else {
            None
        };
        match (current, kind) {
            (Some((_, cjk)), Some(kind)) if cjk == kind => {}
            (Some((start, cjk)), _) => {
                pieces.push(Piece {
                    text: &text[start..index],
                    range: start..index,
                    cjk,
                });
                current = kind.map(|kind| (index, kind));
            }
            (None, kind) => current = kind.map(|kind| (index, kind)),
        }
    }
    if let Some((start, cjk)) = current {
        pieces.push(Piece {
            text: &text[start..],
            range: start..text.len(),
            cjk,
        });
    }
    pieces
}

fn stem(word: &str) -> String {
    ENGLISH.stem(&word.to_lowercase()).into_owned()
}

fn characters(run: &str) -> impl Iterator<Item = &str> {
    run.char_indices()
        .map(move |(index, c)| &run[index..index + c.len_utf8()])
}

fn pairs(run: &str) -> impl Iterator<Item = &str> {
    let starts: Vec<usize> = run.char_indices().map(|(index, _)| index).collect();
    (0..starts.len().saturating_sub(1)).map(move |i| {
        let end = starts.get(i + 2).copied().unwrap_or(run.len());
        &run[starts[i]..end]
    })
}

/// The tokens of a text to be searched, separated by spaces.
pub fn document_tokens(text: &str) -> String {
    let mut tokens = Vec::new();
    for piece in pieces(text) {
        if piece.cjk {
            tokens.extend(characters(piece.text).map(str::to_string));
            tokens.extend(pairs(piece.text).map(str::to_string));
        } else {
            tokens.push(stem(piece.text));
        }
    }
    tokens.join(" ")
}

/// The tokens a post must hold to match a query.
pub fn query_tokens(query: &str) -> Vec<String> {
    let mut tokens = Vec::new();
    for piece in pieces(query) {
        if !piece.cjk {
            tokens.push(stem(piece.text));
        } else if piece.text.chars().count() == 1 {
            tokens.push(piece.text.to_string());
        } else {
            tokens.extend(pairs(piece.text).map(str::to_string));
        }
    }
    tokens.sort();
    tokens.dedup();
    tokens
}

/// About `max_chars` characters of `text` around the first place that matches `query`, cut
/// into plain and matching parts.
pub fn highlight(text: &str, query: &str, max_chars: usize) -> Vec<Highlighted> {
    let matches = matching_ranges(text, query);
    let first = matches.first().map_or(0, |range| range.start);
    let window = excerpt_window(text, first, max_chars);
    let mut parts = Vec::new();
    if window.start > 0 {
        parts.push(plain("…"));
    }
    let mut at = window.start;
    for range in matches
        .iter()
        .filter(|range| range.start >= window.start && range.end <= window.end)
    {
        if range.start > at {
            parts.push(plain(&text[at..range.start]));
        }
        parts.push(Highlighted {
            text: text[range.clone()].to_string(),
            matched: true,
        });
        at = range.end;
    }
    if at < window.end {
        parts.push(plain(&text[at..window.end]));
    }
    if window.end < text.len() {
        parts.push(plain("…"));
    }
    parts
}

fn plain(text: &str) -> Highlighted {
    Highlighted {
        text: text.to_string(),
        matched: false,
    }
}

/// The byte ranges of `text` that match the query, in order, overlaps merged.
fn matching_ranges(text: &str, query: &str) -> Vec<Range<usize>> {
    let query_pieces = pieces(query);
    let words: Vec<String> = query_pieces
        .iter()
        .filter(|piece| !piece.cjk)
        .map(|piece| stem(piece.text))
        .collect();
    let cjk: Vec<&str> = query_pieces
        .iter()
        .filter(|piece| piece.cjk)
        .flat_map(|piece| {
            if piece.text.chars().count() == 1 {
                vec![piece.text]
            } else {
                pairs(piece.text).collect()
            }
        })
        .collect();
    let mut ranges = Vec::new();
    for piece in pieces(text) {
        if piece.cjk {
            for token in &cjk {
                ranges.extend(
                    piece.text.match_indices(token).map(|(at, _)| {
                        piece.range.start + at..piece.range.start + at + token.len()
                    }),
                );
            }
        } else if words.contains(&stem(piece.text)) {
            ranges.push(piece.range);
        }
    }
    ranges.sort_by_key(|range| range.start);
    let mut merged: Vec<Range<usize>> = Vec::new();
    for range in ranges {
        match merged.last_mut() {
            Some(last) if range.start <= last.end => last.end = last.end.max(range.end),
            _ => merged.push(range),
        }
    }
    merged
}

/// A window of about `max_chars` characters that shows `focus` (a byte offset) near its start,
/// its ends moved to spaces where the text has any nearby.
fn excerpt_window(text: &str, focus: usize, max_chars: usize) -> Range<usize> {
    let lead = max_chars / 4;
    let before: Vec<usize> = text[..focus]
        .char_indices()
        .map(|(index, _)| index)
        .collect();
    let mut start = before.len().checked_sub(lead).map_or(0, |i| before[i]);
    if start > 0
        && let Some(space) = text[start..focus].find(' ')
    {
        start += space + 1;
    }
    let mut end = text[start..]
        .char_indices()
        .nth(max_chars)
        .map_or(text.len(), |(index, _)| start + index);
    if end < text.len()
        && let Some(space) = text[start..end]
            .rfind(' ')
            .filter(|space| *space > (end - start) / 2)
    {
        end = start + space;
    }
    start..end
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn english_words_are_stemmed() {
        assert_eq!(
            document_tokens("Creative Industries, in Ningbo!"),
            "creativ industri in ningbo"
        );
        assert_eq!(query_tokens("industry"), ["industri"]);
    }

    #[test]
    fn chinese_gives_characters_and_pairs() {
        assert_eq!(document_tokens("慈溪市"), "慈 溪 市 慈溪 溪市");
        assert_eq!(query_tokens("慈溪"), ["慈溪"]);
        assert_eq!(query_tokens("慈"), ["慈"]);
        assert_eq!(query_tokens("宁波市"), ["宁波", "波市"]);
    }

    #[test]
    fn mixed_text_is_cut_at_script_changes() {
        assert_eq!(
            document_tokens("Fieldwork在慈溪2009"),
            "fieldwork 在 慈 溪 在慈 慈溪 2009"
        );
        assert_eq!(query_tokens("waste 慈溪"), ["wast", "慈溪"]);
    }

    #[test]
    fn queries_without_words_have_no_tokens() {
        assert!(query_tokens("  !!! ").is_empty());
    }

    #[test]
    fn highlights_mark_the_matches_in_an_excerpt() {
        let parts = highlight(
            "We visited the recycling industries of Cixi.",
            "industry",
            100,
        );
        assert_eq!(
            parts,
            [
                plain("We visited the recycling "),
                Highlighted {
                    text: "industries".into(),
                    matched: true
                },
                plain(" of Cixi.")
            ]
        );
        let parts = highlight("调研地点：慈溪市的回收产业", "慈溪", 100);
        assert!(
            parts.contains(&Highlighted {
                text: "慈溪".into(),
                matched: true
            }),
            "{parts:?}"
        );
    }

    #[test]
    fn long_texts_are_cut_around_the_first_match() {
        let text = format!("{} needle {}", "hay ".repeat(200), "straw ".repeat(200));
        let parts = highlight(&text, "needle", 80);
        assert_eq!(parts.first(), Some(&plain("…")));
        assert_eq!(parts.last(), Some(&plain("…")));
        assert!(
            parts
                .iter()
                .any(|part| part.matched && part.text == "needle")
        );
        let length: usize = parts.iter().map(|part| part.text.chars().count()).sum();
        assert!(length <= 84, "{length}");
    }
}
