//! The docs checker: reads the Markdown of `docs/` and checks it against
//! the sources. The test `docs/tests/docs.rs` runs these checks on the real
//! chapters (`cargo test -p docs`) and on small made-up ones, to show that
//! each check can fail.
//!
//! Markers are HTML comments on a line of their own, invisible on a
//! repository page:
//!
//! - `<!-- listing: PATH -->` or `<!-- listing: PATH#REGION -->`, then a
//!   fenced block (```` ```rust ```` for `.rs`, ```` ```python ```` for
//!   `.py`) that must be exactly the file, or the lines between
//!   `// ANCHOR: REGION` and `// ANCHOR_END: REGION` (`#` for Python).
//!   In `docs/ko`, a listing whose comments are translated into Korean
//!   need only have the same code: see [`code_lines`]. When a chapter
//!   shows a file by regions, they must cover all of it: see
//!   [`check_coverage`].
//! - `<!-- correspondence: PYTHON rust=RUST -->`, then a table with the
//!   columns Python | Rust | On the network: every code line of the
//!   Python file (comment lines may be left out), in order, as code in
//!   the first column, and every code span of the second column found in
//!   the Rust file;
//! - `<!-- transcript: server=S [typed="..."] -->` or
//!   `<!-- transcript: by-hand -->`, then a ```` ```text ```` block that
//!   starts with a `$ ` command line: a terminal session the test reruns
//!   (or, by hand, one it cannot).
//!
//! - `<!-- explains: NAME -->`, in *Reading the Rust* only: the section
//!   that follows explains the construct `NAME`; see [`explains`].
//! - `<!-- side-by-side: PYTHON rust=RUST -->`, then an HTML table of two
//!   columns, Python | Rust, one fenced block per cell: read in order, the
//!   cells of each column are the whole file; see [`side_by_side`].
//!
//! PATHs are relative to the workspace folder. The Korean chapters' terms
//! are checked against a table of variants: see [`terms`].

pub mod explains;
pub mod side_by_side;
pub mod terms;

/// The marker names; any other `<!-- name: ... -->` is a typo.
pub const MARKERS: &[&str] = &[
    "listing",
    "correspondence",
    "transcript",
    "explains",
    "side-by-side",
];

/// The parts of a chapter the checks look at.
#[derive(Debug, Clone, PartialEq)]
pub enum Element {
    Heading {
        level: usize,
    },
    Marker {
        kind: String,
        args: String,
    },
    Fence {
        info: String,
        body: String,
    },
    /// A table's rows, header first, without the `---` row.
    Table {
        rows: Vec<Vec<String>>,
    },
    /// Any other non-blank line.
    Prose,
}

/// An element and the line (from 1) where it starts.
#[derive(Debug, Clone)]
pub struct Located {
    pub line: usize,
    pub element: Element,
}

/// Splits a chapter into headings, markers, fenced blocks, tables and
/// prose. Fails on a fence that is never closed and on a marker with an
/// unknown name.
pub fn parse(text: &str) -> Result<Vec<Located>, String> {
    let lines: Vec<&str> = text.lines().collect();
    let mut elements = Vec::new();
    let mut i = 0;
    while i < lines.len() {
        let line = lines[i];
        let number = i + 1;
        if let Some((info, body, close)) = fenced_block(&lines, i)? {
            let body = body.into_iter().map(|(_, line)| line + "\n").collect();
            elements.push(Located {
                line: number,
                element: Element::Fence { info, body },
            });
            i = close + 1;
            continue;
        }
        let trimmed = line.trim();
        if trimmed.is_empty() {
            i += 1;
            continue;
        }
        if let Some(comment) = trimmed
            .strip_prefix("<!--")
            .and_then(|rest| rest.strip_suffix("-->"))
        {
            if let Some((kind, args)) = comment.trim().split_once(':') {
                let kind = kind.trim();
                let looks_like_marker = !kind.is_empty()
                    && kind
                        .bytes()
                        .all(|b| b.is_ascii_lowercase() || b == b'-');
                if looks_like_marker {
                    if !MARKERS.contains(&kind) {
                        return Err(format!(
                            "line {number}: unknown marker `{kind}` (known: \
                             {})",
                            MARKERS.join(", ")
                        ));
                    }
                    elements.push(Located {
                        line: number,
                        element: Element::Marker {
                            kind: kind.to_string(),
                            args: args.trim().to_string(),
                        },
                    });
                }
            }
            i += 1;
            continue;
        }
        let hashes = trimmed.bytes().take_while(|&b| b == b'#').count();
        if (1..=6).contains(&hashes)
            && line.starts_with('#')
            && (trimmed.len() == hashes || trimmed.as_bytes()[hashes] == b' ')
        {
            elements.push(Located {
                line: number,
                element: Element::Heading { level: hashes },
            });
            i += 1;
            continue;
        }
        if trimmed.starts_with('|') {
            let mut rows = Vec::new();
            let mut j = i;
            while let Some(row) =
                lines.get(j).filter(|l| l.trim_start().starts_with('|'))
            {
                let cells = split_row(row);
                let separator = cells.iter().all(|cell| {
                    let cell = cell.trim_matches(':');
                    !cell.is_empty() && cell.bytes().all(|b| b == b'-')
                });
                if !(separator && j == i + 1) {
                    rows.push(cells);
                }
                j += 1;
            }
            elements.push(Located {
                line: number,
                element: Element::Table { rows },
            });
            i = j;
            continue;
        }
        elements.push(Located {
            line: number,
            element: Element::Prose,
        });
        i += 1;
    }
    Ok(elements)
}

/// An opening fence: its character, its length and its info string.
fn fence_open(line: &str) -> Option<(u8, usize, String)> {
    let rest = line.trim_start_matches(' ');
    if line.len() - rest.len() > 3 {
        return None;
    }
    let fence = *rest.as_bytes().first()?;
    if fence != b'`' && fence != b'~' {
        return None;
    }
    let count = rest.bytes().take_while(|&b| b == fence).count();
    if count < 3 {
        return None;
    }
    let info = rest[count..].trim();
    if fence == b'`' && info.contains('`') {
        return None;
    }
    Some((fence, count, info.to_string()))
}

fn is_fence_close(line: &str, fence: u8, count: usize) -> bool {
    let rest = line.trim_start_matches(' ');
    if line.len() - rest.len() > 3 {
        return false;
    }
    let run = rest.bytes().take_while(|&b| b == fence).count();
    run >= count && rest[run..].trim().is_empty()
}

/// Numbered lines: each line's number (from 1) and its text.
type Numbered = Vec<(usize, String)>;

/// The fenced block that opens at `lines[open]`, if one does: its info
/// string, its body's lines, and the index of its closing fence. Fails on
/// a fence that is never closed.
fn fenced_block(
    lines: &[&str],
    open: usize,
) -> Result<Option<(String, Numbered, usize)>, String> {
    let Some((fence, count, info)) =
        lines.get(open).and_then(|l| fence_open(l))
    else {
        return Ok(None);
    };
    let mut body = Vec::new();
    for (index, line) in lines.iter().enumerate().skip(open + 1) {
        if is_fence_close(line, fence, count) {
            return Ok(Some((info, body, index)));
        }
        body.push((index + 1, line.to_string()));
    }
    Err(format!("line {}: fenced block is never closed", open + 1))
}

/// A table row's cells, trimmed, with `\|` read as `|`.
pub fn split_row(line: &str) -> Vec<String> {
    let mut row = line.trim();
    row = row.strip_prefix('|').unwrap_or(row);
    if row.ends_with('|') && !row.ends_with("\\|") {
        row = &row[..row.len() - 1];
    }
    let mut cells = Vec::new();
    let mut cell = String::new();
    let mut chars = row.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '\\' && chars.peek() == Some(&'|') {
            cell.push('|');
            chars.next();
        } else if c == '|' {
            cells.push(cell.trim().to_string());
            cell.clear();
        } else {
            cell.push(c);
        }
    }
    cells.push(cell.trim().to_string());
    cells
}

/// The contents of the code spans (`` `code` ``) in a piece of Markdown.
pub fn code_spans(text: &str) -> Vec<String> {
    let bytes = text.as_bytes();
    let mut spans = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] != b'`' {
            i += 1;
            continue;
        }
        let start = i;
        while i < bytes.len() && bytes[i] == b'`' {
            i += 1;
        }
        let count = i - start;
        // The closing run has exactly as many backticks.
        let mut j = i;
        let mut end = None;
        while j < bytes.len() {
            if bytes[j] == b'`' {
                let run_start = j;
                while j < bytes.len() && bytes[j] == b'`' {
                    j += 1;
                }
                if j - run_start == count {
                    end = Some(run_start);
                    break;
                }
            } else {
                j += 1;
            }
        }
        if let Some(end) = end {
            let mut content = &text[i..end];
            if content.len() >= 2
                && content.starts_with(' ')
                && content.ends_with(' ')
                && !content.trim().is_empty()
            {
                content = &content[1..content.len() - 1];
            }
            spans.push(content.to_string());
            i = end + count;
        }
    }
    spans
}

/// Runs of whitespace as one space, none at the ends.
pub fn collapse(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Where two texts first differ, line by line, or `None` if they are equal.
pub fn first_difference(
    expected_name: &str,
    expected: &str,
    shown: &str,
) -> Option<String> {
    if expected == shown {
        return None;
    }
    let want: Vec<&str> = expected.split('\n').collect();
    let got: Vec<&str> = shown.split('\n').collect();
    for (index, (w, g)) in want.iter().zip(&got).enumerate() {
        if w != g {
            return Some(format!(
                "first difference at line {} of the block:\n    doc:  \
                 {g:?}\n    {expected_name}: {w:?}",
                index + 1
            ));
        }
    }
    Some(if want.len() > got.len() {
        format!(
            "the doc's block ends early; {expected_name} goes on at its \
             line {}: {:?}",
            got.len() + 1,
            want[got.len()]
        )
    } else {
        format!(
            "the doc's block goes on past the end of {expected_name}, at \
             its line {}: {:?}",
            want.len() + 1,
            got[want.len()]
        )
    })
}

/// The lines between `// ANCHOR: name` and `// ANCHOR_END: name` (or the
/// same with `#`), without the anchor lines themselves. Regions may nest
/// or overlap: the anchor lines of other regions inside are left out too.
pub fn region(source: &str, name: &str) -> Result<String, String> {
    let (first, last) = region_lines(source, name)?;
    let text: String = source
        .lines()
        .skip(first - 1)
        .take(last + 1 - first)
        .filter(|l| !is_any_anchor(l))
        .map(|l| format!("{l}\n"))
        .collect();
    if text.trim().is_empty() {
        return Err(format!("region `{name}` is empty"));
    }
    Ok(text)
}

/// The first and last line (from 1) between a region's anchor lines; the
/// region is empty when `last < first`.
pub fn region_lines(
    source: &str,
    name: &str,
) -> Result<(usize, usize), String> {
    let is_anchor = |line: &str, word: &str| {
        let line = line.trim();
        let rest = line
            .strip_prefix("//")
            .or_else(|| line.strip_prefix('#'))
            .map(str::trim);
        rest.and_then(|rest| rest.strip_prefix(word))
            .and_then(|rest| rest.strip_prefix(':'))
            .is_some_and(|rest| rest.trim() == name)
    };
    let lines: Vec<&str> = source.lines().collect();
    let start = lines
        .iter()
        .position(|l| is_anchor(l, "ANCHOR"))
        .ok_or_else(|| format!("no `// ANCHOR: {name}` line"))?;
    let end = lines[start..]
        .iter()
        .position(|l| is_anchor(l, "ANCHOR_END"))
        .map(|offset| start + offset)
        .ok_or_else(|| format!("no `// ANCHOR_END: {name}` line"))?;
    // Line numbers from 1: the region is lines start+2 ..= end.
    Ok((start + 2, end))
}

/// Is this an `// ANCHOR: …` or `// ANCHOR_END: …` line (or `#`)?
pub fn is_any_anchor(line: &str) -> bool {
    let line = line.trim();
    let rest = line
        .strip_prefix("//")
        .or_else(|| line.strip_prefix('#'))
        .map(str::trim)
        .unwrap_or("");
    rest.starts_with("ANCHOR:") || rest.starts_with("ANCHOR_END:")
}

/// Reads a file of the workspace by its relative path.
pub type Reader<'a> = &'a dyn Fn(&str) -> Option<String>;

/// The element right after element `index`, which a marker introduces.
fn introduced(elements: &[Located], index: usize) -> Option<&Located> {
    elements.get(index + 1)
}

/// What one listing check found: the problem, and the block that would
/// fix it when the listing is a plain copy of its source.
#[derive(Debug, Clone, PartialEq)]
pub struct Finding {
    pub problem: String,
    /// The index (in the elements) of the fenced block, and the text it
    /// should hold; `None` when only a person can fix it.
    pub fix: Option<(usize, String)>,
}

/// The chapters whose listings may carry translated comments.
pub const TRANSLATED_TREES: &[&str] = &["docs/ko/"];

/// The languages whose comments the checker can tell from code.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Language {
    Rust,
    Python,
}

impl Language {
    /// The language of a source file, by its extension.
    pub fn of(path: &str) -> Option<Language> {
        if path.ends_with(".rs") {
            Some(Language::Rust)
        } else if path.ends_with(".py") {
            Some(Language::Python)
        } else {
            None
        }
    }

    /// The info string of a fenced block that shows it.
    pub fn fence(self) -> &'static str {
        match self {
            Language::Rust => "rust",
            Language::Python => "python",
        }
    }
}

/// Every listing shown is exactly the file, or region, it names; in
/// `docs/ko`, a listing with Korean comments has the same code.
pub fn check_listings(
    doc: &str,
    elements: &[Located],
    read: Reader,
) -> Vec<String> {
    examine_listings(doc, elements, read)
        .into_iter()
        .map(|finding| finding.problem)
        .collect()
}

/// The listing checks, each problem with its fix if a copy can fix it.
pub fn examine_listings(
    doc: &str,
    elements: &[Located],
    read: Reader,
) -> Vec<Finding> {
    let mut findings = Vec::new();
    let mut problem = |problem: String, fix: Option<(usize, String)>| {
        findings.push(Finding { problem, fix });
    };
    let translated_tree = TRANSLATED_TREES.iter().any(|t| doc.starts_with(t));
    for (index, located) in elements.iter().enumerate() {
        let Element::Marker { kind, args } = &located.element else {
            continue;
        };
        if kind != "listing" {
            continue;
        }
        let at = format!("{doc}:{}: listing {args}", located.line);
        let (path, region_name) = match args.split_once('#') {
            Some((path, name)) => (path.trim(), Some(name.trim())),
            None => (args.as_str(), None),
        };
        let Some(Located {
            line: fence_line,
            element: Element::Fence { info, body },
        }) = introduced(elements, index)
        else {
            problem(
                format!("{at}: the marker must be followed by a fenced block"),
                None,
            );
            continue;
        };
        let language = Language::of(path);
        let shown = info.split_whitespace().next().unwrap_or("");
        let wanted = language.map(Language::fence);
        if let Some(wanted) = wanted.filter(|wanted| shown != *wanted) {
            problem(
                format!(
                    "{at}: the block is ```{shown}, it should be ```{wanted}"
                ),
                None,
            );
        }
        let Some(source) = read(path) else {
            problem(format!("{at}: there is no file {path}"), None);
            continue;
        };
        let expected = match region_name {
            None if source.ends_with('\n') || source.is_empty() => source,
            None => format!("{source}\n"),
            Some(name) => match region(&source, name) {
                Ok(text) => text,
                Err(error) => {
                    problem(format!("{at}: {error} in {path}"), None);
                    continue;
                }
            },
        };
        if expected == *body {
            continue;
        }
        let translated = match language {
            Some(language) if translated_tree => {
                has_translated_comments(body, &expected, language)
            }
            _ => false,
        };
        match (language, translated) {
            (Some(language), true) => {
                let difference = first_code_difference(
                    &expected,
                    body,
                    language,
                    *fence_line,
                    doc,
                    path,
                );
                if let Some(difference) = difference {
                    problem(
                        format!(
                            "{at}: the code is not the current source's \
                             (comments aside); {difference}. The listing's \
                             comments are translated: fix it by hand"
                        ),
                        None,
                    );
                }
            }
            _ => {
                if let Some(difference) =
                    first_difference(path, &expected, body)
                {
                    problem(
                        format!(
                            "{at}: the listing is not the current source; \
                             {difference}"
                        ),
                        Some((index + 1, expected)),
                    );
                }
            }
        }
    }
    findings
}

/// Does a listing carry a comment with Korean in it that its source does
/// not have? (A plain copy of a source with Korean comments, such as the
/// lecture's Python, does not: it must stay byte-identical.)
pub fn has_translated_comments(
    listing: &str,
    source: &str,
    language: Language,
) -> bool {
    let original = comments(source, language);
    comments(listing, language)
        .iter()
        .any(|comment| has_hangul(comment) && !original.contains(comment))
}

/// Does the text hold a Korean letter (a syllable or a jamo)?
pub fn has_hangul(text: &str) -> bool {
    text.chars().any(|c| {
        matches!(c, '\u{AC00}'..='\u{D7A3}' | '\u{1100}'..='\u{11FF}'
            | '\u{3130}'..='\u{318F}')
    })
}

/// Where the code of a translated listing first differs from its source's
/// code, or `None` if the code is the same.
fn first_code_difference(
    expected: &str,
    shown: &str,
    language: Language,
    fence_line: usize,
    doc: &str,
    path: &str,
) -> Option<String> {
    let want = code_lines(expected, language);
    let got = code_lines(shown, language);
    let at_doc = |line: usize| format!("{doc}:{}", fence_line + line);
    for ((_, w), (g_line, g)) in want.iter().zip(&got) {
        if w != g {
            return Some(format!(
                "first differing code line at {}:\n    doc:  {g:?}\n    \
                 {path}: {w:?}",
                at_doc(*g_line)
            ));
        }
    }
    match (want.get(got.len()), got.get(want.len())) {
        (Some((_, w)), _) => Some(format!(
            "the doc's code ends early; {path} goes on with {w:?}"
        )),
        (None, Some((g_line, g))) => Some(format!(
            "the doc's code goes on past the end of {path}, at {}: {g:?}",
            at_doc(*g_line)
        )),
        (None, None) => None,
    }
}

/// A text's code with the comments removed (`//`, `///`, `//!` and
/// `/* */` for Rust, `#` for Python, never inside a string or character
/// literal), each line's trailing whitespace trimmed, and the lines left
/// empty dropped: the numbered (from 1) lines of code.
pub fn code_lines(text: &str, language: Language) -> Vec<(usize, String)> {
    split_comments(text, language)
        .into_iter()
        .enumerate()
        .map(|(index, (code, _))| (index + 1, code.trim_end().to_string()))
        .filter(|(_, code)| !code.is_empty())
        .collect()
}

/// The comments of a text, each trimmed, one per line that has one.
pub fn comments(text: &str, language: Language) -> Vec<String> {
    split_comments(text, language)
        .into_iter()
        .map(|(_, comment)| comment.trim().to_string())
        .filter(|comment| !comment.is_empty())
        .collect()
}

/// Each line of a text split into its code and its comment.
pub fn split_comments(text: &str, language: Language) -> Vec<(String, String)> {
    match language {
        Language::Rust => split_rust(text),
        Language::Python => split_python(text),
    }
}

/// Collects code and comment characters line by line.
#[derive(Default)]
struct Lines {
    done: Vec<(String, String)>,
    code: String,
    comment: String,
}

impl Lines {
    fn push(&mut self, c: char, in_comment: bool) {
        if c == '\n' {
            let code = std::mem::take(&mut self.code);
            let comment = std::mem::take(&mut self.comment);
            self.done.push((code, comment));
        } else if in_comment {
            self.comment.push(c);
        } else {
            self.code.push(c);
        }
    }

    fn finish(mut self) -> Vec<(String, String)> {
        if !self.code.is_empty() || !self.comment.is_empty() {
            self.push('\n', false);
        }
        self.done
    }
}

fn split_rust(text: &str) -> Vec<(String, String)> {
    let chars: Vec<char> = text.chars().collect();
    let mut out = Lines::default();
    // The identifier (or literal prefix) the current character follows.
    let mut word = String::new();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        let next = chars.get(i + 1).copied();
        if c == '/' && next == Some('/') {
            while i < chars.len() && chars[i] != '\n' {
                out.push(chars[i], true);
                i += 1;
            }
            word.clear();
            continue;
        }
        if c == '/' && next == Some('*') {
            let mut depth = 0;
            while i < chars.len() {
                let pair = (chars[i], chars.get(i + 1).copied());
                if pair == ('/', Some('*')) {
                    depth += 1;
                } else if pair == ('*', Some('/')) {
                    depth -= 1;
                }
                if matches!(pair, ('/', Some('*')) | ('*', Some('/'))) {
                    out.push(chars[i], true);
                    out.push(chars[i + 1], true);
                    i += 2;
                    if depth == 0 {
                        break;
                    }
                    continue;
                }
                out.push(chars[i], true);
                i += 1;
            }
            word.clear();
            continue;
        }
        // A raw string: r"…", r#"…"#, br"…", cr"…".
        if c == 'r' && matches!(word.as_str(), "" | "b" | "c") {
            let hashes =
                chars[i + 1..].iter().take_while(|&&h| h == '#').count();
            if chars.get(i + 1 + hashes) == Some(&'"') {
                let start = i;
                i += hashes + 2;
                while i < chars.len() {
                    let closes = chars[i] == '"'
                        && chars[i + 1..]
                            .iter()
                            .take(hashes)
                            .all(|&h| h == '#')
                        && chars.len() > i + hashes;
                    if closes {
                        i += hashes + 1;
                        break;
                    }
                    i += 1;
                }
                for &k in &chars[start..i.min(chars.len())] {
                    out.push(k, false);
                }
                word.clear();
                continue;
            }
        }
        if c == '"' {
            out.push(c, false);
            i += 1;
            while i < chars.len() {
                out.push(chars[i], false);
                if chars[i] == '\\' {
                    if let Some(&escaped) = chars.get(i + 1) {
                        out.push(escaped, false);
                    }
                    i += 2;
                    continue;
                }
                i += 1;
                if chars[i - 1] == '"' {
                    break;
                }
            }
            word.clear();
            continue;
        }
        // A character literal ('x', '\n', '\u{2014}'), not a lifetime ('a).
        if c == '\'' {
            let end = if next == Some('\\') {
                // Past the backslash and the character it escapes.
                chars
                    .get(i + 3..)
                    .and_then(|rest| rest.iter().position(|&k| k == '\''))
                    .map(|offset| i + 3 + offset)
            } else if chars.get(i + 2) == Some(&'\'') {
                Some(i + 2)
            } else {
                None
            };
            let end = end.unwrap_or(i);
            for &k in &chars[i..=end] {
                out.push(k, false);
            }
            i = end + 1;
            word.clear();
            continue;
        }
        if c.is_alphanumeric() || c == '_' {
            word.push(c);
        } else {
            word.clear();
        }
        out.push(c, false);
        i += 1;
    }
    out.finish()
}

fn split_python(text: &str) -> Vec<(String, String)> {
    let chars: Vec<char> = text.chars().collect();
    let mut out = Lines::default();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        if c == '#' {
            while i < chars.len() && chars[i] != '\n' {
                out.push(chars[i], true);
                i += 1;
            }
            continue;
        }
        if c == '\'' || c == '"' {
            let triple = chars[i..].iter().take(3).all(|&q| q == c)
                && chars.len() >= i + 3;
            let quote = if triple { 3 } else { 1 };
            for &k in &chars[i..i + quote] {
                out.push(k, false);
            }
            i += quote;
            while i < chars.len() {
                let k = chars[i];
                if k == '\\' {
                    out.push(k, false);
                    if let Some(&escaped) = chars.get(i + 1) {
                        out.push(escaped, false);
                    }
                    i += 2;
                    continue;
                }
                if k == '\n' && !triple {
                    break; // an unclosed string ends with its line
                }
                let closes = chars[i..].iter().take(quote).all(|&q| q == c)
                    && chars.len() >= i + quote;
                if closes {
                    for &q in &chars[i..i + quote] {
                        out.push(q, false);
                    }
                    i += quote;
                    break;
                }
                out.push(k, false);
                i += 1;
            }
            continue;
        }
        out.push(c, false);
        i += 1;
    }
    out.finish()
}

/// When a chapter shows a file by regions, and nowhere whole, its regions
/// together show every line of the file but the anchor lines and the
/// blank lines. Regions may nest or overlap; a line counts as shown when
/// any region holds it.
pub fn check_coverage(
    doc: &str,
    elements: &[Located],
    read: Reader,
) -> Vec<String> {
    // Each file shown: the first marker's line, its regions, shown whole?
    let mut files: Vec<(String, usize, Vec<String>, bool)> = Vec::new();
    for located in elements {
        let Element::Marker { kind, args } = &located.element else {
            continue;
        };
        if kind != "listing" {
            continue;
        }
        let (path, name) = match args.split_once('#') {
            Some((path, name)) => (path.trim(), Some(name.trim())),
            None => (args.trim(), None),
        };
        let index = match files.iter().position(|file| file.0 == path) {
            Some(index) => index,
            None => {
                files.push((path.to_string(), located.line, Vec::new(), false));
                files.len() - 1
            }
        };
        match name {
            Some(name) => files[index].2.push(name.to_string()),
            None => files[index].3 = true,
        }
    }
    let mut problems = Vec::new();
    for (path, line, names, whole) in files {
        if whole || names.is_empty() {
            continue;
        }
        let Some(source) = read(&path) else {
            continue; // check_listings reports it
        };
        let mut shown = vec![false; source.lines().count() + 1];
        for name in &names {
            // A missing region is reported by check_listings.
            if let Ok((first, last)) = region_lines(&source, name) {
                for seen in shown.iter_mut().take(last + 1).skip(first) {
                    *seen = true;
                }
            }
        }
        let left_out: Vec<usize> = source
            .lines()
            .enumerate()
            .map(|(index, text)| (index + 1, text))
            .filter(|&(number, text)| {
                !shown[number]
                    && !text.trim().is_empty()
                    && !is_any_anchor(text)
            })
            .map(|(number, _)| number)
            .collect();
        if !left_out.is_empty() {
            problems.push(format!(
                "{doc}:{line}: listing {path}: the regions shown ({}) leave \
                 out its lines {}; add a region that holds them, or show \
                 the file whole",
                names
                    .iter()
                    .map(|n| format!("#{n}"))
                    .collect::<Vec<_>>()
                    .join(", "),
                number_ranges(&left_out)
            ));
        }
    }
    problems
}

/// A chapter that must quote some files whole (Serving many clients, its
/// listings): each file needs its `<!-- listing: PATH -->` marker, with no
/// region. That the block under it is the file is check_listings' part.
pub fn check_shown_whole(
    doc: &str,
    elements: &[Located],
    files: &[String],
) -> Vec<String> {
    let shown = |file: &str| {
        elements.iter().any(|located| {
            matches!(&located.element,
                Element::Marker { kind, args }
                    if kind == "listing" && args.trim() == file)
        })
    };
    files
        .iter()
        .filter(|file| !shown(file))
        .map(|file| {
            format!(
                "{doc}: no `<!-- listing: {file} -->`; the chapter must \
                 quote {file} whole (a region of it is not enough)"
            )
        })
        .collect()
}

/// Line numbers as runs: `3-5, 9`.
pub fn number_ranges(numbers: &[usize]) -> String {
    let mut runs: Vec<(usize, usize)> = Vec::new();
    for &number in numbers {
        match runs.last_mut() {
            Some((_, last)) if *last + 1 == number => *last = number,
            _ => runs.push((number, number)),
        }
    }
    runs.iter()
        .map(|&(first, last)| {
            if first == last {
                first.to_string()
            } else {
                format!("{first}-{last}")
            }
        })
        .collect::<Vec<_>>()
        .join(", ")
}

/// The chapter's text with the bodies of some fenced blocks replaced:
/// `(index of the block in the elements, new body)`.
pub fn replace_blocks(
    text: &str,
    elements: &[Located],
    bodies: &[(usize, String)],
) -> String {
    let mut lines: Vec<String> = text.lines().map(str::to_string).collect();
    let mut bodies: Vec<&(usize, String)> = bodies.iter().collect();
    // From the last block up, so the earlier blocks' lines stay put.
    bodies.sort_by_key(|(index, _)| std::cmp::Reverse(*index));
    for (index, new_body) in bodies {
        let Some(Located {
            line,
            element: Element::Fence { body, .. },
        }) = elements.get(*index)
        else {
            continue;
        };
        let old = body.lines().count();
        let new: Vec<String> = new_body.lines().map(str::to_string).collect();
        // The opening fence is line `line` (from 1); the body follows.
        lines.splice(*line..*line + old, new);
    }
    let mut out = lines.join("\n");
    if text.ends_with('\n') {
        out.push('\n');
    }
    out
}

/// Bless: the chapter with every plain-copy listing rewritten from its
/// source, and the problems a copy cannot fix (a translated listing whose
/// code drifted, a missing file or region, a wrong block language).
pub fn bless_listings(
    doc: &str,
    text: &str,
    read: Reader,
) -> Result<(String, Vec<String>), String> {
    let elements = parse(text)?;
    let mut fixes = Vec::new();
    let mut left = Vec::new();
    for finding in examine_listings(doc, &elements, read) {
        match finding.fix {
            Some(fix) => fixes.push(fix),
            None => left.push(finding.problem),
        }
    }
    Ok((replace_blocks(text, &elements, &fixes), left))
}

/// The non-blank lines of a Python file, trimmed, with their numbers, and
/// whether each is a comment line (only `#…` after the indentation).
fn python_lines(source: &str) -> Vec<(usize, String, bool)> {
    source
        .lines()
        .enumerate()
        .map(|(index, line)| {
            let line = line.trim();
            (index + 1, line.to_string(), line.starts_with('#'))
        })
        .filter(|(_, line, _)| !line.is_empty())
        .collect()
}

/// Every correspondence table has a row for each Python code line, in
/// order (a comment line may have a row, or none), and its Rust snippets
/// are in the Rust source.
pub fn check_correspondence(
    doc: &str,
    elements: &[Located],
    read: Reader,
) -> Vec<String> {
    let mut problems = Vec::new();
    for (index, located) in elements.iter().enumerate() {
        let Element::Marker { kind, args } = &located.element else {
            continue;
        };
        if kind != "correspondence" {
            continue;
        }
        let at = format!("{doc}:{}: correspondence {args}", located.line);
        let mut words = args.split_whitespace();
        let python_path = words.next().unwrap_or("");
        let rust_path = words.next().and_then(|w| w.strip_prefix("rust="));
        let (Some(rust_path), None) = (rust_path, words.next()) else {
            problems.push(format!(
                "{at}: write `correspondence: PYTHON rust=RUST`"
            ));
            continue;
        };
        let Some(Located {
            line: table_line,
            element: Element::Table { rows },
        }) = introduced(elements, index)
        else {
            problems
                .push(format!("{at}: the marker must be followed by a table"));
            continue;
        };
        let (Some(python), Some(rust)) = (read(python_path), read(rust_path))
        else {
            problems.push(format!(
                "{at}: cannot read {python_path} or {rust_path}"
            ));
            continue;
        };
        let rust = collapse(&rust);
        let mut shown = Vec::new();
        for (row_index, row) in rows.iter().enumerate().skip(1) {
            let row_at = format!("{at}: row {row_index}");
            let python_code = code_spans(&row[0]);
            if python_code.is_empty() {
                problems
                    .push(format!("{row_at}: no `code` in the Python column"));
            }
            shown.extend(python_code.into_iter().map(|code| (row_index, code)));
            if row.len() != 3 {
                problems.push(format!(
                    "{row_at}: has {} cells, not 3 (Python | Rust | On the \
                     network); escape a `|` in a cell as `\\|`",
                    row.len()
                ));
                continue;
            }
            for snippet in code_spans(&row[1]) {
                if !rust.contains(&collapse(&snippet)) {
                    problems.push(format!(
                        "{row_at}: Rust `{snippet}` is not in {rust_path}"
                    ));
                }
            }
        }
        if rows.len() < 2 {
            problems.push(format!(
                "{at}: the table at line {table_line} has no rows"
            ));
        }
        // Walk the Python lines in order: a row must show the next code
        // line; a comment line may have its row, or none.
        let mut rows_shown = shown.iter().peekable();
        let mut out_of_step = false;
        for (number, line, comment) in python_lines(&python) {
            match rows_shown.peek() {
                Some((_, code)) if code.trim() == line => {
                    rows_shown.next();
                }
                _ if comment => {}
                Some((row_index, code)) => {
                    problems.push(format!(
                        "{at}: row {row_index} shows `{}`, but the next \
                         line of {python_path} is line {number}: `{line}` \
                         (a row left out, or out of order?)",
                        code.trim()
                    ));
                    out_of_step = true;
                    break;
                }
                None => {
                    problems.push(format!(
                        "{at}: the table leaves out line {number} of \
                         {python_path}: `{line}`"
                    ));
                    out_of_step = true;
                    break;
                }
            }
        }
        if let Some((row_index, code)) =
            rows_shown.next().filter(|_| !out_of_step)
        {
            problems.push(format!(
                "{at}: row {row_index} shows `{code}`, which is past the end \
                 of {python_path} (or out of order)"
            ));
        }
    }
    problems
}

/// What the structure check compares between a chapter and its
/// translation: heading levels, markers, fenced blocks' languages and
/// tables' sizes, in order. (Text differs by language.)
pub fn shape(elements: &[Located]) -> Vec<(usize, String)> {
    elements
        .iter()
        .filter_map(|located| {
            let what = match &located.element {
                Element::Heading { level } => {
                    format!("a level-{level} heading")
                }
                Element::Marker { kind, args } => {
                    format!("marker `{kind}: {args}`")
                }
                Element::Fence { info, .. } => {
                    let language = info.split_whitespace().next();
                    format!("a ```{} block", language.unwrap_or(""))
                }
                Element::Table { rows } => format!(
                    "a table of {} rows and {} columns",
                    rows.len(),
                    rows.first().map_or(0, Vec::len)
                ),
                Element::Prose => return None,
            };
            Some((located.line, what))
        })
        .collect()
}

/// Where two translations of a chapter first differ in shape.
pub fn compare_shapes(
    a_name: &str,
    a: &[Located],
    b_name: &str,
    b: &[Located],
) -> Option<String> {
    let a = shape(a);
    let b = shape(b);
    for (x, y) in a.iter().zip(&b) {
        if x.1 != y.1 {
            return Some(format!(
                "{a_name}:{} has {}, where {b_name}:{} has {}",
                x.0, x.1, y.0, y.1
            ));
        }
    }
    match a.len().cmp(&b.len()) {
        std::cmp::Ordering::Equal => None,
        std::cmp::Ordering::Greater => Some(format!(
            "{a_name}:{} has {} after everything {b_name} has",
            a[b.len()].0,
            a[b.len()].1
        )),
        std::cmp::Ordering::Less => Some(format!(
            "{b_name}:{} has {} after everything {a_name} has",
            b[a.len()].0,
            b[a.len()].1
        )),
    }
}

/// Every ```text block that starts with a `$ ` command has a transcript
/// marker, and every transcript marker introduces such a block.
pub fn check_transcript_markers(
    doc: &str,
    elements: &[Located],
) -> Vec<String> {
    let mut problems = Vec::new();
    for (index, located) in elements.iter().enumerate() {
        match &located.element {
            Element::Marker { kind, args } if kind == "transcript" => {
                let at = format!("{doc}:{}: transcript {args}", located.line);
                if let Err(error) = TranscriptSpec::parse(args) {
                    problems.push(format!("{at}: {error}"));
                }
                match introduced(elements, index) {
                    Some(Located {
                        element: Element::Fence { info, body },
                        ..
                    }) if info == "text" && body.starts_with("$ ") => {}
                    _ => problems.push(format!(
                        "{at}: the marker must be followed by a ```text \
                         block whose first line is a `$ ` command"
                    )),
                }
            }
            Element::Fence { info, body }
                if info == "text" && body.starts_with("$ ") =>
            {
                let marked = index.checked_sub(1).is_some_and(|before| {
                    matches!(
                        &elements[before].element,
                        Element::Marker { kind, .. } if kind == "transcript"
                    )
                });
                if !marked {
                    problems.push(format!(
                        "{doc}:{}: a terminal session with no \
                         `<!-- transcript: ... -->` marker (use `by-hand` \
                         if the test cannot rerun it)",
                        located.line
                    ));
                }
            }
            _ => {}
        }
    }
    problems
}

/// The arguments of a transcript marker.
#[derive(Debug, Clone, PartialEq)]
pub struct TranscriptSpec {
    /// `None` for `by-hand`; else the server the test starts first:
    /// `udp-server`, `tcp-server`, `udp_server.py`, `tcp_server.py`, the
    /// lecture listings `example:udp_server` and `example:tcp_server`, or
    /// `none`.
    pub server: Option<String>,
    /// The line typed at the prompt (the terminal echoes it after the
    /// prompt).
    pub typed: Option<String>,
}

pub const SERVERS: &[&str] = &[
    "udp-server",
    "tcp-server",
    "udp_server.py",
    "tcp_server.py",
    "example:udp_server",
    "example:tcp_server",
    "none",
];

impl TranscriptSpec {
    pub fn parse(args: &str) -> Result<TranscriptSpec, String> {
        let words = shell_words(args)?;
        if words == ["by-hand"] {
            return Ok(TranscriptSpec {
                server: None,
                typed: None,
            });
        }
        let mut server = None;
        let mut typed = None;
        for word in words {
            match word.split_once('=') {
                Some(("server", name)) if SERVERS.contains(&name) => {
                    server = Some(name.to_string());
                }
                Some(("typed", text)) => typed = Some(text.to_string()),
                _ => {
                    return Err(format!(
                        "`{word}`: write `by-hand`, or `server=S` (S one of \
                         {}) and optionally `typed=\"...\"`",
                        SERVERS.join(", ")
                    ));
                }
            }
        }
        if server.is_none() {
            return Err("no `server=`".into());
        }
        Ok(TranscriptSpec { server, typed })
    }
}

/// A command line split into words: spaces separate, '...' and "..."
/// quote (no escapes).
pub fn shell_words(line: &str) -> Result<Vec<String>, String> {
    let mut words = Vec::new();
    let mut word = String::new();
    let mut in_word = false;
    let mut chars = line.chars();
    while let Some(c) = chars.next() {
        match c {
            '\'' | '"' => {
                in_word = true;
                loop {
                    match chars.next() {
                        Some(q) if q == c => break,
                        Some(other) => word.push(other),
                        None => return Err(format!("unclosed {c} in {line}")),
                    }
                }
            }
            c if c.is_whitespace() => {
                if in_word {
                    words.push(std::mem::take(&mut word));
                    in_word = false;
                }
            }
            c => {
                in_word = true;
                word.push(c);
            }
        }
    }
    if in_word {
        words.push(word);
    }
    Ok(words)
}

/// A terminal session as a transcript shows it: commands and what each
/// printed.
#[derive(Debug, Clone, PartialEq)]
pub struct Session {
    pub steps: Vec<(String, String)>,
}

impl Session {
    /// Splits a ```text block at its `$ ` lines.
    pub fn parse(body: &str) -> Session {
        let mut steps: Vec<(String, String)> = Vec::new();
        for line in body.lines() {
            if let Some(command) = line.strip_prefix("$ ") {
                steps.push((command.to_string(), String::new()));
            } else if let Some((_, output)) = steps.last_mut() {
                output.push_str(line);
                output.push('\n');
            }
        }
        Session { steps }
    }

    pub fn render(&self) -> String {
        self.steps
            .iter()
            .map(|(command, output)| format!("$ {command}\n{output}"))
            .collect()
    }
}

/// What the terminal shows for a client run: standard output, with the
/// typed line echoed after the prompt, then standard error; the test's
/// port written as the documented 12000.
pub fn terminal_view(
    stdout: &str,
    stderr: &str,
    prompt: &str,
    typed: Option<&str>,
    port: u16,
) -> Result<String, String> {
    let stdout = match typed {
        None => stdout.to_string(),
        Some(typed) => match stdout.find(prompt) {
            Some(at) => {
                let end = at + prompt.len();
                format!("{}{typed}\n{}", &stdout[..end], &stdout[end..])
            }
            None => {
                return Err(format!(
                    "`typed` is given, but the program printed no prompt \
                     {prompt:?}; it printed {stdout:?}"
                ));
            }
        },
    };
    Ok(replace_number(&format!("{stdout}{stderr}"), port, "12000"))
}

/// Replaces each whole run of digits equal to `number`.
pub fn replace_number(text: &str, number: u16, with: &str) -> String {
    let number = number.to_string();
    let mut out = String::new();
    let mut digits = String::new();
    for c in text.chars() {
        if c.is_ascii_digit() {
            digits.push(c);
            continue;
        }
        out.push_str(if digits == number { with } else { &digits });
        digits.clear();
        out.push(c);
    }
    out.push_str(if digits == number { with } else { &digits });
    out
}

/// The lines of `text` outside fenced code blocks, with their indices
/// (from 0); the fences' own lines are left out too.
fn outside_fences(text: &str) -> impl Iterator<Item = (usize, &str)> {
    let mut fence: Option<(u8, usize)> = None;
    text.lines().enumerate().filter(move |(_, line)| {
        if let Some((ch, count)) = fence {
            if is_fence_close(line, ch, count) {
                fence = None;
            }
            return false;
        }
        if let Some((ch, count, _)) = fence_open(line) {
            fence = Some((ch, count));
            return false;
        }
        true
    })
}

/// Link targets (`[text](target)`) outside code, with their lines.
pub fn links(text: &str) -> Vec<(usize, String)> {
    let mut found = Vec::new();
    for (index, line) in outside_fences(text) {
        let mut prose = line.to_string();
        for span in code_spans(line) {
            prose = prose.replacen(&span, "", 1);
        }
        let mut rest = prose.as_str();
        while let Some(at) = rest.find("](") {
            rest = &rest[at + 2..];
            if let Some(end) = rest.find(')') {
                found.push((index + 1, rest[..end].to_string()));
                rest = &rest[end..];
            }
        }
    }
    found
}

/// The anchors GitHub gives a page's headings: lower case, punctuation
/// dropped, spaces as `-`, and `-1`, `-2` … after repeats.
pub fn anchors(text: &str) -> Vec<String> {
    let mut found: Vec<String> = Vec::new();
    for (_, line) in outside_fences(text) {
        let hashes = line.bytes().take_while(|&b| b == b'#').count();
        if !(1..=6).contains(&hashes) || !line[hashes..].starts_with(' ') {
            continue;
        }
        let title = line[hashes..].trim().trim_end_matches('#').trim();
        let slug: String = title
            .to_lowercase()
            .chars()
            .filter(|c| c.is_alphanumeric() || matches!(c, '-' | '_' | ' '))
            .map(|c| if c == ' ' { '-' } else { c })
            .collect();
        let repeats = found
            .iter()
            .filter(|a| {
                *a == &slug
                    || a.strip_prefix(&slug).is_some_and(|rest| {
                        rest.strip_prefix('-').is_some_and(|n| {
                            !n.is_empty()
                                && n.bytes().all(|b| b.is_ascii_digit())
                        })
                    })
            })
            .count();
        found.push(if repeats == 0 {
            slug
        } else {
            format!("{slug}-{repeats}")
        });
    }
    found
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::side_by_side::table_rows;

    /// A fence is closed by a run of its character at least as long as
    /// the one that opened it; a shorter run is a line of its body.
    #[test]
    fn a_fence_closes_on_a_run_at_least_as_long() {
        let lines = ["````rust", "a", "```", "b", "`````", "c"];
        let body = vec![
            (2, "a".to_string()),
            (3, "```".to_string()),
            (4, "b".to_string()),
        ];
        assert_eq!(
            fenced_block(&lines, 0),
            Ok(Some(("rust".to_string(), body, 4)))
        );
        assert_eq!(fenced_block(&lines, 1), Ok(None));
        assert_eq!(
            fenced_block(&lines[..4], 0),
            Err("line 1: fenced block is never closed".to_string())
        );
    }

    /// A fence that is never closed fails with the same words, and the
    /// line where it opens, in a chapter's body and in a table's cell.
    #[test]
    fn an_unclosed_fence_fails_alike_in_a_chapter_and_a_cell() {
        let chapter = "# Title\n\nWords.\n\n```rust\nfn main() {}\n";
        assert_eq!(
            parse(chapter).err(),
            Some("line 5: fenced block is never closed".to_string())
        );
        let page = "<!-- side-by-side: a.py rust=a.rs -->\n<table>\n<tr>\n\
                    <td>\n\n````python\nprint(1)\n```\n</td>\n</tr>\n\
                    </table>\n";
        let lines: Vec<&str> = page.lines().collect();
        let never = "line 6: fenced block is never closed".to_string();
        assert_eq!(table_rows(&lines, 0), Err(never.clone()));
        assert_eq!(parse(page).err(), Some(never));
    }
}
