//! Just enough JSON for the example, without serde: the string value of one key of the
//! top-level object, and escaping a string for the answer.

use alloc::string::String;
use alloc::vec::Vec;

/// The string value of `key` in the top-level JSON object `text`, unescaped; `None` when
/// the text is not an object, the key is absent, or its value is not a string.
pub fn string_field(text: &[u8], key: &str) -> Option<String> {
    let mut reader = Reader { text, at: 0 };
    reader.expect(b'{')?;
    loop {
        reader.space();
        if reader.peek()? == b'}' {
            return None;
        }
        let name = reader.string()?;
        reader.expect(b':')?;
        reader.space();
        if name == key {
            return if reader.peek()? == b'"' { reader.string() } else { None };
        }
        reader.skip_value(0)?;
        reader.space();
        match reader.next()? {
            b',' => continue,
            _ => return None,
        }
    }
}

/// Appends `text` to `out` as the inside of a JSON string.
pub fn push_escaped(out: &mut String, text: &str) {
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            c if (c as u32) < 0x20 => {
                const HEX: &[u8; 16] = b"0123456789abcdef";
                out.push_str("\\u00");
                out.push(HEX[(c as usize) >> 4] as char);
                out.push(HEX[(c as usize) & 15] as char);
            }
            c => out.push(c),
        }
    }
}

struct Reader<'a> {
    text: &'a [u8],
    at: usize,
}

impl Reader<'_> {
    fn peek(&self) -> Option<u8> {
        self.text.get(self.at).copied()
    }

    fn next(&mut self) -> Option<u8> {
        let byte = self.peek()?;
        self.at += 1;
        Some(byte)
    }

    fn space(&mut self) {
        while matches!(self.peek(), Some(b' ' | b'\t' | b'\n' | b'\r')) {
            self.at += 1;
        }
    }

    fn expect(&mut self, byte: u8) -> Option<()> {
        self.space();
        (self.next()? == byte).then_some(())
    }

    /// A string at the reader, unescaped; a lone surrogate becomes U+FFFD.
    fn string(&mut self) -> Option<String> {
        self.expect(b'"')?;
        let mut bytes = Vec::new();
        loop {
            match self.next()? {
                b'"' => return String::from_utf8(bytes).ok(),
                b'\\' => {
                    let c = match self.next()? {
                        b'n' => '\n',
                        b't' => '\t',
                        b'r' => '\r',
                        b'b' => '\u{8}',
                        b'f' => '\u{c}',
                        b'u' => self.unicode()?,
                        other => other as char,
                    };
                    bytes.extend_from_slice(c.encode_utf8(&mut [0; 4]).as_bytes());
                }
                byte => bytes.push(byte),
            }
        }
    }

    fn hex4(&mut self) -> Option<u32> {
        let digits = self.text.get(self.at..self.at + 4)?;
        self.at += 4;
        u32::from_str_radix(core::str::from_utf8(digits).ok()?, 16).ok()
    }

    fn unicode(&mut self) -> Option<char> {
        let high = self.hex4()?;
        if (0xD800..0xDC00).contains(&high) && self.text.get(self.at..self.at + 2) == Some(b"\\u") {
            self.at += 2;
            let low = self.hex4()?;
            if (0xDC00..0xE000).contains(&low) {
                return char::from_u32(0x10000 + ((high - 0xD800) << 10) + (low - 0xDC00));
            }
        }
        Some(char::from_u32(high).unwrap_or('\u{FFFD}'))
    }

    /// Skips one value of any kind; `depth` bounds nesting so a hostile event cannot
    /// overflow the stack.
    fn skip_value(&mut self, depth: usize) -> Option<()> {
        if depth > 64 {
            return None;
        }
        self.space();
        match self.peek()? {
            b'"' => self.string().map(|_| ()),
            open @ (b'{' | b'[') => {
                self.at += 1;
                let close = if open == b'{' { b'}' } else { b']' };
                self.space();
                if self.peek()? == close {
                    self.at += 1;
                    return Some(());
                }
                loop {
                    if open == b'{' {
                        self.string()?;
                        self.expect(b':')?;
                    }
                    self.skip_value(depth + 1)?;
                    self.space();
                    match self.next()? {
                        b',' => continue,
                        byte if byte == close => return Some(()),
                        _ => return None,
                    }
                }
            }
            _ => {
                while matches!(self.peek(), Some(b) if !matches!(b, b',' | b'}' | b']' | b' ' | b'\t' | b'\n' | b'\r')) {
                    self.at += 1;
                }
                Some(())
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_the_top_level_string() {
        assert_eq!(string_field(br#"{"name":"World"}"#, "name").as_deref(), Some("World"));
        assert_eq!(string_field(br#" { "a" : [1, {"name":"x"}], "name" : "A\"\u00e9\ud83d\ude00" } "#, "name").as_deref(), Some("A\"é😀"));
        assert_eq!(string_field(br#"{"name":7}"#, "name"), None);
        assert_eq!(string_field(br#"{}"#, "name"), None);
        assert_eq!(string_field(b"not json", "name"), None);
        assert_eq!(string_field(br#"{"name":"unterminated"#, "name"), None);
    }

    #[test]
    fn escapes_what_json_requires() {
        let mut out = String::new();
        push_escaped(&mut out, "a\"b\\c\n");
        assert_eq!(out, r#"a\"b\\c\u000a"#);
    }
}
