//! `cargo lab`: practice with feedback. See docs/en/practice.md.
//!
//! ```text
//! cargo lab list                         every exercise, its starter, its state
//! cargo lab check pinger                 build the starter and check it
//! cargo lab check pinger -- python3 my_pinger.py    check any program
//! cargo lab watch pinger                 check again on every save
//! cargo lab grade submissions/           grade a folder of submissions
//! ```
//!
//! The exercises: udp-client, udp-server, tcp-client, tcp-server (the
//! lecture's four programs, ported), pinger (the textbook's UDP pinger
//! lab), boundaries (a TCP server that answers the whole line however it
//! arrives) and web-server (the textbook's web server lab, run in a folder
//! of files the checker fills, asked with its own HTTP client, curl and a
//! headless Chromium when installed; `LAB_CHROMIUM` names another browser,
//! or none when empty).
//!
//! Each check runs the program on loopback against the checker's own
//! server or client, with sentences, losses, files and ports drawn anew on
//! every run, prints a line per case (✓ or ✗ and what it checks) and, for
//! each failure, what was expected, what came, a hint and the section to
//! read; then `N passed, M failed`. It exits with 0 only when no case
//! failed (a client that is not installed is skipped, and says so).
//!
//! The exercises: the four ports of the lecture (`udp-client`,
//! `udp-server`, `tcp-client`, `tcp-server`), the textbook's `pinger`,
//! serving many clients (`concurrent-server`, the fix for the iterative
//! server, then one per model: `many-pool`, `many-mio`, `many-tokio`), a
//! line in pieces (`boundaries`) and the textbook's `web-server`.

mod checks;
mod exercises;
mod grade;
mod program;
mod report;
mod text;

use std::ffi::OsString;
use std::fs;
use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode, Stdio};
use std::thread;
use std::time::{Duration, SystemTime};

use clap::{Parser, Subcommand};

use checks::Options;
use exercises::{EXERCISES, Exercise};
use program::{Program, Stop};
use report::Paint;
use text::Lang;

#[derive(Parser)]
#[command(
    name = "cargo lab",
    about = "Practice with feedback: check your own \
    socket programs, Rust or Python, against the lab's cases"
)]
struct Args {
    /// Language of the messages (default: from the locale, LANG)
    #[arg(long, global = true, value_parser = Lang::parse)]
    lang: Option<Lang>,
    #[command(subcommand)]
    command: Commands,
}

#[derive(Subcommand)]
enum Commands {
    /// Every exercise, its starter's path and its state
    List,
    /// Build the exercise's starter (or take PROGRAM) and check it
    Check {
        /// The exercise: udp-client, udp-server, tcp-client, tcp-server,
        /// pinger, concurrent-server, many-pool, many-mio, many-tokio,
        /// boundaries, web-server
        name: String,
        /// Port of the first case (the other cases take free ports)
        #[arg(long, default_value_t = 12000)]
        port: u16,
        /// Check this program instead of the starter; it is given HOST
        /// PORT after ARGS (or where ARGS say {host} and {port})
        #[arg(last = true, value_name = "PROGRAM ARGS")]
        program: Vec<OsString>,
    },
    /// Check the starter again on every save
    Watch {
        name: String,
        #[arg(long, default_value_t = 12000)]
        port: u16,
    },
    /// Check every submission of a folder (one folder per student) and
    /// write the table
    Grade {
        /// The submissions: DIR/STUDENT/pinger.py, DIR/STUDENT/pinger/
        /// (a Cargo package), ...
        dir: PathBuf,
        /// Where the table and the reports go (default: DIR/lab-report)
        #[arg(long)]
        out: Option<PathBuf>,
        /// Submissions checked at once (they mostly wait on the network)
        #[arg(long, default_value_t = 4)]
        jobs: usize,
        /// Only this exercise
        #[arg(long)]
        exercise: Option<String>,
    },
}

fn main() -> ExitCode {
    let args = Args::parse();
    let lang = args.lang.unwrap_or_else(Lang::from_locale);
    match args.command {
        Commands::List => list(lang),
        Commands::Check {
            name,
            port,
            program,
        } => check_command(&name, port, program, lang),
        Commands::Watch { name, port } => watch(&name, port, lang),
        Commands::Grade {
            dir,
            out,
            jobs,
            exercise,
        } => grade::grade(&dir, out, jobs.max(1), exercise.as_deref(), lang),
    }
}

/// The workspace's folder, where the starters are.
pub fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .ancestors()
        .nth(2)
        .unwrap_or(Path::new("."))
        .to_path_buf()
}

/// `target/<profile>`: where cargo put this program, and so where it
/// puts the starters it builds.
fn target_dir() -> PathBuf {
    std::env::current_exe()
        .ok()
        .and_then(|exe| exe.parent().map(Path::to_path_buf))
        .unwrap_or_else(|| workspace().join("target/debug"))
}

fn cargo() -> OsString {
    std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into())
}

/// Where `list` keeps the last result of each starter.
fn state_file(exercise: &Exercise) -> PathBuf {
    target_dir().join("lab-state").join(exercise.name)
}

fn not_found(name: &str, lang: Lang) -> ExitCode {
    let names: Vec<&str> = EXERCISES.iter().map(|e| e.name).collect();
    let said = tr!(
        lang,
        "error: no exercise {name:?}; the exercises: {}",
        "에러: {name:?}이라는 연습 문제는 없습니다. 연습 문제는 {}입니다",
        names.join(", ")
    );
    // Eleven names do not fit one line of 100 columns.
    warn!("{}", report::wrap(&said, 100).join("\n"));
    ExitCode::from(2)
}

fn list(lang: Lang) -> ExitCode {
    let root = workspace();
    // Hangul takes two columns: pad by width, not by characters.
    say!(
        "{}{}{}",
        report::pad(&tr!(lang, "EXERCISE", "연습 문제"), 20),
        report::pad(&tr!(lang, "STARTER", "시작 파일"), 44),
        tr!(lang, "STATE", "상태")
    );
    for exercise in EXERCISES {
        let source =
            fs::read_to_string(root.join(exercise.starter)).unwrap_or_default();
        let state = if exercises::still_todo(&source) {
            tr!(lang, "not started", "시작 전")
        } else {
            match fs::read_to_string(state_file(exercise)).as_deref() {
                Ok("passing") => tr!(lang, "passing", "통과"),
                Ok("failing") => tr!(lang, "failing", "실패"),
                _ => tr!(lang, "not checked yet", "아직 검사 전"),
            }
        };
        let name = report::pad(exercise.name, 20);
        let starter = report::pad(exercise.starter, 44);
        say!("{name}{starter}{state}");
    }
    say!();
    say!(
        "{}",
        tr!(
            lang,
            "Check one with `cargo lab check NAME`; see docs/en/practice.md.",
            "`cargo lab check NAME`으로 하나씩 검사하세요. docs/ko/practice.md를 참고하세요."
        )
    );
    ExitCode::SUCCESS
}

/// Builds the starter, as cargo shows it (compile errors included).
fn build_starter(exercise: &Exercise, lang: Lang) -> Result<PathBuf, ExitCode> {
    let mut build = Command::new(cargo());
    build
        .args([
            "build",
            "--quiet",
            "-p",
            exercise.package,
            "--example",
            exercise.example,
        ])
        .current_dir(workspace())
        .stdin(Stdio::null());
    if target_dir().ends_with("release") {
        build.arg("--release");
    }
    match build.status() {
        Ok(status) if status.success() => {
            Ok(target_dir().join("examples").join(exercise.example))
        }
        Ok(_) => {
            warn!(
                "{}",
                tr!(
                    lang,
                    "{} does not compile yet: fix the errors above, then check again",
                    "{} 파일이 아직 컴파일되지 않습니다. 위의 에러를 고친 뒤 다시 검사하세요",
                    exercise.starter
                )
            );
            Err(ExitCode::FAILURE)
        }
        Err(error) => {
            warn!(
                "{}",
                tr!(
                    lang,
                    "error: cannot run cargo: {error}",
                    "에러: cargo를 실행할 수 없습니다: {error}"
                )
            );
            Err(ExitCode::from(2))
        }
    }
}

/// The progress line, on a terminal only: rewritten in place.
fn progress(on: bool) -> Box<dyn Fn(&str) + Send + Sync> {
    Box::new(move |text: &str| {
        if on {
            let mut err = std::io::stderr();
            let _ = write!(err, "\r\x1b[K… {text}");
            let _ = err.flush();
        }
    })
}

fn check_command(
    name: &str,
    port: u16,
    argv: Vec<OsString>,
    lang: Lang,
) -> ExitCode {
    let Some(exercise) = exercises::find(name) else {
        return not_found(name, lang);
    };
    let starter = argv.is_empty();
    let program = if starter {
        match build_starter(exercise, lang) {
            Ok(path) => Program::new(vec![path.into_os_string()]),
            Err(code) => {
                // A starter that does not compile is failing; cargo that
                // cannot run (status 2) says nothing about it.
                record(exercise, code);
                return code;
            }
        }
    } else {
        Program::new(argv)
    };
    let code = check_once(exercise, &program, port, starter, lang);
    if starter {
        record(exercise, code);
    }
    code
}

/// Keeps the starter's state for `list`: passing on status 0, failing on
/// 1; a check that could not run (status 2: a busy port) changes nothing.
fn record(exercise: &Exercise, code: ExitCode) {
    let state = if code == ExitCode::SUCCESS {
        "passing"
    } else if code == ExitCode::FAILURE {
        "failing"
    } else {
        return;
    };
    let file = state_file(exercise);
    if let Some(dir) = file.parent() {
        let _ = fs::create_dir_all(dir);
    }
    let _ = fs::write(file, state);
}

/// One check, printed; the exit code says whether every case passed.
fn check_once(
    exercise: &Exercise,
    program: &Program,
    port: u16,
    starter: bool,
    lang: Lang,
) -> ExitCode {
    let terminal = std::io::stderr().is_terminal();
    let paint = Paint(
        std::io::stdout().is_terminal()
            && std::env::var_os("NO_COLOR").is_none(),
    );
    let options = Options {
        lang,
        port,
        progress: progress(terminal),
    };
    let what = if starter {
        exercise.starter.to_string()
    } else {
        program.describe()
    };
    say!(
        "{}",
        paint.bold(&tr!(
            lang,
            "Checking {}: {what}",
            "{} 검사: {what}",
            exercise.name
        ))
    );
    let result = exercises::check(exercise, program, &options);
    if terminal {
        warn_part!("\r\x1b[K");
    }
    match result {
        Ok(cases) => {
            say_part!("{}", report::render(&cases, lang, paint));
            // A case skipped for a reason of its own (a client that is
            // not installed) is no failure; others follow a failure.
            if cases
                .iter()
                .all(|c| c.passed() || c.status == report::Status::Skip)
            {
                ExitCode::SUCCESS
            } else {
                ExitCode::FAILURE
            }
        }
        Err(Stop::NotWritten) => {
            let page = checks::page(lang, exercise.name);
            let line = if starter {
                tr!(
                    lang,
                    "{} is not written yet: open {} and replace the todo!() with your \
                    program ({page})",
                    "{} 연습 문제는 아직 작성되지 않았습니다. {} 파일을 열고 todo!()를 \
                    여러분의 프로그램으로 바꾸세요({page})",
                    exercise.name,
                    exercise.starter
                )
            } else {
                tr!(
                    lang,
                    "{} is not written yet: it stops at its todo!() ({page})",
                    "{} 프로그램은 아직 작성되지 않았습니다. todo!()에서 멈춥니다({page})",
                    program.describe()
                )
            };
            for line in report::wrap(&line, report::COLUMNS) {
                say!("{line}");
            }
            say!();
            say!("0 passed, 1 failed");
            ExitCode::FAILURE
        }
        Err(Stop::Setup(why)) => {
            for line in report::wrap(
                &tr!(lang, "error: {why}", "에러: {why}"),
                report::COLUMNS,
            ) {
                warn!("{line}");
            }
            ExitCode::from(2)
        }
    }
}

/// Checks the starter, then again each time it is saved.
fn watch(name: &str, port: u16, lang: Lang) -> ExitCode {
    let Some(exercise) = exercises::find(name) else {
        return not_found(name, lang);
    };
    let path = workspace().join(exercise.starter);
    let changed = |path: &Path| -> Option<SystemTime> {
        fs::metadata(path).and_then(|m| m.modified()).ok()
    };
    let mut seen = changed(&path);
    loop {
        let _ = check_command(name, port, Vec::new(), lang);
        say!();
        say!(
            "{}",
            tr!(
                lang,
                "Watching {}: save it to check again (Ctrl-C to stop).",
                "{} 파일을 지켜보는 중입니다. 저장하면 다시 검사합니다(멈추려면 Ctrl-C).",
                exercise.starter
            )
        );
        loop {
            thread::sleep(Duration::from_millis(300));
            let now = changed(&path);
            if now != seen {
                seen = now;
                break;
            }
        }
        say!();
    }
}
