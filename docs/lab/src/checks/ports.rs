//! The four ports: the lecture's UDP and TCP clients and servers, as a
//! student writes them from the Python. A client is run against a server
//! of the checker's own, which does not always answer in upper case; a
//! server is run and sent sentences from the checker's own clients.

use std::io::{self, ErrorKind, Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream, UdpSocket};
use std::process::ExitStatus;
use std::thread;
use std::time::{Duration, Instant};

use harness::{Process, Stream};

use super::{
    IDEAS, LECTURE_LISTING, LINE_BY_LINE, LONGER_THAN_BUFFER, Options, nothing,
    section, sentence, skipped, upper,
};
use crate::program::{
    self, Program, Stop, Waited, ending, not_written, pick_port,
};
use crate::report::{Case, show};
use crate::text::Lang;
use crate::tr;

/// What the lecture's clients print before reading the sentence.
pub const PROMPT: &[u8] = b"Input lowercase sentence:";
/// What the lecture's servers print once they are bound.
pub const READY: &str = "The server is ready to receive\n";

/// How long a client may take to send, and to end after its reply.
const CLIENT_WAIT: Duration = Duration::from_secs(10);
/// How long a reply may take to come from a server under test.
const REPLY_WAIT: Duration = Duration::from_secs(2);

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Proto {
    Udp,
    Tcp,
}

impl Proto {
    fn udp(self) -> bool {
        self == Proto::Udp
    }
    fn chapter(self, client: bool) -> &'static str {
        match (self, client) {
            (Proto::Udp, true) => "udp-client",
            (Proto::Udp, false) => "udp-server",
            (Proto::Tcp, true) => "tcp-client",
            (Proto::Tcp, false) => "tcp-server",
        }
    }
}

/// What one run of a client under test did.
struct ClientRun {
    /// The port the checker's server listened on.
    port: u16,
    /// What the checker's server received (`None`: nothing came).
    sent: Option<Vec<u8>>,
    stdout: Vec<u8>,
    stderr: Vec<u8>,
    status: Option<ExitStatus>,
}

/// Runs a client once: the checker's server listens on `port`, the
/// client is given `sentence` as its typed line, and `reply` is what the
/// server answers.
fn run_client(
    program: &Program,
    proto: Proto,
    port: u16,
    sentence: &str,
    reply: &[u8],
    lang: Lang,
) -> Result<ClientRun, Stop> {
    let udp = if proto.udp() {
        Some(program::listen_udp(port, lang)?)
    } else {
        None
    };
    let tcp = if proto.udp() {
        None
    } else {
        Some(program::listen_tcp(port, lang)?)
    };
    let setup = |e: io::Error| {
        Stop::Setup(tr!(
            lang,
            "cannot listen on 127.0.0.1:{port}: {e}",
            "127.0.0.1:{port}에서 기다릴 수 없습니다: {e}"
        ))
    };
    if let Some(socket) = &udp {
        socket
            .set_read_timeout(Some(Duration::from_millis(50)))
            .map_err(setup)?;
    }
    if let Some(listener) = &tcp {
        listener.set_nonblocking(true).map_err(setup)?;
    }
    let bound = match (&udp, &tcp) {
        (Some(socket), _) => socket.local_addr(),
        (_, Some(listener)) => listener.local_addr(),
        _ => Err(io::Error::other("no socket")),
    };
    let port = bound.map_err(setup)?.port();
    let mut process = program.start(port, lang)?;
    process.send_and_close(format!("{sentence}\n").as_bytes());
    let deadline = Instant::now() + CLIENT_WAIT;
    let sent = match (&udp, &tcp) {
        (Some(socket), _) => {
            udp_serve_one(socket, &mut process, reply, deadline)
        }
        (_, Some(listener)) => {
            tcp_serve_one(listener, &mut process, reply, deadline)
        }
        _ => None,
    };
    process.wait_exit(Instant::now() + Duration::from_secs(5));
    process.wait_closed(Instant::now() + Duration::from_millis(500));
    let status = process.exited();
    let run = ClientRun {
        port,
        sent,
        stdout: process.output(Stream::Stdout),
        stderr: process.output(Stream::Stderr),
        status,
    };
    process.kill();
    if not_written(run.status, &run.stderr) {
        return Err(Stop::NotWritten);
    }
    Ok(run)
}

/// Waits for one datagram (while the client runs) and answers it.
fn udp_serve_one(
    socket: &UdpSocket,
    process: &mut Process,
    reply: &[u8],
    deadline: Instant,
) -> Option<Vec<u8>> {
    let mut buffer = [0; 65536];
    loop {
        match socket.recv_from(&mut buffer) {
            Ok((length, client)) => {
                let _ = socket.send_to(reply, client);
                return Some(buffer[..length].to_vec());
            }
            Err(_) if process.exited().is_some() => return None,
            Err(_) if Instant::now() >= deadline => return None,
            Err(_) => {}
        }
    }
}

/// Accepts one connection (while the client runs), reads what it sends
/// until it pauses or closes, and answers.
fn tcp_serve_one(
    listener: &TcpListener,
    process: &mut Process,
    reply: &[u8],
    deadline: Instant,
) -> Option<Vec<u8>> {
    let mut connection = loop {
        match listener.accept() {
            Ok((connection, _)) => break connection,
            Err(_) if process.exited().is_some() => return None,
            Err(_) if Instant::now() >= deadline => return None,
            Err(_) => thread::sleep(Duration::from_millis(10)),
        }
    };
    let _ = connection.set_nonblocking(false);
    // The lecture's client sends its sentence in one send, without an
    // end marker: what came before a pause of 300 ms is the sentence.
    let _ = connection.set_read_timeout(Some(Duration::from_millis(300)));
    let mut sent = Vec::new();
    let mut buffer = [0; 4096];
    while Instant::now() < deadline && sent.len() < 65536 {
        match connection.read(&mut buffer) {
            Ok(0) => break,
            Ok(n) => sent.extend_from_slice(&buffer[..n]),
            Err(e) if timed_out(&e) && !sent.is_empty() => break,
            Err(e) if timed_out(&e) => {}
            Err(_) => break,
        }
    }
    let _ = connection.write_all(reply);
    // The lecture's client closes first once it has the reply; wait for
    // that, so that TIME-WAIT stays with the client's port, not with this
    // one, which the student's own server may want to bind next.
    let _ = connection.set_read_timeout(Some(Duration::from_millis(100)));
    let until = Instant::now() + REPLY_WAIT;
    while Instant::now() < until {
        match connection.read(&mut buffer) {
            Ok(0) => return Some(sent),
            Ok(_) => {}
            Err(e) if timed_out(&e) => {}
            Err(_) => return Some(sent),
        }
    }
    // A client that does not close: end with a reset, which leaves no
    // TIME-WAIT.
    abort(&connection);
    Some(sent)
}

/// Closes a TCP connection with a reset (SO_LINGER of zero) rather than
/// a FIN: neither end keeps it in TIME-WAIT. A server that bound its port
/// without SO_REUSEADDR (the Python's, the lecture listing's) cannot bind
/// it again while a connection of that port is in TIME-WAIT, about a
/// minute on Linux: the next check, a save later, would find it busy.
fn abort(stream: &TcpStream) {
    let _ = socket2::SockRef::from(stream).set_linger(Some(Duration::ZERO));
}

fn timed_out(error: &io::Error) -> bool {
    matches!(error.kind(), ErrorKind::WouldBlock | ErrorKind::TimedOut)
}

/// The line a client prints for `reply`: the UDP client prints it as it
/// is, the TCP client after `From Server: ` (Python's print puts a space
/// between its two arguments).
fn client_line(proto: Proto, reply: &[u8]) -> Vec<u8> {
    let mut line = match proto {
        Proto::Udp => Vec::new(),
        Proto::Tcp => b"From Server:  ".to_vec(),
    };
    line.extend_from_slice(reply);
    line.push(b'\n');
    line
}

/// Strips a line end (`\n`, `\r\n`) from what was sent.
fn without_newline(bytes: &[u8]) -> &[u8] {
    let bytes = bytes.strip_suffix(b"\n").unwrap_or(bytes);
    bytes.strip_suffix(b"\r").unwrap_or(bytes)
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    !needle.is_empty() && haystack.windows(needle.len()).any(|w| w == needle)
}

/// The cases of the `udp-client` and `tcp-client` exercises.
pub fn client(
    program: &Program,
    proto: Proto,
    options: &Options,
) -> Result<Vec<Case>, Stop> {
    let lang = options.lang;
    let mut random = fastrand::Rng::new();
    let chapter = proto.chapter(true);
    let read = |heading| section(lang, chapter, heading);

    // Run A: on the first port, the server answers in upper case.
    let sentence_a = sentence(&mut random);
    let reply_a = upper(sentence_a.as_bytes());
    let a =
        run_client(program, proto, options.port, &sentence_a, &reply_a, lang)?;
    let first = a.port;
    // Run B: another port, and a server that answers something else.
    let sentence_b = sentence(&mut random);
    let mut reply_b = upper(sentence(&mut random).as_bytes());
    if reply_b == upper(sentence_b.as_bytes()) {
        reply_b.extend_from_slice(b" AGAIN");
    }
    let b = run_client(program, proto, 0, &sentence_b, &reply_b, lang)?;
    let second = b.port;

    let mut cases = Vec::new();
    let send = match proto {
        Proto::Udp => "sendto",
        Proto::Tcp => "send",
    };
    let what = tr!(
        lang,
        "sends the sentence it reads to the server at HOST PORT",
        "읽은 문장을 HOST PORT의 서버로 보낸다"
    );
    let case =
        Case::new("sends-sentence", what).expected(show(sentence_a.as_bytes()));
    cases.push(match &a.sent {
        Some(sent) if without_newline(sent) == sentence_a.as_bytes() => case,
        Some(sent) => case.fail().got(show(sent)).hint(tr!(lang,
            "send exactly the line that was typed, encoded as it is",
            "입력된 줄을 그대로 인코딩해 보내세요")).read(read(LINE_BY_LINE)),
        None => case.fail().got(format!("{} ({})", nothing(lang),
            ending(a.status, &a.stderr, lang))).hint(tr!(lang,
            "{send} the sentence to (HOST, PORT), the two arguments the program \
             was started with (127.0.0.1 {first})",
            "문장을 {send}로, 프로그램이 받은 두 인자 (HOST, PORT)(이번에는 \
             127.0.0.1 {first})에 보내세요")).read(read(LECTURE_LISTING)),
    });

    let what = tr!(
        lang,
        "sends it without the newline typed after it",
        "입력 끝의 줄바꿈 문자는 빼고 보낸다"
    );
    let case = Case::new("no-newline", what);
    cases.push(match &a.sent {
        Some(sent) if without_newline(sent) == sentence_a.as_bytes() => {
            if sent.as_slice() == sentence_a.as_bytes() {
                case
            } else {
                case.fail().expected(show(sentence_a.as_bytes())).got(show(sent))
                    .hint(tr!(lang,
                        "the line read from standard input ends with \\n: Python's \
                         input() drops it, Rust's read_line keeps it (lines() or \
                         trim_end() drop it)",
                        "표준 입력에서 읽은 줄은 \\n으로 끝납니다. 파이썬의 input()은 \
                         이를 떼어 내지만 러스트의 read_line은 남겨 둡니다(lines()나 \
                         trim_end()로 떼어 내세요)"))
                    .read(read(LINE_BY_LINE))
            }
        }
        _ => case.skip(),
    });

    let what = tr!(
        lang,
        "prints the prompt `Input lowercase sentence:` first",
        "먼저 `Input lowercase sentence:` 안내문을 출력한다"
    );
    let case = Case::new("prompt", what);
    cases.push(if a.stdout.starts_with(PROMPT) {
        case
    } else {
        case.fail().expected(show(PROMPT)).got(show(&a.stdout)).hint(tr!(lang,
            "print it with no newline after it, as input('…') does, and flush \
             standard output before reading (Rust: print! then stdout().flush())",
            "input('…')처럼 줄바꿈 없이 출력하고, 읽기 전에 표준 출력을 \
             비우세요(러스트에서는 print! 다음에 stdout().flush())"))
            .read(read(LINE_BY_LINE))
    });

    let after_prompt =
        |out: &[u8]| out.strip_prefix(PROMPT).unwrap_or(out).to_vec();
    let what = tr!(
        lang,
        "prints the server's reply as the Python does",
        "서버의 응답을 파이썬과 똑같이 출력한다"
    );
    let expected = client_line(proto, &reply_a);
    let printed = after_prompt(&a.stdout);
    let case = Case::new("prints-reply", what);
    cases.push(if a.sent.is_none() {
        case.skip()
    } else if printed == expected {
        case
    } else {
        let hint = if contains(&printed, &reply_a) {
            match proto {
                Proto::Udp => tr!(lang,
                    "print the reply alone on its line, as print(modifiedMessage.decode())",
                    "print(modifiedMessage.decode())처럼 응답만 한 줄에 출력하세요"),
                Proto::Tcp => tr!(lang,
                    "print `From Server: ` and the reply, as print('From Server: ', …) \
                     does: its two arguments are joined by a space",
                    "print('From Server: ', …)처럼 `From Server: `와 응답을 \
                     출력하세요. 두 인자 사이에는 공백 하나가 들어갑니다"),
            }
        } else {
            tr!(lang, "receive the reply ({}) and print it, then a newline",
                "응답을 받아({}) 출력하고 줄을 바꾸세요",
                if proto.udp() { "recvfrom(2048)" } else { "recv(1024)" })
        };
        case.fail().expected(show(&expected)).got(show(&printed)).hint(hint)
            .read(read(LINE_BY_LINE))
    });

    let what = tr!(
        lang,
        "prints what the server sent, whatever it is",
        "서버가 보낸 것을, 무엇이든 그대로 출력한다"
    );
    let expected = client_line(proto, &reply_b);
    let printed = after_prompt(&b.stdout);
    let case = Case::new("prints-what-came", what);
    cases.push(if b.sent.is_none() {
        case.skip()
    } else if printed == expected {
        case
    } else {
        let own = client_line(proto, &upper(sentence_b.as_bytes()));
        let hint = if printed == own {
            tr!(lang,
                "this server did not answer in upper case, and the program printed \
                 its own upper-casing: print the bytes that came back",
                "이번 서버는 대문자로 답하지 않았는데 프로그램은 스스로 대문자로 바꾼 \
                 문장을 출력했습니다. 돌아온 바이트를 출력하세요")
        } else {
            tr!(lang, "print the bytes that came back from the server",
                "서버에서 돌아온 바이트를 출력하세요")
        };
        case.fail().expected(show(&expected)).got(show(&printed)).hint(hint)
            .read(read(IDEAS))
    });

    let what = tr!(
        lang,
        "takes the server's HOST and PORT from its arguments",
        "서버의 HOST와 PORT를 인자에서 받는다"
    );
    let case = Case::new("takes-port", what);
    cases.push(match (&a.sent, &b.sent) {
        (_, Some(_)) => case,
        (None, None) => case.skip(),
        (Some(_), None) => case.fail()
            .expected(tr!(lang, "a message on port {second}", "포트 {second}로 온 메시지"))
            .got(format!("{} ({})", nothing(lang), ending(b.status, &b.stderr, lang)))
            .hint(tr!(lang,
                "it reached port {first} but not port {second}: read HOST and PORT \
                 from the command line (sys.argv[1], sys.argv[2]; Rust: \
                 std::env::args()), 12000 only when they are not given",
                "포트 {first}에는 보냈지만 포트 {second}에는 보내지 않았습니다. HOST와 \
                 PORT는 명령행에서 읽으세요(sys.argv[1], sys.argv[2], 러스트에서는 \
                 std::env::args()). 12000은 인자가 없을 때만 씁니다"))
            .read(read(LECTURE_LISTING)),
    });

    let what = tr!(
        lang,
        "ends with exit status 0 once it has printed the reply",
        "응답을 출력한 뒤 종료 상태 0으로 끝난다"
    );
    let case = Case::new("exits", what);
    cases.push(match a.status {
        _ if a.sent.is_none() => case.skip(),
        Some(status) if status.success() => case,
        status => case
            .fail()
            .expected(tr!(lang, "exit status 0", "종료 상태 0"))
            .got(ending(status, &a.stderr, lang))
            .hint(tr!(
                lang,
                "after printing, close the socket and let the program end",
                "출력한 뒤 소켓을 닫고 프로그램을 끝내세요"
            )),
    });
    Ok(cases)
}

/// A server under test, started and bound.
pub struct Started {
    pub process: Process,
    pub port: u16,
}

/// Starts a server on `port` and waits until it has bound it. The
/// second value is the case that says how that went.
pub fn start_server(
    program: &Program,
    proto: Proto,
    port: u16,
    lang: Lang,
) -> Result<(Option<Started>, Result<(), Case>), Stop> {
    let mut process = program.start(port, lang)?;
    process.close_stdin();
    let chapter = proto.chapter(false);
    let what = tr!(
        lang,
        "binds the port it is given and prints `The server is ready to receive`",
        "받은 포트에 바인딩하고 `The server is ready to receive`를 출력한다"
    );
    let case = Case::new("ready", what);
    match program::wait_bound(&mut process, port, proto.udp()) {
        Waited::Bound => {}
        Waited::Exited(status, stderr) => {
            if not_written(status, &stderr) {
                return Err(Stop::NotWritten);
            }
            let case = case.fail()
                .expected(tr!(lang, "a server bound to port {port}",
                    "포트 {port}에 바인딩된 서버"))
                .got(tr!(lang, "it ended: {}", "프로그램이 끝났습니다({})",
                    ending(status, &stderr, lang)))
                .hint(tr!(lang, "bind to (HOST, PORT) from the arguments, then loop forever",
                    "인자로 받은 (HOST, PORT)에 바인딩한 뒤 끝없이 반복하세요"))
                .read(section(lang, chapter, LECTURE_LISTING));
            return Ok((None, Err(case)));
        }
        Waited::Never => {
            let case = case.fail()
                .expected(tr!(lang, "port {port} bound within {} s",
                    "{}초 안에 포트 {port}에 바인딩", program::START.as_secs()))
                .got(tr!(lang, "still not bound", "바인딩하지 않음"))
                .hint(tr!(lang,
                    "bind to (HOST, PORT), the two arguments it was started with \
                     (127.0.0.1 {port}); 12000 only when they are not given",
                    "프로그램이 받은 두 인자 (HOST, PORT)(이번에는 127.0.0.1 {port})에 \
                     바인딩하세요. 12000은 인자가 없을 때만 씁니다"))
                .read(section(lang, chapter, LECTURE_LISTING));
            return Ok((None, Err(case)));
        }
    }
    // Bound; the ready line comes just after the bind.
    let line = process.next_line(Stream::Stdout, Instant::now() + REPLY_WAIT);
    let started = Started { process, port };
    if line.as_deref() == Some(READY) {
        return Ok((Some(started), Ok(())));
    }
    let case = case.fail().expected(show(READY.as_bytes()))
        .got(line.map_or_else(|| nothing(lang), |l| show(l.as_bytes())))
        .hint(tr!(lang,
            "print the line once the socket is bound, before the loop (Python's \
             output is unbuffered here: the checker sets PYTHONUNBUFFERED)",
            "소켓을 바인딩한 뒤, 반복문에 들어가기 전에 이 줄을 출력하세요(검사기는 \
             PYTHONUNBUFFERED를 설정하므로 파이썬의 출력은 버퍼에 머물지 않습니다)"))
        .read(section(lang, chapter, LINE_BY_LINE));
    Ok((Some(started), Err(case)))
}

/// One exchange with a server under test: what came back, and for TCP
/// whether the server closed the connection after it.
struct Answer {
    data: Vec<u8>,
    closed: bool,
}

fn exchange(proto: Proto, port: u16, message: &[u8]) -> Answer {
    match proto {
        Proto::Udp => udp_exchange(port, message),
        Proto::Tcp => tcp_exchange(port, message),
    }
    .unwrap_or(Answer {
        data: Vec::new(),
        closed: false,
    })
}

fn udp_exchange(port: u16, message: &[u8]) -> io::Result<Answer> {
    let socket = UdpSocket::bind("127.0.0.1:0")?;
    socket.set_read_timeout(Some(REPLY_WAIT))?;
    socket.send_to(message, ("127.0.0.1", port))?;
    let mut buffer = [0; 65536];
    let (length, _) = socket.recv_from(&mut buffer)?;
    Ok(Answer {
        data: buffer[..length].to_vec(),
        closed: true,
    })
}

fn tcp_exchange(port: u16, message: &[u8]) -> io::Result<Answer> {
    let address = SocketAddr::from(([127, 0, 0, 1], port));
    let mut stream = TcpStream::connect_timeout(&address, REPLY_WAIT)?;
    stream.set_read_timeout(Some(REPLY_WAIT))?;
    stream.write_all(message)?;
    let mut data = Vec::new();
    let mut buffer = [0; 4096];
    let deadline = Instant::now() + REPLY_WAIT * 2;
    let closed = loop {
        match stream.read(&mut buffer) {
            Ok(0) => break true,
            Ok(n) => data.extend_from_slice(&buffer[..n]),
            Err(_) => break false,
        }
        if Instant::now() > deadline || data.len() > 65536 {
            break false;
        }
    };
    // The server closed first, as the lecture's does: its end of the
    // connection would wait in TIME-WAIT on its port after our FIN.
    abort(&stream);
    Ok(Answer { data, closed })
}

/// The cases of the `udp-server` and `tcp-server` exercises.
pub fn server(
    program: &Program,
    proto: Proto,
    options: &Options,
) -> Result<Vec<Case>, Stop> {
    let lang = options.lang;
    let mut random = fastrand::Rng::new();
    let chapter = proto.chapter(false);
    let read = |heading| section(lang, chapter, heading);
    let first = pick_port(options.port, proto.udp(), lang)?;
    let (started, ready) = start_server(program, proto, first, lang)?;
    let mut cases = vec![match ready {
        Ok(()) => Case::new(
            "ready",
            tr!(
                lang,
                "binds the port it is given and prints `The server is ready to receive`",
                "받은 포트에 바인딩하고 `The server is ready to receive`를 출력한다"
            ),
        ),
        Err(case) => case,
    }];
    let what_upper = tr!(
        lang,
        "answers a sentence with the sentence in upper case",
        "문장을 대문자로 바꿔 답한다"
    );
    let what_closes = tr!(
        lang,
        "closes the connection after its reply",
        "응답한 뒤 연결을 닫는다"
    );
    let what_keeps = tr!(
        lang,
        "goes on serving: answers the next client too",
        "계속 처리하며 다음 클라이언트에게도 답한다"
    );
    let what_each = tr!(
        lang,
        "answers each client at the address it came from",
        "각 클라이언트에게, 그 클라이언트가 보낸 주소로 답한다"
    );
    let what_long = tr!(
        lang,
        "answers a long sentence whole ({} bytes)",
        "긴 문장에 통째로 답한다({}바이트)",
        long_size(proto)
    );
    let what_port = tr!(
        lang,
        "takes HOST and PORT from its arguments",
        "HOST와 PORT를 인자에서 받는다"
    );
    let Some(mut started) = started else {
        for (id, what) in [
            ("upper", what_upper),
            ("keeps-running", what_keeps),
            ("long", what_long),
            ("takes-port", what_port),
        ] {
            cases.push(skipped(id, what));
        }
        return Ok(cases);
    };

    let sentence_a = sentence(&mut random);
    let answer = exchange(proto, started.port, sentence_a.as_bytes());
    let expected = upper(sentence_a.as_bytes());
    let exited = |started: &mut Started| {
        started.process.exited().map(|status| {
            started
                .process
                .wait_closed(Instant::now() + Duration::from_millis(300));
            ending(Some(status), &started.process.output(Stream::Stderr), lang)
        })
    };
    let case = Case::new("upper", what_upper).expected(show(&expected));
    cases.push(if answer.data == expected {
        case
    } else if answer.data.is_empty() {
        let why = exited(&mut started).map_or_else(
            || tr!(lang, "no reply within {} s", "{}초 안에 응답 없음", REPLY_WAIT.as_secs()),
            |end| tr!(lang, "no reply; the server ended: {end}", "응답 없음, 서버가 끝났습니다({end})"));
        case.fail().got(why).hint(tr!(lang,
            "receive the message, upper-case it and send it back to the address it came from",
            "메시지를 받아 대문자로 바꾼 뒤, 보낸 주소로 돌려보내세요"))
            .read(read(LINE_BY_LINE))
    } else {
        case.fail().got(show(&answer.data)).hint(tr!(lang,
            "send back the message upper-cased, nothing added",
            "메시지를 대문자로 바꿔 그대로 돌려보내세요. 아무것도 덧붙이지 마세요"))
            .read(read(LINE_BY_LINE))
    });
    if proto == Proto::Tcp {
        let case = Case::new("closes", what_closes);
        cases.push(if answer.data.is_empty() {
            case.skip()
        } else if answer.closed {
            case
        } else {
            case.fail().expected(tr!(lang, "the connection closed after the reply",
                "응답 뒤에 닫힌 연결")).got(tr!(lang, "still open after {} s",
                "{}초가 지나도 열려 있음", (REPLY_WAIT * 2).as_secs()))
                .hint(tr!(lang, "close the connection socket once the reply is sent \
                    (connectionSocket.close(); Rust: drop it)",
                    "응답을 보낸 뒤 연결 소켓을 닫으세요(connectionSocket.close(), \
                     러스트에서는 drop)"))
                .read(read(IDEAS))
        });
    }

    let sentence_b = sentence(&mut random);
    let answer = exchange(proto, started.port, sentence_b.as_bytes());
    let expected = upper(sentence_b.as_bytes());
    // A server that is on its way out may still take a connection
    // into its queue: give it a moment to finish exiting.
    if answer.data != expected {
        started
            .process
            .wait_exit(Instant::now() + Duration::from_millis(500));
    }
    let alive = started.process.exited().is_none();
    let case = Case::new("keeps-running", what_keeps).expected(show(&expected));
    let keeps = answer.data == expected && alive;
    cases.push(if keeps {
        case
    } else if let Some(end) = exited(&mut started) {
        case.fail().got(tr!(lang, "the server ended: {end}", "서버가 끝났습니다({end})"))
            .hint(tr!(lang,
                "a server serves one client after another: put the receive and the \
                 reply in a loop that never ends (while True)",
                "서버는 클라이언트를 차례로 계속 처리합니다. 받기와 응답을 끝나지 \
                 않는 반복문(while True) 안에 넣으세요"))
            .read(read(IDEAS))
    } else {
        case.fail().got(show(&answer.data)).hint(tr!(lang,
            "answer every message the same way, not only the first",
            "첫 메시지뿐 아니라 모든 메시지에 같은 방식으로 답하세요"))
            .read(read(LINE_BY_LINE))
    });

    if proto == Proto::Udp {
        let case = Case::new("each-client", what_each);
        cases.push(if keeps {
            each_client(started.port, &mut random, case, lang)
        } else {
            case.skip()
        });
    }

    let long = long_sentence(&mut random, long_size(proto));
    let case = Case::new("long", what_long);
    cases.push(if !keeps {
        case.skip()
    } else {
        let answer = exchange(proto, started.port, long.as_bytes());
        let expected = upper(long.as_bytes());
        if answer.data == expected {
            case
        } else {
            case.fail()
                .expected(show(&expected))
                .got(show(&answer.data))
                .hint(tr!(
                    lang,
                    "receive with a buffer of {} bytes, as the Python does",
                    "파이썬처럼 {}바이트 버퍼로 받으세요",
                    if proto.udp() { 2048 } else { 1024 }
                ))
                .read(section(lang, "what-goes-wrong", LONGER_THAN_BUFFER))
        }
    });
    drop(started);

    // Another start, on a port of the system's choosing.
    let case = Case::new("takes-port", what_port);
    let second = pick_port(0, proto.udp(), lang)?;
    let (again, ready) = start_server(program, proto, second, lang)?;
    cases.push(match (again, ready) {
        (Some(mut again), _) => {
            let sentence_c = sentence(&mut random);
            let answer = exchange(proto, second, sentence_c.as_bytes());
            again.process.kill();
            let expected = upper(sentence_c.as_bytes());
            case.ok(answer.data == expected)
                .expected(show(&expected))
                .got(show(&answer.data))
        }
        (None, Err(failed)) => {
            let mut case = case.fail();
            case.expected = failed.expected;
            case.got = failed.got;
            case.hint = failed.hint;
            case.read = failed.read;
            case
        }
        (None, Ok(())) => case.fail(),
    });
    Ok(cases)
}

/// Two clients, each sending from its own socket before either reply
/// is read: each reply must go back to its own sender.
fn each_client(
    port: u16,
    random: &mut fastrand::Rng,
    case: Case,
    lang: Lang,
) -> Case {
    let one = (sentence(random), UdpSocket::bind("127.0.0.1:0"));
    let two = (sentence(random), UdpSocket::bind("127.0.0.1:0"));
    let (Ok(first), Ok(second)) = (&one.1, &two.1) else {
        return case.fail().got(tr!(
            lang,
            "no socket for the test clients",
            "시험용 클라이언트 소켓을 만들 수 없음"
        ));
    };
    let _ = first.send_to(one.0.as_bytes(), ("127.0.0.1", port));
    let _ = second.send_to(two.0.as_bytes(), ("127.0.0.1", port));
    let mut replies = Vec::new();
    for socket in [first, second] {
        let _ = socket.set_read_timeout(Some(REPLY_WAIT));
        let mut buffer = [0; 4096];
        let reply = socket
            .recv_from(&mut buffer)
            .map(|(n, _)| buffer[..n].to_vec());
        replies.push(reply.unwrap_or_default());
    }
    let expected = [upper(one.0.as_bytes()), upper(two.0.as_bytes())];
    if replies == expected {
        return case;
    }
    case.fail()
        .expected(format!("{} / {}", show(&expected[0]), show(&expected[1])))
        .got(format!("{} / {}", show(&replies[0]), show(&replies[1])))
        .hint(tr!(lang,
            "send each reply to the address that recvfrom returned with its message",
            "각 응답은 recvfrom이 메시지와 함께 돌려준 주소로 보내세요"))
        .read(section(lang, "udp-server", IDEAS))
}

/// A long sentence: under the Python's buffer (2048 bytes for UDP, 1024
/// for TCP), so that the lecture's one read takes it whole.
fn long_size(proto: Proto) -> usize {
    match proto {
        Proto::Udp => 2000,
        Proto::Tcp => 1000,
    }
}

fn long_sentence(random: &mut fastrand::Rng, size: usize) -> String {
    let mut text = String::new();
    while text.len() < size {
        text.push_str(&sentence(random));
        text.push(' ');
    }
    text.truncate(size);
    text
}
