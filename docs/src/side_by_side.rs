//! Side-by-side pages: the lecture's Python and its Rust lecture listing
//! in two columns, one row per step, for an instructor to project.
//!
//! The marker `<!-- side-by-side: PYTHON rust=RUST -->` is followed by an
//! HTML table (so that it renders as two columns both on a repository page
//! and in the book) whose rows each hold two cells, `<td>`, each with at
//! most one fenced block: ```` ```python ```` on the left, ```` ```rust ````
//! on the right. A `<th>` row is a heading and holds no code.
//!
//! The check: the Python cells, read in order, are the Python file, and
//! the Rust cells the Rust file, line for line; blank lines may sit in any
//! cell or none (a row's edge is where the listing's blank lines go). In
//! `docs/ko`, a Rust column whose comments are translated into Korean has
//! the same code, comments aside, as a translated listing has
//! ([`crate::code_lines`]).

use crate::{
    Language, Numbered, Reader, TRANSLATED_TREES, code_lines, fence_open,
    fenced_block, has_translated_comments, is_fence_close,
};

/// The marker's name.
pub const MARKER: &str = "side-by-side";

/// One fenced block of a cell: its info string, and its lines, each with
/// its line number (from 1) in the page.
#[derive(Debug, Clone, PartialEq)]
pub struct Block {
    pub info: String,
    pub lines: Vec<(usize, String)>,
}

/// A row of the table: the line it starts on and its cells.
#[derive(Debug, Clone, PartialEq)]
pub struct Row {
    pub line: usize,
    pub heading: bool,
    pub cells: Vec<Option<Block>>,
}

/// The rows of the HTML table that starts after line `after` (from 0, the
/// marker's index), up to its `</table>`.
pub fn table_rows(lines: &[&str], after: usize) -> Result<Vec<Row>, String> {
    let mut i = after + 1;
    while lines.get(i).is_some_and(|l| l.trim().is_empty()) {
        i += 1;
    }
    if !lines
        .get(i)
        .is_some_and(|l| l.trim_start().starts_with("<table"))
    {
        return Err("the marker must be followed by a <table>".into());
    }
    let mut rows: Vec<Row> = Vec::new();
    let mut in_cell = false;
    while let Some(line) = lines.get(i) {
        let number = i + 1;
        if let Some((info, body, close)) = fenced_block(lines, i)? {
            let cell = rows
                .last_mut()
                .filter(|_| in_cell)
                .and_then(|row| row.cells.last_mut());
            match cell {
                Some(cell @ None) => {
                    *cell = Some(Block { info, lines: body });
                }
                Some(Some(_)) => {
                    return Err(format!(
                        "line {number}: a second fenced block in one cell"
                    ));
                }
                None => {
                    return Err(format!(
                        "line {number}: a fenced block outside a <td> cell"
                    ));
                }
            }
            i = close + 1;
            continue;
        }
        let mut rest = line.trim();
        while let Some(start) = rest.find('<') {
            let text = rest[..start].trim();
            if in_cell && !text.is_empty() {
                return Err(format!(
                    "line {number}: `{text}` in a cell: a cell holds only \
                     its fenced block"
                ));
            }
            let Some(end) = rest[start..].find('>') else {
                break;
            };
            let tag = &rest[start + 1..start + end];
            let name = tag
                .split(|c: char| c.is_whitespace())
                .next()
                .unwrap_or("")
                .to_ascii_lowercase();
            rest = &rest[start + end + 1..];
            match name.as_str() {
                "tr" => rows.push(Row {
                    line: number,
                    heading: false,
                    cells: Vec::new(),
                }),
                "th" => {
                    if let Some(row) = rows.last_mut() {
                        row.heading = true;
                    }
                    // A heading's text is not code: skip to its end.
                    match rest.find("</th>") {
                        Some(close) => rest = &rest[close + 5..],
                        None => rest = "",
                    }
                }
                "td" => {
                    let Some(row) = rows.last_mut() else {
                        return Err(format!(
                            "line {number}: a <td> before any <tr>"
                        ));
                    };
                    row.cells.push(None);
                    in_cell = true;
                }
                "/td" => in_cell = false,
                "/table" => return Ok(rows),
                _ => {}
            }
        }
        if in_cell && !rest.trim().is_empty() {
            return Err(format!(
                "line {number}: `{}` in a cell: a cell holds only its \
                 fenced block",
                rest.trim()
            ));
        }
        i += 1;
    }
    Err("the <table> is never closed with </table>".into())
}

/// Every side-by-side table of a page holds its two files whole, in order,
/// one in each column.
pub fn check_side_by_side(doc: &str, text: &str, read: Reader) -> Vec<String> {
    let lines: Vec<&str> = text.lines().collect();
    let mut problems = Vec::new();
    let mut fence: Option<(u8, usize)> = None;
    for (index, line) in lines.iter().enumerate() {
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
        let Some(args) = line
            .trim()
            .strip_prefix("<!--")
            .and_then(|rest| rest.strip_suffix("-->"))
            .and_then(|rest| rest.trim().strip_prefix(MARKER))
            .and_then(|rest| rest.strip_prefix(':'))
        else {
            continue;
        };
        let args = args.trim();
        let at = format!("{doc}:{}: {MARKER} {args}", index + 1);
        problems.extend(
            check_one(doc, &lines, index, args, read)
                .into_iter()
                .map(|problem| format!("{at}: {problem}")),
        );
    }
    problems
}

fn check_one(
    doc: &str,
    lines: &[&str],
    index: usize,
    args: &str,
    read: Reader,
) -> Vec<String> {
    let mut words = args.split_whitespace();
    let python_path = words.next().unwrap_or("");
    let rust_path = words.next().and_then(|w| w.strip_prefix("rust="));
    let (Some(rust_path), None) = (rust_path, words.next()) else {
        return vec![format!("write `{MARKER}: PYTHON rust=RUST`")];
    };
    let (Some(python), Some(rust)) = (read(python_path), read(rust_path))
    else {
        return vec![format!("cannot read {python_path} or {rust_path}")];
    };
    let rows = match table_rows(lines, index) {
        Ok(rows) => rows,
        Err(error) => return vec![error],
    };
    let mut problems = Vec::new();
    let mut columns: [Vec<(usize, String)>; 2] = [Vec::new(), Vec::new()];
    let wanted = ["python", "rust"];
    for row in rows.iter().filter(|row| !row.heading) {
        if row.cells.len() != 2 {
            problems.push(format!(
                "the row at line {} has {} cells, not 2 (Python | Rust)",
                row.line,
                row.cells.len()
            ));
            continue;
        }
        if row.cells.iter().all(Option::is_none) {
            problems.push(format!(
                "the row at line {} shows no code in either column",
                row.line
            ));
        }
        for (column, cell) in row.cells.iter().enumerate() {
            let Some(block) = cell else { continue };
            let language = block.info.split_whitespace().next().unwrap_or("");
            if language != wanted[column] {
                problems.push(format!(
                    "the row at line {} has a ```{language} block in its \
                     {} column: it should be ```{}",
                    row.line,
                    ["left", "right"][column],
                    wanted[column]
                ));
            }
            columns[column].extend(block.lines.iter().cloned());
        }
    }
    if rows.iter().all(|row| row.heading) {
        problems.push("the table has no rows".into());
    }
    // The columns of a table out of shape would only differ from their
    // files because of it.
    if !problems.is_empty() {
        return problems;
    }
    let [python_shown, rust_shown] = columns;
    problems.extend(compare_column(
        "Python",
        python_path,
        &python,
        &python_shown,
        None,
    ));
    let translated = TRANSLATED_TREES.iter().any(|t| doc.starts_with(t))
        && has_translated_comments(&joined(&rust_shown), &rust, Language::Rust);
    problems.extend(compare_column(
        "Rust",
        rust_path,
        &rust,
        &rust_shown,
        translated.then_some(Language::Rust),
    ));
    problems
}

fn joined(lines: &[(usize, String)]) -> String {
    lines.iter().map(|(_, line)| format!("{line}\n")).collect()
}

/// Compares a column's lines with its file: the non-blank lines, or, for
/// a column with translated comments, the lines of code.
fn compare_column(
    column: &str,
    path: &str,
    source: &str,
    shown: &[(usize, String)],
    translated: Option<Language>,
) -> Option<String> {
    // Each side: (where, text) of the lines that count.
    let (want, got): (Numbered, Numbered) = match translated {
        Some(language) => {
            let want = code_lines(source, language);
            let got = code_lines(&joined(shown), language)
                .into_iter()
                .map(|(index, code)| (shown[index - 1].0, code))
                .collect();
            (want, got)
        }
        None => {
            let non_blank = |lines: Numbered| {
                lines
                    .into_iter()
                    .filter(|(_, line)| !line.trim().is_empty())
                    .collect::<Vec<_>>()
            };
            let want = source
                .lines()
                .enumerate()
                .map(|(index, line)| (index + 1, line.to_string()))
                .collect();
            (non_blank(want), non_blank(shown.to_vec()))
        }
    };
    let what = if translated.is_some() {
        " (comments aside)"
    } else {
        ""
    };
    for ((w_line, w), (g_line, g)) in want.iter().zip(&got) {
        if w != g {
            return Some(format!(
                "line {g_line}: the {column} column{what} shows {g:?}, but \
                 the next line of {path} is its line {w_line}: {w:?}"
            ));
        }
    }
    match (want.get(got.len()), got.get(want.len())) {
        (Some((w_line, w)), _) => Some(format!(
            "the {column} column{what} ends early: it leaves out line \
             {w_line} of {path}: {w:?}"
        )),
        (None, Some((g_line, g))) => Some(format!(
            "line {g_line}: the {column} column{what} goes on past the end \
             of {path}: {g:?}"
        )),
        (None, None) => None,
    }
}
