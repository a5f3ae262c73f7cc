//! Slugs: the readable, URL-safe names of posts, categories, tags and people.
//!
//! Letters and digits of every script are kept (a Chinese title keeps a Chinese slug), lowercased;
//! quotes and invisible formatting characters vanish; anything else becomes a single hyphen.

const MAX_CHARS: usize = 200;

pub fn slugify(text: &str) -> String {
    let mut slug = String::with_capacity(text.len());
    let mut pending_hyphen = false;
    for c in text.chars() {
        if c.is_alphanumeric() {
            if pending_hyphen && !slug.is_empty() {
                slug.push('-');
            }
            pending_hyphen = false;
            slug.extend(c.to_lowercase());
        } else if !is_dropped(c) {
            pending_hyphen = true;
        }
    }
    match slug.char_indices().nth(MAX_CHARS) {
        Some((cut, _)) => slug[..cut].trim_end_matches('-').to_string(),
        None => slug,
    }
}

/// Quotes and apostrophes ("Sassen’s" → "sassens") and format characters such as bidirectional
/// overrides and zero-width spaces.
fn is_dropped(c: char) -> bool {
    matches!(
        c,
        '\'' | '"' | '`' | '‘' | '’' | '“' | '”' | '\u{00AD}'
            | '\u{200B}'..='\u{200F}'
            | '\u{202A}'..='\u{202E}'
            | '\u{2060}'..='\u{2064}'
            | '\u{2066}'..='\u{2069}'
            | '\u{FEFF}'
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn english_titles_read_like_wordpress_slugs() {
        assert_eq!(
            slugify("Using Sassen’s theory to explain the phenomenon of cluster"),
            "using-sassens-theory-to-explain-the-phenomenon-of-cluster"
        );
        assert_eq!(
            slugify("Fu Hanqing’s Essay Question (The final one)"),
            "fu-hanqings-essay-question-the-final-one"
        );
        assert_eq!(slugify("  Hello,   World!  "), "hello-world");
    }

    #[test]
    fn unicode_letters_are_kept() {
        assert_eq!(slugify("宁波的创意产业"), "宁波的创意产业");
        assert_eq!(slugify("慈溪 Field Trip"), "慈溪-field-trip");
        assert_eq!(slugify("Café Müller"), "café-müller");
    }

    #[test]
    fn invisible_and_symbol_characters_do_not_survive() {
        assert_eq!(
            slugify("hello-w\u{202E}orld\u{202C}-utf8-💫-test"),
            "hello-world-utf8-test"
        );
        assert_eq!(slugify("💫"), "");
        assert_eq!(slugify("---"), "");
    }

    #[test]
    fn long_titles_are_cut() {
        let slug = slugify(&"word ".repeat(100));
        assert!(slug.chars().count() <= MAX_CHARS);
        assert!(!slug.ends_with('-'));
    }
}
