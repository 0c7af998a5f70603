//! The drift test of `docs/`: what a chapter shows must be what the
//! workspace holds and does. Run it with `cargo test -p docs`.
//!
//! - Listings (`<!-- listing: PATH -->`) are exactly the current files; in
//!   `docs/ko`, a listing whose comments are translated into Korean has
//!   the same code (comments aside). A file shown by regions is shown
//!   whole, region by region. Serving many clients quotes each listing of
//!   its models (`many_*.rs`, `many_*.py`) whole.
//! - Correspondence tables (`<!-- correspondence: PY rust=RS -->`) have a
//!   row for every code line of the Python listing, in order (a comment
//!   line may have one), and their Rust snippets are in the Rust source.
//! - Transcripts (`<!-- transcript: server=S typed="..." -->`) are rerun:
//!   the server started on a free loopback port, the client's command run
//!   with the typed line on standard input, and the terminal it would show
//!   compared with the chapter's, port 12000 standing for the real one.
//! - `docs/en` and `docs/ko` hold the same chapters, and each pair has
//!   the same headings, markers, blocks and tables in the same order.
//! - Every walk-through has its parts; every terminal session is marked
//!   (rerun, or `by-hand`); every link leads to a file, and to a heading
//!   of it if it names one; `docs/README.md` links every chapter.
//! - Every construct of a fixed list that a chapter's Rust uses is
//!   explained in that tree's Reading the Rust, at its
//!   `<!-- explains: NAME -->` marker.
//! - The Korean chapters' prose, and the Korean comments of their Rust,
//!   use the glossary's terms, not a variant of the checker's table.
//! - Each program has a side-by-side page (`<!-- side-by-side: PY
//!   rust=RS -->`) in both languages, linked from its chapter, whose
//!   Python cells read in order are the Python file and whose Rust cells
//!   are the lecture listing (in `docs/ko`, comments aside).
//!
//! `DOCS_BLESS=1 cargo test -p docs` rewrites what a copy can fix: the
//! plain listings from their sources and the rerun transcripts from the
//! real runs; it still fails on what needs a person (a translated listing
//! whose code drifted, a table, a missing region).
//!
//! The marker syntax is described in `docs/src/lib.rs` (the `doc_check`
//! library); the module `every_check_can_fail` feeds each check a small
//! broken chapter. Transcripts are rerun on Linux only, where they were
//! taken.
// Test code: a panic here is a failed test, with its message.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

#[path = "../../common/tests/support/mod.rs"]
mod support;

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::path::{Component, Path};
use std::sync::Mutex;

use doc_check::{Element, Located, Session, TranscriptSpec};
use support::{Server, free_port, run_client, run_example, workspace};

/// The chapters every language tree must have.
const CHAPTERS: &[&str] = &[
    "overview",
    "reading-rust",
    "udp-client",
    "udp-server",
    "tcp-client",
    "tcp-server",
    "serving-many",
    "what-goes-wrong",
    "two-machines",
    "going-further",
    "practice",
    "benchmarks",
    "glossary",
];

/// Each tree's table of contents for the book (`docs/book`): it is not a
/// chapter, but it must list every chapter of its tree once.
const SUMMARY: &str = "SUMMARY.md";

/// The language trees under `docs/`.
const LANGUAGES: &[&str] = &["en", "ko"];

/// Each walk-through: its crate and its Python original.
const PROGRAMS: &[(&str, &str)] = &[
    ("udp-client", "udp_client.py"),
    ("udp-server", "udp_server.py"),
    ("tcp-client", "tcp_client.py"),
    ("tcp-server", "tcp_server.py"),
];

/// What both clients print before reading a sentence.
const PROMPT: &str = "Input lowercase sentence:";

/// A chapter, read and parsed.
struct Doc {
    /// Relative to the workspace, such as `docs/en/udp-client.md`.
    path: String,
    text: String,
    elements: Vec<Located>,
}

/// Folders of a language tree whose pages are chapters too: the
/// exercises of the lab (`exercises/pinger.md`), listed in the book's
/// SUMMARY.md under Practice rather than in `docs/README.md`.
const SUBFOLDERS: &[&str] = &["exercises"];

/// The names of the `.md` files in `docs/<language>` and its
/// [`SUBFOLDERS`] (as `exercises/pinger.md`), sorted.
fn chapters(language: &str) -> BTreeSet<String> {
    let tree = workspace().join("docs").join(language);
    let mut names = BTreeSet::new();
    for folder in std::iter::once("").chain(SUBFOLDERS.iter().copied()) {
        let Ok(entries) = fs::read_dir(tree.join(folder)) else {
            continue;
        };
        for entry in entries.filter_map(Result::ok) {
            let name = entry.file_name().to_string_lossy().into_owned();
            if !name.ends_with(".md") {
                continue;
            }
            names.insert(if folder.is_empty() {
                name
            } else {
                format!("{folder}/{name}")
            });
        }
    }
    names
}

/// `docs/README.md` and every chapter of every language, parsed. A chapter
/// that cannot be parsed fails the test that asked.
fn docs() -> Vec<Doc> {
    let mut paths = vec!["docs/README.md".to_string()];
    for language in LANGUAGES {
        for name in chapters(language) {
            paths.push(format!("docs/{language}/{name}"));
        }
    }
    let mut problems = Vec::new();
    let mut docs = Vec::new();
    for path in paths {
        let Some(text) = read_source(&path) else {
            problems.push(format!("{path}: cannot be read"));
            continue;
        };
        match doc_check::parse(&text) {
            Ok(elements) => docs.push(Doc {
                path,
                text,
                elements,
            }),
            Err(error) => problems.push(format!("{path}: {error}")),
        }
    }
    report("reading the chapters", problems);
    docs
}

/// A file of the workspace by its relative path (never outside it).
fn read_source(path: &str) -> Option<String> {
    let relative = Path::new(path);
    if !relative
        .components()
        .all(|part| matches!(part, Component::Normal(_)))
    {
        return None;
    }
    fs::read_to_string(workspace().join(relative)).ok()
}

/// Fails with every problem found, each on its own paragraph.
fn report(what: &str, problems: Vec<String>) {
    if !problems.is_empty() {
        panic!(
            "{} problem(s) with {what}:\n\n{}\n",
            problems.len(),
            problems.join("\n\n")
        );
    }
}

/// A Rust block with no listing marker quotes lines of the programs (as
/// Reading the Rust does): every line of code in it must still be a line
/// of a program, a lecture listing or `common`, so a quote cannot outlive
/// a change of the code.
#[test]
fn quoted_rust_is_in_the_sources() {
    let mut lines = BTreeSet::new();
    let mut folders: Vec<String> = PROGRAMS
        .iter()
        .flat_map(|(program, _)| {
            [format!("{program}/src"), format!("{program}/examples")]
        })
        .collect();
    folders.push("common/src".into());
    for folder in folders {
        let Ok(entries) = fs::read_dir(workspace().join(&folder)) else {
            continue;
        };
        for entry in entries.filter_map(Result::ok) {
            if let Ok(text) = fs::read_to_string(entry.path()) {
                lines.extend(text.lines().map(|l| l.trim().to_string()));
            }
        }
    }
    let mut problems = Vec::new();
    for doc in docs() {
        for (index, located) in doc.elements.iter().enumerate() {
            let Element::Fence { info, body } = &located.element else {
                continue;
            };
            let marked = index.checked_sub(1).is_some_and(|before| {
                matches!(
                    &doc.elements[before].element,
                    Element::Marker { kind, .. } if kind == "listing"
                )
            });
            if info.trim() != "rust" || marked {
                continue;
            }
            for line in body.lines() {
                // A comment of the quote's own (a Korean one, say) is not
                // code; nor is a trailing one.
                let code = line.split(" // ").next().unwrap_or(line).trim();
                if code.is_empty() || code.starts_with("//") {
                    continue;
                }
                if !lines.contains(code) && !lines.contains(line.trim()) {
                    problems.push(format!(
                        "{}:{}: `{code}` is in no program, lecture listing \
                         or common source",
                        doc.path, located.line
                    ));
                }
            }
        }
    }
    report("quoted Rust", problems);
}

/// Every construct of the fixed list (`doc_check::explains::CONSTRUCTS`)
/// that a chapter's Rust uses is explained in that tree's Reading the
/// Rust, at its `<!-- explains: NAME -->` marker: the chapters send a
/// reader there for every construct their listings use.
#[test]
fn reading_the_rust_explains_what_the_chapters_show() {
    use doc_check::explains::{READING_RUST, check_explained, explained};
    let docs = docs();
    let mut problems = Vec::new();
    for language in LANGUAGES {
        let page = format!("docs/{language}/{READING_RUST}");
        let Some(reading) = docs.iter().find(|doc| doc.path == page) else {
            problems.push(format!("{page} is missing"));
            continue;
        };
        let (names, unknown) = explained(&page, &reading.elements);
        problems.extend(unknown);
        let tree = format!("docs/{language}/");
        for doc in docs
            .iter()
            .filter(|doc| doc.path.starts_with(&tree) && doc.path != page)
        {
            problems.extend(check_explained(
                &doc.path,
                &doc.elements,
                &page,
                &names,
            ));
        }
    }
    report(
        "Rust the chapters use and Reading the Rust explains",
        problems,
    );
}

/// The Korean chapters' prose uses the glossary's terms, not the variants
/// of `doc_check::terms::VARIANTS`.
#[test]
fn korean_chapters_use_the_glossary_terms() {
    use doc_check::terms::{KOREAN_TREE, check_terms};
    let mut problems = Vec::new();
    for doc in docs() {
        if doc.path.starts_with(KOREAN_TREE) {
            problems.extend(check_terms(&doc.path, &doc.text));
        }
    }
    report("Korean terms", problems);
}

#[test]
fn both_trees_have_every_chapter() {
    let mut problems = Vec::new();
    let trees: Vec<BTreeSet<String>> =
        LANGUAGES.iter().map(|l| chapters(l)).collect();
    for (language, tree) in LANGUAGES.iter().zip(&trees) {
        for chapter in CHAPTERS {
            if !tree.contains(&format!("{chapter}.md")) {
                problems
                    .push(format!("docs/{language}/{chapter}.md is missing"));
            }
        }
    }
    for (language, tree) in LANGUAGES.iter().zip(&trees) {
        for (other, other_tree) in LANGUAGES.iter().zip(&trees) {
            for name in tree.difference(other_tree) {
                problems.push(format!(
                    "docs/{language}/{name} has no counterpart \
                     docs/{other}/{name}"
                ));
            }
        }
    }
    // The index links every chapter of both trees (the exercise pages
    // are reached from the practice page and the books' tables).
    let index = read_source("docs/README.md").unwrap_or_default();
    let linked: BTreeSet<String> = doc_check::links(&index)
        .into_iter()
        .map(|(_, target)| target)
        .collect();
    for (language, tree) in LANGUAGES.iter().zip(&trees) {
        let top = tree.iter().filter(|name| !name.contains('/'));
        for name in top.filter(|name| *name != SUMMARY) {
            let target = format!("{language}/{name}");
            if !linked.contains(&target) {
                problems
                    .push(format!("docs/README.md does not link ({target})"));
            }
        }
    }
    // Each book's table of contents lists every chapter of its tree once,
    // and both books list them in the same order.
    let mut orders = Vec::new();
    for (language, tree) in LANGUAGES.iter().zip(&trees) {
        let path = format!("docs/{language}/{SUMMARY}");
        let summary = read_source(&path).unwrap_or_default();
        let listed: Vec<String> = doc_check::links(&summary)
            .into_iter()
            .map(|(_, target)| target)
            .collect();
        for name in tree.iter().filter(|name| *name != SUMMARY) {
            let times = listed.iter().filter(|t| *t == name).count();
            if times != 1 {
                problems.push(format!("{path} lists {name} {times} times"));
            }
        }
        orders.push((path, listed));
    }
    if let [(first, order), rest @ ..] = orders.as_slice() {
        for (path, other) in rest {
            if other != order {
                problems.push(format!(
                    "{path} lists the chapters in another order than \
                     {first}: {other:?} against {order:?}"
                ));
            }
        }
    }
    report("the language trees", problems);
}

#[test]
fn translations_have_the_same_shape() {
    let docs = docs();
    let find = |path: &str| docs.iter().find(|doc| doc.path == path);
    let mut problems = Vec::new();
    for name in chapters("en").intersection(&chapters("ko")) {
        let (Some(en), Some(ko)) = (
            find(&format!("docs/en/{name}")),
            find(&format!("docs/ko/{name}")),
        ) else {
            continue;
        };
        if let Some(difference) = doc_check::compare_shapes(
            &en.path,
            &en.elements,
            &ko.path,
            &ko.elements,
        ) {
            problems.push(difference);
        }
    }
    report("en and ko chapters that should match", problems);
}

#[test]
fn listings_are_the_current_source() {
    let mut problems = Vec::new();
    for doc in docs() {
        if !blessing() {
            problems.extend(doc_check::check_listings(
                &doc.path,
                &doc.elements,
                &read_source,
            ));
            continue;
        }
        // Bless: rewrite the plain copies; report what needs a person.
        let blessed = rewrite(&doc.path, |text| {
            let (text, left) =
                doc_check::bless_listings(&doc.path, text, &read_source)?;
            problems.extend(left);
            Ok(text)
        });
        if let Err(error) = blessed {
            problems.push(format!("{}: {error}", doc.path));
        }
    }
    report("listings", problems);
}

/// Is this run blessing the chapters (`DOCS_BLESS=1`)?
fn blessing() -> bool {
    std::env::var_os("DOCS_BLESS").is_some_and(|value| value == "1")
}

/// Rewrites a chapter with `change`, under a lock: the tests run on
/// parallel threads, and two of them may bless the same chapter. Says
/// on standard error which chapters it changed.
fn rewrite(
    path: &str,
    change: impl FnOnce(&str) -> Result<String, String>,
) -> Result<(), String> {
    static LOCK: Mutex<()> = Mutex::new(());
    let _held = LOCK.lock().unwrap_or_else(|e| e.into_inner());
    let text = read_source(path).ok_or("cannot be read")?;
    let new = change(&text)?;
    if new != text {
        fs::write(workspace().join(path), new)
            .map_err(|e| format!("cannot be written: {e}"))?;
        eprintln!("blessed {path}");
    }
    Ok(())
}

#[test]
fn listings_show_whole_files() {
    let mut problems = Vec::new();
    for doc in docs() {
        problems.extend(doc_check::check_coverage(
            &doc.path,
            &doc.elements,
            &read_source,
        ));
    }
    report("files shown in regions", problems);
}

/// Serving many clients quotes, in both languages, every listing of its
/// models whole: each `tcp-server/examples/many_*.rs` and each Python twin
/// `docs/python/many_*.py` (check_listings keeps each quote the file).
#[test]
fn serving_many_quotes_every_listing_whole() {
    let mut files = Vec::new();
    for (folder, end) in
        [("tcp-server/examples", ".rs"), ("docs/python", ".py")]
    {
        for entry in fs::read_dir(workspace().join(folder)).unwrap() {
            let name =
                entry.unwrap().file_name().to_string_lossy().into_owned();
            if name.starts_with("many_") && name.ends_with(end) {
                files.push(format!("{folder}/{name}"));
            }
        }
    }
    assert!(files.len() >= 8, "the models' listings: {files:?}");
    let docs = docs();
    let mut problems = Vec::new();
    for language in LANGUAGES {
        let path = format!("docs/{language}/serving-many.md");
        match docs.iter().find(|doc| doc.path == path) {
            Some(doc) => problems.extend(doc_check::check_shown_whole(
                &doc.path,
                &doc.elements,
                &files,
            )),
            None => problems.push(format!("{path} is missing")),
        }
    }
    report("serving many clients", problems);
}

#[test]
fn correspondence_tables_cover_every_python_line() {
    let mut problems = Vec::new();
    for doc in docs() {
        problems.extend(doc_check::check_correspondence(
            &doc.path,
            &doc.elements,
            &read_source,
        ));
    }
    report("correspondence tables", problems);
}

/// Each program has a side-by-side page in each language (the Python and
/// its lecture listing in two columns, a step to a row), linked from its
/// chapter; every side-by-side table holds both files whole, in order.
#[test]
fn side_by_side_pages_hold_both_files() {
    use doc_check::side_by_side::{MARKER, check_side_by_side};
    let docs = docs();
    let mut problems = Vec::new();
    for doc in &docs {
        problems.extend(check_side_by_side(&doc.path, &doc.text, &read_source));
    }
    for language in LANGUAGES {
        for (program, python) in PROGRAMS {
            let name = format!("{program}-side-by-side.md");
            let path = format!("docs/{language}/{name}");
            let Some(page) = docs.iter().find(|doc| doc.path == path) else {
                problems.push(format!("{path} is missing"));
                continue;
            };
            let example = program.replace('-', "_");
            let args = format!(
                "docs/python/{python} rust={program}/examples/{example}.rs"
            );
            let marked = page.elements.iter().any(|located| {
                matches!(&located.element,
                    Element::Marker { kind, args: a } if kind == MARKER
                        && *a == args)
            });
            if !marked {
                problems
                    .push(format!("{path}: no `<!-- {MARKER}: {args} -->`"));
            }
            let chapter = format!("docs/{language}/{program}.md");
            let linked = docs.iter().any(|doc| {
                doc.path == chapter
                    && doc_check::links(&doc.text)
                        .iter()
                        .any(|(_, target)| *target == name)
            });
            if !linked {
                problems.push(format!("{chapter} does not link ({name})"));
            }
        }
    }
    report("side-by-side pages", problems);
}

#[test]
fn walk_throughs_have_every_part() {
    let docs = docs();
    let mut problems = Vec::new();
    for language in LANGUAGES {
        for (program, python) in PROGRAMS {
            let path = format!("docs/{language}/{program}.md");
            let Some(doc) = docs.iter().find(|doc| doc.path == path) else {
                problems.push(format!("{path} is missing"));
                continue;
            };
            let markers: Vec<(&str, &str)> = doc
                .elements
                .iter()
                .filter_map(|located| match &located.element {
                    Element::Marker { kind, args } => {
                        Some((kind.as_str(), args.as_str()))
                    }
                    _ => None,
                })
                .collect();
            let rust = format!("{program}/src/main.rs");
            let python = format!("docs/python/{python}");
            let has = |kind: &str, args: &str| markers.contains(&(kind, args));
            if !has("listing", &python) {
                problems
                    .push(format!("{path}: no `<!-- listing: {python} -->`"));
            }
            // The full program, whole or in regions (which must then
            // cover it: listings_show_whole_files).
            let full = markers.iter().any(|(kind, args)| {
                *kind == "listing"
                    && args.split('#').next() == Some(rust.as_str())
            });
            if !full {
                problems.push(format!(
                    "{path}: no `<!-- listing: {rust} -->` (or its regions)"
                ));
            }
            // The line table, against the lecture example (shown whole) or,
            // as before, against the full program.
            let table = markers.iter().find_map(|(kind, args)| {
                let rest = args.strip_prefix(python.as_str())?;
                let target = rest.trim().strip_prefix("rust=")?;
                (*kind == "correspondence").then_some(target)
            });
            let example = format!("{program}/examples/");
            match table {
                None => problems.push(format!(
                    "{path}: no `<!-- correspondence: {python} rust=... -->`"
                )),
                Some(target) if target.starts_with(&example) => {
                    if !has("listing", target) {
                        problems.push(format!(
                            "{path}: the table follows {target}, but no \
                             `<!-- listing: {target} -->` shows it whole"
                        ));
                    }
                }
                Some(target) if target == rust => {}
                Some(target) => problems.push(format!(
                    "{path}: the table follows {target}; it should follow \
                     the lecture example ({example}…) or {rust}"
                )),
            }
            let mermaid = doc.elements.iter().any(|located| {
                matches!(&located.element,
                    Element::Fence { info, .. } if info == "mermaid")
            });
            if !mermaid {
                problems.push(format!("{path}: no ```mermaid diagram"));
            }
            let rerun = markers.iter().any(|(kind, args)| {
                *kind == "transcript" && !args.contains("by-hand")
            });
            if program.ends_with("client") && !rerun {
                problems.push(format!("{path}: no transcript the test reruns"));
            }
        }
    }
    report("walk-throughs", problems);
}

#[test]
fn terminal_sessions_are_marked() {
    let mut problems = Vec::new();
    for doc in docs() {
        problems.extend(doc_check::check_transcript_markers(
            &doc.path,
            &doc.elements,
        ));
    }
    report("terminal sessions", problems);
}

#[test]
fn links_lead_to_files() {
    let mut problems = Vec::new();
    for doc in docs() {
        let dir = Path::new(&doc.path).parent().unwrap_or(Path::new(""));
        for (line, target) in doc_check::links(&doc.text) {
            let file = target.split('#').next().unwrap_or("");
            let external = ["http://", "https://", "mailto:"]
                .iter()
                .any(|scheme| target.starts_with(scheme));
            if external || target.is_empty() {
                continue;
            }
            let path = workspace().join(dir).join(file);
            if !path.exists() {
                problems.push(format!(
                    "{}:{line}: the link ({target}) leads nowhere",
                    doc.path
                ));
                continue;
            }
            // A link to a heading of a chapter: the heading must exist.
            let anchor = target.split_once('#').map(|(_, anchor)| anchor);
            let page = if file.is_empty() {
                Some(doc.text.clone())
            } else if file.ends_with(".md") {
                fs::read_to_string(&path).ok()
            } else {
                None
            };
            let missing = match (anchor, page) {
                (Some(anchor), Some(page)) => {
                    !doc_check::anchors(&page).iter().any(|a| a == anchor)
                }
                _ => false,
            };
            if missing {
                problems.push(format!(
                    "{}:{line}: the link ({target}) names no heading of \
                     {}",
                    doc.path,
                    if file.is_empty() { "this page" } else { file }
                ));
            }
        }
    }
    report("links", problems);
}

#[test]
fn transcripts_match_real_runs() {
    // The transcripts were taken on Linux: other systems word their
    // errors differently ("os error 61" on macOS).
    if !cfg!(target_os = "linux") {
        eprintln!("transcripts not rerun: they were taken on Linux");
        return;
    }
    let mut problems = Vec::new();
    // en and ko show many of the same sessions: run each one once.
    let mut runs: BTreeMap<(String, String), Result<String, String>> =
        BTreeMap::new();
    for doc in docs() {
        let mut fixes = Vec::new();
        for (index, located) in doc.elements.iter().enumerate() {
            let Element::Marker { kind, args } = &located.element else {
                continue;
            };
            if kind != "transcript" {
                continue;
            }
            let at =
                format!("{}:{}: transcript {args}", doc.path, located.line);
            let Ok(spec) = TranscriptSpec::parse(args) else {
                continue; // terminal_sessions_are_marked reports it
            };
            let Some(Located {
                element: Element::Fence { body, .. },
                ..
            }) = doc.elements.get(index + 1)
            else {
                continue; // terminal_sessions_are_marked reports it
            };
            if spec.server.is_none() {
                continue;
            }
            let real = runs
                .entry((args.clone(), body.clone()))
                .or_insert_with(|| rerun(&spec, body));
            match real {
                Err(error) => problems.push(format!("{at}: {error}")),
                Ok(real) if blessing() => {
                    if real != body {
                        fixes.push((index + 1, real.clone()));
                    }
                }
                Ok(real) => {
                    let difference =
                        doc_check::first_difference("real run", real, body);
                    if let Some(difference) = difference {
                        problems.push(format!(
                            "{at}: the output shown is not what the program \
                             prints; {difference}"
                        ));
                    }
                }
            }
        }
        if fixes.is_empty() {
            continue;
        }
        // Bless: the sessions as the real runs showed them. The blocks
        // keep their places (a listing blessed meanwhile changes only
        // the text inside its block).
        let blessed = rewrite(&doc.path, |text| {
            let elements = doc_check::parse(text)?;
            Ok(doc_check::replace_blocks(text, &elements, &fixes))
        });
        if let Err(error) = blessed {
            problems.push(format!("{}: {error}", doc.path));
        }
    }
    report("transcripts", problems);
}

/// Which client a transcript's command line runs.
#[derive(Debug, PartialEq)]
enum Client {
    /// `cargo run -q -p udp-client [-- ARGS]`: the full program.
    Program(String),
    /// `cargo run -q -p udp-client --example udp_client`: the lecture
    /// listing, which takes HOST PORT as the Python does.
    Example { package: String, name: String },
    /// `python3 docs/python/udp_client.py`.
    Python(String),
}

impl Client {
    fn is_udp(&self) -> bool {
        match self {
            Client::Program(name) | Client::Python(name) => {
                name.starts_with("udp")
            }
            Client::Example { name, .. } => name.starts_with("udp"),
        }
    }
}

/// The client and arguments a transcript's command line runs: `cargo run
/// -q -p CLIENT [-- ARGS]`, `cargo run -q -p CLIENT --example NAME` or
/// `python3 docs/python/CLIENT.py`.
fn client_command(words: &[String]) -> Result<(Client, Vec<String>), String> {
    let words: Vec<&str> = words.iter().map(String::as_str).collect();
    let clients = ["udp-client", "tcp-client"];
    let (client, args) = match words.as_slice() {
        ["cargo", "run", "-q", "-p", client, "--example", name]
            if clients.contains(client)
                && *name == client.replace('-', "_") =>
        {
            let client = Client::Example {
                package: client.to_string(),
                name: name.to_string(),
            };
            (client, &[][..])
        }
        ["cargo", "run", "-q", "-p", client, rest @ ..]
            if clients.contains(client) =>
        {
            let args = match rest {
                [] => &[][..],
                ["--", args @ ..] => args,
                _ => return Err("arguments go after `--`".into()),
            };
            (Client::Program(client.to_string()), args)
        }
        ["python3", script]
            if ["docs/python/udp_client.py", "docs/python/tcp_client.py"]
                .contains(script) =>
        {
            let name = script.trim_start_matches("docs/python/");
            (Client::Python(name.to_string()), &[][..])
        }
        _ => {
            return Err(
                "the command must be `cargo run -q -p udp-client|tcp-client \
                 [-- ARGS]`, `cargo run -q -p udp-client --example \
                 udp_client` (or tcp) or `python3 docs/python/udp_client.py|\
                 tcp_client.py` (no host or port: the test picks the port)"
                    .into(),
            );
        }
    };
    if args.iter().any(|arg| arg.starts_with("--port")) {
        return Err("leave out --port: the test picks the port".into());
    }
    Ok((client, args.iter().map(|arg| arg.to_string()).collect()))
}

/// Reruns one transcript: the session as the terminal would show it.
fn rerun(spec: &TranscriptSpec, body: &str) -> Result<String, String> {
    let session = Session::parse(body);
    let Some(((command, _), rest)) = session.steps.split_first() else {
        return Err("the block has no `$ ` command".into());
    };
    if rest.iter().any(|(command, _)| command != "echo $?") {
        return Err("only `$ echo $?` may follow the program's command".into());
    }
    let words = doc_check::shell_words(command)?;
    let (client, args) = client_command(&words)?;
    let udp = client.is_udp();
    let server_name = spec.server.as_deref().unwrap_or("none");
    let server_kind = server_name.trim_start_matches("example:");
    if server_name != "none" && server_kind.starts_with("udp") != udp {
        return Err(format!("{client:?} cannot talk to {server_name}"));
    }
    let server = match server_name {
        "none" => None,
        name if name.ends_with(".py") => Some(Server::python(name)),
        name if name.starts_with("example:") => {
            let package = server_kind.replace('_', "-");
            Some(Server::example(&package, server_kind))
        }
        name => Some(Server::rust(name, &[], &[])),
    };
    let port = server
        .as_ref()
        .map_or_else(|| free_port(udp), |server| server.address.port());
    // The Python clients and the lecture listings take HOST PORT; the full
    // programs take --port.
    let mut full_args = match client {
        Client::Program(_) => vec!["--port".to_string(), port.to_string()],
        _ => vec!["localhost".to_string(), port.to_string()],
    };
    full_args.extend(args);
    let typed = spec.typed.as_deref();
    let stdin = typed.map(|line| format!("{line}\n")).unwrap_or_default();
    let env = [("RUST_LOG", "info")];
    let output = match &client {
        Client::Program(name) | Client::Python(name) => {
            run_client(name, &full_args, &env, stdin.as_bytes())
        }
        Client::Example { package, name } => {
            run_example(package, name, &full_args, stdin.as_bytes())
        }
    };
    drop(server);
    let shown = doc_check::terminal_view(
        &output.stdout_text(),
        &output.stderr,
        PROMPT,
        typed,
        port,
    )?;
    if rest.is_empty() && !output.status.success() {
        return Err(format!(
            "the run failed ({}); add `$ echo $?` if that is the point. It \
             showed:\n{shown}",
            output.status
        ));
    }
    let mut steps = vec![(command.clone(), shown)];
    for _ in rest {
        let code = output
            .status
            .code()
            .map_or_else(|| "killed".to_string(), |code| code.to_string());
        steps.push(("echo $?".to_string(), format!("{code}\n")));
    }
    Ok(Session { steps }.render())
}

/// Each check, fed a small made-up chapter with one mistake, reports it.
mod every_check_can_fail {
    use doc_check::*;

    const SOURCE: &str = "fn main() {\n    // ANCHOR: body\n    \
                          let x = 1;\n    // ANCHOR_END: body\n    \
                          // ANCHOR: empty\n    // ANCHOR_END: empty\n    \
                          let f = |x| x;\n}\n";
    const PYTHON: &str = "# a comment\nx = 1\n\nprint(x)  \n";

    /// A lecture listing with comments, a `//` in a string, a quote
    /// character and a lifetime: only real comments are comments.
    const LECTURE: &str = "//! Run: cargo run --example lecture\n\
        use std::net::UdpSocket;\n\
        \n\
        /// Says where to send.\n\
        fn target<'a>(host: &'a str) -> &'a str {\n    \
            host // the server's name\n\
        }\n\
        fn main() -> std::io::Result<()> {\n    \
            // Bind a free port: the client needs no fixed one.\n    \
            let socket = UdpSocket::bind(\"0.0.0.0:0\")?; /* any port */\n    \
            let url = \"http://localhost\"; // not a comment: a string\n    \
            let quote = '\"'; // a quote character\n    \
            let raw = r#\"// still \"a\" string\"#;\n    \
            let _ = (socket, url, quote, raw, target(\"x\"));\n    \
            Ok(())\n\
        }\n";

    /// The same with its comments in Korean, as a `docs/ko` chapter
    /// shows it: one comment per line, as in the source, or reflowed.
    const LECTURE_KO: &str = "//! 실행: cargo run --example lecture\n\
        use std::net::UdpSocket;\n\
        \n\
        /// 보낼 곳을 알려 줍니다.\n\
        fn target<'a>(host: &'a str) -> &'a str {\n    \
            host // 서버의 이름\n\
        }\n\
        fn main() -> std::io::Result<()> {\n    \
            // 빈 포트에 바인드합니다.\n    \
            // 클라이언트에는 정해진 포트가 필요 없습니다.\n    \
            let socket = UdpSocket::bind(\"0.0.0.0:0\")?; /* 아무 포트 */\n    \
            let url = \"http://localhost\"; // 주석이 아니라 문자열\n    \
            let quote = '\"'; // 따옴표 문자\n    \
            let raw = r#\"// still \"a\" string\"#;\n    \
            let _ = (socket, url, quote, raw, target(\"x\"));\n    \
            Ok(())\n\
        }\n";

    /// Python whose comment lines need no row in a line table.
    const COMMENTED: &str = "x = 1\n # why: a comment line\nprint(x)  # end\n\
                             # the last line\n";

    /// Regions, one nested in another, and a line in none.
    const REGIONS: &str = "// ANCHOR: head\nuse std::net::UdpSocket;\n\
        // ANCHOR_END: head\n\n// ANCHOR: main\nfn main() {\n    \
        // ANCHOR: bind\n    let s = 1;\n    // ANCHOR_END: bind\n    \
        let t = 2;\n}\n// ANCHOR_END: main\nfn after() {}\n";

    fn read(path: &str) -> Option<String> {
        match path {
            "main.rs" => Some(SOURCE.to_string()),
            "a.py" => Some(PYTHON.to_string()),
            "b.py" => Some(COMMENTED.to_string()),
            "lecture.rs" => Some(LECTURE.to_string()),
            "regions.rs" => Some(REGIONS.to_string()),
            // The lecture's Python has Korean comments of its own.
            "k.py" => Some("# 소켓 생성\ns = socket()\n".to_string()),
            _ => None,
        }
    }

    fn listing_problems(doc: &str) -> Vec<String> {
        check_listings("doc.md", &parse(doc).unwrap(), &read)
    }

    fn table_problems(doc: &str) -> Vec<String> {
        check_correspondence("doc.md", &parse(doc).unwrap(), &read)
    }

    fn one(problems: Vec<String>, needle: &str) {
        assert_eq!(problems.len(), 1, "{problems:#?}");
        assert!(problems[0].contains(needle), "{problems:#?}");
    }

    #[test]
    fn files_shown_whole() {
        let files = ["a.rs".to_string(), "b.py".to_string()];
        let both = "<!-- listing: a.rs -->\n```rust\nx\n```\n\
                    <!-- listing: b.py -->\n```python\ny\n```\n";
        let check = |text: &str| {
            check_shown_whole("c.md", &parse(text).unwrap(), &files)
        };
        assert_eq!(check(both), Vec::<String>::new());
        let region = both.replace("a.rs -->", "a.rs#main -->");
        one(check(&region), "no `<!-- listing: a.rs -->`");
        let missing = both.replace("b.py", "c.py");
        one(check(&missing), "quote b.py whole");
    }

    #[test]
    fn listings() {
        let whole =
            format!("<!-- listing: main.rs -->\n```rust\n{SOURCE}```\n");
        assert_eq!(listing_problems(&whole), Vec::<String>::new());
        let edited = whole.replace("let x = 1;", "let x = 2;");
        one(listing_problems(&edited), "line 3");
        let short = whole.replace("}\n```", "```");
        one(listing_problems(&short), "line 8");
        let python = whole.replace("```rust", "```python");
        one(listing_problems(&python), "it should be ```rust");
        let region = "<!-- listing: main.rs#body -->\n```rust\n    let x = \
                      1;\n```\n";
        assert_eq!(listing_problems(region), Vec::<String>::new());
        let typo = region.replace("#body", "#bdy");
        one(
            listing_problems(&typo),
            "no `// ANCHOR: bdy` line in main.rs",
        );
        let empty = region.replace("#body", "#empty");
        one(listing_problems(&empty), "region `empty` is empty");
        let missing = region.replace("main.rs", "gone.rs");
        one(listing_problems(&missing), "there is no file gone.rs");
        let apart = region.replace("-->\n", "-->\nSome words.\n");
        one(listing_problems(&apart), "followed by a fenced block");
    }

    const TABLE: &str = "<!-- correspondence: a.py rust=main.rs -->\n\
        | Python | Rust | On the network |\n\
        |---|---|---|\n\
        | `# a comment` | — | nothing |\n\
        | `x = 1` | `let x = 1;` | nothing |\n\
        | `print(x)` | `let f = \\|x\\| x;` in `fn  main()` | none |\n";

    #[test]
    fn correspondence() {
        assert_eq!(table_problems(TABLE), Vec::<String>::new());
        let removed =
            TABLE.replace("| `x = 1` | `let x = 1;` | nothing |\n", "");
        one(table_problems(&removed), "is line 2: `x = 1`");
        let last = TABLE.lines().take(5).collect::<Vec<_>>().join("\n");
        one(
            table_problems(&last),
            "leaves out line 4 of a.py: `print(x)`",
        );
        let renamed = TABLE.replace("`let x = 1;`", "`let y = 1;`");
        one(
            table_problems(&renamed),
            "Rust `let y = 1;` is not in main.rs",
        );
        let unescaped = TABLE.replace("\\|x\\|", "|x|");
        one(table_problems(&unescaped), "not 3");
    }

    #[test]
    fn correspondence_needs_no_rows_for_comment_lines() {
        let table = |rows: &[&str]| {
            let mut doc = "<!-- correspondence: b.py rust=lecture.rs -->\n\
                           | Python | Rust | On the network |\n\
                           |---|---|---|\n"
                .to_string();
            for row in rows {
                doc.push_str(&format!("| `{row}` | — | — |\n"));
            }
            table_problems(&doc)
        };
        // A missing comment row passes; a comment row in place passes.
        assert_eq!(table(&["x = 1", "print(x)  # end"]), Vec::<String>::new());
        let all = ["x = 1", "# why: a comment line", "print(x)  # end"];
        assert_eq!(table(&all), Vec::<String>::new());
        // A missing code row fails, even where a comment line was.
        one(
            table(&["x = 1"]),
            "leaves out line 3 of b.py: `print(x)  # end`",
        );
        one(
            table(&["x = 1", "# why: a comment line"]),
            "leaves out line 3",
        );
        // A comment row out of order fails.
        one(
            table(&["x = 1", "print(x)  # end", "# why: a comment line"]),
            "row 3 shows `# why: a comment line`, which is past the end",
        );
        one(
            table(&["print(x)  # end", "x = 1"]),
            "row 1 shows `print(x)  # end`, but the next line of b.py is \
             line 1: `x = 1`",
        );
    }

    fn listing(doc: &str, path: &str, body: &str) -> Vec<String> {
        let language = if path.ends_with(".py") {
            "python"
        } else {
            "rust"
        };
        let text =
            format!("<!-- listing: {path} -->\n```{language}\n{body}```\n");
        check_listings(doc, &parse(&text).unwrap(), &read)
    }

    #[test]
    fn korean_comments_leave_the_code_checked() {
        let (ko, en) = ("docs/ko/x.md", "docs/en/x.md");
        // A translated listing passes in docs/ko, and nowhere else.
        assert_eq!(listing(ko, "lecture.rs", LECTURE_KO), Vec::<String>::new());
        one(
            listing(en, "lecture.rs", LECTURE_KO),
            "not the current source; first difference at line 1",
        );
        // A comment-only change passes; any change of code fails, and the
        // failure names the chapter's line and the code.
        let comment = LECTURE_KO.replace("// 서버의 이름", "// 서버 이름");
        assert_eq!(listing(ko, "lecture.rs", &comment), Vec::<String>::new());
        let code =
            LECTURE_KO.replace("bind(\"0.0.0.0:0\")", "bind(\"0.0.0.0:1\")");
        let problems = listing(ko, "lecture.rs", &code);
        one(
            problems.clone(),
            "docs/ko/x.md:1: listing lecture.rs: the code",
        );
        assert!(problems[0].contains("at docs/ko/x.md:13:"), "{problems:#?}");
        assert!(problems[0].contains("0.0.0.0:1"), "{problems:#?}");
        assert!(problems[0].contains("fix it by hand"), "{problems:#?}");
        // What only looks like a comment is code: in a string, a raw
        // string, after a quote character.
        for (from, to) in [
            ("http://localhost", "http://example"),
            ("// still", "// yet"),
            ("let quote = '\"';", "let quote = '\\'';"),
            ("target<'a>", "target<'b>"),
        ] {
            let changed = LECTURE_KO.replace(from, to);
            assert_ne!(changed, LECTURE_KO, "{from}");
            one(listing(ko, "lecture.rs", &changed), "the code is not");
        }
        let ended = LECTURE_KO.strip_suffix("}\n").unwrap();
        one(
            listing(ko, "lecture.rs", ended),
            "the doc's code ends early",
        );
        // A listing whose comments are not in Korean stays byte-identical,
        // in docs/ko too.
        let english = LECTURE.replace("the server's name", "the name");
        one(
            listing(ko, "lecture.rs", &english),
            "first difference at line 6",
        );
        assert_eq!(listing(ko, "lecture.rs", LECTURE), Vec::<String>::new());
        // So does a copy of a source whose own comments are Korean (the
        // lecture's Python); a new Korean comment makes it translated.
        let python = "# 소켓 생성\ns = socket()  \n";
        one(listing(ko, "k.py", python), "first difference at line 2");
        let translated = "# 소켓을 만듭니다\ns = socket()\n";
        assert_eq!(listing(ko, "k.py", translated), Vec::<String>::new());
        let drifted = "# 소켓을 만듭니다\ns = socket(1)\n";
        one(listing(ko, "k.py", drifted), "the code is not");
    }

    #[test]
    fn regions_cover_their_file() {
        let show = |regions: &[&str]| {
            let mut doc = String::new();
            for name in regions {
                let target = if name.is_empty() {
                    "regions.rs".to_string()
                } else {
                    format!("regions.rs#{name}")
                };
                doc.push_str(&format!(
                    "<!-- listing: {target} -->\n```rust\n```\n"
                ));
            }
            check_coverage("doc.md", &parse(&doc).unwrap(), &read)
        };
        // Lines 6-11 are in `main`; `bind` (line 8) nests in it.
        one(show(&["head", "main"]), "leave out its lines 13;");
        one(show(&["main", "bind", "head"]), "lines 13;");
        // An uncovered line fails, named by number; blank lines and
        // anchor lines need no region.
        one(
            show(&["head", "bind"]),
            "regions.rs: the regions shown (#head, #bind) leave out its \
             lines 6, 10-11, 13;",
        );
        // The file shown whole anywhere in the chapter covers it.
        assert_eq!(show(&["head", ""]), Vec::<String>::new());
        // A file shown only whole, or a region that does not exist (which
        // check_listings reports), is not this check's business.
        assert_eq!(show(&[""]), Vec::<String>::new());
        one(show(&["head", "typo"]), "lines 6, 8, 10-11, 13;");
        // A nested region's listing leaves out the inner anchor lines.
        let main = "<!-- listing: regions.rs#main -->\n```rust\nfn main() {\n    \
                    let s = 1;\n    let t = 2;\n}\n```\n";
        assert_eq!(listing_problems(main), Vec::<String>::new());
    }

    #[test]
    fn bless_rewrites_copies_and_leaves_translations() {
        let stale = |path: &str, body: &str| {
            format!(
                "# T\n\n<!-- listing: {path} -->\n```rust\n{body}```\n\nEnd.\n"
            )
        };
        // A plain copy is rewritten from its source, whatever its length.
        let old = stale("lecture.rs", "fn old() {}\n");
        let (blessed, left) =
            bless_listings("docs/en/x.md", &old, &read).unwrap();
        assert_eq!(left, Vec::<String>::new());
        assert_eq!(blessed, stale("lecture.rs", LECTURE));
        let (again, _) =
            bless_listings("docs/en/x.md", &blessed, &read).unwrap();
        assert_eq!(again, blessed);
        // A translated listing whose code drifted is left for a person.
        let drifted =
            stale("lecture.rs", &LECTURE_KO.replace("Ok(())", "Ok(1)"));
        let (blessed, left) =
            bless_listings("docs/ko/x.md", &drifted, &read).unwrap();
        assert_eq!(blessed, drifted);
        one(left, "fix it by hand");
        // One whose code is current is left alone, comments and all.
        let current = stale("lecture.rs", LECTURE_KO);
        let (blessed, left) =
            bless_listings("docs/ko/x.md", &current, &read).unwrap();
        assert_eq!((blessed, left), (current, Vec::new()));
        // What a copy cannot fix is reported.
        let (_, left) =
            bless_listings("docs/en/x.md", &stale("gone.rs", ""), &read)
                .unwrap();
        one(left, "there is no file gone.rs");
    }

    #[test]
    fn comments_are_told_from_code() {
        let code = code_lines(LECTURE, Language::Rust);
        let text: Vec<&str> = code.iter().map(|(_, l)| l.as_str()).collect();
        assert_eq!(
            text,
            [
                "use std::net::UdpSocket;",
                "fn target<'a>(host: &'a str) -> &'a str {",
                "    host",
                "}",
                "fn main() -> std::io::Result<()> {",
                "    let socket = UdpSocket::bind(\"0.0.0.0:0\")?;",
                "    let url = \"http://localhost\";",
                "    let quote = '\"';",
                "    let raw = r#\"// still \"a\" string\"#;",
                "    let _ = (socket, url, quote, raw, target(\"x\"));",
                "    Ok(())",
                "}",
            ]
        );
        assert_eq!(code[0].0, 2);
        let python = "s = '# not'  # yes\nt = \"\"\"\n# in a string\n\"\"\"\n";
        let code = code_lines(python, Language::Python);
        assert_eq!(code[0], (1, "s = '# not'".to_string()));
        assert_eq!(code[2], (3, "# in a string".to_string()));
        assert_eq!(comments(python, Language::Python), ["# yes"]);
        let escaped = "let c = '\\''; // q\nlet d = \"\\\"//\"; // r\n";
        assert_eq!(comments(escaped, Language::Rust), ["// q", "// r"]);
    }

    /// A chapter's Rust uses constructs; Reading the Rust must explain
    /// each, at its marker.
    #[test]
    fn constructs_must_be_explained() {
        use doc_check::explains::{
            check_explained, constructs_used, explained,
        };
        let chapter = "# TCP\n\n<!-- listing: main.rs -->\n```rust\n\
                       struct Slots {\n    taken: Arc<(Mutex<usize>, \
                       Condvar)>,\n}\n```\n";
        let page = "# Reading\n\n## Structs\n\n<!-- explains: struct -->\n\n\
                    Text.\n\n## Sharing\n\n<!-- explains: arc -->\n\
                    <!-- explains: mutex -->\n";
        let elements = parse(chapter).unwrap();
        let (names, unknown) = explained("reading.md", &parse(page).unwrap());
        assert!(unknown.is_empty(), "{unknown:#?}");
        let problems =
            check_explained("tcp.md", &elements, "reading.md", &names);
        one(problems, "tcp.md:6: this Rust uses `Condvar`");
        let page = format!("{page}<!-- explains: condvar -->\n");
        let (names, _) = explained("reading.md", &parse(&page).unwrap());
        let problems =
            check_explained("tcp.md", &elements, "reading.md", &names);
        assert!(problems.is_empty(), "{problems:#?}");
        // A marker naming no construct is a typo.
        let typo = "<!-- explains: lifetimes -->\n";
        let (_, unknown) = explained("reading.md", &parse(typo).unwrap());
        one(unknown, "`<!-- explains: lifetimes -->` names no construct");
        // What the recognisers see, and what they do not.
        let used = |code: &str| -> Vec<&str> {
            constructs_used(code)
                .iter()
                .map(|(c, _, _)| c.name)
                .collect()
        };
        assert_eq!(used("struct Bounded<'a> {"), ["lifetime", "struct"]);
        assert_eq!(used("let c = 'a';"), Vec::<&str>::new());
        assert_eq!(used("(&mut &*self.socket).read(buffer)").len(), 4);
        assert!(
            used("(&mut &*self.socket).read(buffer)").contains(&"reborrow")
        );
        assert_eq!(used("let x = \"why? it's 'a'\";"), Vec::<&str>::new());
        assert_eq!(used("x // why? 'a"), Vec::<&str>::new());
        assert_eq!(used("dropped += n as u64,"), ["cast"]);
        assert_eq!(used("let m = a || b;"), Vec::<&str>::new());
        assert_eq!(used("let slot = go.then(|| take());"), ["closure"]);
        assert_eq!(
            used("matches!(kind, WouldBlock | TimedOut)"),
            ["or-pattern", "matches", "macro"]
        );
        assert_eq!(used("Err(e) if timed_out(e) => {}"), ["match-guard"]);
        assert_eq!(used("let n = 64 * 1024;"), Vec::<&str>::new());
        assert_eq!(used("*count += 1;"), ["deref"]);
    }

    /// A side-by-side page of rows, each `(Python, Rust)` cell's lines
    /// (`None`: an empty cell).
    fn side_by_side(rows: &[(Option<&str>, Option<&str>)]) -> String {
        let cell = |language: &str, body: Option<&str>| match body {
            None => "<td></td>\n".to_string(),
            Some(body) => {
                format!("<td>\n\n```{language}\n{body}```\n\n</td>\n")
            }
        };
        let mut page = "# T\n\n<!-- side-by-side: a.py rust=lecture.rs -->\n\
                        <table>\n<tr><th>Python</th><th>Rust</th></tr>\n"
            .to_string();
        for (python, rust) in rows {
            page.push_str("<tr>\n");
            page.push_str(&cell("python", *python));
            page.push_str(&cell("rust", *rust));
            page.push_str("</tr>\n");
        }
        page.push_str("</table>\n");
        page
    }

    /// A file's lines from `first` (from 1) up to `last`, as one text.
    fn lines(text: &str, first: usize, last: usize) -> String {
        text.lines()
            .skip(first - 1)
            .take(last + 1 - first)
            .map(|line| format!("{line}\n"))
            .collect()
    }

    #[test]
    fn side_by_side_columns_are_the_files() {
        use doc_check::side_by_side::check_side_by_side;
        let check =
            |doc: &str, page: &str| check_side_by_side(doc, page, &read);
        let en = "docs/en/x.md";
        // a.py: "# a comment", "x = 1", "", "print(x)  ".
        let (py_a, py_b) = (lines(PYTHON, 1, 2), lines(PYTHON, 4, 4));
        let (rs_a, rs_b) = (lines(LECTURE, 1, 4), lines(LECTURE, 5, 16));
        let page = side_by_side(&[
            (Some(&py_a), Some(&rs_a)),
            (None, Some(&rs_b[..rs_b.find("    host").unwrap()])),
            (Some(&py_b), Some(&rs_b[rs_b.find("    host").unwrap()..])),
        ]);
        assert_eq!(check(en, &page), Vec::<String>::new());
        // A changed line of either column fails, named by the page's line.
        let changed = page.replace("x = 1", "x = 2");
        let problems = check(en, &changed);
        one(
            problems.clone(),
            "line 11: the Python column shows \"x = 2\"",
        );
        assert!(problems[0].contains("a.py is its line 2"), "{problems:#?}");
        let changed = page.replace("Ok(())", "Ok(((())))");
        one(
            check(en, &changed),
            "the Rust column shows \"    Ok(((())))\"",
        );
        // Cells out of order, or a line left out, fail.
        let swapped = side_by_side(&[
            (Some(&py_b), Some(&rs_a)),
            (Some(&py_a), Some(&rs_b)),
        ]);
        one(
            check(en, &swapped),
            "the Python column shows \"print(x)  \"",
        );
        let short =
            side_by_side(&[(Some(&py_a), Some(&rs_a)), (Some(&py_b), None)]);
        one(
            check(en, &short),
            "the Rust column ends early: it leaves out line 5 of lecture.rs",
        );
        // Each row has two cells, Python on the left, Rust on the right.
        let left = page.replacen("```python", "```rust", 1);
        one(check(en, &left), "a ```rust block in its left column");
        let three = page.replacen("</td>\n</tr>", "</td>\n<td></td>\n</tr>", 1);
        one(check(en, &three), "has 3 cells, not 2");
        let open = page.replace("</table>", "");
        one(check(en, &open), "never closed");
        let apart = page.replace("<table>", "Words.\n<table>");
        one(check(en, &apart), "followed by a <table>");
        // In docs/ko, a Rust column with Korean comments keeps the code.
        let (ko_a, ko_b) = (lines(LECTURE_KO, 1, 4), lines(LECTURE_KO, 5, 17));
        let korean = side_by_side(&[
            (Some(&py_a), Some(&ko_a)),
            (Some(&py_b), Some(&ko_b)),
        ]);
        assert_eq!(check("docs/ko/x.md", &korean), Vec::<String>::new());
        one(check(en, &korean), "the Rust column shows \"//! 실행");
        let drifted = korean.replace("bind(\"0.0.0.0:0\")", "bind(\"::\")");
        one(
            check("docs/ko/x.md", &drifted),
            "the Rust column (comments aside) shows",
        );
    }

    /// The Korean chapters' prose uses the glossary's terms.
    #[test]
    fn korean_variants_are_found() {
        use doc_check::terms::check_terms;
        let chapter = "# 제목\n\n연결은 수락\n큐에서 기다립니다. 로그는 표준 오류로\n\
                       갑니다.\n\n```text\n수락 큐\n```\n\n`수락 큐`는 코드입니다.\n\n\
                       새 소켓, 곧 연결 소켓입니다. 곧바로 반환합니다.\n";
        let problems = check_terms("docs/ko/x.md", chapter);
        assert_eq!(problems.len(), 3, "{problems:#?}");
        assert!(problems[0].starts_with("docs/ko/x.md:3: \"수락 큐\""));
        assert!(problems[0].contains("write \"수락 대기열\""));
        assert!(problems[1].starts_with("docs/ko/x.md:4: \"표준 오류\""));
        assert!(problems[2].starts_with("docs/ko/x.md:13: \", 곧\""));
        assert!(problems[2].contains("write \", 즉\""));
        // A bare 큐 is found too, and 큐 inside 수락 큐 only once.
        let bare = check_terms("docs/ko/x.md", "큐가 차면 수락 큐도 찹니다.\n");
        assert_eq!(bare.len(), 2, "{bare:#?}");
        assert!(bare[0].contains("\"수락 큐\""), "{bare:#?}");
        assert!(bare[1].contains("\"큐\""), "{bare:#?}");
        let fixed =
            "연결은 수락 대기열에서 기다립니다. 즉 곧바로 반환합니다.\n";
        assert!(check_terms("docs/ko/x.md", fixed).is_empty());
        // The Korean comments of a Rust listing are read too, a run of
        // comment lines as one text; its code, and Python, are not.
        let listing = "```rust\nlet s = \"수락 큐\"; // 수락\n// 큐에서 꺼냅니다.\n\
                       let t = 1; // 새 소켓, 곧\n// 연결 소켓\n```\n\n\
                       ```python\n# 수락 큐\n```\n";
        let problems = check_terms("docs/ko/x.md", listing);
        assert_eq!(problems.len(), 2, "{problems:#?}");
        assert!(problems[0].starts_with("docs/ko/x.md:2: \"수락 큐\""));
        assert!(problems[1].starts_with("docs/ko/x.md:4: \", 곧\""));
    }

    #[test]
    fn shapes() {
        let en = "# A\n\n## B\n\n<!-- listing: main.rs -->\n```rust\n```\n\n\
                  ```mermaid\n```\n";
        let same = "# 가\n\n말.\n\n## 나\n\n<!-- listing: main.rs -->\n\
                    ```rust\n```\n\n```mermaid\n```\n";
        let shape_of = |text: &str| parse(text).unwrap();
        let compare = |other: &str| {
            compare_shapes("en.md", &shape_of(en), "ko.md", &shape_of(other))
        };
        assert_eq!(compare(same), None);
        let level = same.replace("## 나", "### 나");
        assert!(compare(&level).unwrap().contains("level-3"));
        let marker = same.replace("main.rs", "lib.rs");
        assert!(compare(&marker).unwrap().contains("lib.rs"));
        let no_diagram = same.replace("```mermaid\n```\n", "");
        assert!(compare(&no_diagram).unwrap().contains("```mermaid"));
        assert!(compare("").unwrap().contains("after everything"));
    }

    #[test]
    fn markers() {
        let typo = "<!-- listin: main.rs -->\n";
        assert!(parse(typo).unwrap_err().contains("unknown marker `listin`"));
        assert!(parse("```rust\nfn main() {}\n").is_err());
        let unmarked = "```text\n$ cargo run -q -p udp-client\n```\n";
        let problems =
            check_transcript_markers("doc.md", &parse(unmarked).unwrap());
        one(problems, "no `<!-- transcript: ... -->` marker");
        let bad = "<!-- transcript: server=ftp-server -->\n```text\n$ x\n```\n";
        let problems = check_transcript_markers("doc.md", &parse(bad).unwrap());
        one(problems, "`server=ftp-server`");
    }

    #[test]
    fn anchors() {
        let page = "# The UDP client (`udp-client`)\n## Run it\n```sh\n\
                    # not a heading\n```\n## Run it\n### 무엇이 잘못되는가, 그리고 \
                    왜\n";
        assert_eq!(
            doc_check::anchors(page),
            [
                "the-udp-client-udp-client",
                "run-it",
                "run-it-1",
                "무엇이-잘못되는가-그리고-왜"
            ]
        );
    }

    #[test]
    fn transcripts() {
        let spec = TranscriptSpec::parse("server=udp-server typed=\"hi, you\"")
            .unwrap();
        assert_eq!(spec.typed.as_deref(), Some("hi, you"));
        let view = terminal_view(
            "Prompt:HI, YOU\n",
            "",
            "Prompt:",
            Some("hi, you"),
            4242,
        );
        assert_eq!(view.unwrap(), "Prompt:hi, you\nHI, YOU\n");
        let error = terminal_view(
            "",
            "no reply from 127.0.0.1:4242 (14242)\n",
            "P",
            None,
            4242,
        );
        assert_eq!(error.unwrap(), "no reply from 127.0.0.1:12000 (14242)\n");
        assert!(terminal_view("HI\n", "", "Prompt:", Some("hi"), 1).is_err());
        let body = "$ cargo run -q -p udp-client -- 'two words'\nTWO WORDS\n\
                    $ echo $?\n0\n";
        let session = Session::parse(body);
        assert_eq!(session.steps.len(), 2);
        assert_eq!(session.render(), body);
        let words = shell_words(&session.steps[0].0).unwrap();
        assert_eq!(words.last().map(String::as_str), Some("two words"));
        let real = body.replace("TWO WORDS", "TWO  WORDS");
        let difference = first_difference("real run", &real, body).unwrap();
        assert!(difference.contains("line 2"), "{difference}");
    }
}
