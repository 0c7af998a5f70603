//! Reads the Markdown of `docs/` and checks it against the sources: the
//! pure part of the drift test in `common/tests/docs.rs`, which runs these
//! checks on the real chapters and on small made-up ones (to show that
//! each check can fail).
//!
//! Markers are HTML comments on a line of their own, invisible on a
//! repository page:
//!
//! - `<!-- listing: PATH -->` or `<!-- listing: PATH#REGION -->`, then a
//!   fenced block (```` ```rust ```` for `.rs`, ```` ```python ```` for
//!   `.py`) that must be exactly the file, or the lines between
//!   `// ANCHOR: REGION` and `// ANCHOR_END: REGION` (`#` for Python);
//! - `<!-- correspondence: PYTHON rust=RUST -->`, then a table with the
//!   columns Python | Rust | On the network: every non-blank line of the
//!   Python file, in order, as code in the first column, and every code
//!   span of the second column found in the Rust file;
//! - `<!-- transcript: server=S [typed="..."] -->` or
//!   `<!-- transcript: by-hand -->`, then a ```` ```text ```` block that
//!   starts with a `$ ` command line: a terminal session the test reruns
//!   (or, by hand, one it cannot).
//!
//! PATHs are relative to the workspace folder.
// Test code: a panic here is a failed test, with its message.
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used, clippy::panic)]

/// The marker names; any other `<!-- name: ... -->` is a typo.
pub const MARKERS: &[&str] = &["listing", "correspondence", "transcript"];

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
        if let Some((fence, count, info)) = fence_open(line) {
            let mut body = String::new();
            let mut j = i + 1;
            loop {
                let Some(next) = lines.get(j) else {
                    return Err(format!(
                        "line {number}: fenced block is never closed"
                    ));
                };
                if is_fence_close(next, fence, count) {
                    break;
                }
                body.push_str(next);
                body.push('\n');
                j += 1;
            }
            elements.push(Located {
                line: number,
                element: Element::Fence { info, body },
            });
            i = j + 1;
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
/// same with `#`), without the anchor lines themselves.
pub fn region(source: &str, name: &str) -> Result<String, String> {
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
    let text: String = lines[start + 1..end]
        .iter()
        .filter(|l| !is_any_anchor(l))
        .map(|l| format!("{l}\n"))
        .collect();
    if text.trim().is_empty() {
        return Err(format!("region `{name}` is empty"));
    }
    Ok(text)
}

fn is_any_anchor(line: &str) -> bool {
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

/// Every listing shown is exactly the file, or region, it names.
pub fn check_listings(
    doc: &str,
    elements: &[Located],
    read: Reader,
) -> Vec<String> {
    let mut problems = Vec::new();
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
            element: Element::Fence { info, body },
            ..
        }) = introduced(elements, index)
        else {
            problems.push(format!(
                "{at}: the marker must be followed by a fenced block"
            ));
            continue;
        };
        let language = info.split_whitespace().next().unwrap_or("");
        let wanted = if path.ends_with(".rs") {
            Some("rust")
        } else if path.ends_with(".py") {
            Some("python")
        } else {
            None
        };
        if wanted.is_some_and(|wanted| language != wanted) {
            problems.push(format!(
                "{at}: the block is ```{language}, it should be ```{}",
                wanted.unwrap_or("")
            ));
        }
        let Some(source) = read(path) else {
            problems.push(format!("{at}: there is no file {path}"));
            continue;
        };
        let expected = match region_name {
            None if source.ends_with('\n') || source.is_empty() => source,
            None => format!("{source}\n"),
            Some(name) => match region(&source, name) {
                Ok(text) => text,
                Err(error) => {
                    problems.push(format!("{at}: {error} in {path}"));
                    continue;
                }
            },
        };
        if let Some(difference) = first_difference(path, &expected, body) {
            problems.push(format!(
                "{at}: the listing is not the current source; {difference}"
            ));
        }
    }
    problems
}

/// The non-blank lines of a Python file, trimmed, with their numbers.
fn python_lines(source: &str) -> Vec<(usize, String)> {
    source
        .lines()
        .enumerate()
        .map(|(index, line)| (index + 1, line.trim().to_string()))
        .filter(|(_, line)| !line.is_empty())
        .collect()
}

/// Every correspondence table has a row for each non-blank Python line, in
/// order, and its Rust snippets are in the Rust source.
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
        let expected = python_lines(&python);
        for (position, (number, line)) in expected.iter().enumerate() {
            match shown.get(position) {
                Some((_, code)) if code.trim() == line => {}
                Some((row_index, code)) => {
                    problems.push(format!(
                        "{at}: row {row_index} shows `{}`, but the next \
                         line of {python_path} is line {number}: `{line}` \
                         (a row left out, or out of order?)",
                        code.trim()
                    ));
                    break;
                }
                None => {
                    problems.push(format!(
                        "{at}: the table leaves out line {number} of \
                         {python_path}: `{line}`"
                    ));
                    break;
                }
            }
        }
        if shown.len() > expected.len() {
            let (row_index, code) = &shown[expected.len()];
            problems.push(format!(
                "{at}: row {row_index} shows `{code}`, which is past the end \
                 of {python_path}"
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
    /// `udp-server`, `tcp-server`, `udp_server.py`, `tcp_server.py`, or
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

/// Link targets (`[text](target)`) outside code, with their lines.
pub fn links(text: &str) -> Vec<(usize, String)> {
    let mut found = Vec::new();
    let mut fence: Option<(u8, usize)> = None;
    for (index, line) in text.lines().enumerate() {
        if let Some((ch, count)) = fence {
            if is_fence_close(line, ch, count) {
                fence = None;
            }
            continue;
        }
        if let Some((ch, count, _)) = fence_open(line) {
            fence = Some((ch, count));
            continue;
        }
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
    let mut fence: Option<(u8, usize)> = None;
    for line in text.lines() {
        if let Some((ch, count)) = fence {
            if is_fence_close(line, ch, count) {
                fence = None;
            }
            continue;
        }
        if let Some((ch, count, _)) = fence_open(line) {
            fence = Some((ch, count));
            continue;
        }
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
