//! The cases of each exercise. Each check starts the program under test
//! on loopback against a server or client of the checker's own, with
//! sentences, ports, losses and delays drawn anew on every run, and
//! returns one [`Case`] per thing it checks.

pub mod boundaries;
pub mod many;
pub mod pinger;
pub mod ports;
pub mod served;
pub mod web;

use crate::report::Case;
use crate::text::Lang;
use crate::tr;

/// What every check needs to know.
pub struct Options {
    pub lang: Lang,
    /// The port of the first case (the lecture's 12000 unless --port);
    /// 0 for a free one. The other cases always take free ports, so a
    /// program that ignores its PORT argument is caught.
    pub port: u16,
    /// Said on a terminal while a case takes seconds.
    pub progress: Box<dyn Fn(&str) + Send + Sync>,
}

/// Words for the sentences: lower case, as the lecture's prompt asks.
const WORDS: &[&str] = &[
    "socket",
    "datagram",
    "packet",
    "router",
    "port",
    "server",
    "client",
    "stream",
    "buffer",
    "kernel",
    "network",
    "loopback",
    "address",
    "host",
    "segment",
    "handshake",
    "window",
    "queue",
    "timer",
    "checksum",
    "frame",
    "link",
    "layer",
    "header",
    "payload",
    "protocol",
    "reply",
    "request",
    "bind",
    "listen",
    "accept",
    "connect",
    "send",
    "receive",
    "close",
    "lossy",
    "quick",
    "brown",
    "fox",
    "lazy",
    "dog",
    "rust",
    "python",
];

/// A sentence of three to six random words, sometimes with a digit or
/// punctuation, never the same twice in a run.
pub fn sentence(random: &mut fastrand::Rng) -> String {
    let count = random.usize(3..=6);
    let mut words: Vec<String> = (0..count)
        .map(|_| WORDS[random.usize(..WORDS.len())].to_string())
        .collect();
    if random.bool() {
        words.push(random.u32(2..1000).to_string());
    }
    let mut text = words.join(" ");
    if random.bool() {
        text.push(['.', '!', '?', ','][random.usize(..4)]);
    }
    text
}

/// ASCII upper case, as the servers answer (the sentences are ASCII).
pub fn upper(bytes: &[u8]) -> Vec<u8> {
    bytes.to_ascii_uppercase()
}

/// A book section to read: `docs/en/udp-client.md § Line by line`.
pub fn section(lang: Lang, chapter: &str, en: &str, ko: &str) -> String {
    match lang {
        Lang::En => format!("docs/en/{chapter}.md § {en}"),
        Lang::Ko => format!("docs/ko/{chapter}.md § {ko}"),
    }
}

/// The exercise page.
pub fn page(lang: Lang, name: &str) -> String {
    match lang {
        Lang::En => format!("docs/en/exercises/{name}.md"),
        Lang::Ko => format!("docs/ko/exercises/{name}.md"),
    }
}

/// A case that could not be reached, with the same wording everywhere.
pub fn skipped(id: &'static str, what: String) -> Case {
    Case::new(id, what).skip()
}

/// "nothing" in the report's `got:` line.
pub fn nothing(lang: Lang) -> String {
    tr!(lang, "nothing", "아무것도 오지 않음")
}
