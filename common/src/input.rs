use std::io::{self, BufRead, Write};

use crate::Error;

/// Python's `input(prompt)`: prints the prompt with no newline, reads one
/// line from standard input and returns it without its `\n`.
///
/// The line is kept as bytes, whatever they are: the client sends exactly
/// what was typed. Where Python's `input()` would raise `EOFError` (standard
/// input closed before a line), this returns an error.
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
    if line.last() == Some(&b'\n') {
        line.pop();
    }
    Ok(line)
}
