//! Serving many clients: the `concurrent-server` exercise (the fix for
//! the iterative server) and one exercise per model of the chapter
//! (`many-pool`, `many-mio`, `many-tokio`). Each is the lecture's TCP
//! server, exchange unchanged; what is checked is who waits. The checker's
//! own clients hold a connection open and send nothing, send one byte at
//! a time, come twenty at once, or reset, and another client must still
//! be answered within a bound. On Linux, the server's threads are then
//! counted from outside (`/proc/PID/task`) while idle clients hold their
//! connections, which tells the models apart.

use std::fs;
use std::io::{self, ErrorKind, Read, Write};
use std::net::{Shutdown, SocketAddr, TcpStream};
use std::thread;
use std::time::{Duration, Instant};

use harness::Stream;

use super::ports::{self, Proto, Started};
use super::{Options, sentence, skipped, upper};
use crate::program::{self, Program, Stop, not_written, pick_port};
use crate::report::{Case, show};
use crate::text::Lang;
use crate::tr;

/// The model an exercise asks for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Model {
    /// `concurrent-server`: a thread per connection, or any model that
    /// serves clients at once.
    Threads,
    /// `many-pool`: a fixed pool of worker threads.
    Pool,
    /// `many-mio`: one thread and a readiness loop.
    Readiness,
    /// `many-tokio`: async tasks.
    Tasks,
}

/// How long a client may wait for its reply while another client holds
/// its connection: a server that serves clients at once answers in
/// milliseconds, the iterative one never.
const HELD: Duration = Duration::from_secs(2);
/// When the slow client sends its first byte: after `HELD`, so that a
/// server that waits for it has kept the other client waiting too long.
const SLOW_FIRST: Duration = Duration::from_millis(2500);
/// Between the slow client's next bytes, until a reply comes.
const SLOW_GAP: Duration = Duration::from_millis(300);
/// How long an ordinary exchange may take.
const REPLY_WAIT: Duration = Duration::from_secs(4);
/// Clients that come at once, and how long they all may take.
const CLIENTS: usize = 20;
const CLIENTS_WAIT: Duration = Duration::from_secs(8);
/// Idle connections held while the server's threads are counted: this
/// many, then twice as many.
const IDLE: usize = 10;

/// A book section: `docs/en/serving-many.md § A pool of worker threads`.
fn read(lang: Lang, chapter: &str, en: &str, ko: &str) -> String {
    match lang {
        Lang::En => format!("docs/en/{chapter}.md § {en}"),
        Lang::Ko => format!("docs/ko/{chapter}.md § {ko}"),
    }
}

fn why_blocks(lang: Lang) -> String {
    read(
        lang,
        "serving-many",
        "Why one at a time blocks",
        "한 번에 하나씩이면 왜 막히는가",
    )
}

/// The chapter's section of the model.
fn model_section(model: Model, lang: Lang) -> String {
    let (en, ko) = match model {
        Model::Threads => ("A thread per connection", "연결마다 스레드"),
        Model::Pool => ("A pool of worker threads", "작업 스레드 풀"),
        Model::Readiness => (
            "One thread, a readiness loop",
            "스레드 하나와 준비 상태 루프",
        ),
        Model::Tasks => ("Async tasks", "비동기 태스크"),
    };
    read(lang, "serving-many", en, ko)
}

/// What to do instead of serving a client on the accept loop's thread.
fn model_hint(model: Model, lang: Lang) -> String {
    match model {
        Model::Threads => tr!(
            lang,
            "give each accepted connection a thread of its own (Rust: \
             thread::spawn(move || …); Python: threading.Thread or \
             socketserver.ThreadingTCPServer) and go straight back to accept",
            "수락한 연결마다 스레드를 하나씩 주고(러스트에서는 \
             thread::spawn(move || …), 파이썬에서는 threading.Thread나 \
             socketserver.ThreadingTCPServer) 곧바로 accept로 돌아가세요"
        ),
        Model::Pool => tr!(
            lang,
            "hand each accepted connection to the pool (Rust: send it on the \
             channel the workers take from; Python: ThreadPoolExecutor.submit) \
             and go straight back to accept",
            "수락한 연결은 풀에 넘기고(러스트에서는 작업 스레드들이 받는 채널로 \
             보내고, 파이썬에서는 ThreadPoolExecutor.submit) 곧바로 accept로 \
             돌아가세요"
        ),
        Model::Readiness => tr!(
            lang,
            "make every socket non-blocking, register it with the poll (Rust: \
             mio's Poll; Python: selectors) and call accept or read only on a \
             socket the poll reports ready",
            "모든 소켓을 논블로킹으로 만들어 poll에 등록하고(러스트에서는 mio의 \
             Poll, 파이썬에서는 selectors), poll이 준비되었다고 알린 소켓에만 \
             accept나 read를 호출하세요"
        ),
        Model::Tasks => tr!(
            lang,
            "spawn a task for each accepted connection (Rust: tokio::spawn; \
             Python: asyncio.start_server does it) and wait only with .await \
             (await), never in std's blocking accept or read",
            "수락한 연결마다 태스크를 만들고(러스트에서는 tokio::spawn, 파이썬에서는 \
             asyncio.start_server가 해 줍니다) 기다림은 .await(await)로만 하세요. \
             std의 블로킹 accept나 read에서 기다리면 안 됩니다"
        ),
    }
}

/// What one client got: the bytes, and whether they came in time.
struct Reply {
    data: Vec<u8>,
    /// The server closed the connection (end of file) before the
    /// deadline.
    closed: bool,
}

fn connect(port: u16, wait: Duration) -> io::Result<TcpStream> {
    let address = SocketAddr::from(([127, 0, 0, 1], port));
    TcpStream::connect_timeout(&address, wait)
}

/// Reads until the server closes or `deadline` passes.
fn read_until(stream: &mut TcpStream, deadline: Instant) -> Reply {
    let mut data = Vec::new();
    let mut buffer = [0; 4096];
    loop {
        let left = deadline.saturating_duration_since(Instant::now());
        if left.is_zero() || data.len() > 65536 {
            return Reply {
                data,
                closed: false,
            };
        }
        let _ = stream.set_read_timeout(Some(left));
        match stream.read(&mut buffer) {
            Ok(0) => return Reply { data, closed: true },
            Ok(n) => data.extend_from_slice(&buffer[..n]),
            Err(e) if e.kind() == ErrorKind::Interrupted => {}
            Err(_) => {
                return Reply {
                    data,
                    closed: false,
                };
            }
        }
    }
}

/// One exchange of the lecture's protocol: connect, send `message`,
/// read the reply until the server closes, all within `wait`.
fn ask(port: u16, message: &[u8], wait: Duration) -> Reply {
    let deadline = Instant::now() + wait;
    let Ok(mut stream) = connect(port, wait) else {
        return Reply {
            data: Vec::new(),
            closed: false,
        };
    };
    if stream.write_all(message).is_err() {
        return Reply {
            data: Vec::new(),
            closed: false,
        };
    }
    let reply = read_until(&mut stream, deadline);
    leave(&stream, &reply);
    reply
}

/// Once the server has closed first, as the lecture's does, ends the
/// connection with a reset (SO_LINGER 0) rather than a FIN: a FIN would
/// leave the server's end in TIME-WAIT on its port for a minute, and a
/// server without SO_REUSEADDR (the Python's, the lecture listing's)
/// could not bind that port on the next check. A connection the server
/// has not closed is closed with a FIN: a reset would make the server's
/// next recv on it fail, which is the `resets` case's, not this one's.
fn leave(stream: &TcpStream, reply: &Reply) {
    if reply.closed {
        let _ = socket2::SockRef::from(stream).set_linger(Some(Duration::ZERO));
    }
}

/// Has the server ended? Its status and last words, in a line.
fn ended(started: &mut Started, lang: Lang) -> Option<String> {
    let status = started.process.exited()?;
    started
        .process
        .wait_closed(Instant::now() + Duration::from_millis(300));
    let stderr = started.process.output(Stream::Stderr);
    Some(program::ending(Some(status), &stderr, lang))
}

/// A server that ended in the starter's `todo!()` is not written yet.
fn stopped_at_todo(started: &mut Started) -> bool {
    let status = started
        .process
        .wait_exit(Instant::now() + Duration::from_millis(500));
    started
        .process
        .wait_closed(Instant::now() + Duration::from_millis(300));
    not_written(status, &started.process.output(Stream::Stderr))
}

/// The cases of `concurrent-server` and of the `many-*` exercises.
pub fn check(
    program: &Program,
    model: Model,
    options: &Options,
) -> Result<Vec<Case>, Stop> {
    let lang = options.lang;
    let mut random = fastrand::Rng::new();
    let port = pick_port(options.port, false, lang)?;
    let (started, ready) =
        ports::start_server(program, Proto::Tcp, port, lang)?;
    let mut cases = Vec::new();
    let what_ready = tr!(
        lang,
        "binds the port it is given and prints `The server is ready to receive`",
        "받은 포트에 바인딩하고 `The server is ready to receive`를 출력한다"
    );
    let ready = match ready {
        Ok(()) => Case::new("ready", what_ready),
        Err(case) => case,
    };
    let Some(mut started) = started else {
        cases.push(ready);
        for (id, what) in whats(model, lang) {
            cases.push(skipped(id, what));
        }
        return Ok(cases);
    };
    // A starter that binds, then runs into its todo!().
    if !ready.passed() && stopped_at_todo(&mut started) {
        return Err(Stop::NotWritten);
    }
    cases.push(ready);
    let mut whats = whats(model, lang).into_iter();
    let mut next = || {
        whats.next().map_or_else(
            || Case::new("?", String::new()),
            |(id, what)| Case::new(id, what),
        )
    };

    // An ordinary exchange.
    let case = next();
    let sentence_a = sentence(&mut random);
    let expected = upper(sentence_a.as_bytes());
    let answer = ask(port, sentence_a.as_bytes(), REPLY_WAIT);
    if answer.data.is_empty() && stopped_at_todo(&mut started) {
        return Err(Stop::NotWritten);
    }
    let upper_ok = answer.data == expected && answer.closed;
    cases.push(if upper_ok {
        case
    } else {
        let got = if answer.data.is_empty() {
            ended(&mut started, lang).map_or_else(
                || tr!(lang, "no reply within {} s", "{}초 안에 응답 없음",
                    REPLY_WAIT.as_secs()),
                |end| tr!(lang, "no reply; the server ended: {end}",
                    "응답 없음, 서버가 끝났습니다({end})"),
            )
        } else if answer.data == expected {
            tr!(lang, "the reply, but the connection still open after {} s",
                "응답은 왔지만 {}초가 지나도 연결이 열려 있음", REPLY_WAIT.as_secs())
        } else {
            show(&answer.data)
        };
        case.fail().expected(show(&expected)).got(got).hint(tr!(lang,
            "keep the lecture's exchange: one recv of up to 1024 bytes, the \
             sentence back in upper case, then close the connection socket",
            "강의의 교환을 그대로 두세요. 최대 1024바이트를 한 번 recv하고, 문장을 \
             대문자로 바꿔 돌려보낸 뒤 연결 소켓을 닫습니다"))
            .read(model_section(model, lang))
    });

    // A second client: the server goes on serving.
    let case = next();
    let keeps = if !upper_ok {
        cases.push(case.skip());
        false
    } else {
        let sentence_b = sentence(&mut random);
        let expected = upper(sentence_b.as_bytes());
        let answer = ask(port, sentence_b.as_bytes(), REPLY_WAIT);
        if answer.data != expected {
            started
                .process
                .wait_exit(Instant::now() + Duration::from_millis(500));
        }
        let end = ended(&mut started, lang);
        let keeps = answer.data == expected && end.is_none();
        cases.push(if keeps {
            case
        } else if let Some(end) = end {
            case.fail().expected(show(&expected))
                .got(tr!(lang, "the server ended: {end}", "서버가 끝났습니다({end})"))
                .hint(tr!(lang,
                    "a server serves one client after another: it must not end \
                     after the first one (accept in a loop that never ends)",
                    "서버는 클라이언트를 하나씩 계속 처리합니다. 첫 클라이언트 뒤에 \
                     끝나면 안 됩니다(끝나지 않는 반복문 안에서 accept하세요)"))
                .read(read(lang, "tcp-server", "The lecture's ideas", "강의의 핵심 개념"))
        } else {
            case.fail().expected(show(&expected)).got(show(&answer.data))
                .hint(tr!(lang,
                    "answer every client the same way, not only the first",
                    "첫 클라이언트뿐 아니라 모든 클라이언트에게 같은 방식으로 답하세요"))
                .read(model_section(model, lang))
        });
        keeps
    };

    // The cases that hold connections open need a server that serves.
    let mut alive = keeps;
    let mut run = |case: Case,
                   started: &mut Started,
                   body: &mut dyn FnMut(Case, &mut Started) -> Case|
     -> Case {
        if !alive {
            return case.skip();
        }
        let case = body(case, started);
        if let Some(end) = ended(started, lang) {
            alive = false;
            if case.passed() {
                return case.fail().got(tr!(
                    lang,
                    "the server ended: {end}",
                    "서버가 끝났습니다({end})"
                ));
            }
        }
        case
    };

    let idle = run(next(), &mut started, &mut |case, started| {
        idle_case(case, started, model, &mut random, lang)
    });
    cases.push(idle);
    let slow = run(next(), &mut started, &mut |case, started| {
        slow_case(case, started, model, &mut random, lang)
    });
    cases.push(slow);
    let resets = run(next(), &mut started, &mut |case, started| {
        resets_case(case, started, model, &mut random, lang)
    });
    cases.push(resets);
    let many = run(next(), &mut started, &mut |case, started| {
        many_case(case, started.port, model, &mut random, lang)
    });
    cases.push(many);
    if model != Model::Threads {
        let counted = run(next(), &mut started, &mut |case, started| {
            threads_case(case, started, model, lang)
        });
        cases.push(counted);
    }
    drop(started);
    Ok(cases)
}

/// The id and the line of each case after `ready`, in order.
fn whats(model: Model, lang: Lang) -> Vec<(&'static str, String)> {
    let mut whats = vec![
        (
            "upper",
            tr!(
                lang,
                "answers a sentence with the sentence in upper case, and closes",
                "문장을 대문자로 바꿔 답하고 연결을 닫는다"
            ),
        ),
        (
            "keeps-running",
            tr!(
                lang,
                "goes on serving: answers the next client too",
                "계속 처리하며 다음 클라이언트에게도 답한다"
            ),
        ),
        (
            "idle",
            tr!(
                lang,
                "answers a client within {} s while another is connected and sends nothing",
                "다른 클라이언트가 연결만 하고 아무것도 보내지 않는 동안에도 {}초 안에 답한다",
                HELD.as_secs()
            ),
        ),
        (
            "slow",
            tr!(
                lang,
                "answers a client within {} s while another sends one byte at a time, \
             and answers the slow one too",
                "다른 클라이언트가 한 바이트씩 느리게 보내는 동안에도 {}초 안에 답하고, \
             느린 클라이언트에게도 답한다",
                HELD.as_secs()
            ),
        ),
        (
            "resets",
            tr!(
                lang,
                "goes on serving after a client leaves early or resets its connection",
                "클라이언트가 일찍 떠나거나 연결을 리셋해도 계속 처리한다"
            ),
        ),
        (
            "many",
            tr!(
                lang,
                "answers {CLIENTS} clients that come at once, each with its own reply",
                "한꺼번에 온 클라이언트 {CLIENTS}개에게 각자의 응답으로 답한다"
            ),
        ),
    ];
    let counted = match model {
        Model::Threads => None,
        Model::Pool => Some((
            "pool-size",
            tr!(
                lang,
                "keeps the same number of threads with {} idle clients as with {IDLE} \
             (counted in /proc)",
                "유휴 클라이언트가 {IDLE}개일 때와 {}개일 때 스레드 수가 같다(/proc에서 셈)",
                2 * IDLE
            ),
        )),
        Model::Readiness => Some((
            "one-thread",
            tr!(
                lang,
                "serves {} idle clients with one thread (counted in /proc)",
                "유휴 클라이언트 {}개를 스레드 하나로 처리한다(/proc에서 셈)",
                2 * IDLE
            ),
        )),
        Model::Tasks => Some((
            "tasks-not-threads",
            tr!(
                lang,
                "does not start a thread per client: the same threads with {} idle \
             clients as with {IDLE} (counted in /proc)",
                "클라이언트마다 스레드를 만들지 않는다(유휴 클라이언트가 {IDLE}개일 때와 \
             {}개일 때 스레드 수가 같다, /proc에서 셈)",
                2 * IDLE
            ),
        )),
    };
    whats.extend(counted);
    whats
}

/// A client connects and sends nothing; another must be answered.
fn idle_case(
    case: Case,
    started: &mut Started,
    model: Model,
    random: &mut fastrand::Rng,
    lang: Lang,
) -> Case {
    let Ok(idle) = connect(started.port, HELD) else {
        return case.fail().got(tr!(
            lang,
            "the idle client could not connect",
            "유휴 클라이언트가 연결하지 못함"
        ));
    };
    // Let the server take the idle client first, as the iterative one
    // would: then it waits in that client's recv.
    thread::sleep(Duration::from_millis(100));
    let other = sentence(random);
    let expected = upper(other.as_bytes());
    let answer = ask(started.port, other.as_bytes(), HELD);
    drop(idle);
    if answer.data == expected {
        return case;
    }
    let got = if answer.data.is_empty() {
        tr!(
            lang,
            "no reply within {} s: the server was still waiting for the idle client",
            "{}초 안에 응답 없음(서버는 아직 유휴 클라이언트를 기다리고 있었습니다)",
            HELD.as_secs()
        )
    } else {
        show(&answer.data)
    };
    case.fail().expected(show(&expected)).got(got)
        .hint(tr!(lang,
            "this is the iterative server: it waits in the idle client's recv \
             while the next client waits in the accept queue; {}",
            "반복 서버입니다. 서버가 유휴 클라이언트의 recv에서 기다리는 동안 다음 \
             클라이언트는 수락 대기열에서 기다립니다. {}",
            model_hint(model, lang)))
        .read(why_blocks(lang))
}

/// A client sends its sentence one byte at a time, the first only
/// after `SLOW_FIRST`; another must be answered meanwhile, and the slow
/// one at the end.
fn slow_case(
    case: Case,
    started: &mut Started,
    model: Model,
    random: &mut fastrand::Rng,
    lang: Lang,
) -> Case {
    let port = started.port;
    let Ok(mut slow) = connect(port, HELD) else {
        return case.fail().got(tr!(
            lang,
            "the slow client could not connect",
            "느린 클라이언트가 연결하지 못함"
        ));
    };
    let connected = Instant::now();
    thread::sleep(Duration::from_millis(100));
    let other = sentence(random);
    let expected = upper(other.as_bytes());
    let answer = ask(port, other.as_bytes(), HELD);
    let other_ok = answer.data == expected;
    // The slow client: a byte, then a little wait for the reply, until
    // it comes or the sentence is all sent.
    let slow_sentence = sentence(random);
    thread::sleep(SLOW_FIRST.saturating_sub(connected.elapsed()));
    let mut reply = Reply {
        data: Vec::new(),
        closed: false,
    };
    for byte in slow_sentence.as_bytes() {
        if slow.write_all(&[*byte]).is_err() {
            break;
        }
        reply = read_until(&mut slow, Instant::now() + SLOW_GAP);
        if !reply.data.is_empty() || reply.closed {
            break;
        }
    }
    if reply.data.is_empty() && !reply.closed {
        let _ = slow.shutdown(Shutdown::Write);
        reply = read_until(&mut slow, Instant::now() + HELD);
    }
    leave(&slow, &reply);
    let slow_expected = upper(slow_sentence.as_bytes());
    let slow_ok =
        !reply.data.is_empty() && slow_expected.starts_with(&reply.data);
    if other_ok && slow_ok {
        return case;
    }
    if !other_ok {
        let got = if answer.data.is_empty() {
            tr!(
                lang,
                "no reply within {} s: the server was waiting for the slow \
                client's first byte",
                "{}초 안에 응답 없음(서버는 느린 클라이언트의 첫 바이트를 기다리고 \
                있었습니다)",
                HELD.as_secs()
            )
        } else {
            show(&answer.data)
        };
        return case.fail().expected(show(&expected)).got(got)
            .hint(tr!(lang,
                "this is the iterative server: a client that is slow to send holds \
                 up everyone behind it; {}",
                "반복 서버입니다. 보내기가 느린 클라이언트 하나가 뒤의 모두를 붙잡아 \
                 둡니다. {}",
                model_hint(model, lang)))
            .read(why_blocks(lang));
    }
    case.fail()
        .expected(tr!(lang, "for the slow client, the upper case of what it had sent \
            ({} at most)", "느린 클라이언트에게는 보낸 만큼의 대문자({}까지)",
            show(&slow_expected)))
        .got(if reply.data.is_empty() {
            tr!(lang, "nothing: its connection was closed or reset",
                "아무것도 오지 않음(연결이 닫히거나 리셋됨)")
        } else {
            show(&reply.data)
        })
        .hint(tr!(lang,
            "a server that gives up on a slow client (a short timeout) is not the \
             fix: a slow client must be served as well, while the others are",
            "느린 클라이언트를 포기하는 서버(짧은 타임아웃)는 해결책이 아닙니다. 느린 \
             클라이언트도 다른 클라이언트와 함께 처리해야 합니다"))
        .read(model_section(model, lang))
}

/// One client closes without sending, another resets its connection
/// (SO_LINGER 0: the close sends RST); the next must be answered.
fn resets_case(
    case: Case,
    started: &mut Started,
    model: Model,
    random: &mut fastrand::Rng,
    lang: Lang,
) -> Case {
    let port = started.port;
    if let Ok(early) = connect(port, HELD) {
        drop(early);
    }
    if let Ok(reset) = connect(port, HELD) {
        let _ = socket2::SockRef::from(&reset).set_linger(Some(Duration::ZERO));
        drop(reset);
    }
    thread::sleep(Duration::from_millis(200));
    let next = sentence(random);
    let expected = upper(next.as_bytes());
    let answer = ask(port, next.as_bytes(), REPLY_WAIT);
    if answer.data != expected {
        started
            .process
            .wait_exit(Instant::now() + Duration::from_millis(500));
    }
    let end = ended(started, lang);
    if answer.data == expected && end.is_none() {
        return case;
    }
    let got = match end {
        Some(end) => {
            tr!(lang, "the server ended: {end}", "서버가 끝났습니다({end})")
        }
        None => show(&answer.data),
    };
    let how = match model {
        Model::Threads | Model::Pool => tr!(
            lang,
            "Rust: in the client's thread, print the error of serve() instead of \
             returning it with ?",
            "러스트에서는 클라이언트의 스레드에서 serve()의 에러를 ?로 돌려주지 말고 \
             출력하세요"
        ),
        Model::Readiness => tr!(
            lang,
            "Rust: print the error of one client's read or write and drop its \
             socket, instead of returning it from the loop with ?",
            "러스트에서는 한 클라이언트의 read나 write 에러를 반복문 밖으로 ?로 \
             돌려주지 말고, 출력한 뒤 그 소켓을 버리세요"
        ),
        Model::Tasks => tr!(
            lang,
            "Rust: in the client's task, print the error of serve() instead of \
             returning it with ?",
            "러스트에서는 클라이언트의 태스크에서 serve()의 에러를 ?로 돌려주지 말고 \
             출력하세요"
        ),
    };
    case.fail().expected(show(&expected)).got(got)
        .hint(tr!(lang,
            "a client that resets its connection makes recv or send fail \
             (Connection reset by peer): that ends one client's exchange, never \
             the server. {how}; Python: try/except OSError around the exchange",
            "연결을 리셋한 클라이언트 때문에 recv나 send가 실패합니다(Connection \
             reset by peer). 그 실패는 그 클라이언트와의 교환만 끝내야 하고, 서버를 \
             끝내서는 안 됩니다. {how}. 파이썬에서는 교환을 try/except OSError로 \
             감싸세요"))
        .read(model_section(model, lang))
}

/// `CLIENTS` clients connect and send at once; each must get its own
/// sentence back.
fn many_case(
    case: Case,
    port: u16,
    model: Model,
    random: &mut fastrand::Rng,
    lang: Lang,
) -> Case {
    let sentences: Vec<String> = (0..CLIENTS)
        .map(|n| format!("{} {n}", sentence(random)))
        .collect();
    let clients: Vec<_> = sentences
        .iter()
        .map(|sentence| {
            let sentence = sentence.clone();
            thread::spawn(move || ask(port, sentence.as_bytes(), CLIENTS_WAIT))
        })
        .collect();
    let replies: Vec<Vec<u8>> = clients
        .into_iter()
        .map(|client| client.join().map(|r| r.data).unwrap_or_default())
        .collect();
    let wrong: Vec<(Vec<u8>, &Vec<u8>)> = sentences
        .iter()
        .zip(&replies)
        .map(|(sentence, reply)| (upper(sentence.as_bytes()), reply))
        .filter(|(expected, reply)| expected != *reply)
        .collect();
    let Some((expected, got)) = wrong.first() else {
        return case;
    };
    let hint = match model {
        Model::Threads | Model::Tasks | Model::Readiness => tr!(
            lang,
            "serve each client on its own connection socket, with its own \
             buffer, and listen with a backlog large enough (128), so that the \
             kernel does not drop connections it has no room for",
            "클라이언트마다 제 연결 소켓과 제 버퍼로 처리하고, 커널이 자리가 없어 \
             연결을 버리지 않도록 충분한 백로그(128)로 listen하세요"
        ),
        Model::Pool => tr!(
            lang,
            "every connection sent to the pool must be served by some worker: \
             the workers take the next one as soon as they are done",
            "풀에 보낸 연결은 어느 작업 스레드든 반드시 처리해야 합니다. 작업 \
             스레드는 하나를 마치면 곧바로 다음 연결을 가져갑니다"
        ),
    };
    case.fail()
        .expected(show(expected))
        .got(tr!(lang, "{} ({} of {CLIENTS} clients without their reply in {} s)",
            "{} (클라이언트 {CLIENTS}개 중 {}개가 {}초 안에 제 응답을 받지 못함)",
            show(got), wrong.len(), CLIENTS_WAIT.as_secs()))
        .hint(hint)
        .read(model_section(model, lang))
}

/// The threads of the server, counted while idle clients hold their
/// connections: `IDLE`, then twice as many.
fn threads_case(
    case: Case,
    started: &mut Started,
    model: Model,
    lang: Lang,
) -> Case {
    let group = started.process.id();
    let port = started.port;
    if !std::path::Path::new("/proc/self/task").is_dir() {
        return case.skip_because(tr!(lang,
            "the threads are counted in /proc/PID/task, which this system does \
             not have (Linux only)",
            "스레드는 /proc/PID/task에서 세는데, 이 시스템에는 없습니다(리눅스만)"));
    }
    let Some(pids) = server_processes(group, port) else {
        return case.skip_because(tr!(
            lang,
            "no process of the server's group holds its listening socket",
            "서버의 프로세스 그룹에서 환영 소켓을 가진 프로세스를 찾지 못함"
        ));
    };
    let mut idle = Vec::new();
    let mut counts = Vec::new();
    let before = sockets(&pids);
    for _ in 0..2 {
        for _ in 0..IDLE {
            if let Ok(stream) = connect(port, HELD) {
                idle.push(stream);
            }
        }
        // Every model accepts at once (the pool too, into its queue):
        // count once the server holds a socket for each idle client.
        let deadline = Instant::now() + HELD;
        while sockets(&pids) < before + idle.len() && Instant::now() < deadline
        {
            thread::sleep(Duration::from_millis(20));
        }
        counts.push(settled_threads(&pids));
    }
    drop(idle);
    let (few, more) = (counts[0], counts[1]);
    let word = if few == 1 { "thread" } else { "threads" };
    let twice = 2 * IDLE;
    let got = tr!(
        lang,
        "{few} {word} with {IDLE} idle clients, {more} with {twice}",
        "유휴 클라이언트 {IDLE}개일 때 스레드 {few}개, {twice}개일 때 {more}개"
    );
    let grew = more > few;
    let per_client = tr!(
        lang,
        "the threads grew with the clients: that is a thread per connection, \
         and each idle client costs a thread and its stack",
        "클라이언트가 늘자 스레드도 늘었습니다. 연결마다 스레드를 두는 방식이며, 유휴 \
         클라이언트마다 스레드 하나와 그 스택이 듭니다"
    );
    match model {
        Model::Threads => case,
        Model::Pool if !grew && few >= 2 => case,
        Model::Pool => {
            let hint = if grew {
                tr!(lang, "{per_client}. Start the workers once, before the accept \
                    loop (Python: ThreadPoolExecutor(max_workers=4)), and hand them \
                    the connections through a channel",
                    "{per_client}. 작업 스레드는 accept 반복문 전에 한 번만 만들고(파이썬에서는 \
                    ThreadPoolExecutor(max_workers=4)), 연결은 채널로 넘기세요")
            } else {
                tr!(lang, "one thread serves every client: that is a readiness loop, \
                    not a pool; a pool is worker threads that take the accepted \
                    connections from a queue",
                    "스레드 하나가 모든 클라이언트를 처리합니다. 풀이 아니라 준비 상태 \
                    루프입니다. 풀은 수락된 연결을 대기열에서 가져가는 작업 스레드들입니다")
            };
            case.fail()
                .expected(tr!(lang, "the same number of threads, more than one",
                    "둘 이상이면서 변하지 않는 스레드 수"))
                .got(got).hint(hint).read(model_section(model, lang))
        }
        Model::Readiness if few == 1 && more == 1 => case,
        Model::Readiness => {
            let hint = if grew {
                tr!(lang, "{per_client}. A readiness loop serves every client from \
                    one thread: it waits in poll, never in accept or read",
                    "{per_client}. 준비 상태 루프는 스레드 하나로 모든 클라이언트를 \
                    처리합니다. 기다리는 곳은 poll뿐이고, accept나 read에서는 \
                    기다리지 않습니다")
            } else {
                tr!(lang, "a readiness loop needs one thread, the one that waits in \
                    poll and serves whichever socket is ready: no pool, no runtime",
                    "준비 상태 루프에 필요한 스레드는 poll에서 기다리다가 준비된 소켓을 \
                    처리하는 하나뿐입니다. 풀도 런타임도 필요 없습니다")
            };
            case.fail()
                .expected(tr!(lang, "1 thread", "스레드 1개"))
                .got(got).hint(hint).read(model_section(model, lang))
        }
        Model::Tasks if !grew => case,
        Model::Tasks => case.fail()
            .expected(tr!(lang, "as many threads with {} idle clients as with {IDLE}",
                "유휴 클라이언트 {}개일 때도 {IDLE}개일 때만큼의 스레드", 2 * IDLE))
            .got(got)
            .hint(tr!(lang, "{per_client}. A task is not a thread: tokio::spawn an \
                async block for each connection, and use tokio's TcpListener and \
                TcpStream, not std's",
                "{per_client}. 태스크는 스레드가 아닙니다. 연결마다 async 블록을 \
                tokio::spawn하고, std가 아닌 tokio의 TcpListener와 TcpStream을 쓰세요"))
            .read(model_section(model, lang)),
    }
}

/// The thread count once it has stopped changing for a moment (a server
/// starts a thread for a client a little after it connects), at most
/// after two seconds.
fn settled_threads(pids: &[u32]) -> usize {
    let deadline = Instant::now() + Duration::from_secs(2);
    let mut last = threads(pids);
    let mut since = Instant::now();
    while Instant::now() < deadline {
        thread::sleep(Duration::from_millis(50));
        let now = threads(pids);
        if now != last {
            last = now;
            since = Instant::now();
        } else if since.elapsed() >= Duration::from_millis(300) {
            break;
        }
    }
    last
}

/// The sockets these processes hold (the listening one and each
/// accepted connection), as /proc lists their descriptors.
fn sockets(pids: &[u32]) -> usize {
    pids.iter()
        .map(|&pid| harness::socket_inodes(pid).len())
        .sum()
}

/// The threads of these processes, as /proc lists them.
fn threads(pids: &[u32]) -> usize {
    pids.iter()
        .filter_map(|pid| fs::read_dir(format!("/proc/{pid}/task")).ok())
        .map(Iterator::count)
        .sum()
}

/// The server's processes: those of its process group (`cargo run` or a
/// shell may stand in front of it) that hold its listening socket.
/// `None` where there is no /proc, or no such process.
fn server_processes(group: u32, port: u16) -> Option<Vec<u32>> {
    let inode = listening_inode(port)?;
    let mut pids = Vec::new();
    for entry in fs::read_dir("/proc").ok()?.filter_map(Result::ok) {
        let name = entry.file_name();
        let Some(pid) = name.to_str().and_then(|n| n.parse::<u32>().ok())
        else {
            continue;
        };
        let Ok(stat) = fs::read_to_string(format!("/proc/{pid}/stat")) else {
            continue;
        };
        // "pid (name) state ppid pgrp …": the name may hold spaces.
        let pgrp = stat
            .rsplit_once(')')
            .and_then(|(_, rest)| rest.split_whitespace().nth(2))
            .and_then(|field| field.parse::<u32>().ok());
        if pgrp != Some(group) {
            continue;
        }
        if harness::socket_inodes(pid).contains(&inode) {
            pids.push(pid);
        }
    }
    (!pids.is_empty()).then_some(pids)
}

/// The inode of the socket listening on `port`, from /proc/net/tcp(6).
fn listening_inode(port: u16) -> Option<String> {
    harness::socket_table("/proc/net", false)?
        .into_iter()
        .find(|s| s.port == port && s.state == harness::LISTEN)
        .map(|s| s.inode)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every section a report of these exercises names is a `##` heading
    /// of that chapter, in both books.
    #[test]
    fn the_sections_named_are_headings_of_the_books() {
        let mut named = vec![
            why_blocks(Lang::En),
            why_blocks(Lang::Ko),
            read(
                Lang::En,
                "tcp-server",
                "The lecture's ideas",
                "강의의 핵심 개념",
            ),
            read(
                Lang::Ko,
                "tcp-server",
                "The lecture's ideas",
                "강의의 핵심 개념",
            ),
        ];
        for model in
            [Model::Threads, Model::Pool, Model::Readiness, Model::Tasks]
        {
            named.push(model_section(model, Lang::En));
            named.push(model_section(model, Lang::Ko));
        }
        for section in named {
            let (path, heading) = section.split_once(" § ").unwrap_or_default();
            let text = fs::read_to_string(crate::workspace().join(path))
                .unwrap_or_default();
            let found = text
                .lines()
                .any(|line| line.strip_prefix("## ") == Some(heading));
            assert!(found, "{path} has no heading \"## {heading}\"");
        }
    }
}
