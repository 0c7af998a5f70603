//! `cargo lab grade DIR`: every submission of a folder of submissions,
//! one folder per student, each submission named by its exercise:
//! `DIR/STUDENT/pinger.py` (Python) or `DIR/STUDENT/pinger/` (a Cargo
//! package, built first). Then a table, students by exercises, as
//! Markdown and CSV, and each student's full report.
//!
//! One submission per exercise and student is graded: a Python file
//! before a package, then the first by name. A student's other ones are
//! named in their cell, in their report and on standard error: one score
//! per cell keeps the table a table, and the instructor, told, can look.
//!
//! Submissions run as the user who runs this, with that user's rights:
//! each run is bounded in time and output and its whole process group is
//! ended (see docs/harness), but a submission can still read and write
//! that user's files. Grade in an account or container of its own.

use std::collections::BTreeMap;
use std::ffi::OsString;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode};
use std::sync::{Arc, Mutex};
use std::thread;
use std::time::{Duration, Instant};

use harness::{End, Limits};

use crate::checks::Options;
use crate::exercises::{self, EXERCISES, Exercise};
use crate::program::{Program, Stop};
use crate::report::{self, Paint};
use crate::text::Lang;
use crate::{say, say_part, tr, warn};

/// One student's result for one exercise.
#[derive(Clone)]
enum Cell {
    Missing,
    Checked { passed: usize, total: usize },
    NotBuilt,
    NotWritten,
    Error,
}

impl Cell {
    fn text(&self, lang: Lang) -> String {
        match self {
            Cell::Missing => "—".to_string(),
            Cell::Checked { passed, total } => format!("{passed}/{total}"),
            Cell::NotBuilt => tr!(lang, "does not build", "빌드 실패"),
            Cell::NotWritten => tr!(lang, "not written", "작성 전"),
            Cell::Error => tr!(lang, "error", "에러"),
        }
    }
}

/// Each (student, exercise) checked: its cell and its full report.
type Results = BTreeMap<(String, &'static str), (Cell, String)>;

/// A submission found in the folder.
struct Job {
    student: String,
    exercise: &'static Exercise,
    path: PathBuf,
    /// The student's other submissions of the exercise, not graded.
    others: Vec<PathBuf>,
}

/// How long building one Cargo submission may take.
const BUILD_TIME: Duration = Duration::from_secs(300);

pub fn grade(
    dir: &Path,
    out: Option<PathBuf>,
    jobs: usize,
    only: Option<&str>,
    lang: Lang,
) -> ExitCode {
    // Whole paths: a Python submission runs in its own folder, so a path
    // relative to here would not lead to its file from there.
    let dir = &fs::canonicalize(dir).unwrap_or_else(|_| dir.to_path_buf());
    let out = out.unwrap_or_else(|| dir.join("lab-report"));
    let chosen: Vec<&'static Exercise> = match only {
        Some(name) => match exercises::find(name) {
            Some(exercise) => vec![exercise],
            None => {
                warn!(
                    "{}",
                    tr!(
                        lang,
                        "error: no exercise {name:?}",
                        "에러: {name:?}이라는 연습 문제는 없습니다"
                    )
                );
                return ExitCode::from(2);
            }
        },
        None => EXERCISES.iter().collect(),
    };
    let Ok(entries) = fs::read_dir(dir) else {
        warn!(
            "{}",
            tr!(
                lang,
                "error: cannot read the folder {}",
                "에러: {} 폴더를 읽을 수 없습니다",
                dir.display()
            )
        );
        return ExitCode::from(2);
    };
    let mut students: Vec<String> = entries
        .filter_map(Result::ok)
        .filter(|e| e.path().is_dir() && e.path() != out)
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|name| !name.starts_with('.'))
        .collect();
    students.sort();

    // A program named after no exercise would read as "no submission"
    // in the table: say so.
    for student in &students {
        for path in programs(&dir.join(student)) {
            if exercise_of(&path).is_none() {
                let name = shown(&path);
                let said = tr!(
                    lang,
                    "not graded: {student}/{name} is named after no exercise (see `cargo lab list`)",
                    "채점하지 않음: {student}/{name} (연습 문제의 이름이 아닙니다. `cargo lab list` 참고)"
                );
                warn!("{}", report::wrap(&said, 100).join("\n"));
            }
        }
    }
    let mut queue = Vec::new();
    for student in &students {
        for exercise in &chosen {
            let mut found = submissions(&dir.join(student), exercise);
            if found.is_empty() {
                continue;
            }
            let path = found.remove(0);
            let job = Job {
                student: student.clone(),
                exercise,
                path,
                others: found,
            };
            for line in not_graded(&job, lang) {
                warn!("{line}");
            }
            queue.push(job);
        }
    }
    // The cells of the students who handed in more than one submission
    // of an exercise name the ones not graded.
    let others: BTreeMap<(String, &'static str), String> = queue
        .iter()
        .filter(|job| !job.others.is_empty())
        .map(|job| {
            let names: Vec<String> =
                job.others.iter().map(|p| shown(p)).collect();
            let key = (job.student.clone(), job.exercise.name);
            (key, names.join(", "))
        })
        .collect();
    // The table has a column for each exercise someone submitted: with
    // every exercise of the lab it would not fit a page.
    let chosen: Vec<&'static Exercise> = chosen
        .into_iter()
        .filter(|e| {
            only.is_some() || queue.iter().any(|j| j.exercise.name == e.name)
        })
        .collect();
    let total = queue.len();
    let scratch = std::env::temp_dir()
        .join(format!("cargo-lab-grade-{}", std::process::id()));
    let queue = Arc::new(Mutex::new(queue));
    let results: Arc<Mutex<Results>> = Arc::default();
    let started = Instant::now();
    let workers: Vec<_> = (0..jobs.min(total.max(1)))
        .map(|_| {
            let queue = Arc::clone(&queue);
            let results = Arc::clone(&results);
            let scratch = scratch.clone();
            thread::spawn(move || {
                loop {
                    let job =
                        queue.lock().unwrap_or_else(|e| e.into_inner()).pop();
                    let Some(job) = job else { break };
                    let (cell, text) = run_job(&job, &scratch, lang);
                    let mut results =
                        results.lock().unwrap_or_else(|e| e.into_inner());
                    results.insert(
                        (job.student.clone(), job.exercise.name),
                        (cell, text),
                    );
                    warn!(
                        "{}",
                        tr!(
                            lang,
                            "graded {} of {total}: {} {}",
                            "{total}개 중 {}개 채점: {} {}",
                            results.len(),
                            job.student,
                            job.exercise.name
                        )
                    );
                }
            })
        })
        .collect();
    for worker in workers {
        let _ = worker.join();
    }
    let _ = fs::remove_dir_all(&scratch);
    let results = results.lock().unwrap_or_else(|e| e.into_inner()).clone();

    // The table, as Markdown and CSV; each student's report.
    let names: Vec<&str> = chosen.iter().map(|e| e.name).collect();
    let mut markdown = format!(
        "| {} | {} |\n",
        tr!(lang, "student", "학생"),
        names.join(" | ")
    );
    markdown.push_str(&format!("|---|{}\n", "---|".repeat(names.len())));
    let mut csv = format!("student,{}\n", names.join(","));
    for student in &students {
        let cells: Vec<String> = chosen
            .iter()
            .map(|e| {
                let key = (student.clone(), e.name);
                let cell = results
                    .get(&key)
                    .map_or(Cell::Missing, |(cell, _)| cell.clone())
                    .text(lang);
                match others.get(&key) {
                    Some(names) => tr!(
                        lang,
                        "{cell} (not graded: {names})",
                        "{cell} (채점하지 않음: {names})"
                    ),
                    None => cell,
                }
            })
            .collect();
        markdown.push_str(&format!("| {student} | {} |\n", cells.join(" | ")));
        let quoted: Vec<String> = cells.iter().map(|c| csv_field(c)).collect();
        csv.push_str(&format!("{},{}\n", csv_field(student), quoted.join(",")));
    }
    if let Err(error) =
        write_reports(&out, &markdown, &csv, &students, &results)
    {
        warn!(
            "{}",
            tr!(
                lang,
                "error: cannot write to {}: {error}",
                "에러: {}에 쓸 수 없습니다: {error}",
                out.display()
            )
        );
        return ExitCode::from(2);
    }
    say_part!("{markdown}");
    say!();
    let done = tr!(
        lang,
        "{total} submissions of {} students in {:.0} s; the table and \
        each student's report are in {}",
        "학생 {}명의 제출물 {total}개를 {:.0}초에 채점했습니다. \
        표와 학생별 보고서는 {}에 있습니다",
        students.len(),
        started.elapsed().as_secs_f64(),
        out.display()
    );
    for line in report::wrap(&done, report::COLUMNS) {
        say!("{line}");
    }
    ExitCode::SUCCESS
}

fn csv_field(text: &str) -> String {
    if text.contains([',', '"', '\n']) {
        format!("\"{}\"", text.replace('"', "\"\""))
    } else {
        text.to_string()
    }
}

fn write_reports(
    out: &Path,
    markdown: &str,
    csv: &str,
    students: &[String],
    results: &Results,
) -> std::io::Result<()> {
    fs::create_dir_all(out)?;
    fs::write(out.join("summary.md"), markdown)?;
    fs::write(out.join("summary.csv"), csv)?;
    for student in students {
        let mut text = String::new();
        for ((who, _), (_, report)) in results {
            if who == student {
                text.push_str(report);
                text.push('\n');
            }
        }
        fs::write(out.join(format!("{student}.txt")), text)?;
    }
    Ok(())
}

/// The submissions of `exercise` in a student's folder: `pinger.py`,
/// `udp_client.py` or a Cargo package `pinger/`, the name in any case
/// (`UDP_Client.py`); the one to grade first: a Python file before a
/// package, then by name.
fn submissions(folder: &Path, exercise: &Exercise) -> Vec<PathBuf> {
    let mut found: Vec<PathBuf> = programs(folder)
        .into_iter()
        .filter(|path| {
            exercise_of(path).is_some_and(|e| e.name == exercise.name)
        })
        .collect();
    found.sort_by_key(|path| (path.is_dir(), path.clone()));
    found
}

/// A submission's name in its student's folder, a package's with a `/`.
fn shown(path: &Path) -> String {
    let name = path.file_name().unwrap_or_default().to_string_lossy();
    if path.is_dir() {
        format!("{name}/")
    } else {
        name.into_owned()
    }
}

/// What a job's other submissions are and why they are not graded, a
/// line of at most 100 columns each.
fn not_graded(job: &Job, lang: Lang) -> Vec<String> {
    let student = &job.student;
    let exercise = job.exercise.name;
    let graded = shown(&job.path);
    let mut lines = Vec::new();
    for other in &job.others {
        let other = shown(other);
        let said = tr!(
            lang,
            "not graded: {student}/{other}, another {exercise} submission; \
            {student}/{graded} was graded (one per exercise: a Python file \
            before a package, then the first by name)",
            "채점하지 않음: {student}/{other} ({exercise}의 또 다른 \
            제출물입니다. 채점한 것은 {student}/{graded}입니다. 연습 문제마다 하나만 \
            채점하며, 파이썬 파일을 패키지보다 먼저, 같은 종류끼리는 이름 순서로 고릅니다)"
        );
        lines.extend(report::wrap(&said, report::COLUMNS));
    }
    lines
}

/// What in a student's folder looks like a program: Python files and
/// Cargo packages.
fn programs(folder: &Path) -> Vec<PathBuf> {
    let Ok(entries) = fs::read_dir(folder) else {
        return Vec::new();
    };
    entries
        .filter_map(Result::ok)
        .map(|entry| entry.path())
        .filter(|path| {
            let python = path.is_file()
                && path
                    .extension()
                    .is_some_and(|x| x.eq_ignore_ascii_case("py"));
            python || path.join("Cargo.toml").is_file()
        })
        .collect()
}

/// The exercise a Python file or a package is named after.
fn exercise_of(path: &Path) -> Option<&'static Exercise> {
    let name = if path.is_dir() {
        path.file_name()
    } else {
        path.file_stem()
    }?;
    exercises::find(&name.to_string_lossy().to_lowercase())
}

/// Builds (for a Cargo package) and checks one submission; returns its
/// cell and its full report.
fn run_job(job: &Job, scratch: &Path, lang: Lang) -> (Cell, String) {
    let mut header = format!("# {} / {}\n", job.student, job.exercise.name);
    for line in not_graded(job, lang) {
        header.push_str(&format!("{line}\n"));
    }
    let program = if job.path.is_file() {
        let mut program = Program::new(vec![
            OsString::from("python3"),
            job.path.clone().into(),
        ]);
        program.dir = job.path.parent().map(Path::to_path_buf);
        program
    } else {
        match build(job, scratch) {
            Ok(binary) => {
                let mut program = Program::new(vec![binary.into()]);
                program.dir = Some(job.path.clone());
                program
            }
            Err(log) => {
                let text = tr!(
                    lang,
                    "{header}does not build:\n{log}",
                    "{header}빌드 실패:\n{log}"
                );
                return (Cell::NotBuilt, text);
            }
        }
    };
    // Free ports for every case: submissions run side by side.
    let options = Options {
        lang,
        port: 0,
        progress: Box::new(|_| {}),
    };
    let result = exercises::check(job.exercise, &program, &options);
    // The copy and its build are not needed any more: the disk holds one
    // build per submission being checked, not one per submission.
    if job.path.is_dir() {
        let _ = fs::remove_dir_all(job_copy(job, scratch));
    }
    match result {
        Ok(cases) => {
            let (passed, _, _) = report::count(&cases);
            let text = format!(
                "{header}{}",
                report::render(&cases, lang, Paint(false))
            );
            (
                Cell::Checked {
                    passed,
                    total: cases.len(),
                },
                text,
            )
        }
        Err(Stop::NotWritten) => (
            Cell::NotWritten,
            format!(
                "{header}{}\n",
                tr!(lang, "not written yet (todo!())", "아직 작성 전(todo!())")
            ),
        ),
        Err(Stop::Setup(why)) => {
            (Cell::Error, format!("{header}error: {why}\n"))
        }
    }
}

/// Copies a Cargo submission out of the folder (a package inside another
/// workspace's folder would be taken for a member of it) and builds it
/// in a target folder of its own (students name their packages alike:
/// in a shared one, one student's `pinger` would replace another's
/// before it is checked); the path of its binary, or the build's log.
fn build(job: &Job, scratch: &Path) -> Result<PathBuf, String> {
    let copy = job_copy(job, scratch);
    copy_package(&job.path, &copy)
        .map_err(|e| format!("cannot copy the package: {e}"))?;
    let manifest =
        fs::read_to_string(copy.join("Cargo.toml")).unwrap_or_default();
    let name =
        package_name(&manifest).ok_or("no package name in Cargo.toml")?;
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let mut command = Command::new(cargo);
    command
        .args(["build", "--quiet", "--bins", "--target-dir"])
        .arg(copy.join("target"))
        .current_dir(&copy);
    let limits = Limits {
        time: BUILD_TIME,
        ..Limits::default()
    };
    let run = harness::run(&mut command, b"", limits)
        .map_err(|e| format!("cannot run cargo: {e}"))?;
    match run.end {
        End::Exited(status) if status.success() => {
            Ok(copy.join("target/debug").join(name))
        }
        _ => Err(String::from_utf8_lossy(&run.stderr).into_owned()),
    }
}

/// Where a Cargo submission is copied and built.
fn job_copy(job: &Job, scratch: &Path) -> PathBuf {
    scratch.join(format!("{}-{}", job.student, job.exercise.name))
}

/// `name = "..."` of the `[package]` table.
fn package_name(manifest: &str) -> Option<String> {
    let mut in_package = false;
    for line in manifest.lines() {
        let line = line.trim();
        if line.starts_with('[') {
            in_package = line == "[package]";
            continue;
        }
        if in_package {
            if let Some(value) = line.strip_prefix("name") {
                let value = value.trim_start().strip_prefix('=')?.trim();
                return Some(value.trim_matches('"').to_string());
            }
        }
    }
    None
}

/// Copies a package's files, leaving out its `target/`.
fn copy_package(from: &Path, to: &Path) -> std::io::Result<()> {
    fs::create_dir_all(to)?;
    for entry in fs::read_dir(from)? {
        let entry = entry?;
        let name = entry.file_name();
        if name == "target" || name == ".git" {
            continue;
        }
        let kind = entry.file_type()?;
        if kind.is_dir() {
            copy_package(&entry.path(), &to.join(&name))?;
        } else if kind.is_file() {
            fs::copy(entry.path(), to.join(&name))?;
        }
    }
    Ok(())
}
