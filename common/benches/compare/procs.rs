//! Starting and stopping the programs under test, and reading what the
//! kernel counts for a process in /proc.
//!
//! Every child process is a [`harness::Process`] (`docs/harness`, shared
//! with the practice checker), in a process group of its own that is
//! killed when it drops, so an error or a panic in the bench never leaves
//! a server running.

use std::fs;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use harness::{End, Limits, Process, Stream};

/// How long a program may take to start, or a helper command to finish.
const START_DEADLINE: Duration = Duration::from_secs(10);

/// What every server prints on standard output once it is bound.
const READY: &str = "The server is ready to receive";

/// Where the programs are: the four Rust binaries, the Python originals,
/// the Python interpreter, and this bench's own executable.
pub struct Programs {
    binaries: PathBuf,
    scripts: PathBuf,
    pub python: PathBuf,
    bench: PathBuf,
    /// The CPU the servers are started on, if they are pinned (see
    /// [`pin`]).
    pub server_cpu: Option<usize>,
}

impl Programs {
    /// Builds the four binaries and finds the rest.
    ///
    /// Cargo builds only this bench for `cargo bench`, not the binaries
    /// it starts, so we ask cargo to build them (it does nothing when they
    /// are up to date). Cargo holds no lock while a bench or test runs.
    /// `release` builds them optimized, as the full run needs; the quick
    /// run takes the binaries of its own profile, which `cargo test` has
    /// already built.
    pub fn find(release: bool) -> Result<Programs, String> {
        let bench = std::env::current_exe()
            .map_err(|e| format!("cannot find the bench executable: {e}"))?;
        // target/<profile>/deps/compare-<hash>
        let profile = bench
            .parent()
            .and_then(Path::parent)
            .ok_or("the bench does not sit in target/<profile>/deps")?;
        let release = release || profile.ends_with("release");
        let binaries = match profile.parent() {
            Some(target) if release => target.join("release"),
            _ => profile.to_path_buf(),
        };
        let workspace = Path::new(env!("CARGO_MANIFEST_DIR"))
            .parent()
            .ok_or("common sits in the workspace folder")?;

        let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
        let mut build = Command::new(cargo);
        build.args(["build", "--quiet"]).current_dir(workspace);
        for name in ["udp-client", "udp-server", "tcp-client", "tcp-server"] {
            build.args(["-p", name]);
        }
        // The binaries, and the TCP server's lecture listing (its system
        // calls are counted).
        build.args(["--bins", "--example", "tcp_server"]);
        if release {
            build.arg("--release");
        }
        let status = build
            .stdin(Stdio::null())
            .status()
            .map_err(|e| format!("cannot run cargo build: {e}"))?;
        if !status.success() {
            return Err(format!(
                "cargo build of the binaries failed: {status}"
            ));
        }

        Ok(Programs {
            binaries,
            scripts: workspace.join("docs/python"),
            python: python_interpreter(),
            bench,
            server_cpu: None,
        })
    }

    /// One of the four Rust binaries, as a client.
    pub fn rust(&self, name: &str) -> Command {
        let mut command = Command::new(self.binaries.join(name));
        // The programs' default log level, whatever this shell has set.
        command.env_remove("RUST_LOG");
        command
    }

    /// A Python original, as a client.
    pub fn python(&self, script: &str) -> Command {
        let mut command = Command::new(&self.python);
        command.arg(self.scripts.join(script));
        command
    }

    /// A Rust server, on the servers' CPU.
    pub fn rust_server(&self, name: &str) -> Command {
        let mut command = self.on_server_cpu(self.binaries.join(name));
        command.env_remove("RUST_LOG");
        command
    }

    /// A lecture listing (`examples/NAME.rs`, which takes HOST PORT as the
    /// Python originals do), on the servers' CPU.
    pub fn lecture_server(&self, name: &str) -> Command {
        self.on_server_cpu(self.binaries.join("examples").join(name))
    }

    /// A Python original server, on the servers' CPU, unbuffered (`-u`)
    /// so that its ready line is not held back.
    pub fn python_server(&self, script: &str) -> Command {
        let mut command = self.on_server_cpu(&self.python);
        command.arg("-u").arg(self.scripts.join(script));
        command
    }

    /// A bare baseline server (this bench, started again with `which`,
    /// one of the names in `bare`), on the servers' CPU.
    pub fn bare_server(&self, which: &str) -> Command {
        let mut command = self.on_server_cpu(&self.bench);
        command.arg(which);
        command
    }

    /// `taskset -c CPU PROGRAM`: taskset sets its own CPU and then
    /// becomes the program (exec), so the process id is the program's.
    fn on_server_cpu(&self, program: impl AsRef<std::ffi::OsStr>) -> Command {
        match self.server_cpu {
            Some(cpu) => {
                let mut command = Command::new("taskset");
                command.args(["-c", &cpu.to_string()]).arg(program);
                command
            }
            None => Command::new(program),
        }
    }
}

/// Puts this process, and so the client threads it will start, on one
/// CPU, and returns another for the servers: `(bench, servers)`.
///
/// Why: on a virtual machine, waking a thread on another, idle CPU is
/// expensive, and the server's CPU time per request then depends on
/// where the scheduler happened to put the client and the server (on the
/// same CPU, a UDP reply took 3 µs of server CPU in our trials; on two,
/// 25 µs). Fixed places make runs comparable. `None` (nothing pinned)
/// with fewer than two CPUs or without `taskset`.
pub fn pin() -> Option<(usize, usize)> {
    let status = fs::read_to_string("/proc/self/status").ok()?;
    let allowed = status
        .lines()
        .find_map(|line| line.strip_prefix("Cpus_allowed_list:"))?;
    let cpus = cpu_list(allowed.trim());
    let (&bench, &servers) = (cpus.first()?, cpus.get(1)?);
    // -a: every thread of the process; -p: an existing process.
    let mut command = Command::new("taskset");
    command.args(["-a", "-p", "-c", &bench.to_string()]);
    command.arg(std::process::id().to_string());
    run_to_end(command, b"", START_DEADLINE).ok()?;
    Some((bench, servers))
}

/// "0-3,6" -> [0, 1, 2, 3, 6]
fn cpu_list(text: &str) -> Vec<usize> {
    text.split(',')
        .flat_map(|part| {
            let (first, last) = part.split_once('-').unwrap_or((part, part));
            match (first.parse::<usize>(), last.parse::<usize>()) {
                (Ok(first), Ok(last)) => (first..=last).collect(),
                _ => Vec::new(),
            }
        })
        .collect()
}

/// The interpreter that `python3` runs. On some machines `python3` on the
/// PATH is a version manager's shell script (pyenv's shim), which adds
/// tens of milliseconds to every start; timing it would charge Python for
/// a shell script. Falls back to `python3` itself.
fn python_interpreter() -> PathBuf {
    let mut command = Command::new("python3");
    command.args(["-c", "import sys; print(sys.executable)"]);
    match run_to_end(command, b"", START_DEADLINE) {
        Ok(run) if run.stdout.len() > 1 => {
            let text = String::from_utf8_lossy(&run.stdout);
            PathBuf::from(text.trim())
        }
        _ => PathBuf::from("python3"),
    }
}

/// A server process that is up and ready, killed when dropped. Its
/// standard input stays open until then: the bare servers exit when it
/// closes.
pub struct Server {
    process: Process,
    /// Where clients reach it.
    pub address: SocketAddr,
}

impl Server {
    /// A Rust server on a port the system picks (`--port 0`); the address
    /// comes from its log line `listening on ADDR`.
    pub fn rust(mut command: Command) -> Result<Server, String> {
        command.args(["--host", "127.0.0.1", "--port", "0"]);
        start(command, Port::FromLog)
    }

    /// A Python original, on port 0 too. It does not print the port it
    /// got: that is read from /proc.
    pub fn python(mut command: Command, udp: bool) -> Result<Server, String> {
        command.args(["127.0.0.1", "0"]);
        start(command, Port::FromProc { udp })
    }

    /// A bare baseline server, on port 0 as the Python ones are.
    pub fn bare(mut command: Command, udp: bool) -> Result<Server, String> {
        command.arg("0");
        start(command, Port::FromProc { udp })
    }

    pub fn pid(&self) -> u32 {
        self.process.id()
    }

    /// How the server ended, if it did: it should run until killed.
    pub fn exited(&mut self) -> Option<String> {
        self.process.exited().map(|status| status.to_string())
    }

    /// What the kernel counts for the server now.
    pub fn usage(&self) -> Result<Usage, String> {
        usage(self.pid())
    }
}

/// Where the port that a server got for port 0 is read.
enum Port {
    /// From its log line `listening on ADDR` (the Rust programs).
    FromLog,
    /// From /proc, where `ss -lnp` reads it (the programs that do not
    /// print it).
    FromProc { udp: bool },
}

/// Starts a server on port 0 and waits until it says it is ready, then
/// reads the port it got. Port 0 leaves no moment between choosing a free
/// port and binding it, when another program could take it.
fn start(mut command: Command, port: Port) -> Result<Server, String> {
    let what = format!("{command:?}");
    // The first lines of its output are kept; the rest is read and
    // thrown away. A server whose pipe is not read blocks when the pipe
    // is full (64 KiB), and with `RUST_LOG=debug` that takes well under a
    // second.
    let process = Process::start(&mut command, SERVER_OUTPUT)
        .map_err(|e| format!("cannot start {what}: {e}"))?;
    let mut server = Server {
        process,
        address: SocketAddr::from(([127, 0, 0, 1], 0)),
    };
    let deadline = Instant::now() + START_DEADLINE;
    let failed = |server: &Server, why: &str| {
        // Whatever it printed on standard error explains most failures.
        let log = server.process.output(Stream::Stderr);
        format!("{what} {why}; its log: {:?}", String::from_utf8_lossy(&log))
    };
    if let Port::FromLog = port {
        let line = server
            .process
            .wait_for(Stream::Stderr, "listening on ", deadline)
            .ok_or_else(|| failed(&server, "logged no `listening on`"))?;
        server.address = line
            .split("listening on ")
            .nth(1)
            .and_then(|rest| rest.split_whitespace().next())
            .and_then(|address| address.parse().ok())
            .ok_or_else(|| format!("{what}: no address in {line:?}"))?;
    }
    if server
        .process
        .wait_for(Stream::Stdout, READY, deadline)
        .is_none()
    {
        return Err(failed(&server, "never said it was ready"));
    }
    if let Port::FromProc { udp } = port {
        let pid = server.pid();
        let port = harness::wait_listening(pid, udp, deadline)
            .ok_or_else(|| failed(&server, "listens on no port"))?;
        server.address.set_port(port);
    }
    Ok(server)
}

/// How much of a server's output is kept, per stream.
const SERVER_OUTPUT: usize = 64 * 1024;

/// What a program that ran to its end printed, and how long it took from
/// start to exit.
pub struct Run {
    pub took: Duration,
    pub stdout: Vec<u8>,
}

/// Runs a program with `stdin` as its standard input until it exits, at
/// most until `deadline` is up (then it is killed). The time counts from
/// just before the process is started to its exit: process start
/// included.
pub fn run_to_end(
    mut command: Command,
    stdin: &[u8],
    deadline: Duration,
) -> Result<Run, String> {
    let what = format!("{command:?}");
    let limits = Limits {
        time: deadline,
        ..Limits::default()
    };
    let run = harness::run(&mut command, stdin, limits)
        .map_err(|e| format!("cannot start {what}: {e}"))?;
    match run.end {
        End::Exited(status) if status.success() => Ok(Run {
            took: run.took,
            stdout: run.stdout,
        }),
        End::Exited(status) => {
            // Standard error explains a failure.
            let said = String::from_utf8_lossy(&run.stderr);
            let last = said.lines().last().unwrap_or("").trim();
            Err(format!("{what} failed: {status}: {last}"))
        }
        End::TimedOut => {
            Err(format!("{what} still running after {deadline:?}"))
        }
        End::Flooded => Err(format!("{what} printed more than it should")),
    }
}

/// What the kernel counts for a process: CPU time, memory, descriptors.
#[derive(Clone, Copy)]
pub struct Usage {
    /// User plus system CPU time of all its threads, in clock ticks.
    pub ticks: u64,
    /// Resident memory (VmRSS), in KiB.
    pub rss_kib: u64,
    /// Open file descriptors.
    pub fds: usize,
}

fn usage(pid: u32) -> Result<Usage, String> {
    let proc = PathBuf::from(format!("/proc/{pid}"));
    let read = |file: &str| {
        fs::read_to_string(proc.join(file))
            .map_err(|e| format!("cannot read /proc/{pid}/{file}: {e}"))
    };

    // /proc/PID/stat: field 14 is utime, field 15 stime. Field 2 is the
    // command name in parentheses, which may hold spaces, so we count
    // from the last ')': the field after it is field 3.
    let stat = read("stat")?;
    let fields: Vec<&str> = stat
        .rsplit_once(')')
        .map(|(_, rest)| rest.split_whitespace().collect())
        .unwrap_or_default();
    let field = |n: usize| -> Result<u64, String> {
        fields
            .get(n - 3)
            .and_then(|f| f.parse().ok())
            .ok_or_else(|| format!("no field {n} in /proc/{pid}/stat"))
    };
    let ticks = field(14)? + field(15)?;

    // /proc/PID/status: "VmRSS:     2048 kB"
    let status = read("status")?;
    let rss_kib = status
        .lines()
        .find_map(|line| line.strip_prefix("VmRSS:"))
        .and_then(|rest| rest.split_whitespace().next())
        .and_then(|kib| kib.parse().ok())
        .ok_or_else(|| format!("no VmRSS in /proc/{pid}/status"))?;

    let fds = fs::read_dir(proc.join("fd"))
        .map_err(|e| format!("cannot list /proc/{pid}/fd: {e}"))?
        .count();
    Ok(Usage {
        ticks,
        rss_kib,
        fds,
    })
}

/// Clock ticks per second, the unit of the CPU times in /proc (`getconf
/// CLK_TCK`; 100 on most Linux systems, so one tick is 10 ms).
pub fn clock_ticks() -> u64 {
    let mut command = Command::new("getconf");
    command.arg("CLK_TCK");
    run_to_end(command, b"", START_DEADLINE)
        .ok()
        .and_then(|run| {
            String::from_utf8_lossy(&run.stdout).trim().parse().ok()
        })
        .filter(|&ticks| ticks > 0)
        .unwrap_or(100)
}

/// Connection requests dropped so far, on the whole system, because a
/// listening socket's queue of unaccepted connections was full
/// (`TcpExtListenOverflows` in /proc/net/netstat, as `nstat` shows it).
/// Each one costs the client a retransmission, one second later.
pub fn listen_overflows() -> Option<u64> {
    let netstat = fs::read_to_string("/proc/net/netstat").ok()?;
    // Pairs of lines: "TcpExt: Name1 Name2 ..." then "TcpExt: 1 2 ...".
    let mut lines = netstat.lines().filter(|l| l.starts_with("TcpExt:"));
    let names = lines.next()?.split_whitespace();
    let values = lines.next()?.split_whitespace();
    names
        .zip(values)
        .find(|(name, _)| *name == "ListenOverflows")
        .and_then(|(_, value)| value.parse().ok())
}
