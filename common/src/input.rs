use std::io::{self, BufRead, BufReader, IsTerminal, Read, StdinLock, Write};

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
    let mut line = Vec::new();
    input_stream(prompt)?.read_to_end(&mut line)?;
    Ok(line)
}

/// [`input`] for a line of any length: prints the prompt, then gives the
/// line a piece at a time as it is read, so that a program can send each
/// piece on before the next is read instead of holding the whole line.
pub fn input_stream(
    prompt: &str,
) -> Result<Line<BufReader<StdinLock<'static>>>, Error> {
    let mut stdout = io::stdout();
    stdout.write_all(prompt.as_bytes())?;
    stdout.flush()?;
    // Pieces of up to 64 KiB, not the 8 KiB of standard input's own
    // buffer: an eighth of the reads and sends for a long line.
    let stdin = BufReader::with_capacity(64 * 1024, io::stdin().lock());
    Ok(Line::new(stdin, LineEnding::here()))
}

/// One line of `source`, read as Python's `input()` reads it: the bytes
/// up to the line ending, without it (see [`LineEnding::strip`]), then
/// the end of the stream. A read that finds `source` ended before a line
/// fails with [`io::ErrorKind::UnexpectedEof`], where Python raises
/// `EOFError`. What follows the line is left unread.
pub struct Line<R> {
    source: R,
    ending: LineEnding,
    /// Has any byte come, the line ending included?
    started: bool,
    /// At a terminal, a `\r` that ended a read: dropped if `\n` follows.
    held_cr: bool,
    /// The line ending has been read.
    done: bool,
}

impl<R: BufRead> Line<R> {
    pub fn new(source: R, ending: LineEnding) -> Self {
        Line {
            source,
            ending,
            started: false,
            held_cr: false,
            done: false,
        }
    }

    /// One step of [`Read::read`], which may give no byte while the line
    /// goes on (a `\r` held back).
    fn step(&mut self, out: &mut [u8]) -> io::Result<usize> {
        let available = self.source.fill_buf()?;
        if available.is_empty() {
            self.done = true;
            if !self.started {
                return Err(io::Error::new(
                    io::ErrorKind::UnexpectedEof,
                    "no sentence to send: standard input ended before a line",
                ));
            }
            // A held `\r` at the very end goes too, as `strip` drops it.
            return Ok(0);
        }
        self.started = true;
        if self.held_cr {
            self.held_cr = false;
            if available[0] == b'\n' {
                self.source.consume(1);
                self.done = true;
                return Ok(0);
            }
            out[0] = b'\r';
            return Ok(1);
        }
        let end = match self.ending {
            LineEnding::Windows => {
                available.iter().position(|&b| b == b'\r' || b == b'\n')
            }
            LineEnding::Unix | LineEnding::Terminal => {
                available.iter().position(|&b| b == b'\n')
            }
        };
        let terminal = self.ending == LineEnding::Terminal;
        let (piece, taken) = match end {
            Some(end) => (self.ending.strip(&available[..=end]), end + 1),
            None if terminal && available.ends_with(b"\r") => {
                (&available[..available.len() - 1], available.len())
            }
            None => (available, available.len()),
        };
        let length = piece.len().min(out.len());
        out[..length].copy_from_slice(&piece[..length]);
        if length < piece.len() {
            // The rest of the piece on the next read, looked at afresh.
            self.source.consume(length);
        } else {
            self.done = end.is_some();
            self.held_cr = end.is_none() && taken > piece.len();
            self.source.consume(taken);
        }
        Ok(length)
    }
}

impl<R: BufRead> Read for Line<R> {
    fn read(&mut self, out: &mut [u8]) -> io::Result<usize> {
        while !self.done && !out.is_empty() {
            let length = self.step(out)?;
            if length > 0 {
                return Ok(length);
            }
        }
        Ok(0)
    }
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
    use std::io::{BufReader, Read};

    use proptest::prelude::*;

    use super::Line;
    use super::LineEnding::{self, Terminal, Unix, Windows};

    /// What [`Line`] gives for `input`, read through a buffer of
    /// `capacity` bytes into pieces of at most `piece` bytes.
    fn streamed(
        input: &[u8],
        rule: LineEnding,
        capacity: usize,
        piece: usize,
    ) -> std::io::Result<Vec<u8>> {
        let reader = BufReader::with_capacity(capacity, input);
        let mut line = Line::new(reader, rule);
        let mut all = Vec::new();
        let mut buffer = vec![0; piece];
        loop {
            match line.read(&mut buffer)? {
                0 => return Ok(all),
                n => all.extend_from_slice(&buffer[..n]),
            }
        }
    }

    proptest! {
        /// Read a piece at a time, the line is what `strip` makes of it
        /// whole, however the reads fall: a `\r\n` split between two
        /// reads is still one line ending at a terminal.
        #[test]
        fn a_line_in_pieces_is_the_stripped_line(
            input in proptest::collection::vec(
                prop_oneof![Just(b'a'), Just(b'\r'), Just(b'\n')], 1..24),
            capacity in 1usize..6,
            piece in 1usize..6,
        ) {
            let line_end = input.iter().position(|&b| b == b'\n');
            let line = &input[..line_end.map_or(input.len(), |end| end + 1)];
            for rule in [Unix, Windows, Terminal] {
                let got = streamed(&input, rule, capacity, piece).unwrap();
                prop_assert_eq!(got, rule.strip(line), "{:?}", rule);
            }
        }
    }

    #[test]
    fn a_stream_that_ends_before_a_line_is_python_s_eof_error() {
        let error = streamed(b"", Unix, 8, 8).unwrap_err();
        assert_eq!(error.kind(), std::io::ErrorKind::UnexpectedEof);
        // An empty line is a line.
        assert_eq!(streamed(b"\n", Unix, 8, 8).unwrap(), b"");
    }

    #[test]
    fn what_follows_the_line_is_left_unread() {
        let mut reader = BufReader::new(&b"one\ntwo\n"[..]);
        let mut line = Vec::new();
        Line::new(&mut reader, Unix).read_to_end(&mut line).unwrap();
        assert_eq!(line, b"one");
        let mut rest = Vec::new();
        reader.read_to_end(&mut rest).unwrap();
        assert_eq!(rest, b"two\n");
    }

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
