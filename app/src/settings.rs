//! The rules for the blog's own settings, shared by the settings page and the command line:
//! what a title, a tagline, a spam word list and a writing time may be.

/// The longest title and tagline a blog may have, in characters.
pub const MAX_TITLE_CHARS: usize = 200;
pub const MAX_TAGLINE_CHARS: usize = 500;

/// The longest a comment's shortest writing time may be set to, in seconds.
pub const MAX_WRITING_SECONDS: i32 = 600;

/// The most posts a page of a listing may show.
pub const MAX_POSTS_PER_PAGE: i32 = 100;

/// Refuses text holding a NUL character, which PostgreSQL's text cannot hold.
pub fn without_nul<'a>(what: &str, text: &'a str) -> Result<&'a str, String> {
    if text.contains('\0') {
        Err(format!(
            "the {what} holds a NUL character, which text cannot hold"
        ))
    } else {
        Ok(text)
    }
}

pub fn site_title(text: &str) -> Result<String, String> {
    let title = without_nul("title", text)?.trim();
    if title.is_empty() {
        return Err("the title cannot be empty".to_string());
    }
    if title.chars().count() > MAX_TITLE_CHARS {
        return Err(format!(
            "the title is longer than {MAX_TITLE_CHARS} characters"
        ));
    }
    Ok(title.to_string())
}

pub fn site_tagline(text: &str) -> Result<String, String> {
    let tagline = without_nul("tagline", text)?.trim();
    if tagline.chars().count() > MAX_TAGLINE_CHARS {
        return Err(format!(
            "the tagline is longer than {MAX_TAGLINE_CHARS} characters"
        ));
    }
    Ok(tagline.to_string())
}

/// A language as a BCP 47 tag (`en`, `zh`, `zh-Hant`, `pt-BR`), trimmed.
pub fn language_tag(text: &str) -> Result<String, String> {
    let tag = text.trim();
    let mut parts = tag.split('-');
    let primary = parts.next().unwrap_or_default();
    let valid = tag.len() <= 35
        && (2..=3).contains(&primary.len())
        && primary.bytes().all(|byte| byte.is_ascii_alphabetic())
        && parts.all(|part| {
            (1..=8).contains(&part.len()) && part.bytes().all(|byte| byte.is_ascii_alphanumeric())
        });
    if valid {
        Ok(tag.to_string())
    } else {
        Err(format!(
            "“{tag}” is not a language tag such as en, zh or zh-Hant"
        ))
    }
}

/// Comma-separated words, trimmed and in lower case, without empty ones.
pub fn spam_words(text: &str) -> Vec<String> {
    text.split([',', '\n', '\0'])
        .map(|word| word.trim().to_lowercase())
        .filter(|word| !word.is_empty())
        .collect()
}

pub fn min_writing_seconds(seconds: i32) -> Result<i32, String> {
    if (0..=MAX_WRITING_SECONDS).contains(&seconds) {
        Ok(seconds)
    } else {
        Err(format!(
            "the shortest writing time is from 0 to {MAX_WRITING_SECONDS} seconds"
        ))
    }
}

pub fn posts_per_page(text: &str) -> Result<i32, String> {
    text.trim()
        .parse()
        .ok()
        .filter(|count| (1..=MAX_POSTS_PER_PAGE).contains(count))
        .ok_or_else(|| format!("posts per page is a number from 1 to {MAX_POSTS_PER_PAGE}"))
}

pub fn date_format(code: &str) -> Result<crate::model::DateFormat, String> {
    crate::model::DateFormat::from_code(code.trim())
        .ok_or_else(|| format!("“{}” is not one of the date formats offered", code.trim()))
}

/// A time zone's name, trimmed; whether PostgreSQL knows it is asked when it is saved.
pub fn time_zone(text: &str) -> Result<String, String> {
    let name = without_nul("time zone", text)?.trim();
    if name.is_empty() || name.len() > 64 {
        return Err("the time zone is a name such as UTC or Asia/Shanghai".to_string());
    }
    Ok(name.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn titles_and_taglines_are_trimmed_and_bounded() {
        assert_eq!(site_title("  Fieldnotes ").as_deref(), Ok("Fieldnotes"));
        assert!(site_title("   ").is_err());
        assert!(site_title(&"田".repeat(MAX_TITLE_CHARS + 1)).is_err());
        assert_eq!(site_tagline("").as_deref(), Ok(""));
        assert!(site_tagline(&"x".repeat(MAX_TAGLINE_CHARS + 1)).is_err());
    }

    #[test]
    fn languages_are_tags() {
        for tag in ["en", "zh", "zh-Hant", "pt-BR", "yue"] {
            assert_eq!(language_tag(tag).as_deref(), Ok(tag));
        }
        for bad in ["", "e", "english", "zh_CN", "zh-", "en-ÜS", "<en>"] {
            assert!(language_tag(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn reading_settings_are_bounded() {
        assert_eq!(posts_per_page(" 25 "), Ok(25));
        for bad in ["0", "101", "-3", "ten", ""] {
            assert!(posts_per_page(bad).is_err(), "{bad}");
        }
        assert_eq!(
            date_format("Y年n月j日"),
            Ok(crate::model::DateFormat::Chinese)
        );
        assert!(date_format("l, F jS").is_err());
        assert_eq!(time_zone(" Asia/Shanghai ").as_deref(), Ok("Asia/Shanghai"));
        assert!(time_zone("  ").is_err());
    }

    #[test]
    fn spam_words_are_split_on_commas_and_lines() {
        assert_eq!(
            spam_words(" Casino, ,PILLS\ncheap watches "),
            ["casino", "pills", "cheap watches"]
        );
    }
}
