//! Values that templates write without askama's escaping pass (a byte-by-byte copy), because
//! they are checked instead: ids, tokens and our own links never hold a character HTML gives a
//! meaning to, so a page of a hundred stage cards writes them straight into the page. Anything
//! that does hold one (`"&'<>`) is still escaped exactly as askama would: marking these types
//! `HtmlSafe` is sound whatever they are given.

use std::fmt::{self, Write};

use askama::filters::{Escaper, Html, HtmlSafe};
use askama::{FastWritable, Values};

/// Whether `text` can go into HTML text or a quoted attribute as it is.
fn is_plain(text: &str) -> bool {
    !text
        .bytes()
        .any(|b| matches!(b, b'"' | b'&' | b'\'' | b'<' | b'>'))
}

/// Write `text`, as it is when it is `plain`, escaped otherwise.
fn write(dest: &mut (impl Write + ?Sized), text: &str, plain: bool) -> fmt::Result {
    if plain {
        dest.write_str(text)
    } else {
        Html.write_escaped_str(dest, text)
    }
}

/// A string checked as it is written: an argument of a [`Link`].
pub struct Checked<'a>(pub &'a str);

impl fmt::Display for Checked<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write(f, self.0, is_plain(self.0))
    }
}

impl HtmlSafe for Checked<'_> {}

/// Write a route `pattern` with its `{name}`s filled, in order, with the (checked) `values`,
/// piece by piece: a page writes a thousand links, and `write!`'s formatting machinery cost more
/// than the links' bytes. The values come in the order their names appear in the pattern (the
/// route table's builders take their arguments in that order; `urls::tests` holds every link to
/// its pattern); a placeholder with no value is written as nothing.
pub fn write_pattern(dest: &mut dyn Write, pattern: &str, values: &[&str]) -> fmt::Result {
    // Byte searches: the patterns are ASCII, and `str::find` costs more than a short scan.
    let position = |text: &str, byte: u8| text.bytes().position(|b| b == byte);
    let (mut rest, mut values) = (pattern, values.iter());
    while let Some(open) = position(rest, b'{') {
        dest.write_str(&rest[..open])?;
        let after = &rest[open + 1..];
        let close = position(after, b'}').unwrap_or(after.len());
        if let Some(value) = values.next() {
            write(dest, value, is_plain(value))?;
        }
        rest = after.get(close + 1..).unwrap_or_default();
    }
    dest.write_str(rest)
}

/// A link written into the page as it is formatted (no `String` per link): see
/// `urls::html`. Its literal parts are our own route patterns; its arguments are [`Checked`].
pub struct Link<F>(pub F);

impl<F: Fn(&mut dyn Write) -> fmt::Result> fmt::Display for Link<F> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        (self.0)(f)
    }
}

impl<F: Fn(&mut dyn Write) -> fmt::Result> FastWritable for Link<F> {
    fn write_into(&self, dest: &mut dyn Write, _: &dyn Values) -> askama::Result<()> {
        Ok((self.0)(dest)?)
    }
}

impl<F: Fn(&mut dyn Write) -> fmt::Result> HtmlSafe for Link<F> {}

/// A string checked once and then written as it is each time (a token or an id a page repeats
/// in every card), or escaped each time in the unlikely case that it needs it.
#[derive(Clone, Copy)]
pub struct Plain<'a> {
    text: &'a str,
    plain: bool,
}

impl<'a> Plain<'a> {
    /// Check `text` once.
    pub fn new(text: &'a (impl AsRef<str> + ?Sized)) -> Self {
        let text = text.as_ref();
        Plain {
            text,
            plain: is_plain(text),
        }
    }
}

impl fmt::Display for Plain<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write(f, self.text, self.plain)
    }
}

impl FastWritable for Plain<'_> {
    fn write_into(&self, dest: &mut dyn Write, _: &dyn Values) -> askama::Result<()> {
        Ok(write(dest, self.text, self.plain)?)
    }
}

impl HtmlSafe for Plain<'_> {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_text_is_written_as_it_is_and_anything_else_as_askama_escapes_it() {
        assert_eq!(Plain::new("abc-123").to_string(), "abc-123");
        assert_eq!(
            Plain::new("<a href=\"x\">&'").to_string(),
            "&#60;a href=&#34;x&#34;&#62;&#38;&#39;"
        );
        assert_eq!(Checked("a\"b").to_string(), "a&#34;b");
        assert_eq!(Checked("ab").to_string(), "ab");
        let link = Link(|f: &mut dyn Write| {
            let id = Checked("x<y");
            write!(f, "/stage/{id}/move")
        });
        assert_eq!(link.to_string(), "/stage/x&#60;y/move");
        let filled = |pattern: &str, values: &[&str]| {
            let mut out = String::new();
            write_pattern(&mut out, pattern, values).map(|()| out)
        };
        assert_eq!(
            filled("/team/{slug}/members/{user}/role", &["a&b", "u1"]).as_deref(),
            Ok("/team/a&#38;b/members/u1/role")
        );
        assert_eq!(filled("/", &[]).as_deref(), Ok("/"));
        assert_eq!(filled("/x/{id}", &["7"]).as_deref(), Ok("/x/7"));
        assert_eq!(filled("/x/{id}/{more}", &["7"]).as_deref(), Ok("/x/7/"));
    }
}
