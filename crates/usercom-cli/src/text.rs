//! Text for people: HTML message content as plain text, and columns of fixed width.

use unicode_width::{UnicodeWidthChar, UnicodeWidthStr};

/// Message content as plain text: tags dropped (line breaks kept for `<br>` and block ends),
/// entities decoded, white space folded, empty lines dropped.
pub fn html_to_text(html: &str) -> String {
    let mut text = String::with_capacity(html.len());
    let mut rest = html;
    while let Some(open) = rest.find('<') {
        text.push_str(&rest[..open]);
        let starts_tag = rest[open + 1..]
            .chars()
            .next()
            .is_some_and(|c| c.is_ascii_alphabetic() || c == '/' || c == '!');
        if !starts_tag {
            text.push('<');
            rest = &rest[open + 1..];
            continue;
        }
        let Some(close) = rest[open..].find('>') else {
            // A lone `<` is text.
            text.push_str(&rest[open..]);
            rest = "";
            break;
        };
        let tag = rest[open + 1..open + close].trim().to_ascii_lowercase();
        let name = tag
            .trim_start_matches('/')
            .split(|c: char| c.is_whitespace() || c == '/')
            .next()
            .unwrap_or_default();
        if matches!(
            name,
            "br" | "p" | "div" | "li" | "tr" | "h1" | "h2" | "h3" | "h4"
        ) {
            text.push('\n');
        }
        rest = &rest[open + close + 1..];
    }
    text.push_str(rest);
    let decoded = html_escape::decode_html_entities(&text);
    decoded
        .lines()
        .map(|line| line.split_whitespace().collect::<Vec<_>>().join(" "))
        .filter(|line| !line.is_empty())
        .collect::<Vec<_>>()
        .join("\n")
}

/// `text` in exactly `width` terminal columns: cut with `…` or padded with spaces.
pub fn fit(text: &str, width: usize) -> String {
    let text: String = text
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect();
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
        assert_eq!(html_to_text("x <y"), "x <y");
        assert_eq!(
            html_to_text("<div>\n\n  one  </div><div>two</div>"),
            "one\ntwo"
        );
        assert_eq!(html_to_text("Zażółć &mdash; ご注文"), "Zażółć — ご注文");
    }

    #[test]
    fn fit_counts_terminal_columns() {
        assert_eq!(fit("abc", 5), "abc  ");
        assert_eq!(fit("abcdef", 5), "abcd…");
        assert_eq!(fit("ご注文ありがとう", 7), "ご注文…");
        assert_eq!(fit("ご注文ありがとう", 7).width(), 7);
        assert_eq!(fit("a\tb", 3), "a b");
    }
}
