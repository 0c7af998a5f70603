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

/// A heading of a chapter, in both books.
#[derive(Clone, Copy, Debug)]
pub struct Heading {
    pub en: &'static str,
    pub ko: &'static str,
}

/// Headings that each of the four program chapters has.
pub const LINE_BY_LINE: Heading = Heading {
    en: "Line by line",
    ko: "한 줄씩 보기",
};
pub const LECTURE_LISTING: Heading = Heading {
    en: "The lecture listing",
    ko: "강의 리스팅",
};
pub const IDEAS: Heading = Heading {
    en: "The lecture's ideas",
    ko: "강의의 핵심 개념",
};
/// Headings of what-goes-wrong.md.
pub const LOST_DATAGRAM: Heading = Heading {
    en: "A lost datagram",
    ko: "손실된 데이터그램",
};
pub const LONGER_THAN_BUFFER: Heading = Heading {
    en: "A message longer than the buffer",
    ko: "버퍼보다 긴 메시지",
};
/// Headings of the exercises and chapters that only some checks name.
pub const A_REPLY_IN_PIECES: Heading = Heading {
    en: "A reply in pieces: TCP is a byte stream",
    ko: "조각난 응답: TCP는 바이트 스트림이다",
};
pub const NOT_UTF8: Heading = Heading {
    en: "Bytes that are not UTF-8",
    ko: "UTF-8이 아닌 바이트",
};
pub const BOUNDARIES_OVER_TCP: Heading = Heading {
    en: "3. Message boundaries over TCP",
    ko: "3. TCP의 메시지 경계",
};
pub const GOAL: Heading = Heading {
    en: "Goal",
    ko: "목표",
};
pub const HINTS: Heading = Heading {
    en: "Hints",
    ko: "힌트",
};

/// Every section a report may name: the chapters, and the heading each
/// of them must have (a test reads the books for it). A new heading
/// above goes here too.
#[cfg(test)]
const SECTIONS: &[(&[&str], Heading)] = &[
    (PROGRAM_CHAPTERS, LINE_BY_LINE),
    (PROGRAM_CHAPTERS, LECTURE_LISTING),
    (PROGRAM_CHAPTERS, IDEAS),
    (&["what-goes-wrong"], LOST_DATAGRAM),
    (&["what-goes-wrong"], LONGER_THAN_BUFFER),
    (&["what-goes-wrong"], A_REPLY_IN_PIECES),
    (&["what-goes-wrong"], NOT_UTF8),
    (&["going-further"], BOUNDARIES_OVER_TCP),
    (&["exercises/web-server", "exercises/boundaries"], GOAL),
    (&["exercises/web-server", "exercises/boundaries"], HINTS),
];

#[cfg(test)]
const PROGRAM_CHAPTERS: &[&str] =
    &["udp-client", "udp-server", "tcp-client", "tcp-server"];

/// A book section to read: `docs/en/udp-client.md § Line by line`.
pub fn section(lang: Lang, chapter: &str, heading: Heading) -> String {
    match lang {
        Lang::En => format!("docs/en/{chapter}.md § {}", heading.en),
        Lang::Ko => format!("docs/ko/{chapter}.md § {}", heading.ko),
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

#[cfg(test)]
mod tests {
    use super::*;

    /// The `##` headings of a chapter, as written.
    fn headings(path: &std::path::Path) -> Vec<String> {
        std::fs::read_to_string(path)
            .unwrap_or_default()
            .lines()
            .filter_map(|line| line.strip_prefix("## "))
            .map(str::to_string)
            .collect()
    }

    /// Which named sections a book lacks.
    fn missing(docs: &std::path::Path) -> Vec<String> {
        let mut missing = Vec::new();
        for (chapters, heading) in SECTIONS {
            for chapter in *chapters {
                for (lang, title) in [("en", heading.en), ("ko", heading.ko)] {
                    let file = docs.join(lang).join(format!("{chapter}.md"));
                    if !headings(&file).iter().any(|h| h == title) {
                        missing.push(format!(
                            "docs/{lang}/{chapter}.md § {title}"
                        ));
                    }
                }
            }
        }
        missing
    }

    #[test]
    fn every_section_named_is_a_heading_of_the_book() {
        let docs = crate::workspace().join("docs");
        assert_eq!(missing(&docs), Vec::<String>::new());
        // The rule can fail: a book without those chapters lacks them all.
        let empty = missing(&docs.join("no-such-book"));
        let named: usize = SECTIONS.iter().map(|(c, _)| c.len()).sum();
        assert_eq!(empty.len(), 2 * named, "{empty:?}");
        assert!(
            empty.contains(&"docs/ko/udp-server.md § 강의 리스팅".to_string())
        );
    }
}
