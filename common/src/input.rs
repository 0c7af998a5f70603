use std::io::{self, BufRead, IsTerminal, Write};

use crate::Error;

/// Python's `input(prompt)`: prints the prompt with no newline, reads one
/// line from standard input and returns it without its line ending, as
/// Python would strip it on this system (see [`LineEnding`]).
///
/// The line is kept as bytes, whatever they are: the client sends exactly
/// what Python's client would send. Where Python's `input()` would raise
/// `EOFError` (standard input closed before a line), this returns an
/// error.
pub fn input(prompt: &str) -> Result<Vec<u8>, Error> {
    let mut stdout = io::stdout();
    stdout.write_all(prompt.as_bytes())?;
    stdout.flush()?;

    let mut line = Vec::new();
    let read = io::stdin().lock().read_until(b'\n', &mut line)?;
    if read == 0 {
        return Err(Error::new(
            "no sentence to send: standard input ended before a line",
        ));
    }
    let kept = LineEnding::here().strip(&line).len();
    line.truncate(kept);
    Ok(line)
}

/// Where a line ends for Python's `input()`, which depends on the system
/// and on whether a person types at a terminal or a program pipes the
/// text in.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LineEnding {
    /// A pipe or a file on Linux or macOS: Python splits lines at `\n`
    /// and drops only the `\n`. A `\r` before it is part of the sentence
    /// (`printf 'hello\r\n' | python3 udp_client.py` sends `hello\r`).
    Unix,
    /// A pipe or a file on Windows: Python reads standard input in text
    /// mode, which takes `\r\n`, `\r` and `\n` alike as the end of a line.
    Windows,
    /// A terminal (standard input and output both), on any system:
    /// Python's own line reader drops the `\n` and one `\r` before it. A
    /// Windows console ends every typed line in `\r\n`.
    Terminal,
}

impl LineEnding {
    /// The rule that Python's `input()` follows for this process.
    pub fn here() -> LineEnding {
        if io::stdin().is_terminal() && io::stdout().is_terminal() {
            LineEnding::Terminal
        } else if cfg!(windows) {
            LineEnding::Windows
        } else {
            LineEnding::Unix
        }
    }

    /// `line` (as read up to and with its `\n`) without its line ending.
    pub fn strip(self, line: &[u8]) -> &[u8] {
        let without_lf = line.strip_suffix(b"\n").unwrap_or(line);
        match self {
            LineEnding::Unix => without_lf,
            LineEnding::Windows => {
                let end = line.iter().position(|&b| b == b'\r' || b == b'\n');
                &line[..end.unwrap_or(line.len())]
            }
            LineEnding::Terminal => {
                without_lf.strip_suffix(b"\r").unwrap_or(without_lf)
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::LineEnding::{Terminal, Unix, Windows};

    #[test]
    fn on_linux_and_macos_a_piped_cr_is_part_of_the_sentence() {
        assert_eq!(Unix.strip(b"hello\n"), b"hello");
        assert_eq!(Unix.strip(b"hello\r\n"), b"hello\r");
        assert_eq!(Unix.strip(b"a\rb\n"), b"a\rb");
        assert_eq!(Unix.strip(b"hello\r"), b"hello\r");
        assert_eq!(Unix.strip(b"hello"), b"hello");
        assert_eq!(Unix.strip(b"\n"), b"");
    }

    #[test]
    fn on_windows_cr_lf_cr_and_lf_each_end_a_piped_line() {
        assert_eq!(Windows.strip(b"hello\r\n"), b"hello");
        assert_eq!(Windows.strip(b"hello\n"), b"hello");
        assert_eq!(Windows.strip(b"hello\r"), b"hello");
        // Text mode ends the line at the first `\r`; the rest is the next
        // line, which the client never reads.
        assert_eq!(Windows.strip(b"a\rb\n"), b"a");
        assert_eq!(Windows.strip(b"hello"), b"hello");
        assert_eq!(Windows.strip(b"\r\n"), b"");
    }

    #[test]
    fn at_a_terminal_one_cr_before_the_lf_goes_too() {
        assert_eq!(Terminal.strip(b"hello\r\n"), b"hello");
        assert_eq!(Terminal.strip(b"hello\n"), b"hello");
        assert_eq!(Terminal.strip(b"hello\r\r\n"), b"hello\r");
        assert_eq!(Terminal.strip(b"a\rb\n"), b"a\rb");
        assert_eq!(Terminal.strip(b"\r\n"), b"");
        assert_eq!(Terminal.strip(b"hello"), b"hello");
    }

    #[test]
    fn bytes_that_are_not_utf_8_are_kept() {
        for rule in [Unix, Windows, Terminal] {
            assert_eq!(rule.strip(b"\xff\xfe\n"), b"\xff\xfe");
        }
    }
}
