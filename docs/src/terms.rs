//! The Korean chapters use the glossary's terms (`docs/ko/glossary.md`),
//! the Korean Rust book's and the textbook's Korean edition's. [`VARIANTS`]
//! lists the other spellings that have crept in, each with the term to
//! write instead; the check looks for them in the prose of `docs/ko`, that
//! is outside fenced code, code spans and markers, with each paragraph's
//! lines joined so that a term broken over two lines is found too; and in
//! the Korean comments of its Rust listings, a run of comment lines joined
//! the same way. (The lecture's Python keeps its own comments.)

use crate::{Language, fence_open, has_hangul, is_fence_close, split_comments};

/// The chapters whose prose the check reads.
pub const KOREAN_TREE: &str = "docs/ko/";

/// A variant, and the glossary's term to write in its place.
pub const VARIANTS: &[(&str, &str)] = &[
    ("수락 큐", "수락 대기열"),
    ("백로그 큐", "수락 대기열"),
    ("대기 큐", "수락 대기열"),
    ("표준 오류", "표준 에러"),
    ("확인 응답", "확인응답"),
    ("리슨 소켓", "환영 소켓"),
    ("리슨 중인 소켓", "환영 소켓"),
    ("웰컴 소켓", "환영 소켓"),
    ("접속 소켓", "연결 소켓"),
    ("데이타그램", "데이터그램"),
    ("세그멘트", "세그먼트"),
    ("핸드쉐이크", "핸드셰이크"),
    ("쓰레드", "스레드"),
    ("타임 아웃", "타임아웃"),
    ("백 로그", "백로그"),
    ("파일 기술자", "파일 디스크립터"),
    ("절반 닫기", "하프 클로즈"),
    // A server serves a client: 처리하다, as the chapter "여러 클라이언트를
    // 동시에 처리하기" says (서비스 stays the noun: 표준 서비스).
    ("서비스하", "처리하"),
    ("서비스한", "처리한"),
    ("서비스합", "처리합"),
    ("서비스해", "처리해"),
    ("서비스할", "처리할"),
    // A queue is a 대기열 (and then 이/을/은 after it, not 가/를/는).
    ("큐", "대기열"),
    // 곧 for "that is": 즉.
    (", 곧 ", ", 즉 "),
    ("(곧 ", "(즉 "),
];

/// A fenced block being read: its fence, whether it is Rust, and the
/// lines of its body so far, each with its line number.
struct OpenFence<'a> {
    ch: u8,
    count: usize,
    rust: bool,
    body: Vec<(usize, &'a str)>,
}

/// The paragraphs of a chapter's prose: each a text with its lines joined
/// by a space, and for each joined line its byte offset and line number.
fn paragraphs(text: &str) -> Vec<(String, Vec<(usize, usize)>)> {
    let mut found = Vec::new();
    let mut current = (String::new(), Vec::new());
    let mut fence: Option<OpenFence> = None;
    for (index, line) in text.lines().enumerate() {
        if let Some(open) = &mut fence {
            if !is_fence_close(line, open.ch, open.count) {
                open.body.push((index + 1, line));
                continue;
            }
            if open.rust {
                found.extend(comment_paragraphs(&open.body));
            }
            fence = None;
            continue;
        }
        let opens = fence_open(line);
        let trimmed = line.trim();
        if opens.is_some() || trimmed.is_empty() || trimmed.starts_with("<!--")
        {
            if let Some((ch, count, info)) = opens {
                let rust = info.split_whitespace().next() == Some("rust");
                fence = Some(OpenFence {
                    ch,
                    count,
                    rust,
                    body: Vec::new(),
                });
            }
            if !current.0.is_empty() {
                found.push(std::mem::take(&mut current));
            }
            continue;
        }
        // Code spans are code: keep what lies between them.
        let prose: Vec<&str> = trimmed.split('`').step_by(2).collect();
        let prose = prose.join(" ");
        if !current.0.is_empty() {
            current.0.push(' ');
        }
        current.1.push((current.0.len(), index + 1));
        current.0.push_str(&prose);
    }
    if !current.0.is_empty() {
        found.push(current);
    }
    found
}

/// The Korean comments of a Rust block: each run of lines with a comment
/// joined into one text, without the `//`, `///` or `//!`.
fn comment_paragraphs(
    body: &[(usize, &str)],
) -> Vec<(String, Vec<(usize, usize)>)> {
    let text: String =
        body.iter().map(|(_, line)| format!("{line}\n")).collect();
    let mut found = Vec::new();
    let mut current = (String::new(), Vec::new());
    for ((number, _), (_, comment)) in
        body.iter().zip(split_comments(&text, Language::Rust))
    {
        let comment = comment
            .trim()
            .trim_start_matches('/')
            .trim_start_matches('!')
            .trim();
        if comment.is_empty() {
            if has_hangul(&current.0) {
                found.push(std::mem::take(&mut current));
            }
            current = (String::new(), Vec::new());
            continue;
        }
        if !current.0.is_empty() {
            current.0.push(' ');
        }
        current.1.push((current.0.len(), *number));
        current.0.push_str(comment);
    }
    if has_hangul(&current.0) {
        found.push(current);
    }
    found
}

/// Every variant of [`VARIANTS`] in the prose of a Korean chapter, with
/// the line where it starts and the term to write.
pub fn check_terms(doc: &str, text: &str) -> Vec<String> {
    let mut problems = Vec::new();
    for (paragraph, lines) in paragraphs(text) {
        // A shorter variant inside a longer one found (큐 in 수락 큐) is
        // the same mistake: report it once.
        let mut found: Vec<(usize, usize)> = Vec::new();
        for (variant, term) in VARIANTS {
            for (at, _) in paragraph.match_indices(variant) {
                let end = at + variant.len();
                if found.iter().any(|&(s, e)| s <= at && end <= e) {
                    continue;
                }
                found.push((at, end));
                let line = lines
                    .iter()
                    .take_while(|(offset, _)| *offset <= at)
                    .last()
                    .map_or(0, |(_, line)| *line);
                problems.push(format!(
                    "{doc}:{line}: \"{}\" is not the glossary's term: write \
                     \"{}\" (the table of variants is `VARIANTS` in \
                     docs/src/terms.rs)",
                    variant.trim(),
                    term.trim()
                ));
            }
        }
    }
    problems
}
