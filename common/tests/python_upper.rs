//! `common::to_upper` against Python's `str.upper()`, code point by code
//! point, with the Python 3 of this machine as the reference.
//!
//! The two may differ only where Python's Unicode database is older than
//! Rust's, and only through characters Python does not know yet (category
//! `Cn` there): a new character that Rust upper-cases and Python leaves as
//! it is, or an old one whose capital was added later (`ƛ` got `Ƛ`, U+A7DC,
//! in Unicode 16). Those are listed on the test's output and allowed; every
//! other difference fails.
// Test code: a panic here is a failed test, with its message.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

#[path = "support/mod.rs"]
mod support;

use std::collections::HashMap;
use std::process::Command;

/// Prints `cp upper1 upper2 ...` (hex) for every code point Python's
/// `upper()` changes, then `unassigned a b` ranges for category Cn.
const SCRIPT: &str = r#"
import sys, unicodedata
print("version", unicodedata.unidata_version)
start = None
for cp in range(0x110000):
    if 0xD800 <= cp <= 0xDFFF:
        continue
    c = chr(cp)
    u = c.upper()
    if u != c:
        print("upper", format(cp, "x"), *(format(ord(x), "x") for x in u))
    cn = unicodedata.category(c) == "Cn"
    if cn and start is None:
        start = cp
    if not cn and start is not None:
        print("unassigned", format(start, "x"), format(cp - 1, "x"))
        start = None
if start is not None:
    print("unassigned", format(start, "x"), "10ffff")
"#;

fn hex(text: &str) -> u32 {
    u32::from_str_radix(text, 16).expect("hex from the script")
}

#[test]
fn every_code_point_upper_cases_as_in_python() {
    // A missing python3 fails here with how to install it.
    let mut python = Command::new("python3");
    python.args(["-c", SCRIPT]);
    let output = support::run(python, b"");
    assert!(output.status.success(), "{}", output.stderr);
    let text = String::from_utf8(output.stdout).expect("ASCII output");

    let mut python_version = "";
    let mut python: HashMap<u32, String> = HashMap::new();
    let mut unassigned: Vec<(u32, u32)> = Vec::new();
    for line in text.lines() {
        let mut words = line.split(' ');
        match words.next() {
            Some("version") => python_version = words.next().unwrap_or(""),
            Some("upper") => {
                let cp = hex(words.next().expect("code point"));
                let upper = words
                    .map(|w| char::from_u32(hex(w)).expect("a char"))
                    .collect();
                python.insert(cp, upper);
            }
            Some("unassigned") => {
                let first = hex(words.next().expect("first"));
                let last = hex(words.next().expect("last"));
                unassigned.push((first, last));
            }
            _ => panic!("unexpected line {line:?}"),
        }
    }
    assert!(python.len() > 1000, "too few mappings: {}", python.len());
    let is_unassigned = |cp: u32| {
        unassigned
            .iter()
            .any(|&(first, last)| (first..=last).contains(&cp))
    };

    let mut newer = Vec::new();
    let mut wrong = Vec::new();
    for c in (0..0x11_0000).filter_map(char::from_u32) {
        let mut buffer = [0; 4];
        let bytes = c.encode_utf8(&mut buffer).as_bytes();
        let ours = String::from_utf8(common::to_upper(bytes))
            .expect("valid UTF-8 in, valid UTF-8 out");
        let theirs =
            python.get(&(c as u32)).cloned().unwrap_or_else(|| c.into());
        if ours != theirs {
            let new_to_python = std::iter::once(c)
                .chain(ours.chars())
                .any(|x| is_unassigned(x as u32));
            if new_to_python {
                newer.push(format!("U+{:04X} -> {ours}", c as u32));
            } else {
                wrong.push(format!(
                    "U+{:04X}: Rust {ours:?}, Python {theirs:?}",
                    c as u32
                ));
            }
        }
    }
    println!(
        "Python's Unicode {python_version}, Rust's {:?}: {} characters \
         or capitals newer than Python's database are upper-cased by Rust only:",
        char::UNICODE_VERSION,
        newer.len()
    );
    for line in &newer {
        println!("  {line}");
    }
    assert!(
        wrong.is_empty(),
        "{} code points differ from Python: {:#?}",
        wrong.len(),
        &wrong[..wrong.len().min(20)]
    );
}
