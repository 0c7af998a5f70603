//! The servers measured, started and stopped through `harness`, and what
//! /proc says about them and about this machine.
use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use harness::{Process, Stream};

/// One of the ten servers: a model in one language.
#[derive(Clone, Copy)]
pub struct Subject {
    /// The model, as the chapter names it.
    pub model: &'static str,
    /// "Rust" or "Python".
    pub language: &'static str,
    /// The example's name or the script's file name.
    pub program: &'static str,
    /// What it should do when the checks run (quick mode asserts these):
    /// serves a new client while other connections are idle.
    pub serves_past_idle: bool,
}

pub const SUBJECTS: [Subject; 10] = {
    const fn s(
        model: &'static str,
        language: &'static str,
        program: &'static str,
        serves_past_idle: bool,
    ) -> Subject {
        Subject {
            model,
            language,
            program,
            serves_past_idle,
        }
    }
    [
        s("iterative", "Rust", "tcp_server", false),
        s("iterative", "Python", "tcp_server.py", false),
        s("thread per connection", "Rust", "many_threads", true),
        s("thread per connection", "Python", "many_threads.py", true),
        s("pool of 4 threads", "Rust", "many_pool", false),
        s("pool of 4 threads", "Python", "many_pool.py", false),
        s("readiness loop", "Rust", "many_mio", true),
        s("readiness loop", "Python", "many_selectors.py", true),
        s("async tasks", "Rust", "many_tokio", true),
        s("async tasks", "Python", "many_asyncio.py", true),
    ]
};

/// Where the examples and the Python twins are.
pub struct Programs {
    examples: PathBuf,
    python: PathBuf,
    pub workspace: PathBuf,
}

impl Programs {
    /// Builds tcp-server's examples (cargo builds only the bench itself
    /// for `cargo bench`), optimized for the full run; the quick run uses
    /// the profile `cargo test` built it with.
    pub fn build(release: bool) -> Result<Programs, String> {
        let workspace = Path::new(env!("CARGO_MANIFEST_DIR"))
            .parent()
            .ok_or("tcp-server sits in the workspace folder")?
            .to_path_buf();
        let bench = std::env::current_exe().map_err(|e| e.to_string())?;
        // target/<profile>/deps/<bench> -> target/<profile>
        let profile = bench
            .parent()
            .and_then(Path::parent)
            .ok_or("the bench sits in target/<profile>/deps")?;
        let release = release || profile.ends_with("release");
        let target = profile.parent().ok_or("no target folder")?;
        let profile = target.join(if release { "release" } else { "debug" });
        let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
        let mut build = Command::new(cargo);
        build
            .args(["build", "--quiet", "-p", "tcp-server", "--examples"])
            .current_dir(&workspace);
        if release {
            build.arg("--release");
        }
        let status = build
            .status()
            .map_err(|e| format!("cannot run cargo build: {e}"))?;
        if !status.success() {
            return Err(format!("cargo build of the examples: {status}"));
        }
        Ok(Programs {
            examples: profile.join("examples"),
            python: workspace.join("docs/python"),
            workspace,
        })
    }

    fn command(&self, subject: &Subject) -> Command {
        if subject.language == "Python" {
            let mut command = Command::new("python3");
            command.arg("-u").arg(self.python.join(subject.program));
            command
        } else {
            Command::new(self.examples.join(subject.program))
        }
    }

    /// Starts `subject` on port 0 of 127.0.0.1 (the kernel picks a free
    /// port when it binds, so no other program can take it first), waits
    /// for its ready line, and reads the port it got from /proc. The
    /// harness kills its process group when it is dropped.
    pub fn start(&self, subject: &Subject) -> Result<Server, String> {
        let mut command = self.command(subject);
        command.args(["127.0.0.1", "0"]);
        let what = format!("{} ({})", subject.program, subject.language);
        let mut process = Process::start(&mut command, 1 << 16)
            .map_err(|e| format!("cannot start {what}: {e}"))?;
        let deadline = Instant::now() + Duration::from_secs(10);
        let ready = "The server is ready to receive";
        if process.wait_for(Stream::Stdout, ready, deadline).is_none() {
            let log = String::from_utf8_lossy(&process.output(Stream::Stderr))
                .into_owned();
            return Err(format!("{what} never became ready: {log}"));
        }
        // It prints its ready line after listen: the socket is there
        let port = harness::listening_port(process.id(), false).ok_or(
            format!("{what}: no listening socket in /proc (Linux only)"),
        )?;
        Ok(Server { process, port })
    }
}

pub struct Server {
    process: Process,
    pub port: u16,
}

/// What /proc says about a server process at one moment.
#[derive(Clone, Copy, Default)]
pub struct Usage {
    pub threads: u64,
    /// Resident memory, KiB.
    pub rss_kib: u64,
    /// Reserved address space (stacks included), KiB.
    pub virtual_kib: u64,
    pub descriptors: u64,
}

impl Server {
    pub fn usage(&self) -> Usage {
        let pid = self.process.id();
        let status = fs::read_to_string(format!("/proc/{pid}/status"))
            .unwrap_or_default();
        let field = |name: &str| {
            status
                .lines()
                .find_map(|line| line.strip_prefix(name))
                .and_then(|rest| rest.split_whitespace().next())
                .and_then(|n| n.parse().ok())
                .unwrap_or(0)
        };
        let descriptors = fs::read_dir(format!("/proc/{pid}/fd"))
            .map(|entries| entries.count() as u64)
            .unwrap_or(0);
        Usage {
            threads: field("Threads:"),
            rss_kib: field("VmRSS:"),
            virtual_kib: field("VmSize:"),
            descriptors,
        }
    }

    /// Still running? (A server that died mid-run is a failed run.)
    pub fn alive(&mut self) -> bool {
        self.process.exited().is_none()
    }
}

/// The soft and hard limits on open descriptors of this process.
fn descriptor_limits() -> Option<(u64, u64)> {
    let limits = fs::read_to_string("/proc/self/limits").ok()?;
    let line = limits.lines().find(|l| l.starts_with("Max open files"))?;
    let mut numbers = line
        .split_whitespace()
        .filter_map(|word| word.parse::<u64>().ok());
    Some((numbers.next()?, numbers.next()?))
}

/// Raises the soft limit on descriptors to the hard one, with util-linux's
/// `prlimit` (std cannot call setrlimit, and this workspace has no unsafe
/// code); the servers started after it inherit the limit. Returns the
/// soft limit in force, and whether it could be raised.
pub fn raise_descriptor_limit() -> u64 {
    let Some((soft, hard)) = descriptor_limits() else {
        return 1024;
    };
    if soft < hard {
        let pid = std::process::id().to_string();
        let limit = format!("--nofile={hard}:{hard}");
        let _ = Command::new("prlimit")
            .args(["--pid", &pid, &limit])
            .status();
    }
    descriptor_limits().map_or(soft, |(soft, _)| soft)
}

/// The machine's load average over the last minute (/proc/loadavg): how
/// many tasks, on average, were running or waiting for a core. Above the
/// number of cores, other work was competing with the run.
pub fn load_average() -> String {
    fs::read_to_string("/proc/loadavg")
        .ok()
        .and_then(|text| text.split_whitespace().next().map(str::to_string))
        .unwrap_or_else(|| "unknown".into())
}

/// One line about this machine: CPU, cores, kernel, Python.
pub fn machine() -> String {
    let cpu = fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|info| {
            info.lines().find_map(|l| l.strip_prefix("model name")).map(
                |rest| rest.trim_start_matches([' ', '\t', ':']).to_string(),
            )
        })
        .unwrap_or_else(|| "unknown CPU".into());
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    let kernel = fs::read_to_string("/proc/sys/kernel/osrelease")
        .map(|s| s.trim().to_string())
        .unwrap_or_else(|_| "unknown".into());
    let python = Command::new("python3")
        .arg("--version")
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_string())
        .unwrap_or_else(|_| "no python3".into());
    format!("{cpu}, {cores} cores, Linux {kernel}, {python}")
}
