//! The program under check: how to start it with `HOST PORT`, how to
//! tell that a server has bound its port, and how to read its end.

use std::ffi::OsString;
use std::net::{TcpListener, UdpSocket};
use std::path::PathBuf;
use std::process::{Command, ExitStatus};
use std::thread;
use std::time::{Duration, Instant};

use harness::{Process, Stream};

use crate::text::Lang;
use crate::tr;

/// A program to check: a built starter, `python3 my_pinger.py`, any
/// binary. It is given `HOST PORT` after its own arguments, as the
/// Python listings of `docs/python/` take them.
#[derive(Clone, Debug)]
pub struct Program {
    pub argv: Vec<OsString>,
    /// Where it runs (the web server serves the files of its folder).
    pub dir: Option<PathBuf>,
}

/// Output kept of each stream of a program under check: more is a
/// flood, and is thrown away (never written to disk).
pub const OUTPUT: usize = 64 * 1024;

/// Why a check stops before its cases are done.
#[derive(Debug)]
pub enum Stop {
    /// The starter's `todo!()` ran: nothing written yet.
    NotWritten,
    /// Something outside the program: a busy port, a program that does
    /// not start. Said in one line.
    Setup(String),
}

impl Program {
    pub fn new(argv: Vec<OsString>) -> Program {
        Program { argv, dir: None }
    }

    /// How a person would type it.
    pub fn describe(&self) -> String {
        let words: Vec<String> = self
            .argv
            .iter()
            .map(|a| a.to_string_lossy().into_owned())
            .collect();
        words.join(" ")
    }

    /// `PROGRAM ARGS… HOST PORT`, in its folder, with Python's output
    /// unbuffered (a Python server's ready line would otherwise wait in
    /// its buffer, since its output is a pipe, not a terminal). Arguments
    /// that hold `{host}` or `{port}` get them there instead, for a
    /// program that takes options (`udp-client --host {host} --port
    /// {port}`).
    pub fn command(&self, host: &str, port: u16) -> Command {
        let (first, rest) = match self.argv.split_first() {
            Some((first, rest)) => (first.clone(), rest),
            None => (OsString::from("false"), &[][..]),
        };
        let mut command = Command::new(first);
        let mut placed = false;
        for arg in rest {
            let text = arg.to_string_lossy();
            if text.contains("{host}") || text.contains("{port}") {
                placed = true;
                let text = text
                    .replace("{host}", host)
                    .replace("{port}", &port.to_string());
                command.arg(text);
            } else {
                command.arg(arg);
            }
        }
        if !placed {
            command.arg(host).arg(port.to_string());
        }
        command.env("PYTHONUNBUFFERED", "1");
        // The Rust programs' own log level, not the one of this shell.
        command.env_remove("RUST_LOG");
        if let Some(dir) = &self.dir {
            command.current_dir(dir);
        }
        command
    }

    /// Starts it on `127.0.0.1 PORT`.
    pub fn start(&self, port: u16, lang: Lang) -> Result<Process, Stop> {
        let mut command = self.command("127.0.0.1", port);
        Process::start(&mut command, OUTPUT).map_err(|error| {
            Stop::Setup(tr!(
                lang,
                "cannot start {}: {error}",
                "{} 프로그램을 시작할 수 없습니다: {error}",
                self.describe()
            ))
        })
    }
}

/// Did this run end in the starter's `todo!()`? Rust's panic says "not
/// yet implemented", and the program exits with status 101.
pub fn not_written(status: Option<ExitStatus>, stderr: &[u8]) -> bool {
    let said = String::from_utf8_lossy(stderr);
    status.and_then(|s| s.code()) == Some(101)
        && said.contains("not yet implemented")
}

/// The last line of what it said on standard error: a Python traceback
/// ends with the exception, a Rust program with its error.
pub fn last_words(stderr: &[u8]) -> String {
    let said = String::from_utf8_lossy(stderr);
    said.lines()
        .rev()
        .find(|line| !line.trim().is_empty())
        .unwrap_or("")
        .trim()
        .to_string()
}

/// How a process ended, in words: `exit status 1: OSError: …`.
pub fn ending(status: Option<ExitStatus>, stderr: &[u8], lang: Lang) -> String {
    let words = last_words(stderr);
    let status = match status {
        Some(status) => match (lang, status.code()) {
            (Lang::Ko, Some(code)) => format!("종료 상태 {code}"),
            _ => status.to_string(),
        },
        None => tr!(lang, "still running", "아직 실행 중"),
    };
    if words.is_empty() {
        status
    } else {
        format!("{status}: {words}")
    }
}

/// Is this loopback port free now, for UDP or TCP?
pub fn port_free(port: u16, udp: bool) -> bool {
    if udp {
        UdpSocket::bind(("127.0.0.1", port)).is_ok()
    } else {
        TcpListener::bind(("127.0.0.1", port)).is_ok()
    }
}

/// A port for the program: `wanted`, or a free one if `wanted` is 0.
/// A busy wanted port stops the check with a clear message.
pub fn pick_port(wanted: u16, udp: bool, lang: Lang) -> Result<u16, Stop> {
    if wanted == 0 {
        return harness::free_port(udp).map_err(|e| {
            Stop::Setup(tr!(
                lang,
                "no free port on 127.0.0.1: {e}",
                "127.0.0.1에 빈 포트가 없습니다: {e}"
            ))
        });
    }
    if port_free(wanted, udp) {
        return Ok(wanted);
    }
    Err(busy(wanted, udp, lang))
}

/// A wanted port that another program has, in one line.
fn busy(wanted: u16, udp: bool, lang: Lang) -> Stop {
    if !udp && only_time_wait(wanted) {
        return Stop::Setup(tr!(
            lang,
            "TCP port {wanted} is held by connections in TIME-WAIT, left by a \
             server that closed them a moment ago; no program has it, but a \
             server without SO_REUSEADDR (the Python's, the lecture's) cannot \
             bind it for about a minute. Wait, or check on another port with \
             --port (docs/en/what-goes-wrong.md § Restarting the TCP server: \
             TIME-WAIT)",
            "TCP 포트 {wanted}번은 조금 전에 서버가 닫은 연결이 TIME-WAIT 상태로 \
             붙잡고 있습니다. 이 포트를 쓰는 프로그램은 없지만, SO_REUSEADDR \
             옵션을 설정하지 않은 서버(파이썬의 서버, 강의의 서버)는 1분쯤 이 포트에 \
             바인딩할 수 없습니다. 기다리거나 --port로 다른 포트를 고르세요\
             (docs/ko/what-goes-wrong.md § TCP 서버 다시 시작하기: TIME-WAIT)"
        ));
    }
    let kind = if udp { "UDP" } else { "TCP" };
    let ss = if udp { "-uanp" } else { "-tanp" };
    Stop::Setup(tr!(
        lang,
        "{kind} port {wanted} is busy: another program (a server you left \
         running?) has it; `ss {ss} sport = :{wanted}` shows which. Stop it, \
         or check on another port with --port",
        "{kind} 포트 {wanted}번은 다른 프로그램이 쓰고 있습니다(켜 둔 서버일 수 \
         있습니다). 어느 프로그램인지는 `ss {ss} sport = :{wanted}` 명령으로 \
         볼 수 있습니다. 그 프로그램을 멈추거나 --port로 다른 포트를 고르세요"
    ))
}

/// The checker's own UDP socket for a program under check to reach: on
/// `wanted`, or on a free port the kernel picks when `wanted` is 0 (bound
/// at once, so no other program can take it in between: grading runs
/// several checks side by side). A busy wanted port stops the check with
/// the message of [`pick_port`].
pub fn listen_udp(wanted: u16, lang: Lang) -> Result<UdpSocket, Stop> {
    UdpSocket::bind(("127.0.0.1", wanted))
        .map_err(|e| cannot_listen(wanted, true, &e, lang))
}

/// The same for TCP.
pub fn listen_tcp(wanted: u16, lang: Lang) -> Result<TcpListener, Stop> {
    TcpListener::bind(("127.0.0.1", wanted))
        .map_err(|e| cannot_listen(wanted, false, &e, lang))
}

fn cannot_listen(
    wanted: u16,
    udp: bool,
    error: &std::io::Error,
    lang: Lang,
) -> Stop {
    if wanted != 0 && error.kind() == std::io::ErrorKind::AddrInUse {
        return busy(wanted, udp, lang);
    }
    Stop::Setup(tr!(
        lang,
        "cannot listen on 127.0.0.1:{wanted}: {error}",
        "127.0.0.1:{wanted}에서 기다릴 수 없습니다: {error}"
    ))
}

/// Are the only TCP sockets on local `port` in TIME-WAIT (state 06 in
/// /proc/net/tcp), so that no program holds it? `false` without /proc.
fn only_time_wait(port: u16) -> bool {
    harness::socket_table("/proc/net", false).is_some_and(|sockets| {
        let mut here = sockets.iter().filter(|s| s.port == port).peekable();
        here.peek().is_some() && here.all(|s| s.state == harness::TIME_WAIT)
    })
}

/// Is a socket bound to `port` (for TCP, listening on it), on any
/// address? Read from the kernel's tables in /proc/net, which a probe
/// would not disturb (a probe connection would be a client the server
/// did not expect). `None` where there is no /proc (not Linux).
pub fn bound(port: u16, udp: bool) -> Option<bool> {
    let sockets = harness::socket_table("/proc/net", udp)?;
    Some(
        sockets
            .iter()
            .any(|s| s.port == port && (udp || s.state == harness::LISTEN)),
    )
}

/// How waiting for a server to bind its port ended.
pub enum Waited {
    Bound,
    /// It exited first, with what it said.
    Exited(Option<ExitStatus>, Vec<u8>),
    /// Still running, port not bound, when time was up.
    Never,
}

/// How long a server may take to start and bind: Python starts in a
/// few hundred milliseconds on a loaded machine.
pub const START: Duration = Duration::from_secs(10);

/// Waits for `process` to bind `port`. Without /proc, the first line on
/// its standard output (its ready line) stands for it.
pub fn wait_bound(process: &mut Process, port: u16, udp: bool) -> Waited {
    let deadline = Instant::now() + START;
    loop {
        match bound(port, udp) {
            Some(true) => return Waited::Bound,
            Some(false) => {}
            None => {
                let line = process.next_line(Stream::Stdout, deadline);
                return if line.is_some() {
                    Waited::Bound
                } else if let Some(status) = process.exited() {
                    Waited::Exited(Some(status), process.output(Stream::Stderr))
                } else {
                    Waited::Never
                };
            }
        }
        if let Some(status) = process.exited() {
            // Its last words may still be in the pipe.
            process.wait_closed(Instant::now() + Duration::from_millis(500));
            return Waited::Exited(
                Some(status),
                process.output(Stream::Stderr),
            );
        }
        if Instant::now() >= deadline {
            // Past it, a server still starting (runnable, or reading the
            // disk) may wait its turn on a busy machine a while longer.
            let busy = harness::starting(process.id());
            if !busy || Instant::now() >= deadline + harness::STARTING {
                return Waited::Never;
            }
        }
        thread::sleep(Duration::from_millis(10));
    }
}
