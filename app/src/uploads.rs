//! Images uploaded by writers: checked by size and by the type their bytes show, named after
//! what they were called, and stored under an address nobody can guess.

use sqlx::PgPool;

use crate::db;
use crate::error::AppError;
use crate::model::{Account, MediaItem};
use crate::slug::slugify;

pub const MAX_IMAGE_BYTES: usize = 10 * 1024 * 1024;

/// The type of an image from its first bytes: JPEG, PNG, GIF or WebP, and nothing else. Written
/// here rather than with the `infer` crate, which takes anything that begins with `GIF` for a
/// GIF: these four signatures are checked whole.
pub fn image_type(bytes: &[u8]) -> Option<&'static str> {
    match bytes {
        [0xFF, 0xD8, 0xFF, ..] => Some("image/jpeg"),
        [0x89, b'P', b'N', b'G', 0x0D, 0x0A, 0x1A, 0x0A, ..] => Some("image/png"),
        [b'G', b'I', b'F', b'8', b'7' | b'9', b'a', ..] => Some("image/gif"),
        [
            b'R',
            b'I',
            b'F',
            b'F',
            _,
            _,
            _,
            _,
            b'W',
            b'E',
            b'B',
            b'P',
            ..,
        ] => Some("image/webp"),
        _ => None,
    }
}

/// Stores an uploaded image after checking its size and, from its bytes, its type.
pub async fn upload_image(
    pool: &PgPool,
    account: &Account,
    file_name: &str,
    bytes: &[u8],
) -> Result<MediaItem, AppError> {
    if bytes.is_empty() {
        return Err(AppError::BadRequest("The file is empty.".to_string()));
    }
    if bytes.len() > MAX_IMAGE_BYTES {
        return Err(AppError::PayloadTooLarge(MAX_IMAGE_BYTES as u64));
    }
    let content_type = image_type(bytes).ok_or_else(|| {
        AppError::UnsupportedMediaType(
            "this file: images must be JPEG, PNG, GIF or WebP".to_string(),
        )
    })?;
    let file_name = media_file_name(file_name, content_type);
    // The address holds a random key (128 bits), so that images nobody may see yet cannot be
    // found by trying addresses.
    let (token, _) = crate::auth::new_token();
    let key = &token[..32];
    let id =
        db::media::insert_media(pool, account.id, key, &file_name, content_type, bytes).await?;
    Ok(MediaItem {
        id,
        url: format!(
            "/media/{key}/{}",
            crate::filter::escape_url_part(&file_name)
        ),
        file_name,
        content_type: content_type.to_string(),
        byte_size: bytes.len() as i64,
    })
}

/// A file name safe in an address: the slug of the given name, with the extension of the type.
fn media_file_name(given: &str, content_type: &str) -> String {
    let stem = given.rsplit_once('.').map_or(given, |(stem, _)| stem);
    let stem = slugify(stem);
    let extension = content_type.trim_start_matches("image/");
    let extension = if extension == "jpeg" {
        "jpg"
    } else {
        extension
    };
    if stem.is_empty() {
        format!("image.{extension}")
    } else {
        format!("{stem}.{extension}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn image_types_come_from_the_bytes() {
        assert_eq!(image_type(b"\xFF\xD8\xFF\xE0rest"), Some("image/jpeg"));
        assert_eq!(image_type(b"\x89PNG\r\n\x1a\nrest"), Some("image/png"));
        assert_eq!(image_type(b"GIF89a..."), Some("image/gif"));
        assert_eq!(image_type(b"RIFF\0\0\0\0WEBPVP8 "), Some("image/webp"));
        assert_eq!(
            image_type(b"<svg xmlns=\"http://www.w3.org/2000/svg\">"),
            None
        );
        assert_eq!(image_type(b"GIF8"), None);
    }

    #[test]
    fn media_names_are_slugs_with_the_true_extension() {
        assert_eq!(
            media_file_name("Field Trip.JPEG", "image/jpeg"),
            "field-trip.jpg"
        );
        assert_eq!(
            media_file_name("photo.png.exe", "image/png"),
            "photo-png.png"
        );
        assert_eq!(media_file_name("慈溪.webp", "image/webp"), "慈溪.webp");
        assert_eq!(media_file_name("...", "image/gif"), "image.gif");
    }
}
