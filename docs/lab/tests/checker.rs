//! The checker against programs that are right (the Python originals, the
//! lecture listings, the full programs, the reference solution and
//! independent solutions in other layouts) and programs that are wrong
//! in one classic way each, hang, cheat, crash, flood or fork, Rust and
//! Python. Each test asserts the exact cases that fail and the exit code.
#![cfg(unix)]
// Test code: a panic in a helper is a failed test, with its message.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::fs;
use std::net::UdpSocket;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::Mutex;
use std::thread;
use std::time::{Duration, Instant};

use harness::{End, Limits};

fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .ancestors()
        .nth(2)
        .unwrap()
        .to_path_buf()
}

fn fixture(name: &str) -> String {
    format!("{}/tests/fixtures/{name}", env!("CARGO_MANIFEST_DIR"))
}

fn python(script: &str) -> String {
    workspace()
        .join("docs/python")
        .join(script)
        .display()
        .to_string()
}

/// `target/debug`, where the programs are built.
fn target() -> PathBuf {
    PathBuf::from(env!("CARGO_BIN_EXE_lab"))
        .parent()
        .unwrap()
        .to_path_buf()
}

/// Builds the four programs, their examples (the lecture listings and
/// the starters) and the checker's examples (solutions and fixtures),
/// once per test run.
fn build() {
    static BUILT: Mutex<bool> = Mutex::new(false);
    let mut built = BUILT.lock().unwrap_or_else(|e| e.into_inner());
    if *built {
        return;
    }
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let status = Command::new(cargo)
        .args(["build", "--quiet", "--bins", "--examples"])
        .args(["-p", "udp-client", "-p", "udp-server", "-p", "tcp-client"])
        .args(["-p", "tcp-server", "-p", "lab"])
        .current_dir(workspace())
        .status()
        .unwrap();
    assert!(status.success());
    *built = true;
}

/// What one run of the checker said.
struct Report {
    code: Option<i32>,
    stdout: String,
    stderr: String,
}

impl Report {
    /// The ids of the cases marked `mark` (✓, ✗ or -), in order.
    fn cases(&self, mark: &str) -> Vec<String> {
        let mut entries: Vec<String> = Vec::new();
        for line in self.stdout.lines() {
            if ["✓ ", "✗ ", "- "].iter().any(|m| line.starts_with(m)) {
                entries.push(line.to_string());
            } else if line.starts_with("  ") && !line.starts_with("    ") {
                if let Some(last) = entries.last_mut() {
                    last.push_str(line);
                }
            }
        }
        entries
            .iter()
            .filter(|entry| entry.starts_with(&format!("{mark} ")))
            .filter_map(|entry| {
                let open = entry.rfind('[')?;
                Some(entry[open + 1..].trim_end_matches(']').to_string())
            })
            .collect()
    }

    fn failed(&self) -> Vec<String> {
        self.cases("✗")
    }
}

/// Runs `lab ARGS` with `env`, under a deadline, and checks that every
/// line it printed fits 100 columns.
fn lab(args: &[&str], env: &[(&str, &str)]) -> Report {
    build();
    let mut command = Command::new(env!("CARGO_BIN_EXE_lab"));
    command.args(args).current_dir(workspace()).env("LANG", "C");
    for (key, value) in env {
        command.env(key, value);
    }
    let limits = Limits {
        time: Duration::from_secs(90),
        output: 1 << 20,
    };
    let run = harness::run(&mut command, b"", limits).unwrap();
    let End::Exited(status) = run.end else {
        panic!("lab {args:?}: {:?}", run.end);
    };
    let report = Report {
        code: status.code(),
        stdout: String::from_utf8(run.stdout).unwrap(),
        stderr: String::from_utf8(run.stderr).unwrap(),
    };
    for line in report.stdout.lines().chain(report.stderr.lines()) {
        let width: usize = line
            .chars()
            .map(|c| {
                if ('\u{ac00}'..='\u{d7a3}').contains(&c) {
                    2
                } else {
                    1
                }
            })
            .sum();
        assert!(width <= 100, "{width} columns: {line}");
    }
    // Not a terminal: no colour, no progress line rewritten in place.
    let all = format!("{}{}", report.stdout, report.stderr);
    assert!(!all.contains(['\x1b', '\r']), "{all:?}");
    report
}

/// Fails, showing the whole report, unless its standard output holds
/// `text`: a hint, a case's words, a program's last words.
fn says(report: &Report, text: &str) {
    assert!(report.stdout.contains(text), "{}", report.stdout);
}

/// Checks `program` for `exercise` on free ports.
fn check(exercise: &str, program: &[&str]) -> Report {
    let mut args = vec!["check", exercise, "--port", "0", "--"];
    args.extend(program);
    lab(&args, &[])
}

fn assert_passes(exercise: &str, program: &[&str]) {
    let report = check(exercise, program);
    assert_eq!(report.failed(), Vec::<String>::new(), "{}", report.stdout);
    assert_eq!(report.code, Some(0), "{}{}", report.stdout, report.stderr);
    says(&report, " passed, 0 failed\n");
}

fn assert_fails(exercise: &str, program: &[&str], failed: &[&str]) -> Report {
    let report = check(exercise, program);
    assert_eq!(report.failed(), failed, "{}", report.stdout);
    assert_eq!(report.code, Some(1), "{}{}", report.stdout, report.stderr);
    report
}

fn bin(name: &str) -> String {
    target().join(name).display().to_string()
}

fn example(name: &str) -> String {
    target().join("examples").join(name).display().to_string()
}

#[test]
fn the_right_udp_clients_pass() {
    assert_passes("udp-client", &["python3", &python("udp_client.py")]);
    assert_passes("udp-client", &[&example("udp_client")]);
    assert_passes(
        "udp-client",
        &[&bin("udp-client"), "--host", "{host}", "--port", "{port}"],
    );
}

#[test]
fn the_right_udp_servers_pass() {
    assert_passes("udp-server", &["python3", &python("udp_server.py")]);
    assert_passes("udp-server", &[&example("udp_server")]);
    assert_passes(
        "udp-server",
        &[&bin("udp-server"), "--host", "{host}", "--port", "{port}"],
    );
}

#[test]
fn the_right_tcp_clients_pass() {
    assert_passes("tcp-client", &["python3", &python("tcp_client.py")]);
    assert_passes("tcp-client", &[&example("tcp_client")]);
    assert_passes(
        "tcp-client",
        &[&bin("tcp-client"), "--host", "{host}", "--port", "{port}"],
    );
}

#[test]
fn the_right_tcp_servers_pass() {
    assert_passes("tcp-server", &["python3", &python("tcp_server.py")]);
    assert_passes("tcp-server", &[&example("tcp_server")]);
    assert_passes(
        "tcp-server",
        &[&bin("tcp-server"), "--host", "{host}", "--port", "{port}"],
    );
}

/// A student checks again a second after: the checker's connections
/// must leave no TIME-WAIT on the port, which the lecture's server (no
/// SO_REUSEADDR) could not bind again for a minute.
#[test]
fn a_tcp_port_can_be_checked_again_at_once() {
    build();
    let port = harness::free_port(false).unwrap().to_string();
    let server = ["python3".to_string(), python("tcp_server.py")];
    let client = [example("tcp_client")];
    let runs: [(&str, &[String]); 3] = [
        ("tcp-client", &client),
        ("tcp-server", &server),
        ("tcp-server", &server),
    ];
    for (exercise, program) in runs {
        let mut args = vec!["check", exercise, "--port", &port, "--"];
        args.extend(program.iter().map(String::as_str));
        let report = lab(&args, &[]);
        assert_eq!(report.code, Some(0), "{}{}", report.stdout, report.stderr);
    }
}

#[test]
fn untouched_starters_are_not_written_yet() {
    for exercise in [
        "udp-client",
        "udp-server",
        "tcp-client",
        "tcp-server",
        "pinger",
        "concurrent-server",
        "many-pool",
        "many-mio",
        "many-tokio",
        "boundaries",
        "web-server",
    ] {
        let report = lab(&["check", exercise, "--port", "0"], &[]);
        assert_eq!(report.code, Some(1), "{}", report.stdout);
        says(&report, "is not written yet");
        assert!(
            report.stdout.ends_with("0 passed, 1 failed\n"),
            "{}",
            report.stdout
        );
        let all = format!("{}{}", report.stdout, report.stderr);
        assert!(!all.contains("panicked"), "{all}");
    }
}

#[test]
fn list_names_every_starter_and_its_state() {
    let report = lab(&["list"], &[]);
    assert_eq!(report.code, Some(0));
    for starter in [
        "udp-client/exercises/udp_client.rs",
        "udp-client/exercises/pinger.rs",
        "tcp-server/exercises/tcp_server.rs",
        "tcp-server/exercises/concurrent_server.rs",
        "tcp-server/exercises/many_pool.rs",
        "tcp-server/exercises/many_mio.rs",
        "tcp-server/exercises/many_tokio.rs",
        "tcp-server/exercises/boundaries.rs",
        "tcp-server/exercises/web_server.rs",
    ] {
        let line = report.stdout.lines().find(|l| l.contains(starter)).unwrap();
        assert!(line.ends_with("not started"), "{line}");
    }
}

#[test]
fn korean_messages() {
    build();
    let report = lab(
        &[
            "--lang",
            "ko",
            "check",
            "udp-client",
            "--port",
            "0",
            "--",
            "python3",
            &fixture("udp_client_own_upper.py"),
        ],
        &[],
    );
    says(&report, "udp-client 검사");
    says(&report, "힌트");
    let report = lab(&["list"], &[("LANG", "ko_KR.UTF-8")]);
    says(&report, "시작 전");
    // The columns line up by display width: Hangul takes two.
    let header = report.stdout.lines().next().unwrap();
    assert!(
        header.starts_with("연습 문제           시작 파일"),
        "{header}"
    );
    // The longest Korean lines: a pinger that hangs, every case skipped
    // after it (the widths are checked by `lab`).
    let report = lab(
        &[
            "check",
            "pinger",
            "--port",
            "0",
            "--",
            "python3",
            &fixture("pinger_no_timeout.py"),
        ],
        &[("LC_ALL", "ko_KR.UTF-8")],
    );
    assert_eq!(report.failed(), ["timeout-set"], "{}", report.stdout);
    says(&report, "읽을 곳:");
}

#[test]
fn watch_checks_again_on_every_save() {
    build();
    let mut command = Command::new(env!("CARGO_BIN_EXE_lab"));
    command
        .args(["watch", "udp-client", "--port", "0"])
        .current_dir(workspace())
        .env("LANG", "C");
    let mut watch = harness::Process::start(&mut command, 1 << 20).unwrap();
    let deadline = Instant::now() + Duration::from_secs(60);
    let first = watch.wait_for(harness::Stream::Stdout, "Watching", deadline);
    assert!(
        first.is_some(),
        "{:?}",
        watch.output(harness::Stream::Stdout)
    );
    // A save that changes nothing but the time: the starter stays as it
    // is for the other tests.
    let starter = workspace().join("udp-client/exercises/udp_client.rs");
    fs::File::options()
        .append(true)
        .open(&starter)
        .unwrap()
        .set_modified(std::time::SystemTime::now())
        .unwrap();
    // The second check, to its end.
    let again = watch.wait_for(harness::Stream::Stdout, "Watching", deadline);
    let output = String::from_utf8(watch.output(harness::Stream::Stdout));
    watch.kill();
    assert!(again.is_some(), "{output:?}");
    assert_eq!(
        output.unwrap().matches("is not written yet").count(),
        2,
        "checked twice"
    );
}

#[test]
fn a_client_that_prints_its_own_guess_fails() {
    let report = assert_fails(
        "udp-client",
        &["python3", &fixture("udp_client_own_upper.py")],
        &["prints-what-came"],
    );
    says(&report, "printed its own");
}

#[test]
fn the_newline_sent_with_the_sentence_fails_in_rust() {
    let report = assert_fails(
        "udp-client",
        &[&example("fixture_udp_client_newline")],
        &["no-newline"],
    );
    says(&report, "read_line keeps it");
}

#[test]
fn a_client_that_ignores_its_port_argument_fails() {
    build();
    let port = harness::free_port(true).unwrap().to_string();
    let report = lab(
        &[
            "check",
            "udp-client",
            "--port",
            &port,
            "--",
            "python3",
            &fixture("udp_client_ignores_port.py"),
        ],
        &[("FIXTURE_PORT", &port)],
    );
    assert_eq!(report.failed(), ["takes-port"], "{}", report.stdout);
    assert_eq!(report.code, Some(1));
}

#[test]
fn a_busy_port_is_said_in_one_line() {
    build();
    let taken = UdpSocket::bind("127.0.0.1:0").unwrap();
    let port = taken.local_addr().unwrap().port().to_string();
    let report = lab(
        &[
            "check",
            "udp-client",
            "--port",
            &port,
            "--",
            "python3",
            &python("udp_client.py"),
        ],
        &[],
    );
    assert_eq!(report.code, Some(2));
    assert!(
        report
            .stderr
            .starts_with(&format!("error: UDP port {port} is busy")),
        "{}",
        report.stderr
    );
}

/// A student ran the lecture's server by hand a moment ago: its port
/// waits in TIME-WAIT, which no program holds; the checker says so,
/// rather than blame "another program".
#[test]
fn a_port_in_time_wait_is_told_apart_from_a_busy_one() {
    build();
    let port = harness::free_port(false).unwrap();
    let mut command = Command::new("python3");
    command
        .arg(python("tcp_server.py"))
        .args(["127.0.0.1", &port.to_string()])
        .env("PYTHONUNBUFFERED", "1");
    let mut server = harness::Process::start(&mut command, 1 << 16).unwrap();
    let deadline = Instant::now() + Duration::from_secs(30);
    let ready =
        server.wait_for(harness::Stream::Stdout, "ready to receive", deadline);
    assert!(ready.is_some());
    // One exchange: the server closes first, so its end waits in TIME-WAIT.
    let mut client = std::net::TcpStream::connect(("127.0.0.1", port)).unwrap();
    client
        .set_read_timeout(Some(Duration::from_secs(5)))
        .unwrap();
    std::io::Write::write_all(&mut client, b"hello").unwrap();
    let mut reply = Vec::new();
    std::io::Read::read_to_end(&mut client, &mut reply).unwrap();
    assert_eq!(reply, b"HELLO");
    drop(client);
    server.kill();
    let port = port.to_string();
    let report = lab(
        &[
            "check",
            "tcp-server",
            "--port",
            &port,
            "--",
            "python3",
            &python("tcp_server.py"),
        ],
        &[],
    );
    assert_eq!(report.code, Some(2), "{}{}", report.stdout, report.stderr);
    assert!(
        report.stderr.starts_with(&format!(
            "error: TCP port {port} is held by connections in TIME-WAIT"
        )),
        "{}",
        report.stderr
    );
}

#[test]
fn a_flooding_client_is_bounded() {
    let started = Instant::now();
    let report =
        check("udp-client", &["python3", &fixture("udp_client_flood.py")]);
    assert_eq!(report.code, Some(1));
    assert!(
        report.failed().contains(&"exits".to_string()),
        "{}",
        report.stdout
    );
    assert!(started.elapsed() < Duration::from_secs(40));
}

#[test]
fn a_server_that_serves_one_client_fails() {
    let report = assert_fails(
        "tcp-server",
        &["python3", &fixture("tcp_server_once.py")],
        &["keeps-running"],
    );
    says(&report, "while True");
}

#[test]
fn a_crashing_server_fails_at_once_with_its_last_words() {
    let report = assert_fails(
        "udp-server",
        &["python3", &fixture("udp_server_crash.py")],
        &["ready"],
    );
    says(&report, "TypeError");
}

#[test]
fn a_forking_server_leaves_nothing_behind() {
    build();
    let pidfile =
        std::env::temp_dir().join(format!("lab-fork-{}", std::process::id()));
    let report = lab(
        &[
            "check",
            "tcp-server",
            "--port",
            "0",
            "--",
            "python3",
            &fixture("tcp_server_fork.py"),
        ],
        &[("FIXTURE_PIDFILE", pidfile.to_str().unwrap())],
    );
    assert_eq!(report.code, Some(0), "{}", report.stdout);
    let pid = fs::read_to_string(&pidfile).unwrap();
    let _ = fs::remove_file(&pidfile);
    let deadline = Instant::now() + Duration::from_secs(5);
    let running = || {
        fs::read_to_string(format!("/proc/{pid}/stat")).is_ok_and(|stat| {
            !stat
                .rsplit_once(')')
                .is_some_and(|(_, r)| r.trim_start().starts_with('Z'))
        })
    };
    while running() {
        assert!(
            Instant::now() < deadline,
            "the forked child {pid} is still running"
        );
        thread::sleep(Duration::from_millis(20));
    }
}

#[test]
fn the_right_pingers_pass() {
    assert_passes("pinger", &[&example("pinger")]);
    assert_passes("pinger", &["python3", &fixture("pinger_textbook.py")]);
}

#[test]
fn an_independent_pinger_in_another_layout_passes() {
    assert_passes("pinger", &["python3", &fixture("pinger_independent.py")]);
}

#[test]
fn a_pinger_without_a_timeout_fails_fast() {
    let started = Instant::now();
    assert_fails(
        "pinger",
        &["python3", &fixture("pinger_no_timeout.py")],
        &["timeout-set"],
    );
    assert!(started.elapsed() < Duration::from_secs(20));
}

#[test]
fn a_pinger_with_a_short_timeout_fails() {
    assert_fails(
        "pinger",
        &["python3", &fixture("pinger_short_timeout.py")],
        &["timeout-one-second"],
    );
}

#[test]
fn a_pinger_with_a_wrong_loss_count_fails() {
    let report = assert_fails(
        "pinger",
        &["python3", &fixture("pinger_wrong_loss.py")],
        &["loss", "all-lost"],
    );
    // The loss comes last: `got` shows the end of the output, where the
    // wrong share is, not a beginning cut before it.
    let got: Vec<&str> = report
        .stdout
        .lines()
        .filter(|line| line.trim_start().starts_with("got:"))
        .collect();
    assert_eq!(got.len(), 2, "{}", report.stdout);
    assert!(
        got[0].contains("\\npacket loss rate 0."),
        "{}",
        report.stdout
    );
    assert!(
        got[1].contains("packet loss rate 0.0\\n\" ("),
        "{}",
        report.stdout
    );
}

#[test]
fn a_pinger_that_crashes_when_every_ping_is_lost_fails() {
    let report = assert_fails(
        "pinger",
        &["python3", &fixture("pinger_crash_all_lost.py")],
        &["all-lost"],
    );
    says(&report, "ValueError");
}

#[test]
fn a_pinger_that_sleeps_and_says_timed_out_fails() {
    assert_fails(
        "pinger",
        &["python3", &fixture("pinger_cheat.py")],
        &["replies-printed", "summary", "loss"],
    );
}

#[test]
fn a_pinger_that_floods_its_output_is_bounded_and_told_so() {
    let started = Instant::now();
    let report = check("pinger", &["python3", &fixture("pinger_flood.py")]);
    assert_eq!(report.code, Some(1), "{}", report.stdout);
    // It sends one ping and floods: if the checker's server answered it,
    // the pinger sent too few; if the server lost it (a share of the pings
    // is lost on every run), the silence after a loss says no timeout.
    let failed = report.failed();
    if failed == ["ten-pings"] {
        says(
            &report,
            "1 datagrams, then no more, while it printed more than 64 KiB",
        );
    } else {
        assert_eq!(failed, ["timeout-set"], "{}", report.stdout);
    }
    assert!(started.elapsed() < Duration::from_secs(40));
}

#[test]
fn a_pinger_that_sends_nothing_fails() {
    assert_fails(
        "pinger",
        &["python3", &fixture("pinger_silent.py")],
        &["ten-pings"],
    );
}

#[test]
fn grading_a_folder_of_mixed_submissions_writes_the_table() {
    // Under the workspace, to be named by a relative path (the checker
    // runs in the workspace): a Python submission runs in its own folder.
    let scratch = Scratch::new("lab-grade-test");
    let (relative, dir) = (scratch.relative.clone(), scratch.dir.clone());
    let put = |path: &str, text: &str| {
        let path = dir.join(path);
        fs::create_dir_all(path.parent().unwrap()).unwrap();
        fs::write(path, text).unwrap();
    };
    let read = |path: String| fs::read_to_string(path).unwrap();
    put("alice/udp_client.py", &read(python("udp_client.py")));
    put(
        "bob/udp-client.py",
        &read(fixture("udp_client_own_upper.py")),
    );
    put("bob/tcp_server.py", &read(fixture("tcp_server_once.py")));
    let manifest = "[package]\nname = \"carol-client\"\nversion = \"0.1.0\"\nedition = \"2021\"\n";
    put("carol/udp-client/Cargo.toml", manifest);
    let listing = workspace().join("udp-client/examples/udp_client.rs");
    put(
        "carol/udp-client/src/main.rs",
        &read(listing.display().to_string()),
    );
    put(
        "dave/udp-client/Cargo.toml",
        &manifest.replace("carol", "dave"),
    );
    put(
        "dave/udp-client/src/main.rs",
        "fn main() { this does not compile }\n",
    );
    // Erin's package has Carol's name: each must be checked as built.
    put("erin/udp-client/Cargo.toml", manifest);
    put(
        "erin/udp-client/src/main.rs",
        &read(fixture("udp_client_newline.rs")),
    );
    let report = lab(&["grade", &relative], &[]);
    assert_eq!(report.code, Some(0), "{}{}", report.stdout, report.stderr);
    let csv = fs::read_to_string(dir.join("lab-report/summary.csv")).unwrap();
    assert_eq!(
        csv,
        "student,udp-client,tcp-server\n\
         alice,7/7,—\n\
         bob,6/7,4/6\n\
         carol,7/7,—\n\
         dave,does not build,—\n\
         erin,6/7,—\n"
    );
    let markdown =
        fs::read_to_string(dir.join("lab-report/summary.md")).unwrap();
    assert!(
        markdown.starts_with("| student | udp-client |"),
        "{markdown}"
    );
    let bob = fs::read_to_string(dir.join("lab-report/bob.txt")).unwrap();
    assert!(bob.contains("✗ prints what the server sent"), "{bob}");
    assert!(bob.contains("[keeps-running]"), "{bob}");
    let dave = fs::read_to_string(dir.join("lab-report/dave.txt")).unwrap();
    assert!(dave.contains("error"), "{dave}");
}

#[test]
fn an_unknown_exercise_is_said_with_every_name_within_100_columns() {
    // lab() fails on a line wider than 100 columns.
    let report = lab(&["check", "pinnger"], &[]);
    assert_eq!(report.code, Some(2), "{}", report.stderr);
    assert!(
        report
            .stderr
            .starts_with("error: no exercise \"pinnger\"; "),
        "{}",
        report.stderr
    );
    assert!(report.stderr.contains("web-server"), "{}", report.stderr);
}

#[test]
fn grading_takes_names_in_any_case_and_says_what_it_left_out() {
    // Students on Windows and macOS hand in `UDP_Client.py`; a file named
    // after no exercise must not pass for a missing submission unsaid.
    let scratch = Scratch::new("lab-grade-names");
    let (relative, dir) = (scratch.relative.clone(), scratch.dir.clone());
    fs::create_dir_all(dir.join("kim")).unwrap();
    let listing = fs::read_to_string(python("udp_client.py")).unwrap();
    fs::write(dir.join("kim/UDP_Client.py"), &listing).unwrap();
    fs::write(dir.join("kim/my_pinger.py"), "print('hi')\n").unwrap();
    fs::write(dir.join("kim/notes.txt"), "not a program\n").unwrap();
    let report = lab(&["grade", &relative], &[]);
    assert_eq!(report.code, Some(0), "{}{}", report.stdout, report.stderr);
    let csv = fs::read_to_string(dir.join("lab-report/summary.csv")).unwrap();
    assert_eq!(csv, "student,udp-client\nkim,7/7\n");
    assert!(
        report.stderr.contains(
            "not graded: kim/my_pinger.py is named after no exercise"
        ),
        "{}",
        report.stderr
    );
    assert!(!report.stderr.contains("notes.txt"), "{}", report.stderr);
}

#[test]
fn grading_says_which_second_submission_it_did_not_grade() {
    // One submission per exercise is graded, a Python file before a
    // package, then the first by name; the others must not be lost
    // unsaid. Alice's package would not build: it is not built at all.
    let scratch = Scratch::new("lab-grade-both");
    let (relative, dir) = (scratch.relative.clone(), scratch.dir.clone());
    let put = |path: &str, text: &str| {
        let path = dir.join(path);
        fs::create_dir_all(path.parent().unwrap()).unwrap();
        fs::write(path, text).unwrap();
    };
    let listing = fs::read_to_string(python("udp_client.py")).unwrap();
    put("alice/udp_client.py", &listing);
    put(
        "alice/udp-client/Cargo.toml",
        "[package]\nname = \"alice\"\nversion = \"0.1.0\"\n",
    );
    put(
        "alice/udp-client/src/main.rs",
        "fn main() { this does not compile }\n",
    );
    let own_upper = fs::read_to_string(fixture("udp_client_own_upper.py"));
    put("bob/udp-client.py", &own_upper.unwrap());
    put("bob/udp_client.py", &listing);
    let report = lab(&["grade", &relative], &[]);
    assert_eq!(report.code, Some(0), "{}{}", report.stdout, report.stderr);
    let csv = fs::read_to_string(dir.join("lab-report/summary.csv")).unwrap();
    assert_eq!(
        csv,
        "student,udp-client\n\
         alice,7/7 (not graded: udp-client/)\n\
         bob,6/7 (not graded: udp_client.py)\n"
    );
    let markdown =
        fs::read_to_string(dir.join("lab-report/summary.md")).unwrap();
    assert!(
        markdown.contains("| alice | 7/7 (not graded: udp-client/) |\n"),
        "{markdown}"
    );
    // Said in the student's report, under its header, and as the run
    // goes, each within 100 columns.
    let said = "not graded: alice/udp-client/, another udp-client \
                submission; alice/udp_client.py was graded (one\n\
                per exercise: a Python file before a package, then the \
                first by name)\n";
    let alice = fs::read_to_string(dir.join("lab-report/alice.txt")).unwrap();
    assert!(
        alice.starts_with(&format!("# alice / udp-client\n{said}")),
        "{alice}"
    );
    assert!(report.stderr.contains(said), "{}", report.stderr);
    let said = "not graded: bob/udp_client.py, another udp-client \
                submission; bob/udp-client.py was graded (one per\n\
                exercise: a Python file before a package, then the first \
                by name)\n";
    let bob = fs::read_to_string(dir.join("lab-report/bob.txt")).unwrap();
    assert!(
        bob.starts_with(&format!("# bob / udp-client\n{said}")),
        "{bob}"
    );
    assert!(report.stderr.contains(said), "{}", report.stderr);
}

/// Checks `program` for `exercise` on free ports, with `env`.
fn check_with(
    exercise: &str,
    program: &[&str],
    env: &[(&str, &str)],
) -> Report {
    let mut args = vec!["check", exercise, "--port", "0", "--"];
    args.extend(program);
    lab(&args, env)
}

/// No browser: the web-server cases that do not need one, in seconds.
const NO_BROWSER: &[(&str, &str)] = &[("LAB_CHROMIUM", "")];

fn assert_web_fails(program: &[&str], failed: &[&str]) -> Report {
    let report = check_with("web-server", program, NO_BROWSER);
    assert_eq!(report.failed(), failed, "{}", report.stdout);
    assert_eq!(report.code, Some(1), "{}{}", report.stdout, report.stderr);
    report
}

#[test]
fn the_right_boundaries_servers_pass() {
    assert_passes("boundaries", &[&example("boundaries")]);
    assert_passes(
        "boundaries",
        &["python3", &fixture("boundaries_independent.py")],
    );
}

#[test]
fn one_recv_for_a_line_in_pieces_fails_with_its_hint() {
    for program in [
        vec!["python3".to_string(), python("tcp_server.py")],
        vec![example("tcp_server")],
    ] {
        let program: Vec<&str> = program.iter().map(String::as_str).collect();
        let report = assert_fails(
            "boundaries",
            &program,
            &["pieces", "utf8-cut", "long"],
        );
        says(&report, "one recv for a line that came in pieces");
    }
}

#[test]
fn decoding_each_piece_fails_the_cut_character() {
    let report = assert_fails(
        "boundaries",
        &["python3", &fixture("boundaries_decode_pieces.py")],
        &["utf8-cut"],
    );
    says(&report, "a piece can end inside a character");
}

#[test]
fn the_reference_web_server_passes_with_every_client() {
    let report = check("web-server", &[&example("web_server")]);
    assert_eq!(report.failed(), Vec::<String>::new(), "{}", report.stdout);
    assert_eq!(report.code, Some(0), "{}{}", report.stdout, report.stderr);
    // curl and the browser ran when installed, and were skipped with the
    // reason when not: never a failure.
    for (client, id) in
        [("/usr/bin/curl", "curl"), ("/usr/bin/chromium", "browser")]
    {
        let mark = if Path::new(client).is_file() {
            "✓"
        } else {
            "-"
        };
        assert!(
            report.cases(mark).contains(&id.to_string()),
            "{}",
            report.stdout
        );
    }
    // It refuses a path outside its folder: no advice.
    assert!(!report.stdout.contains("note:"), "{}", report.stdout);
}

#[test]
fn the_textbooks_web_server_passes_with_advice() {
    let report = check_with(
        "web-server",
        &["python3", &fixture("web_server_textbook.py")],
        NO_BROWSER,
    );
    assert_eq!(report.failed(), Vec::<String>::new(), "{}", report.stdout);
    assert_eq!(report.code, Some(0), "{}{}", report.stdout, report.stderr);
    // open(filename[1:]) serves /../NAME: said, not failed.
    says(&report, "note: it sent ../");
    says(&report, "(skipped: LAB_CHROMIUM is set empty) [browser]");
}

#[test]
fn an_independent_web_server_passes_and_a_missing_browser_is_said() {
    let report = check_with(
        "web-server",
        &["python3", &fixture("web_server_independent.py")],
        &[("LAB_CHROMIUM", "/nonexistent/chromium")],
    );
    assert_eq!(report.failed(), Vec::<String>::new(), "{}", report.stdout);
    assert_eq!(report.code, Some(0), "{}{}", report.stdout, report.stderr);
    says(
        &report,
        "(skipped: no headless Chromium at /nonexistent/chromium",
    );
}

#[test]
fn a_web_server_that_reads_files_as_text_fails_the_binary_file() {
    let report = assert_web_fails(
        &["python3", &fixture("web_server_text.py")],
        &["binary"],
    );
    says(&report, "UnicodeDecodeError");
    let report =
        assert_web_fails(&[&example("fixture_web_server_text")], &["binary"]);
    says(&report, "read the file as bytes");
}

#[test]
fn a_web_server_without_a_404_fails() {
    let report = assert_web_fails(
        &["python3", &fixture("web_server_no404.py")],
        &["not-found"],
    );
    says(&report, "FileNotFoundError");
}

#[test]
fn a_web_server_that_serves_one_request_fails() {
    let report = assert_web_fails(
        &["python3", &fixture("web_server_once.py")],
        &["keeps-serving"],
    );
    says(&report, "while True");
}

#[test]
fn a_web_server_without_the_empty_line_fails() {
    let report = assert_web_fails(
        &["python3", &fixture("web_server_no_blank.py")],
        &["status-200"],
    );
    says(&report, "the header ends with an empty line");
}

#[test]
fn a_hanging_server_is_bounded_and_leaves_nothing_behind() {
    for (exercise, failed) in [
        (
            "boundaries",
            &["one-piece", "pieces", "utf8-cut", "long", "two-clients"][..],
        ),
        ("web-server", &["status-200", "not-found"][..]),
    ] {
        let pidfile = std::env::temp_dir()
            .join(format!("lab-hang-{exercise}-{}", std::process::id()));
        let started = Instant::now();
        let mut env = vec![("FIXTURE_PIDFILE", pidfile.to_str().unwrap())];
        env.extend_from_slice(NO_BROWSER);
        let report = check_with(
            exercise,
            &["python3", &fixture("server_hang.py")],
            &env,
        );
        assert_eq!(report.failed(), failed, "{}", report.stdout);
        assert_eq!(report.code, Some(1), "{}", report.stdout);
        assert!(started.elapsed() < Duration::from_secs(60));
        assert_gone(&pidfile);
    }
}

#[test]
fn the_textbooks_skeleton_fails_only_the_binary_file_and_the_pieces() {
    let report = assert_web_fails(
        &["python3", &fixture("web_server_skeleton.py")],
        &["binary", "pieces"],
    );
    says(&report, "one recv for a request");
}

#[test]
fn the_new_exercises_speak_korean_within_100_columns() {
    // lab() checks every line's width; these runs fail, so every kind of
    // detail line (expected, got, hint, read, note, skipped) is printed.
    build();
    let tcp_server = python("tcp_server.py");
    let report = lab(
        &["--lang", "ko", "check", "boundaries", "--port", "0", "--"],
        &[],
    );
    assert_eq!(report.code, Some(1), "{}", report.stdout);
    let mut args =
        vec!["--lang", "ko", "check", "boundaries", "--port", "0", "--"];
    args.extend(["python3", &tcp_server]);
    let report = lab(&args, &[]);
    assert_eq!(report.failed(), ["pieces", "utf8-cut", "long"]);
    says(&report, "recv 한 번으로");
    let skeleton = fixture("web_server_skeleton.py");
    let mut args =
        vec!["--lang", "ko", "check", "web-server", "--port", "0", "--"];
    args.extend(["python3", &skeleton]);
    let report = lab(&args, NO_BROWSER);
    assert_eq!(report.failed(), ["binary", "pieces"]);
    says(&report, "참고: ");
    says(&report, "(건너뜀. LAB_CHROMIUM");
}

// Serving many clients: concurrent-server and one exercise per model.
// These cases wait on purpose (an idle client, a slow one: about 3 s a
// run); each test checks one or two programs, so that they run side by
// side.

/// What the iterative lecture server fails where concurrency is asked
/// for: the idle and the slow client hold it up, and a reset ends it.
const ITERATIVE: &[&str] = &["idle", "slow", "resets"];

#[test]
fn a_thread_per_connection_passes_concurrent_server() {
    assert_passes("concurrent-server", &[&example("many_threads")]);
    assert_passes(
        "concurrent-server",
        &["python3", &python("many_threads.py")],
    );
}

#[test]
fn the_iterative_server_fails_concurrent_server_in_rust() {
    let report =
        assert_fails("concurrent-server", &[&example("tcp_server")], ITERATIVE);
    says(&report, "this is the iterative server");
    says(&report, "ConnectionReset");
}

#[test]
fn the_iterative_server_fails_concurrent_server_in_python() {
    let report = assert_fails(
        "concurrent-server",
        &["python3", &python("tcp_server.py")],
        ITERATIVE,
    );
    says(&report, "this is the iterative server");
    says(&report, "ConnectionResetError");
}

#[test]
fn a_server_that_serves_one_client_fails_concurrent_server() {
    let report = assert_fails(
        "concurrent-server",
        &["python3", &fixture("tcp_server_once.py")],
        &["keeps-running"],
    );
    says(&report, "must not end after the first");
    says(&report, "4 skipped");
}

/// Waits a little for the process `pid` (read from `pidfile`) to be
/// gone, and fails if it is still running.
fn assert_gone(pidfile: &Path) {
    let pid = fs::read_to_string(pidfile).unwrap();
    let _ = fs::remove_file(pidfile);
    let deadline = Instant::now() + Duration::from_secs(5);
    let running = || {
        fs::read_to_string(format!("/proc/{pid}/stat")).is_ok_and(|stat| {
            !stat
                .rsplit_once(')')
                .is_some_and(|(_, r)| r.trim_start().starts_with('Z'))
        })
    };
    while running() {
        assert!(Instant::now() < deadline, "{pid} is still running");
        thread::sleep(Duration::from_millis(20));
    }
}

#[test]
fn a_server_that_never_answers_does_not_stall_concurrent_server() {
    build();
    let pidfile = std::env::temp_dir()
        .join(format!("lab-hang-many-{}", std::process::id()));
    let started = Instant::now();
    let report = lab(
        &[
            "check",
            "concurrent-server",
            "--port",
            "0",
            "--",
            "python3",
            &fixture("tcp_server_hang.py"),
        ],
        &[("FIXTURE_PIDFILE", pidfile.to_str().unwrap())],
    );
    assert_eq!(report.failed(), ["upper"], "{}", report.stdout);
    assert_eq!(report.code, Some(1));
    says(&report, "no reply within 4 s");
    assert!(started.elapsed() < Duration::from_secs(30));
    assert_gone(&pidfile);
}

#[test]
fn a_forking_server_fails_concurrent_server_and_leaves_nothing() {
    build();
    let pidfile = std::env::temp_dir()
        .join(format!("lab-fork-many-{}", std::process::id()));
    let report = lab(
        &[
            "check",
            "concurrent-server",
            "--port",
            "0",
            "--",
            "python3",
            &fixture("tcp_server_fork.py"),
        ],
        &[("FIXTURE_PIDFILE", pidfile.to_str().unwrap())],
    );
    assert_eq!(report.failed(), ITERATIVE, "{}", report.stdout);
    assert_eq!(report.code, Some(1));
    assert_gone(&pidfile);
}

#[test]
fn the_pools_pass_many_pool() {
    assert_passes("many-pool", &[&example("many_pool")]);
    assert_passes("many-pool", &["python3", &python("many_pool.py")]);
}

#[test]
fn the_readiness_loops_pass_many_mio() {
    assert_passes("many-mio", &[&example("many_mio")]);
    assert_passes("many-mio", &["python3", &python("many_selectors.py")]);
}

#[test]
fn the_async_servers_pass_many_tokio() {
    assert_passes("many-tokio", &[&example("many_tokio")]);
    assert_passes("many-tokio", &["python3", &python("many_asyncio.py")]);
}

#[test]
fn a_thread_per_connection_fails_the_pool_model_check() {
    let report =
        assert_fails("many-pool", &[&example("many_threads")], &["pool-size"]);
    says(&report, "11 threads with 10 idle clients, 21 with 20");
    says(&report, "that is a thread per connection");
}

#[test]
fn a_thread_per_connection_fails_the_readiness_model_check() {
    let report = assert_fails(
        "many-mio",
        &["python3", &python("many_threads.py")],
        &["one-thread"],
    );
    says(&report, "that is a thread per connection");
}

#[test]
fn a_pool_fails_the_readiness_model_check() {
    let report =
        assert_fails("many-mio", &[&example("many_pool")], &["one-thread"]);
    says(&report, "5 threads with 10 idle clients, 5 with 20");
}

/// Runs `lab ARGS` with its standard output a pipe whose reader has gone,
/// as in `cargo lab list | head -3`, under a deadline. (A closed descriptor
/// would not do: Rust opens /dev/null in its place at start.)
fn lab_without_stdout(args: &[&str]) -> (Option<i32>, String) {
    build();
    let gone = "import os, sys\n\
                r, w = os.pipe()\n\
                os.close(r)\n\
                os.dup2(w, 1)\n\
                os.execv(sys.argv[1], sys.argv[1:])";
    let mut command = Command::new("python3");
    command
        .args(["-c", gone])
        .arg(env!("CARGO_BIN_EXE_lab"))
        .args(args)
        .current_dir(workspace())
        .env("LANG", "C");
    let limits = Limits {
        time: Duration::from_secs(90),
        output: 1 << 20,
    };
    let run = harness::run(&mut command, b"", limits).unwrap();
    let End::Exited(status) = run.end else {
        panic!("lab {args:?}: {:?}", run.end);
    };
    (status.code(), String::from_utf8(run.stderr).unwrap())
}

#[test]
fn a_closed_output_ends_no_run_with_a_panic() {
    assert_eq!(lab_without_stdout(&["list"]), (Some(0), String::new()));
    // A check goes on to its end and says how it went in its status.
    assert_eq!(
        lab_without_stdout(&["check", "pinger", "--port", "0"]),
        (Some(1), String::new())
    );
}

/// A folder under the workspace's `target/` for one test, named with this
/// process's id, and removed when dropped: also when an assert fails.
struct Scratch {
    relative: String,
    dir: std::path::PathBuf,
}

impl Scratch {
    fn new(name: &str) -> Scratch {
        let relative = format!("target/{name}-{}", std::process::id());
        let dir = workspace().join(&relative);
        let _ = fs::remove_dir_all(&dir);
        Scratch { relative, dir }
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = fs::remove_dir_all(&self.dir);
    }
}
