//! One line per case, what came against what was expected for each
//! failure, and the closing count; plain text, wrapped to 100 columns,
//! with colour only on a terminal.

use crate::text::Lang;
use crate::tr;

/// How a case came out.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Status {
    Pass,
    Fail,
    /// Not run, because a case it needs failed first (a pinger that
    /// hangs has no summary line to check).
    Skip,
}

/// One thing the checker checks, and how it came out.
#[derive(Clone, Debug)]
pub struct Case {
    /// Short and stable, for tests and the grade table: `no-newline`.
    pub id: &'static str,
    /// What it checks, in a line.
    pub what: String,
    pub status: Status,
    pub expected: Option<String>,
    pub got: Option<String>,
    pub hint: Option<String>,
    /// The book section to read, as a path in the repository.
    pub read: Option<String>,
    /// Said under the case whatever its status: advice on a pass, or why
    /// a case was skipped (a client that is not installed).
    pub note: Option<String>,
}

impl Case {
    pub fn new(id: &'static str, what: String) -> Case {
        Case {
            id,
            what,
            status: Status::Pass,
            expected: None,
            got: None,
            hint: None,
            read: None,
            note: None,
        }
    }

    /// Passes when `ok`, fails otherwise.
    pub fn ok(mut self, ok: bool) -> Case {
        self.status = if ok { Status::Pass } else { Status::Fail };
        self
    }

    pub fn fail(mut self) -> Case {
        self.status = Status::Fail;
        self
    }

    pub fn skip(mut self) -> Case {
        self.status = Status::Skip;
        self
    }

    /// Skipped for a reason of its own, said on its line.
    pub fn skip_because(mut self, why: impl Into<String>) -> Case {
        self.status = Status::Skip;
        self.note = Some(why.into());
        self
    }

    pub fn expected(mut self, text: impl Into<String>) -> Case {
        self.expected = Some(text.into());
        self
    }

    pub fn got(mut self, text: impl Into<String>) -> Case {
        self.got = Some(text.into());
        self
    }

    pub fn hint(mut self, text: impl Into<String>) -> Case {
        self.hint = Some(text.into());
        self
    }

    pub fn read(mut self, text: impl Into<String>) -> Case {
        self.read = Some(text.into());
        self
    }

    pub fn note(mut self, text: impl Into<String>) -> Case {
        self.note = Some(text.into());
        self
    }

    /// The detail lines are shown only for a failure.
    pub fn passed(&self) -> bool {
        self.status == Status::Pass
    }
}

/// How many cases passed, failed and were skipped.
pub fn count(cases: &[Case]) -> (usize, usize, usize) {
    let of = |status| cases.iter().filter(|c| c.status == status).count();
    (of(Status::Pass), of(Status::Fail), of(Status::Skip))
}

/// The closing line: `N passed, M failed` (`, K skipped` when some were).
pub fn closing(cases: &[Case]) -> String {
    let (passed, failed, skipped) = count(cases);
    if skipped > 0 {
        format!("{passed} passed, {failed} failed, {skipped} skipped")
    } else {
        format!("{passed} passed, {failed} failed")
    }
}

/// The widest a line may be, in terminal columns.
pub const COLUMNS: usize = 100;

/// Colours, or none.
#[derive(Clone, Copy)]
pub struct Paint(pub bool);

impl Paint {
    fn wrap(self, code: &str, text: &str) -> String {
        if self.0 {
            format!("\x1b[{code}m{text}\x1b[0m")
        } else {
            text.to_string()
        }
    }
    pub fn green(self, text: &str) -> String {
        self.wrap("32", text)
    }
    pub fn red(self, text: &str) -> String {
        self.wrap("31", text)
    }
    pub fn dim(self, text: &str) -> String {
        self.wrap("2", text)
    }
    pub fn bold(self, text: &str) -> String {
        self.wrap("1", text)
    }
}

/// The report of one check: a line per case, details under each
/// failure, then the closing line.
pub fn render(cases: &[Case], lang: Lang, paint: Paint) -> String {
    let mut out = String::new();
    for case in cases {
        let (mark, what) = match case.status {
            Status::Pass => (paint.green("✓"), case.what.clone()),
            Status::Fail => (paint.red("✗"), case.what.clone()),
            Status::Skip => (
                paint.dim("-"),
                match &case.note {
                    Some(why) => tr!(
                        lang,
                        "{} (skipped: {why})",
                        "{} (건너뜀. {why})",
                        case.what
                    ),
                    None => tr!(
                        lang,
                        "{} (skipped: fix the failed case first)",
                        "{} (건너뜀. 실패한 항목부터 고치세요)",
                        case.what
                    ),
                },
            ),
        };
        // The case's id closes its line: the grade reports and the
        // checker's tests name cases by it.
        let what = format!("{what} [{}]", case.id);
        for (n, line) in wrap(&what, COLUMNS - 2).iter().enumerate() {
            let lead = if n == 0 { mark.as_str() } else { " " };
            out.push_str(&format!("{lead} {line}\n"));
        }
        if case.status == Status::Pass {
            if let Some(note) = &case.note {
                let lead = format!("    {}: ", tr!(lang, "note", "참고"));
                let indent = " ".repeat(width(&lead));
                let lines = wrap(note, COLUMNS - width(&lead));
                for (n, line) in lines.iter().enumerate() {
                    let lead = if n == 0 { &lead } else { &indent };
                    out.push_str(&format!("{lead}{line}\n"));
                }
            }
        }
        if case.status != Status::Fail {
            continue;
        }
        let labels = [
            (tr!(lang, "expected", "기대한 것"), &case.expected),
            (tr!(lang, "got", "실제로 온 것"), &case.got),
            (tr!(lang, "hint", "힌트"), &case.hint),
            (tr!(lang, "read", "읽을 곳"), &case.read),
        ];
        let label_width =
            labels.iter().map(|(l, _)| width(l)).max().unwrap_or(0);
        for (label, text) in labels {
            let Some(text) = text else { continue };
            let text = &lengths_in(text, lang);
            let pad = " ".repeat(label_width - width(&label));
            let lead = format!("    {label}:{pad} ");
            let indent = " ".repeat(width(&lead));
            let lines = wrap(text, COLUMNS - width(&lead));
            for (n, line) in lines.iter().enumerate() {
                let lead = if n == 0 { &lead } else { &indent };
                out.push_str(&format!("{lead}{line}\n"));
            }
        }
    }
    out.push('\n');
    let line = closing(cases);
    let (_, failed, _) = count(cases);
    out.push_str(&if failed == 0 {
        paint.bold(&paint.green(&line))
    } else {
        paint.bold(&line)
    });
    out.push('\n');
    out
}

/// Terminal columns taken by `text`: Hangul and other East Asian wide
/// characters take two.
pub fn width(text: &str) -> usize {
    text.chars().map(char_width).sum()
}

/// `text` and spaces up to `columns` columns (at least one space).
pub fn pad(text: &str, columns: usize) -> String {
    let spaces = columns.saturating_sub(width(text)).max(1);
    format!("{text}{}", " ".repeat(spaces))
}

fn char_width(c: char) -> usize {
    let c = c as u32;
    let wide = (0x1100..=0x115f).contains(&c)
        || (0x2e80..=0xa4cf).contains(&c)
        || (0xac00..=0xd7a3).contains(&c)
        || (0xf900..=0xfaff).contains(&c)
        || (0xfe30..=0xfe4f).contains(&c)
        || (0xff00..=0xff60).contains(&c)
        || (0xffe0..=0xffe6).contains(&c);
    if wide { 2 } else { 1 }
}

/// Splits `text` into lines of at most `columns`, at spaces where it
/// can, never inside a `code span` that fits a line (a command to copy
/// stays whole); a word longer than a line is cut.
pub fn wrap(text: &str, columns: usize) -> Vec<String> {
    let mut lines = Vec::new();
    for paragraph in text.split('\n') {
        let mut line = String::new();
        for word in words(paragraph, columns) {
            let word = word.as_str();
            let needed = width(&line) + usize::from(!line.is_empty());
            if !line.is_empty() && needed + width(word) > columns {
                lines.push(std::mem::take(&mut line));
            }
            if !line.is_empty() {
                line.push(' ');
            }
            for c in word.chars() {
                if width(&line) + char_width(c) > columns {
                    lines.push(std::mem::take(&mut line));
                }
                line.push(c);
            }
        }
        lines.push(line);
    }
    lines
}

/// The words of a line: split at spaces, except inside a `code span`
/// no wider than `columns`.
fn words(paragraph: &str, columns: usize) -> Vec<String> {
    let mut words: Vec<String> = Vec::new();
    let mut open = false;
    for (n, piece) in paragraph.split(' ').enumerate() {
        match words.last_mut() {
            Some(last) if open && n > 0 => {
                last.push(' ');
                last.push_str(piece);
            }
            _ => words.push(piece.to_string()),
        }
        if piece.matches('`').count() % 2 == 1 {
            open = !open;
        }
    }
    // A span too wide for a line is split at its spaces after all.
    words
        .into_iter()
        .flat_map(|word| {
            if width(&word) > columns && word.contains(' ') {
                word.split(' ').map(str::to_string).collect()
            } else {
                vec![word]
            }
        })
        .collect()
}

/// Bytes as a quoted, escaped string a reader can compare: `"hello\n"`;
/// control bytes and bytes that are not UTF-8 as `\xNN`; cut after
/// `SHOWN` characters, with the full length said.
pub fn show(bytes: &[u8]) -> String {
    let text = String::from_utf8_lossy(bytes);
    let mut out = String::from("\"");
    for (shown, c) in text.chars().enumerate() {
        if shown == SHOWN {
            out.push_str(&format!("\"… ({} bytes)", bytes.len()));
            return out;
        }
        match c {
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\u{fffd}' => out.push_str("\\u{fffd}"),
            c if (c as u32) < 0x20 || c as u32 == 0x7f => {
                out.push_str(&format!("\\x{:02x}", c as u32));
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// [`show`]'s and [`show_end`]'s full length of a cut byte string,
/// `"… (1550 bytes)` or `…"the end" (1550 bytes)`, in the report's
/// language: `(1550바이트)` in Korean. (They have no language: their callers
/// are many, and most byte strings are not cut.)
fn lengths_in(text: &str, lang: Lang) -> String {
    const OPEN: &str = " (";
    const BYTES: &str = " bytes)";
    if !matches!(lang, Lang::Ko) {
        return text.to_string();
    }
    let mut out = String::new();
    let mut rest = text;
    while let Some(at) = rest.find(OPEN) {
        let (before, after) = rest.split_at(at + OPEN.len());
        out.push_str(before);
        rest = after;
        // Only the length that closes a shown string: after `"` or `…`.
        let shown = before[..at].ends_with(['"', '…']);
        let digits = after.chars().take_while(char::is_ascii_digit).count();
        if shown && digits > 0 && after[digits..].starts_with(BYTES) {
            out.push_str(&after[..digits]);
            out.push_str("바이트)");
            rest = &after[digits + BYTES.len()..];
        }
    }
    out.push_str(rest);
    out
}

/// Like [`show`], but keeps the end of a long text, where a program
/// prints its last words (a pinger its loss): `…"the end" (N bytes)`.
pub fn show_end(bytes: &[u8]) -> String {
    let text = String::from_utf8_lossy(bytes);
    let count = text.chars().count();
    if count <= SHOWN {
        return show(bytes);
    }
    let end: String = text.chars().skip(count - SHOWN).collect();
    format!("…{} ({} bytes)", show(end.as_bytes()), bytes.len())
}

/// How many characters of a byte string [`show`] shows.
const SHOWN: usize = 60;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bytes_are_escaped_and_cut() {
        assert_eq!(show(b"hi\n"), "\"hi\\n\"");
        assert_eq!(show(b"a\x00\"b"), "\"a\\x00\\\"b\"");
        let long = vec![b'a'; 100];
        assert_eq!(show(&long), format!("\"{}\"… (100 bytes)", "a".repeat(60)));
    }

    #[test]
    fn a_korean_report_gives_the_full_length_in_korean() {
        let long = vec![b'a'; 1550];
        let case = Case::new("long", "what".into())
            .fail()
            .expected(show(&long))
            .got(show(b"short"));
        let report = render(&[case], Lang::Ko, Paint(false));
        assert!(report.contains("\"… (1550바이트)"), "{report}");
        assert!(!report.contains("bytes"), "{report}");
        let case = Case::new("long", "what".into())
            .fail()
            .expected(show(&long));
        let report = render(&[case], Lang::En, Paint(false));
        assert!(report.contains("\"… (1550 bytes)"), "{report}");
    }

    #[test]
    fn the_end_of_a_long_text_is_kept() {
        assert_eq!(show_end(b"hi\n"), "\"hi\\n\"");
        let mut long = vec![b'a'; 98];
        long.extend(b"z\n");
        assert_eq!(
            show_end(&long),
            format!("…\"{}z\\n\" (100 bytes)", "a".repeat(58))
        );
        let case = Case::new("loss", "what".into()).fail().got(show_end(&long));
        let report = render(&[case], Lang::Ko, Paint(false));
        assert!(report.contains("z\\n\" (100바이트)"), "{report}");
    }

    #[test]
    fn lines_fit_the_width_in_columns() {
        let text = "가나다 ".repeat(40);
        for line in wrap(&text, 20) {
            assert!(width(&line) <= 20, "{line}");
        }
        assert_eq!(wrap("one two three", 7), ["one two", "three"]);
        // A span wider than the line is split after all.
        assert_eq!(
            wrap("see `ss -uanp sport = :1` now", 12),
            ["see `ss", "-uanp sport", "= :1` now"]
        );
        assert_eq!(
            wrap("see `ss -uanp sport = :1` now", 24),
            ["see", "`ss -uanp sport = :1`", "now"]
        );
    }

    #[test]
    fn columns_are_padded_by_width() {
        assert_eq!(pad("연습 문제", 12), "연습 문제   ");
        assert_eq!(width(&pad("연습 문제", 20)), 20);
        assert_eq!(
            pad("udp-client", 20),
            format!("udp-client{}", " ".repeat(10))
        );
        assert_eq!(pad("a-name-too-long", 5), "a-name-too-long ");
    }
}
