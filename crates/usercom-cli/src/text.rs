//! Text for people: HTML message content as plain text, text from the API made safe for a
//! terminal, and columns of fixed width.

use std::borrow::Cow;

use html2text::render::TrivialDecorator;
use unicode_width::{UnicodeWidthChar, UnicodeWidthStr};

/// What stands in for a character that could drive the terminal.
pub const REPLACEMENT: char = '\u{FFFD}';

/// Wide enough that no message is ever wrapped: lines are kept as the HTML made them.
const NO_WRAP: usize = usize::MAX / 4;

/// Message content as plain text, safe for a terminal (see [`for_terminal`]): tags dropped
/// (line breaks kept for `<br>` and block ends; `<style>`, `<script>` and comments dropped
/// whole), entities decoded, white space folded, empty lines dropped. Parsed as browsers
/// parse HTML, so a `>` inside an attribute or a comment ends nothing.
pub fn html_to_text(html: &str) -> String {
    // Characters that could drive a terminal are made visible before parsing (the parser
    // would drop some silently); white space is left to the parser.
    let html = replace(html, |c| match c {
        '\n' | '\r' | '\t' | '\u{c}' => None,
        c if drives_terminal(c) => Some(REPLACEMENT),
        _ => None,
    });
    let rendered = html2text::config::with_decorator(TrivialDecorator::new())
        .raw_mode(true)
        .allow_width_overflow()
        .string_from_read(html.as_bytes(), NO_WRAP)
        // Reading from memory cannot fail; should rendering fail all the same, the content
        // is shown as it came (made safe for the terminal all the same).
        .unwrap_or_else(|_| html.into_owned());
    let text = rendered
        .lines()
        .map(|line| line.split_whitespace().collect::<Vec<_>>().join(" "))
        .filter(|line| !line.is_empty())
        .collect::<Vec<_>>()
        .join("\n");
    for_terminal(&text).into_owned()
}

/// Whether a character can change what a terminal shows beyond itself: C0 and C1 controls
/// and DEL (ESC starts CSI and OSC sequences: clear screen, window title, clipboard), and
/// the bidirectional controls that reorder the text around them (embeddings, overrides,
/// isolates, marks), and the line and paragraph separators.
fn drives_terminal(c: char) -> bool {
    c.is_control()
        || matches!(
            c,
            '\u{061C}'
                | '\u{200E}'
                | '\u{200F}'
                | '\u{202A}'..='\u{202E}'
                | '\u{2066}'..='\u{2069}'
                | '\u{2028}'
                | '\u{2029}'
        )
}

/// `text` safe to print on a terminal, line breaks and tabs kept: every other character
/// that could drive the terminal is replaced by U+FFFD, visibly, never dropped.
pub fn for_terminal(text: &str) -> Cow<'_, str> {
    replace(text, |c| match c {
        '\n' | '\t' => Some(c),
        c if drives_terminal(c) => Some(REPLACEMENT),
        _ => None,
    })
}

/// `text` safe to print on a terminal as part of one line (a table cell): line breaks and
/// tabs become spaces, every other character that could drive the terminal U+FFFD.
pub fn for_terminal_line(text: &str) -> Cow<'_, str> {
    replace(text, |c| match c {
        '\n' | '\r' | '\t' => Some(' '),
        c if drives_terminal(c) => Some(REPLACEMENT),
        _ => None,
    })
}

/// `text` with the characters for which `with` says `Some` replaced; borrowed when none is.
fn replace(text: &str, with: impl Fn(char) -> Option<char>) -> Cow<'_, str> {
    if !text.chars().any(|c| with(c).is_some_and(|new| new != c)) {
        return Cow::Borrowed(text);
    }
    Cow::Owned(text.chars().map(|c| with(c).unwrap_or(c)).collect())
}

/// `text` in exactly `width` terminal columns, on one line and safe for the terminal (see
/// [`for_terminal_line`]): cut with `…` or padded with spaces.
pub fn fit(text: &str, width: usize) -> String {
    let text = for_terminal_line(text);
    if text.width() <= width {
        let padding = width - text.width();
        return format!("{text}{}", " ".repeat(padding));
    }
    let mut out = String::new();
    let mut used = 0;
    for c in text.chars() {
        let w = c.width().unwrap_or(0);
        if used + w + 1 > width {
            break;
        }
        out.push(c);
        used += w;
    }
    out.push('…');
    used += 1;
    out.push_str(&" ".repeat(width.saturating_sub(used)));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn html_becomes_text() {
        assert_eq!(
            html_to_text("Hi <b>user</b>, enjoy our product!"),
            "Hi user, enjoy our product!"
        );
        assert_eq!(
            html_to_text("<p>Thanks!<br>We&#39;ll get back to you &amp; your team soon.</p>"),
            "Thanks!\nWe'll get back to you & your team soon."
        );
        assert_eq!(html_to_text("a < b and c > d"), "a < b and c > d");
        assert_eq!(
            html_to_text("<div>\n\n  one  </div><div>two</div>"),
            "one\ntwo"
        );
        assert_eq!(html_to_text("Zażółć &mdash; ご注文"), "Zażółć — ご注文");
        assert_eq!(
            html_to_text("<ul><li>one</li><li>two</li></ul><h1>Title</h1><p>end</p>"),
            "one\ntwo\nTitle\nend"
        );
    }

    #[test]
    fn html_hides_what_a_browser_hides() {
        assert_eq!(
            html_to_text("<style>p { color: red }</style>Hi<script>if (a > b) x()</script>!"),
            "Hi!"
        );
        assert_eq!(
            html_to_text(r#"<a title="x>y" href="https://example.com/?a>b">z</a>"#),
            "z"
        );
        assert_eq!(html_to_text("a<!-- a > b -- > c -->b"), "ab");
        assert_eq!(html_to_text("<img src=\"x>y\">ok"), "ok");
    }

    #[test]
    fn html_shows_what_could_drive_a_terminal_visibly() {
        assert_eq!(
            html_to_text("<p>hi \u{1b}]52;c;aGk=\u{7} \u{202e}x\r\nyz</p>"),
            "hi \u{fffd}]52;c;aGk=\u{fffd} \u{fffd}x yz"
        );
        // Nor what character references decode to (the parser drops the C0 controls among
        // them and reads C1 as Windows-1252, as browsers do).
        assert_eq!(
            html_to_text("a&#27;[2J&#x9b;b&#x202E;c&#x2066;d"),
            "a[2J›b\u{fffd}c\u{fffd}d"
        );
    }

    #[test]
    fn text_for_a_terminal_keeps_nothing_that_drives_it() {
        let hostile = "\u{1b}]52;c;aGk=\u{7}\u{1b}[2J\u{1b}]0;title\u{1b}\\Ev\u{202e}il\u{2066}x\u{2069}\
                       \u{200f}\u{61c}\u{9b}31m\u{7f}\r";
        let line = for_terminal_line(hostile);
        assert!(!line.chars().any(drives_terminal), "{line:?}");
        assert_eq!(
            line,
            "\u{fffd}]52;c;aGk=\u{fffd}\u{fffd}[2J\u{fffd}]0;title\u{fffd}\\Ev\u{fffd}il\u{fffd}x\
             \u{fffd}\u{fffd}\u{fffd}\u{fffd}31m\u{fffd} "
        );
        assert_eq!(for_terminal("a\n\tb\r\u{1b}c"), "a\n\tb\u{fffd}\u{fffd}c");
        // Text with nothing to replace is not copied; joiners in emoji are kept.
        let emoji = "Zażółć 👩\u{200d}💻 ご注文";
        assert!(matches!(for_terminal(emoji), Cow::Borrowed(_)));
        assert!(matches!(for_terminal_line(emoji), Cow::Borrowed(_)));
    }

    #[test]
    fn fit_counts_terminal_columns() {
        assert_eq!(fit("abc", 5), "abc  ");
        assert_eq!(fit("abcdef", 5), "abcd…");
        assert_eq!(fit("ご注文ありがとう", 7), "ご注文…");
        assert_eq!(fit("ご注文ありがとう", 7).width(), 7);
        assert_eq!(fit("a\tb", 3), "a b");
        assert_eq!(fit("a\u{1b}[2Jb", 8), "a\u{fffd}[2Jb  ");
    }
}
