//! How a post's earlier revision differs from the post now, line by line, for the revisions page.

use std::time::{Duration, Instant};

use similar::DiffTag;

use crate::model::DiffLine;

/// The lines of `before` and `now` in order, each marked as kept, removed or added (Myers'
/// diff, given at most a second; past it, a coarser but still correct diff).
pub fn line_diff(before: &[String], now: &[String]) -> Vec<DiffLine> {
    let deadline = Instant::now() + Duration::from_secs(1);
    let operations = similar::capture_diff_slices_deadline(
        similar::Algorithm::Myers,
        before,
        now,
        Some(deadline),
    );
    let mut lines = Vec::with_capacity(before.len().max(now.len()));
    for operation in operations {
        let (tag, old, new) = operation.as_tag_tuple();
        match tag {
            DiffTag::Equal => lines.extend(before[old].iter().cloned().map(DiffLine::Same)),
            DiffTag::Delete => lines.extend(before[old].iter().cloned().map(DiffLine::Removed)),
            DiffTag::Insert => lines.extend(now[new].iter().cloned().map(DiffLine::Added)),
            DiffTag::Replace => {
                lines.extend(before[old].iter().cloned().map(DiffLine::Removed));
                lines.extend(now[new].iter().cloned().map(DiffLine::Added));
            }
        }
    }
    lines
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lines(text: &str) -> Vec<String> {
        text.lines().map(str::to_string).collect()
    }

    #[test]
    fn diffs_keep_common_lines_in_order() {
        let diff = line_diff(&lines("a\nb\nc"), &lines("a\nc\nd"));
        assert_eq!(
            diff,
            vec![
                DiffLine::Same("a".into()),
                DiffLine::Removed("b".into()),
                DiffLine::Same("c".into()),
                DiffLine::Added("d".into()),
            ]
        );
        assert_eq!(line_diff(&[], &[]), vec![]);
    }
}
