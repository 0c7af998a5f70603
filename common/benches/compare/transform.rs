//! The upper-case transform alone, without sockets: common::to_upper
//! against Python's str.upper() on the same text.

use std::process::Command;
use std::time::{Duration, Instant};

use crate::Settings;
use crate::procs::{self, Programs};
use crate::report::Report;
use crate::table::ratio;

/// An English pangram, and a Korean one (every basic consonant). Korean
/// has no case: upper() leaves it as it is, but still looks up each
/// character.
const ASCII_TEXT: &str = "the quick brown fox jumps over the lazy dog. ";
const KOREAN_TEXT: &str = "다람쥐 헌 쳇바퀴에 타고파. ";

/// Times Python's str.upper() on `unit * k`, and the server's whole
/// transform, bytes.decode().upper().encode(), after checking its result
/// against ours. Prints: equal? MB/s MB/s.
const PYTHON_TIMING: &str = r#"
import sys, time
unit, want = sys.stdin.buffer.read().decode().split("\n")[:2]
k, budget = int(sys.argv[1]), float(sys.argv[2])
text = unit * k
data = text.encode()
def rate(f):
    rounds, start = 0, time.perf_counter()
    while True:
        f()
        rounds += 1
        spent = time.perf_counter() - start
        if spent >= budget or rounds >= 100000:
            return len(data) * rounds / spent / 1e6
print(text.upper() == want * k, rate(text.upper),
      rate(lambda: data.decode().upper().encode()))
"#;

pub fn transform(
    programs: &Programs,
    settings: &Settings,
    report: &mut Report,
) {
    let test = "transform";
    for (name, unit) in [("ASCII", ASCII_TEXT), ("Korean", KOREAN_TEXT)] {
        let repeat = settings.transform_bytes.div_ceil(unit.len());
        let text = unit.repeat(repeat);
        // Our result is checked against std's str::to_uppercase, and
        // Python's against ours (on one unit; the text repeats it).
        let ours_ok =
            common::to_upper(text.as_bytes()) == text.to_uppercase().as_bytes();
        let rust = rust_rate(text.as_bytes(), settings.transform_time);
        report.transform_row(
            test,
            &format!("common::to_upper, {name}"),
            rust,
            ours_ok,
            "ref".into(),
        );

        let mut command = Command::new(&programs.python);
        command.args([
            "-c",
            PYTHON_TIMING,
            &repeat.to_string(),
            &settings.transform_time.as_secs_f64().to_string(),
        ]);
        let want = String::from_utf8_lossy(&common::to_upper(unit.as_bytes()))
            .into_owned();
        let input = format!("{unit}\n{want}\n");
        let printed = procs::run_to_end(
            command,
            input.as_bytes(),
            Duration::from_secs(30),
        )
        .map(|run| String::from_utf8_lossy(&run.stdout).into_owned());
        let words: Vec<&str> = match &printed {
            Ok(out) => out.split_whitespace().collect(),
            Err(_) => Vec::new(),
        };
        let rates: Vec<f64> = words
            .iter()
            .skip(1)
            .filter_map(|w| w.parse().ok())
            .collect();
        let (Some(&same), [upper, codec]) = (words.first(), &rates[..]) else {
            let error = printed.err().unwrap_or_else(|| "no rates".into());
            report.error_row(test, &format!("python3, {name}"), &error);
            continue;
        };
        for (label, rate) in [
            ("str.upper()", upper),
            ("bytes.decode().upper().encode()", codec),
        ] {
            report.transform_row(
                test,
                &format!("python3 {label}, {name}"),
                *rate,
                same == "True",
                format!("speed {} of Rust", ratio(rate / rust)),
            );
        }
    }
}

/// common::to_upper's speed on `text`, in MB/s (10^6 bytes of input).
fn rust_rate(text: &[u8], time: Duration) -> f64 {
    let started = Instant::now();
    let mut rounds: u64 = 0;
    while rounds < 100_000 && (rounds == 0 || started.elapsed() < time) {
        // black_box: the optimizer may not skip work whose result is
        // never used, nor do it once for all rounds.
        std::hint::black_box(common::to_upper(std::hint::black_box(text)));
        rounds += 1;
    }
    let seconds = started.elapsed().as_secs_f64().max(1e-9);
    text.len() as f64 * rounds as f64 / seconds / 1e6
}
