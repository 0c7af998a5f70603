//! *Reading the Rust* explains the Rust the chapters show. A chapter's
//! `rust` blocks (its listings, and any other Rust it shows) are read for
//! the constructs of [`CONSTRUCTS`]; each construct a block uses must have
//! its `<!-- explains: NAME -->` marker in the same tree's
//! `reading-rust.md`, put at the section that explains it.
//!
//! The recognisers are plain text tests on each line of code, with the
//! comments removed and the insides of string and character literals
//! blanked: they are meant to be read and extended, not to parse Rust. A
//! construct the list does not name is not checked.

use crate::{Element, Language, Located, split_comments};

/// The chapter that explains the Rust, in each language tree.
pub const READING_RUST: &str = "reading-rust.md";

/// A construct of Rust that the checker can see in a line of code.
pub struct Construct {
    /// The name its `<!-- explains: NAME -->` marker gives.
    pub name: &'static str,
    /// What it looks like, for the failure message.
    pub looks: &'static str,
    /// Does this line of code (no comments, literals blanked) use it?
    pub used_in: fn(&str) -> bool,
}

/// The constructs the rule knows, each with its recogniser.
pub const CONSTRUCTS: &[Construct] = &[
    Construct {
        name: "question-mark",
        looks: "the `?` operator",
        used_in: |l| l.contains('?'),
    },
    Construct {
        name: "box-dyn",
        looks: "`Box<…>` or `dyn Trait`",
        used_in: |l| has_word(l, "Box") || has_word(l, "dyn"),
    },
    Construct {
        name: "unwrap",
        looks: "`.unwrap()`, `.unwrap_err()` or `.expect(…)`",
        used_in: |l| {
            l.contains(".unwrap()")
                || l.contains(".unwrap_err()")
                || l.contains(".expect(")
        },
    },
    Construct {
        name: "match",
        looks: "`match`",
        used_in: |l| has_word(l, "match"),
    },
    Construct {
        name: "match-guard",
        looks: "a `match` arm with an `if` guard (`Err(e) if … =>`)",
        used_in: |l| {
            l.split_once("=>").is_some_and(|(pattern, _)| {
                has_word(pattern, "if") && !l.trim_start().starts_with("if ")
            })
        },
    },
    Construct {
        name: "or-pattern",
        looks: "patterns joined with `|` (`WouldBlock | TimedOut`)",
        used_in: |l| l.contains(" | ") || l.trim_start().starts_with("| "),
    },
    Construct {
        name: "matches",
        looks: "`matches!(…)`",
        used_in: |l| l.contains("matches!"),
    },
    Construct {
        name: "if-let",
        looks: "`if let` or `while let`",
        used_in: |l| l.contains("if let ") || l.contains("while let "),
    },
    Construct {
        name: "let-else",
        looks: "`let PATTERN = … else { … }`",
        used_in: |l| {
            let l = l.trim_start();
            l.starts_with("let ") && l.contains(" else ") && !has_word(l, "if")
        },
    },
    Construct {
        name: "option",
        looks: "`Option`, `Some(…)` or `None`",
        used_in: |l| {
            has_word(l, "Option") || has_word(l, "Some") || has_word(l, "None")
        },
    },
    Construct {
        name: "reference",
        looks: "a reference, `&value` or `&mut value`",
        used_in: |l| l.replace("&&", "").contains('&'),
    },
    Construct {
        name: "range",
        looks: "a range (`..length`, `1..1024`, `0.0..=1.0`)",
        used_in: |l| l.contains(".."),
    },
    Construct {
        name: "deref",
        looks: "`*` before a value (`*count`, `&*self.socket`)",
        used_in: has_deref,
    },
    Construct {
        name: "reborrow",
        looks: "`&*` (`(&mut &*self.socket).read(…)`)",
        used_in: |l| l.contains("&*"),
    },
    Construct {
        name: "lifetime",
        looks: "a lifetime (`<'a>`, `&'a T`, `'_`, `'static`)",
        used_in: has_lifetime,
    },
    Construct {
        name: "closure",
        looks: "a closure (`|e| …`, `|| …`)",
        used_in: has_closure,
    },
    Construct {
        name: "move",
        looks: "a `move` closure",
        used_in: |l| l.contains("move |"),
    },
    Construct {
        name: "channel",
        looks: "a channel (`mpsc::channel`)",
        used_in: |l| l.contains("mpsc"),
    },
    Construct {
        name: "async",
        looks: "`async` or `.await`",
        used_in: |l| has_word(l, "async") || l.contains(".await"),
    },
    Construct {
        name: "thread",
        looks: "`thread::…`",
        used_in: |l| l.contains("thread::"),
    },
    Construct {
        name: "arc",
        looks: "`Arc`",
        used_in: |l| has_word(l, "Arc"),
    },
    Construct {
        name: "mutex",
        looks: "`Mutex` or `MutexGuard`",
        used_in: |l| has_word(l, "Mutex") || has_word(l, "MutexGuard"),
    },
    Construct {
        name: "condvar",
        looks: "`Condvar`",
        used_in: |l| has_word(l, "Condvar"),
    },
    Construct {
        name: "struct",
        looks: "a `struct`, or a tuple struct's field (`self.0`)",
        used_in: |l| has_word(l, "struct") || has_tuple_field(l),
    },
    Construct {
        name: "impl",
        looks: "an `impl Type { … }` block",
        used_in: |l| starts_impl(l) && !has_word(l, "for"),
    },
    Construct {
        name: "self",
        looks: "`self`, `&self`, `&mut self` or `Self`",
        used_in: |l| !is_use(l) && (has_word(l, "self") || has_word(l, "Self")),
    },
    Construct {
        name: "impl-for",
        looks: "`impl Trait for Type`",
        used_in: |l| starts_impl(l) && has_word(l, "for"),
    },
    Construct {
        name: "impl-arg",
        looks: "`impl Trait` as a type (`&mut impl Read`)",
        used_in: |l| !starts_impl(l) && has_word(l, "impl"),
    },
    Construct {
        name: "generic",
        looks: "a generic parameter (`fn f<T>`, `where`)",
        used_in: |l| {
            has_word(l, "where")
                || l.split("fn ").skip(1).any(|rest| {
                    let name: String = rest
                        .chars()
                        .take_while(|c| c.is_alphanumeric() || *c == '_')
                        .collect();
                    rest[name.len()..].starts_with('<')
                        && !rest[name.len()..].starts_with("<'")
                })
        },
    },
    Construct {
        name: "derive",
        looks: "`#[derive(…)]`",
        used_in: |l| l.contains("#[derive("),
    },
    Construct {
        name: "attribute",
        looks: "an attribute (`#[arg(…)]`, `#[cfg(test)]`)",
        used_in: |l| l.contains("#[") || l.contains("#!["),
    },
    Construct {
        name: "test",
        looks: "a test (`#[test]`, `assert!`, `assert_eq!`)",
        used_in: |l| {
            l.contains("#[test]")
                || l.contains("#[cfg(test)]")
                || l.contains("assert")
        },
    },
    Construct {
        name: "macro",
        looks: "a macro call (`name!(…)`)",
        used_in: has_macro,
    },
    Construct {
        name: "format",
        looks: "`format!(…)`",
        used_in: |l| l.contains("format!("),
    },
    Construct {
        name: "tracing",
        looks: "a log line (`info!`, `warn!`, `debug!`)",
        used_in: |l| {
            ["info!(", "warn!(", "debug!(", "error!(", "trace!("]
                .iter()
                .any(|m| l.contains(m))
        },
    },
    Construct {
        name: "vec",
        looks: "`vec![…]`",
        used_in: |l| l.contains("vec!["),
    },
    Construct {
        name: "loops",
        looks: "`loop`, `while` or `for … in`",
        used_in: |l| {
            has_word(l, "loop")
                || has_word(l, "while")
                || (has_word(l, "for") && has_word(l, "in") && !starts_impl(l))
        },
    },
    Construct {
        name: "expression",
        looks: "a block that gives a value (`= if …`, `= loop`, `break \
                value`)",
        used_in: |l| {
            l.contains("= if ")
                || l.contains("= loop")
                || l.split("break ").skip(1).any(|rest| !rest.starts_with(';'))
        },
    },
    Construct {
        name: "const",
        looks: "a `const`",
        used_in: |l| {
            let l = l.trim_start();
            l.starts_with("const ") || l.starts_with("pub const ")
        },
    },
    Construct {
        name: "use",
        looks: "`use`, `mod` or `pub`",
        used_in: |l| is_use(l) || has_word(l, "mod") || has_word(l, "pub"),
    },
    Construct {
        name: "into",
        looks: "a conversion (`.into()`, `Type::from(…)`)",
        used_in: |l| {
            l.contains(".into()")
                || l.contains("::from(")
                || l.contains(".into(")
        },
    },
    Construct {
        name: "cast",
        looks: "an `as` cast (`n as u64`)",
        used_in: has_cast,
    },
    Construct {
        name: "turbofish",
        looks: "`::<Type>` (`text.parse::<usize>()`)",
        used_in: |l| l.contains("::<"),
    },
];

fn is_ident(c: char) -> bool {
    c.is_alphanumeric() || c == '_'
}

/// Does `word` occur in the line as a whole word?
pub fn has_word(line: &str, word: &str) -> bool {
    line.match_indices(word).any(|(at, _)| {
        let before = line[..at].chars().next_back();
        let after = line[at + word.len()..].chars().next();
        !before.is_some_and(is_ident) && !after.is_some_and(is_ident)
    })
}

/// `impl Type`, `impl<T> Trait for Type`: the start of an impl block.
fn starts_impl(line: &str) -> bool {
    let line = line.trim_start();
    line.starts_with("impl ") || line.starts_with("impl<")
}

fn is_use(line: &str) -> bool {
    let line = line.trim_start();
    line.starts_with("use ") || line.starts_with("pub use ")
}

/// `'a`, `'_`, `'static`: a quote followed by a name. (Character literals
/// are blanked to `' '` before this runs.)
fn has_lifetime(line: &str) -> bool {
    line.match_indices('\'')
        .any(|(at, _)| line[at + 1..].chars().next().is_some_and(is_ident))
}

/// `*name`, `*(…)`, `&*x`: a `*` with no space after it that does not
/// follow a value (rustfmt spaces a multiplication: `a * b`).
fn has_deref(line: &str) -> bool {
    let chars: Vec<char> = line.chars().collect();
    chars.iter().enumerate().any(|(i, &c)| {
        let before = i.checked_sub(1).map(|b| chars[b]);
        let after = chars.get(i + 1).copied();
        c == '*'
            && after.is_some_and(|a| is_ident(a) || matches!(a, '(' | '&'))
            && !before.is_some_and(|b| is_ident(b) || matches!(b, ')' | ']'))
    })
}

/// `|e| …`, `|(a, b)| …`, `|| …` where a value may start: after `(`, `,`,
/// `=` or `move`. (`a || b` and the patterns `A | B` are not closures.)
fn has_closure(line: &str) -> bool {
    let chars: Vec<char> = line.chars().collect();
    chars.iter().enumerate().any(|(i, &c)| {
        if c != '|' || (i > 0 && chars[i - 1] == '|') {
            return false;
        }
        let before: String = chars[..i].iter().collect();
        let before = before.trim_end();
        let starts_value = before.is_empty()
            || before.ends_with('(')
            || before.ends_with(',')
            || before.ends_with('=')
            || before.ends_with("move");
        let next = chars.get(i + 1).copied();
        let opens = next == Some('|')
            || next.is_some_and(|n| n != ' ' && n != '=')
                && chars[i + 1..].contains(&'|');
        starts_value && opens && !before.ends_with("==")
    })
}

/// `self.0`, `slot.1`: a tuple struct's (or tuple's) field, not a number.
fn has_tuple_field(line: &str) -> bool {
    let chars: Vec<char> = line.chars().collect();
    chars.windows(3).any(|w| {
        w[1] == '.'
            && w[2].is_ascii_digit()
            && (w[0].is_alphabetic() || w[0] == '_' || w[0] == ')')
    })
}

/// `name!(`, `name![`, `name!{`: a macro call.
fn has_macro(line: &str) -> bool {
    let chars: Vec<char> = line.chars().collect();
    chars.windows(3).any(|w| {
        is_ident(w[0]) && w[1] == '!' && matches!(w[2], '(' | '[' | '{')
    })
}

/// `x as u64`: `as` followed by a number type (not `use a as b`).
fn has_cast(line: &str) -> bool {
    const NUMBERS: &[&str] = &[
        "u8", "u16", "u32", "u64", "u128", "usize", "i8", "i16", "i32", "i64",
        "i128", "isize", "f32", "f64", "char",
    ];
    line.split(" as ").skip(1).any(|rest| {
        let name: String = rest.chars().take_while(|&c| is_ident(c)).collect();
        NUMBERS.contains(&name.as_str())
    })
}

/// Rust code as the recognisers read it: each line without its comment,
/// with the insides of string and character literals blanked (so a `?` or
/// a `'` in a message is not code). Lifetimes stay.
pub fn code_for_constructs(text: &str) -> Vec<String> {
    let code: Vec<String> = split_comments(text, Language::Rust)
        .into_iter()
        .map(|(code, _)| code)
        .collect();
    let joined = code.join("\n");
    blank_literals(&joined)
        .lines()
        .map(str::to_string)
        .collect()
}

/// Blanks what is inside `"…"`, `r#"…"#` and `'x'` (escapes too), keeping
/// the quotes and the line breaks.
fn blank_literals(code: &str) -> String {
    let chars: Vec<char> = code.chars().collect();
    let mut out = String::with_capacity(code.len());
    let blank = |c: char| if c == '\n' { '\n' } else { ' ' };
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        // A raw string: r"…", r#"…"#, br"…" (not the end of a name).
        let raw_start = c == 'r'
            && match i.checked_sub(1).map(|p| chars[p]) {
                None => true,
                Some('b') => i < 2 || !is_ident(chars[i - 2]),
                Some(p) => !is_ident(p),
            };
        if raw_start {
            let hashes =
                chars[i + 1..].iter().take_while(|&&h| h == '#').count();
            if chars.get(i + 1 + hashes) == Some(&'"') {
                out.push('r');
                out.extend(std::iter::repeat_n('#', hashes));
                out.push('"');
                i += hashes + 2;
                while i < chars.len() {
                    let closes = chars[i] == '"'
                        && chars[i + 1..]
                            .iter()
                            .take(hashes)
                            .filter(|&&h| h == '#')
                            .count()
                            == hashes;
                    if closes {
                        out.push('"');
                        out.extend(std::iter::repeat_n('#', hashes));
                        i += hashes + 1;
                        break;
                    }
                    out.push(blank(chars[i]));
                    i += 1;
                }
                continue;
            }
        }
        if c == '"' {
            out.push('"');
            i += 1;
            while i < chars.len() && chars[i] != '"' {
                if chars[i] == '\\' {
                    out.push(' ');
                    i += 1;
                }
                if let Some(&k) = chars.get(i) {
                    out.push(blank(k));
                }
                i += 1;
            }
            if i < chars.len() {
                out.push('"');
            }
            i += 1;
            continue;
        }
        // A character literal ('x', '\n', '\u{2014}'), not a lifetime ('a).
        if c == '\'' {
            let end = if chars.get(i + 1) == Some(&'\\') {
                chars
                    .get(i + 3..)
                    .and_then(|rest| rest.iter().position(|&k| k == '\''))
                    .map(|offset| i + 3 + offset)
            } else if chars.get(i + 2) == Some(&'\'') {
                Some(i + 2)
            } else {
                None
            };
            if let Some(end) = end {
                out.push('\'');
                out.extend(std::iter::repeat_n(' ', end - i - 1));
                out.push('\'');
                i = end + 1;
                continue;
            }
        }
        out.push(c);
        i += 1;
    }
    out
}

/// The constructs a block of Rust uses, each with the first line (from 1)
/// that uses it and that line's code.
pub fn constructs_used(body: &str) -> Vec<(&'static Construct, usize, String)> {
    let lines = code_for_constructs(body);
    let shown: Vec<String> = split_comments(body, Language::Rust)
        .into_iter()
        .map(|(code, _)| code.trim().to_string())
        .collect();
    CONSTRUCTS
        .iter()
        .filter_map(|construct| {
            let index = lines.iter().position(|l| (construct.used_in)(l))?;
            let code = shown.get(index).cloned().unwrap_or_default();
            Some((construct, index + 1, code))
        })
        .collect()
}

/// The names that a page's `<!-- explains: NAME -->` markers give, with
/// the markers' lines; a name the checker does not know is a problem.
pub fn explained(
    page: &str,
    elements: &[Located],
) -> (Vec<String>, Vec<String>) {
    let mut names = Vec::new();
    let mut problems = Vec::new();
    for located in elements {
        let Element::Marker { kind, args } = &located.element else {
            continue;
        };
        if kind != "explains" {
            continue;
        }
        for name in args.split_whitespace() {
            if CONSTRUCTS.iter().any(|c| c.name == name) {
                names.push(name.to_string());
            } else {
                problems.push(format!(
                    "{page}:{}: `<!-- explains: {name} -->` names no \
                     construct the checker knows (the list, `CONSTRUCTS` in \
                     docs/src/explains.rs: {})",
                    located.line,
                    CONSTRUCTS
                        .iter()
                        .map(|c| c.name)
                        .collect::<Vec<_>>()
                        .join(", ")
                ));
            }
        }
    }
    (names, problems)
}

/// Every construct that a `rust` block of chapter `doc` uses has its
/// `<!-- explains: NAME -->` marker in `page` (that tree's Reading the
/// Rust), whose marker names are `explained`.
pub fn check_explained(
    doc: &str,
    elements: &[Located],
    page: &str,
    explained: &[String],
) -> Vec<String> {
    let mut problems = Vec::new();
    // Each construct once per chapter, at its first use.
    let mut reported: Vec<&str> = Vec::new();
    for located in elements {
        let Element::Fence { info, body } = &located.element else {
            continue;
        };
        if info.split_whitespace().next() != Some("rust") {
            continue;
        }
        for (construct, line, code) in constructs_used(body) {
            if explained.iter().any(|name| name == construct.name)
                || reported.contains(&construct.name)
            {
                continue;
            }
            reported.push(construct.name);
            problems.push(format!(
                "{doc}:{}: this Rust uses {} (`{code}`), which {page} does \
                 not explain: explain it there, briefly and tied to what the \
                 program does with it, at a line `<!-- explains: {} -->` \
                 (see docs/README.md)",
                located.line + line,
                construct.looks,
                construct.name
            ));
        }
    }
    problems
}
