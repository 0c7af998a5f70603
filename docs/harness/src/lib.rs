//! # harness: run a program under test, and always stop it
//!
//! The bench (`common/benches/compare`) and the practice checker
//! (`docs/lab`) both start programs that they cannot trust to behave: a
//! server that never says it is ready, a client that hangs, a student's
//! submission that forks, floods its output or never exits. This crate is
//! the one piece of code they share for that.
//!
//! - [`Process::start`] starts a program in a process group of its own,
//!   with its three standard streams piped. Two threads read its standard
//!   output and standard error and keep at most `output` bytes of each;
//!   the rest is read and thrown away (and counted), so the program never
//!   blocks on a full pipe and nothing grows without bound, in memory or
//!   on disk.
//! - [`Process::wait_for`] waits, until a deadline, for a line that holds
//!   a given text: a server's ready line, or the address it logs.
//! - [`run`] runs a program to its end with a given input, within
//!   [`Limits`]: one that runs past its time, or floods its output, is
//!   ended, and the [`Output`] says which.
//! - Dropping a [`Process`] (or calling [`Process::end`]) sends `SIGKILL`
//!   to its whole process group, so the children it forked end with it,
//!   and then reaps it.
//! - [`wait_listening`] reads from /proc the port a server listens on: one
//!   started on port 0 gets a free port from the system as it binds, and
//!   does not print which.
//!
//! ```no_run
//! use std::process::Command;
//! use std::time::{Duration, Instant};
//! use harness::{Process, Stream};
//!
//! let mut server = Process::start(&mut Command::new("udp-server"), 1 << 16)?;
//! let deadline = Instant::now() + Duration::from_secs(10);
//! let ready = server.wait_for(Stream::Stdout, "ready to receive", deadline);
//! assert!(ready.is_some());
//! // ... talk to it; it is killed, with its group, when `server` drops.
//! # Ok::<(), std::io::Error>(())
//! ```
//!
//! What it cannot stop: a child that leaves the group (`setsid`, or a
//! double fork into a session of its own) escapes the kill. Everything
//! started here runs as the user who started it, with that user's rights
//! on files and the network.

use std::fs;
use std::io::{self, Read, Write};
use std::net::{TcpListener, UdpSocket};
use std::process::{Child, ChildStdin, Command, ExitStatus, Stdio};
use std::sync::{Arc, Condvar, Mutex, MutexGuard};
use std::thread;
use std::time::{Duration, Instant};

/// How much of each output stream is kept by default: 1 MiB.
pub const OUTPUT: usize = 1 << 20;

/// How long and how much a program may run and print.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Limits {
    /// From start to exit; past it the program is ended.
    pub time: Duration,
    /// Bytes kept of each of standard output and standard error; a
    /// program that prints more is ended by [`run`].
    pub output: usize,
}

impl Default for Limits {
    /// Ten seconds, [`OUTPUT`] bytes.
    fn default() -> Limits {
        Limits {
            time: Duration::from_secs(10),
            output: OUTPUT,
        }
    }
}

/// One of a program's two output streams.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Stream {
    Stdout,
    Stderr,
}

impl Stream {
    fn index(self) -> usize {
        match self {
            Stream::Stdout => 0,
            Stream::Stderr => 1,
        }
    }
}

/// What a reader thread has read of one stream.
#[derive(Default)]
struct Captured {
    /// The first bytes, up to the limit.
    bytes: Vec<u8>,
    /// How many bytes came after the limit, read and thrown away.
    dropped: u64,
    /// The stream reached its end: every process holding it has closed
    /// it (or exited).
    closed: bool,
}

/// The readers' state, shared with the [`Process`]; the condition
/// variable is signalled whenever a reader adds to it.
struct Shared {
    streams: Mutex<[Captured; 2]>,
    changed: Condvar,
}

impl Shared {
    fn lock(&self) -> MutexGuard<'_, [Captured; 2]> {
        // A reader thread never panics while holding the lock; if one
        // did, what it had read is still good to use.
        self.streams.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Waits until a reader adds something, at most until `deadline`.
    /// False once the deadline has passed.
    fn wait<'a>(
        &self,
        streams: MutexGuard<'a, [Captured; 2]>,
        deadline: Instant,
    ) -> (MutexGuard<'a, [Captured; 2]>, bool) {
        let Some(left) = deadline.checked_duration_since(Instant::now()) else {
            return (streams, false);
        };
        let (streams, _) = self
            .changed
            .wait_timeout(streams, left)
            .unwrap_or_else(|e| e.into_inner());
        (streams, true)
    }
}

/// A program started by [`Process::start`]: killed with its whole process
/// group, and reaped, when dropped.
pub struct Process {
    child: Child,
    stdin: Option<ChildStdin>,
    shared: Arc<Shared>,
    /// Where [`Process::next_line`] goes on reading, per stream.
    read: [usize; 2],
    started: Instant,
    ended: bool,
}

impl Process {
    /// Starts `command` in a process group of its own (its process id is
    /// the group's id), with standard input, output and error piped.
    /// At most `output` bytes of each output stream are kept.
    pub fn start(command: &mut Command, output: usize) -> io::Result<Process> {
        #[cfg(unix)]
        {
            use std::os::unix::process::CommandExt;
            // 0: a new group, whose id is the child's process id. The
            // child's own children inherit it, so one signal to the group
            // reaches them all. (A new group also leaves the terminal's
            // Ctrl-C to us: the terminal signals its foreground group.)
            command.process_group(0);
        }
        command
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        let started = Instant::now();
        let mut child = command.spawn()?;
        let shared = Arc::new(Shared {
            streams: Mutex::new(Default::default()),
            changed: Condvar::new(),
        });
        if let Some(stdout) = child.stdout.take() {
            read_into(stdout, Stream::Stdout, output, &shared);
        }
        if let Some(stderr) = child.stderr.take() {
            read_into(stderr, Stream::Stderr, output, &shared);
        }
        Ok(Process {
            stdin: child.stdin.take(),
            child,
            shared,
            read: [0, 0],
            started,
            ended: false,
        })
    }

    /// The process id, which is also its process group's id.
    pub fn id(&self) -> u32 {
        self.child.id()
    }

    /// When it was started.
    pub fn started(&self) -> Instant {
        self.started
    }

    /// Its standard input, until [`Process::close_stdin`].
    pub fn stdin(&mut self) -> Option<&mut ChildStdin> {
        self.stdin.as_mut()
    }

    /// Writes `bytes` to its standard input and closes it (end of file),
    /// from a thread, so a program that never reads cannot block us.
    pub fn send_and_close(&mut self, bytes: &[u8]) {
        if let Some(mut stdin) = self.stdin.take() {
            let bytes = bytes.to_vec();
            thread::spawn(move || {
                // A program that exits without reading makes this fail
                // with a broken pipe: nothing to do about it.
                let _ = stdin.write_all(&bytes);
            });
        }
    }

    /// Closes its standard input: it reads end of file.
    pub fn close_stdin(&mut self) {
        self.stdin = None;
    }

    /// The next line of `stream` (with its `\n`; the last one may lack
    /// it), waiting for it until `deadline`. `None` when no whole line
    /// came in time, or the stream ended.
    pub fn next_line(
        &mut self,
        stream: Stream,
        deadline: Instant,
    ) -> Option<String> {
        let at = stream.index();
        let mut streams = self.shared.lock();
        loop {
            let captured = &streams[at];
            let rest = captured.bytes.get(self.read[at]..).unwrap_or(&[]);
            let end = match rest.iter().position(|&b| b == b'\n') {
                Some(newline) => Some(newline + 1),
                None if captured.closed && !rest.is_empty() => Some(rest.len()),
                None => None,
            };
            if let Some(end) = end {
                let line = String::from_utf8_lossy(&rest[..end]).into_owned();
                self.read[at] += end;
                return Some(line);
            }
            if captured.closed {
                return None;
            }
            let (again, in_time) = self.shared.wait(streams, deadline);
            streams = again;
            if !in_time {
                return None;
            }
        }
    }

    /// Waits until `deadline` for a line of `stream` that contains
    /// `needle`, and returns it; the lines before it are passed over.
    pub fn wait_for(
        &mut self,
        stream: Stream,
        needle: &str,
        deadline: Instant,
    ) -> Option<String> {
        while let Some(line) = self.next_line(stream, deadline) {
            if line.contains(needle) {
                return Some(line);
            }
        }
        None
    }

    /// Everything kept of `stream` so far (at most the limit).
    pub fn output(&self, stream: Stream) -> Vec<u8> {
        self.shared.lock()[stream.index()].bytes.clone()
    }

    /// How many bytes of `stream` came past the limit and were thrown
    /// away.
    pub fn dropped(&self, stream: Stream) -> u64 {
        self.shared.lock()[stream.index()].dropped
    }

    /// Has it printed more than the limit on either stream?
    pub fn flooded(&self) -> bool {
        let streams = self.shared.lock();
        streams.iter().any(|captured| captured.dropped > 0)
    }

    /// How it exited, if it has (it is then reaped).
    pub fn exited(&mut self) -> Option<ExitStatus> {
        self.child.try_wait().ok().flatten()
    }

    /// Waits until it exits, at most until `deadline`.
    pub fn wait_exit(&mut self, deadline: Instant) -> Option<ExitStatus> {
        loop {
            if let Some(status) = self.exited() {
                return Some(status);
            }
            let streams = self.shared.lock();
            // Woken by new output, or every few milliseconds to look
            // again: std cannot wait for an exit with a timeout.
            let soon = deadline.min(Instant::now() + POLL);
            drop(self.shared.wait(streams, soon));
            if Instant::now() >= deadline {
                return self.exited();
            }
        }
    }

    /// Waits until both output streams have ended (every process that
    /// held them has exited or closed them), at most until `deadline`.
    /// True if they did.
    pub fn wait_closed(&self, deadline: Instant) -> bool {
        let mut streams = self.shared.lock();
        while !streams.iter().all(|captured| captured.closed) {
            let (again, in_time) = self.shared.wait(streams, deadline);
            streams = again;
            if !in_time {
                return streams.iter().all(|captured| captured.closed);
            }
        }
        true
    }

    /// Kills its whole process group (`SIGKILL`, which no program can
    /// catch) and reaps it; what it printed stays readable. Dropping the
    /// process does the same.
    pub fn kill(&mut self) {
        if self.ended {
            return;
        }
        self.ended = true;
        self.stdin = None;
        #[cfg(unix)]
        {
            use rustix::process::{Pid, Signal, kill_process_group};
            // The group is signalled even if its leader has exited and
            // been reaped: children it forked may still be in it. Its id
            // cannot have been reused meanwhile, as a group id stays taken
            // while any member lives. ESRCH (none left) is fine.
            let group = Pid::from_child(&self.child);
            let _ = kill_process_group(group, Signal::KILL);
        }
        // Elsewhere, and as a fallback, the process itself.
        let _ = self.child.kill();
        let _ = self.child.wait();
    }

    /// Kills the group (see [`Process::kill`]) and returns how the
    /// process had exited, if it had before that.
    pub fn end(mut self) -> Option<ExitStatus> {
        let exited = self.exited();
        self.kill();
        exited
    }
}

impl Drop for Process {
    fn drop(&mut self) {
        self.kill();
    }
}

/// How often an exit is looked for while nothing else happens.
const POLL: Duration = Duration::from_millis(5);

/// Reads `stream` to its end on a thread of its own, keeping the first
/// `limit` bytes in `shared` and counting the rest.
fn read_into(
    mut stream: impl Read + Send + 'static,
    which: Stream,
    limit: usize,
    shared: &Arc<Shared>,
) {
    let shared = Arc::clone(shared);
    thread::spawn(move || {
        let mut buffer = [0; 8192];
        loop {
            let read = match stream.read(&mut buffer) {
                Ok(0) => break,
                Ok(read) => read,
                Err(error) if error.kind() == io::ErrorKind::Interrupted => {
                    continue;
                }
                Err(_) => break,
            };
            let mut streams = shared.lock();
            let captured = &mut streams[which.index()];
            let room = limit.saturating_sub(captured.bytes.len()).min(read);
            captured.bytes.extend_from_slice(&buffer[..room]);
            captured.dropped += (read - room) as u64;
            drop(streams);
            shared.changed.notify_all();
        }
        shared.lock()[which.index()].closed = true;
        shared.changed.notify_all();
    });
}

/// How a run of [`run`] ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum End {
    /// The program exited by itself, with this status.
    Exited(ExitStatus),
    /// It was still running when its time was up, and was killed.
    TimedOut,
    /// It printed more than the output limit, and was killed.
    Flooded,
}

/// What a program run by [`run`] did.
#[derive(Clone, Debug)]
pub struct Output {
    pub end: End,
    /// The first bytes of its standard output, up to the limit.
    pub stdout: Vec<u8>,
    /// The first bytes of its standard error, up to the limit.
    pub stderr: Vec<u8>,
    /// From just before it was started to its exit (or its killing):
    /// process start included.
    pub took: Duration,
}

impl Output {
    /// Did it exit by itself with status 0?
    pub fn success(&self) -> bool {
        matches!(self.end, End::Exited(status) if status.success())
    }
}

/// How long output may still come, after a program exits, from children
/// that hold its streams; then the group is killed.
const AFTER_EXIT: Duration = Duration::from_millis(500);

/// Runs `command` to its end with `stdin` as its standard input (then end
/// of file), within `limits`. A program that runs past `limits.time`, or
/// prints more than `limits.output` on a stream, is killed with its
/// process group; so is anything it forked, once it exits. An error only
/// when it cannot be started.
pub fn run(
    command: &mut Command,
    stdin: &[u8],
    limits: Limits,
) -> io::Result<Output> {
    let mut process = Process::start(command, limits.output)?;
    let deadline = process.started() + limits.time;
    process.send_and_close(stdin);
    // Once both streams have ended, the exit is a moment away: look for
    // it often at first, so that `took` (which the bench reports) is not
    // rounded up to the polling interval.
    let mut pause = Duration::from_micros(50);
    let end = loop {
        if let Some(status) = process.exited() {
            break End::Exited(status);
        }
        if process.flooded() {
            break End::Flooded;
        }
        let now = Instant::now();
        if now >= deadline {
            break End::TimedOut;
        }
        let streams = process.shared.lock();
        if streams.iter().all(|captured| captured.closed) {
            drop(streams);
            thread::sleep(pause.min(deadline - now));
            pause = (pause * 2).min(POLL);
        } else {
            drop(process.shared.wait(streams, deadline.min(now + POLL)));
        }
    };
    let took = process.started().elapsed();
    if matches!(end, End::Exited(_)) {
        // The last bytes may still be in the pipes.
        process.wait_closed(Instant::now() + AFTER_EXIT);
    }
    process.kill();
    let end = if matches!(end, End::Exited(_)) && process.flooded() {
        End::Flooded
    } else {
        end
    };
    Ok(Output {
        end,
        stdout: process.output(Stream::Stdout),
        stderr: process.output(Stream::Stderr),
        took,
    })
}

/// A loopback port that is free now: bind port 0, read the port the
/// system picked, let it go. Another program may take it before the one
/// it is meant for binds it; where /proc can tell the port a program got,
/// starting that program on port 0 and asking [`listening_port`] leaves
/// no such gap.
pub fn free_port(udp: bool) -> io::Result<u16> {
    let address = if udp {
        UdpSocket::bind("127.0.0.1:0")?.local_addr()?
    } else {
        TcpListener::bind("127.0.0.1:0")?.local_addr()?
    };
    Ok(address.port())
}

/// The port that process `pid` listens on: a TCP socket in LISTEN, or a
/// bound UDP socket, among its own descriptors or those of a process it
/// started (a program run under `strace` or a shell script listens in a
/// child). `None` while it has none, and where there is no /proc (Linux
/// only).
///
/// Why: a program told port 0 (the Python originals and the lecture
/// listings take `HOST PORT`) gets a free port from the system as it
/// binds, so no other program can take that port first; but it does not
/// print which port it got. This reads it where `ss -ltnp` does: the
/// socket inodes among the process's descriptors (`/proc/PID/fd`), looked
/// up in the kernel's socket tables (`/proc/PID/net/tcp` and `tcp6`, or
/// `udp` and `udp6`).
pub fn listening_port(pid: u32, udp: bool) -> Option<u16> {
    let inodes: Vec<String> =
        family(pid).into_iter().flat_map(socket_inodes).collect();
    let sockets = socket_table(&format!("/proc/{pid}/net"), udp)?;
    // A TCP socket that is bound but not listening yet takes no client.
    sockets
        .into_iter()
        .find(|s| {
            (udp || s.state == LISTEN)
                && s.port != 0
                && inodes.contains(&s.inode)
        })
        .map(|s| s.port)
}

/// The inodes of the sockets among process `pid`'s descriptors: each
/// `socket:[INODE]` that /proc/PID/fd links to. Empty where there is no
/// such process, or no /proc.
pub fn socket_inodes(pid: u32) -> Vec<String> {
    let Ok(fds) = fs::read_dir(format!("/proc/{pid}/fd")) else {
        return Vec::new();
    };
    fds.filter_map(|entry| fs::read_link(entry.ok()?.path()).ok())
        .filter_map(|link| {
            let link = link.to_string_lossy().into_owned();
            let inode = link.strip_prefix("socket:[")?.strip_suffix(']')?;
            Some(inode.to_string())
        })
        .collect()
}

/// One socket of the kernel's tables in /proc/net (`tcp`, `tcp6`, `udp`,
/// `udp6`), what `ss` reads: its local port, its state and its inode,
/// the number that names it among a process's descriptors
/// (`socket:[INODE]` in /proc/PID/fd).
pub struct TableSocket {
    pub port: u16,
    /// TCP's state as the table codes it: [`LISTEN`], [`TIME_WAIT`], ...
    pub state: u8,
    pub inode: String,
}

/// The state of a listening TCP socket in /proc/net/tcp.
pub const LISTEN: u8 = 0x0A;
/// The state of a closed TCP connection waiting out its TIME-WAIT.
pub const TIME_WAIT: u8 = 0x06;

/// The sockets of the TCP tables (`tcp` and `tcp6`), or the UDP ones, in
/// folder `net`: `/proc/net` for this process's network, `/proc/PID/net`
/// for process PID's. `None` when neither table can be read (no /proc:
/// not Linux).
pub fn socket_table(net: &str, udp: bool) -> Option<Vec<TableSocket>> {
    let tables = if udp {
        ["udp", "udp6"]
    } else {
        ["tcp", "tcp6"]
    };
    let texts: Vec<String> = tables
        .iter()
        .filter_map(|table| fs::read_to_string(format!("{net}/{table}")).ok())
        .collect();
    if texts.is_empty() {
        return None;
    }
    // "  0: 0100007F:2EE0 00000000:0000 0A ... INODE": after the row
    // number, the local address and port in hexadecimal, the remote ones,
    // the state; the inode is the tenth field.
    let row = |line: &str| {
        let fields: Vec<&str> = line.split_whitespace().collect();
        let (_, port) = fields.get(1)?.rsplit_once(':')?;
        Some(TableSocket {
            port: u16::from_str_radix(port, 16).ok()?,
            state: u8::from_str_radix(fields.get(3)?, 16).ok()?,
            inode: fields.get(9)?.to_string(),
        })
    };
    Some(
        texts
            .iter()
            .flat_map(|text| text.lines().skip(1).filter_map(row))
            .collect(),
    )
}

/// Process `pid` and the processes it started, and theirs, from the
/// `children` lists of /proc (at most 64, in case of a fork bomb).
fn family(pid: u32) -> Vec<u32> {
    let mut family = vec![pid];
    let mut next = 0;
    while let Some(&parent) = family.get(next) {
        next += 1;
        let Ok(tasks) = fs::read_dir(format!("/proc/{parent}/task")) else {
            continue;
        };
        for task in tasks.flatten() {
            let children = task.path().join("children");
            let children = fs::read_to_string(children).unwrap_or_default();
            family.extend(
                children.split_whitespace().flat_map(str::parse::<u32>),
            );
        }
        if family.len() >= 64 {
            family.truncate(64);
            break;
        }
    }
    family
}

/// How long past its deadline [`wait_listening`] waits for a program
/// that is still [`starting`]: on a machine with more work than cores (a
/// load of 14 on 2 cores was seen while grading), an interpreter can wait
/// that long for its turn before it binds.
pub const STARTING: Duration = Duration::from_secs(50);

/// Waits for process `pid` to listen (see [`listening_port`]) until
/// `deadline`, and past it, [`STARTING`] at most, while the process is
/// still [`starting`]. `None` at once when the process has exited (or was
/// never there), and where there is no /proc.
pub fn wait_listening(pid: u32, udp: bool, deadline: Instant) -> Option<u16> {
    loop {
        if let Some(port) = listening_port(pid, udp) {
            return Some(port);
        }
        // Exited: a zombie (`Z`) until its parent reaps it, then gone.
        let state = state(pid);
        if matches!(state, None | Some('Z' | 'X')) {
            return None;
        }
        let now = Instant::now();
        let busy = matches!(state, Some('R' | 'D'));
        if now >= deadline && (!busy || now >= deadline + STARTING) {
            return None;
        }
        thread::sleep(Duration::from_millis(10));
    }
}

/// Is process `pid` still starting: runnable (`R`: running, or waiting
/// for a processor) or in uninterruptible disk wait (`D`), as Linux's
/// /proc/PID/stat says? A program that sleeps (`S`) has had its turn and
/// is waiting for something else. `false` where there is no /proc.
pub fn starting(pid: u32) -> bool {
    matches!(state(pid), Some('R' | 'D'))
}

/// The state letter of process `pid` in /proc/PID/stat; `None` when there
/// is no such process, or no /proc.
fn state(pid: u32) -> Option<char> {
    let stat = fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    // "PID (COMM) STATE ...": the command may hold spaces and parentheses.
    let (_, rest) = stat.rsplit_once(')')?;
    rest.trim_start().chars().next()
}

/// The calls a server makes on its sockets, among those `strace -c`
/// counts: what a connection costs on its socket. With a thread per
/// connection, the rest (clone3, mmap, futex, ...) is what its thread
/// costs. The bench and tcp-server's system-call test both sort with it.
pub const SOCKET_CALLS: &[&str] = &[
    "accept",
    "accept4",
    "read",
    "recvfrom",
    "recvmsg",
    "write",
    "sendto",
    "sendmsg",
    "writev",
    "setsockopt",
    "getsockopt",
    "shutdown",
    "close",
    "fcntl",
    "ioctl",
    "poll",
    "ppoll",
    "getsockname",
    "getpeername",
];

/// The calls of a summary that `strace -c` wrote (`% time  seconds
/// usecs/call  calls  errors  syscall`, the errors column blank when
/// none), by name. A failed `accept` is left out: a server that gives up
/// waiting for a client after a time limit calls it again, and that call
/// belongs to no connection. The bench and tcp-server's system-call test
/// both count with it.
pub fn strace_calls(summary: &str) -> std::collections::BTreeMap<String, u64> {
    summary
        .lines()
        .filter_map(|line| {
            let fields: Vec<&str> = line.split_whitespace().collect();
            let name = *fields.last()?;
            let calls: u64 = fields.get(3)?.parse().ok()?;
            let errors = match fields.len() {
                6 => fields[4].parse().ok()?,
                _ => 0,
            };
            let counted = match name {
                "accept4" | "accept" => calls.saturating_sub(errors),
                _ => calls,
            };
            (name != "total").then(|| (name.to_string(), counted))
        })
        .collect()
}
