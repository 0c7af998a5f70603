//! The `boundaries` exercise: a TCP server of the lecture's upper-case
//! protocol that answers the whole line however it arrives. The client
//! sends one line ending in `\n`; the server answers that line upper-cased,
//! its `\n` included, and closes the connection.
//!
//! The checker's own clients send the line in one piece, in two to six
//! pieces with pauses between them, cut inside a Korean character, longer
//! than the lecture's 1024-byte buffer, and then as two clients in a row.
//! They never close their sending side before the reply: a server that
//! waits for the end of the stream instead of the `\n` gets no line.

use std::io::{self, ErrorKind, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::thread;
use std::time::{Duration, Instant};

use super::ports::{Proto, start_server};
use super::served::Server;
use super::{
    A_REPLY_IN_PIECES, BOUNDARIES_OVER_TCP, IDEAS, LINE_BY_LINE, NOT_UTF8,
    Options, nothing, section, sentence, skipped,
};
use crate::program::{Program, Stop, pick_port};
use crate::report::{Case, show};
use crate::text::Lang;
use crate::tr;

/// How long a reply may take once the whole line is sent, and how long
/// the server may take to close after it.
const REPLY_WAIT: Duration = Duration::from_secs(3);

/// Korean words for the sentences cut inside a character: each syllable
/// is three bytes in UTF-8.
const KOREAN: &[&str] = &[
    "소켓",
    "패킷",
    "서버",
    "클라이언트",
    "연결",
    "바이트",
    "문장",
    "대문자",
    "스트림",
    "경계",
];

/// What came back on one connection.
struct Answer {
    data: Vec<u8>,
    /// The server closed the connection (end of stream) after it.
    closed: bool,
    /// Could not connect at all.
    refused: bool,
}

/// Connects to the server, sends `pieces` with `pauses[i]` after piece
/// `i` (reading whatever comes meanwhile), then reads until the server
/// closes or [`REPLY_WAIT`] has passed. The sending side stays open.
fn converse(port: u16, pieces: &[Vec<u8>], pauses: &[Duration]) -> Answer {
    let mut answer = Answer {
        data: Vec::new(),
        closed: false,
        refused: false,
    };
    let address = SocketAddr::from(([127, 0, 0, 1], port));
    let Ok(mut stream) = TcpStream::connect_timeout(&address, REPLY_WAIT)
    else {
        answer.refused = true;
        return answer;
    };
    // Small writes go out at once, each in a segment of its own.
    let _ = stream.set_nodelay(true);
    for (n, piece) in pieces.iter().enumerate() {
        if stream.write_all(piece).is_err() {
            break;
        }
        let pause = pauses.get(n).copied().unwrap_or_default();
        if !pause.is_zero() && read_until(&mut stream, &mut answer, pause) {
            return answer;
        }
    }
    read_until(&mut stream, &mut answer, REPLY_WAIT);
    answer
}

/// Reads into `answer` for `time`; true once the server has closed.
fn read_until(
    stream: &mut TcpStream,
    answer: &mut Answer,
    time: Duration,
) -> bool {
    let deadline = Instant::now() + time;
    let mut buffer = [0; 4096];
    loop {
        let left = deadline.saturating_duration_since(Instant::now());
        if left.is_zero() || answer.data.len() > 1 << 20 {
            return false;
        }
        if stream.set_read_timeout(Some(left)).is_err() {
            return false;
        }
        match stream.read(&mut buffer) {
            Ok(0) => {
                answer.closed = true;
                return true;
            }
            Ok(n) => answer.data.extend_from_slice(&buffer[..n]),
            Err(e) if e.kind() == ErrorKind::Interrupted => {}
            Err(e) if timed_out(&e) => return false,
            // A reset: the server closed with our later pieces unread.
            Err(_) => {
                answer.closed = true;
                return true;
            }
        }
    }
}

fn timed_out(error: &io::Error) -> bool {
    matches!(error.kind(), ErrorKind::WouldBlock | ErrorKind::TimedOut)
}

/// The reply the protocol asks for: the line upper-cased, `\n` kept.
fn reply_to(line: &str) -> Vec<u8> {
    line.to_uppercase().into_bytes()
}

/// A sentence with Korean words in it, as a line.
fn korean_line(random: &mut fastrand::Rng) -> String {
    let mut words: Vec<String> =
        sentence(random).split(' ').map(str::to_string).collect();
    for _ in 0..random.usize(2..=3) {
        let at = random.usize(..=words.len());
        words.insert(at, KOREAN[random.usize(..KOREAN.len())].to_string());
    }
    format!("{}\n", words.join(" "))
}

/// A line of `size` bytes or a little more, `\n` included.
fn long_line(random: &mut fastrand::Rng, size: usize) -> String {
    let mut text = String::new();
    while text.len() < size {
        text.push_str(&sentence(random));
        text.push(' ');
    }
    format!("{}\n", text.trim_end())
}

/// Cuts `bytes` into `count` non-empty pieces at random places.
fn cut(random: &mut fastrand::Rng, bytes: &[u8], count: usize) -> Vec<Vec<u8>> {
    let count = count.clamp(1, bytes.len().max(1));
    let mut places: Vec<usize> = Vec::new();
    while places.len() + 1 < count {
        let place = random.usize(1..bytes.len());
        if !places.contains(&place) {
            places.push(place);
        }
    }
    places.sort_unstable();
    let mut pieces = Vec::new();
    let mut from = 0;
    for place in places.into_iter().chain([bytes.len()]) {
        pieces.push(bytes[from..place].to_vec());
        from = place;
    }
    pieces
}

fn pauses(random: &mut fastrand::Rng, count: usize) -> Vec<Duration> {
    (0..count)
        .map(|_| Duration::from_millis(random.u64(80..=250)))
        .collect()
}

/// The cases of the `boundaries` exercise.
pub fn check(program: &Program, options: &Options) -> Result<Vec<Case>, Stop> {
    let lang = options.lang;
    let mut random = fastrand::Rng::new();
    let first = pick_port(options.port, false, lang)?;
    let (started, ready) = start_server(program, Proto::Tcp, first, lang)?;
    let ready_what = tr!(
        lang,
        "binds the port it is given and prints `The server is ready to receive`",
        "받은 포트에 바인딩하고 `The server is ready to receive`를 출력한다"
    );
    let mut cases = vec![match ready {
        Ok(()) => Case::new("ready", ready_what),
        Err(case) => case,
    }];
    let what_one = tr!(
        lang,
        "answers a line sent in one piece, upper-cased with its \\n, then closes",
        "한 번에 온 줄에 대문자로 바꾼 줄(\\n 포함)로 답하고 연결을 닫는다"
    );
    let what_pieces = tr!(
        lang,
        "answers the whole line when it comes in {} pieces with pauses",
        "줄이 {}조각으로 나뉘어 틈을 두고 와도 줄 전체에 답한다",
        "2-6"
    );
    let what_utf8 = tr!(
        lang,
        "answers a line cut inside a Korean character",
        "한글 글자 한가운데에서 잘린 줄에도 답한다"
    );
    let what_long = tr!(
        lang,
        "answers a line longer than 1024 bytes whole",
        "1024바이트보다 긴 줄에 통째로 답한다"
    );
    let what_two = tr!(
        lang,
        "serves two clients in a row, each its own line",
        "클라이언트 둘을 차례로, 저마다의 줄로 처리한다"
    );
    let Some(started) = started else {
        for (id, what) in [
            ("one-piece", what_one),
            ("pieces", what_pieces),
            ("utf8-cut", what_utf8),
            ("long", what_long),
            ("two-clients", what_two),
        ] {
            cases.push(skipped(id, what));
        }
        return Ok(cases);
    };
    let mut server = Server::new(program, lang);
    server.started = Some(started);

    // Each case: the line, how it is cut, and what it checks.
    let one = format!("{}\n", sentence(&mut random));
    let line = format!("{}\n", sentence(&mut random));
    let count = random.usize(2..=6);
    let in_pieces = cut(&mut random, line.as_bytes(), count);
    let korean = korean_line(&mut random);
    let bytes = korean.as_bytes();
    // A place inside a character: one byte past the start of a syllable.
    let inside = bytes
        .iter()
        .position(|&b| b >= 0xc0)
        .map_or(1, |start| start + 1);
    let korean_pieces =
        vec![bytes[..inside].to_vec(), bytes[inside..].to_vec()];
    let size = random.usize(1500..=3000);
    let long = long_line(&mut random, size);

    let runs: [(&'static str, String, String, Vec<Vec<u8>>); 4] = [
        ("one-piece", what_one, one.clone(), vec![one.into_bytes()]),
        ("pieces", what_pieces, line, in_pieces),
        ("utf8-cut", what_utf8, korean, korean_pieces),
        ("long", what_long, long.clone(), vec![long.into_bytes()]),
    ];
    for (id, what, line, pieces) in runs {
        let case = Case::new(id, what);
        let port = match server.port()? {
            Ok(port) => port,
            Err(why) => {
                cases.push(not_restarted(case, &why, lang));
                continue;
            }
        };
        let waits = pauses(&mut random, pieces.len());
        let answer = converse(port, &pieces, &waits);
        let expected = reply_to(&line);
        let case = case.expected(show(&expected));
        if answer.data == expected && answer.closed {
            cases.push(case);
            continue;
        }
        let case = case.fail();
        let ended = server.ended();
        if server.not_written {
            return Err(Stop::NotWritten);
        }
        let got = match (&ended, answer.data.is_empty()) {
            (Some(end), true) => tr!(
                lang,
                "no reply; the server ended: {end}",
                "응답 없음, 서버가 끝났습니다({end})"
            ),
            (Some(end), false) => tr!(
                lang,
                "{}, then the server ended: {end}",
                "{} 다음에 서버가 끝났습니다({end})",
                show(&answer.data)
            ),
            (None, true) if answer.refused => {
                tr!(lang, "the connection was refused", "연결이 거부됨")
            }
            (None, true) => tr!(
                lang,
                "{} within {} s of the \\n",
                "\\n을 보낸 뒤 {}초 동안 {}",
                nothing(lang),
                REPLY_WAIT.as_secs()
            ),
            (None, false) => show(&answer.data),
        };
        let first_piece = pieces.first().cloned().unwrap_or_default();
        let prefix = !answer.data.is_empty()
            && answer.data.len() < expected.len()
            && expected.starts_with(&answer.data);
        let case = case.got(got);
        let case = if answer.data == expected {
            case.hint(tr!(lang,
                "the reply is right but the connection stayed open: close the \
                 connection socket once the reply is sent",
                "응답은 맞지만 연결이 열린 채입니다. 응답을 보낸 뒤 연결 소켓을 닫으세요"))
                .read(section(lang, "tcp-server", IDEAS))
        } else if prefix
            || (id == "utf8-cut"
                && first_piece.len() < expected.len()
                && ended.is_some())
        {
            let why = match id {
                "long" => tr!(
                    lang,
                    " (this line is longer than one recv(1024) can hold)",
                    "(이 줄은 recv(1024) 한 번에 담기지 않습니다)"
                ),
                "utf8-cut" => tr!(
                    lang,
                    " (its first piece ends inside a character, so decoding that piece \
                     alone fails)",
                    "(첫 조각이 글자 한가운데에서 끝나므로 그 조각만 디코딩하면 실패합니다)"
                ),
                _ => String::new(),
            };
            case.hint(tr!(lang,
                "one recv for a line that came in pieces{why}: TCP delivers bytes, not \
                 messages, so one recv returns what has come so far. Receive in a loop, \
                 adding to a buffer, until the buffer holds a \\n; then decode and answer",
                "조각으로 온 줄을 recv 한 번으로 읽었습니다{why}. TCP는 메시지가 아니라 \
                 바이트를 전달하므로 recv 한 번은 그때까지 온 만큼만 돌려줍니다. 버퍼에 \
                 \\n이 들어올 때까지 반복해서 받아 덧붙인 뒤, 줄 전체를 디코딩해 답하세요"))
                .read(section(lang, "what-goes-wrong", A_REPLY_IN_PIECES))
        } else if id == "utf8-cut" {
            case.hint(tr!(lang,
                "a piece can end inside a character: keep the bytes until the \\n has \
                 come, then decode the whole line once (decoding each piece breaks the \
                 character in two)",
                "조각은 글자 한가운데에서 끝날 수 있습니다. \\n이 올 때까지 바이트로 모아 \
                 두었다가 줄 전체를 한 번에 디코딩하세요(조각마다 디코딩하면 글자가 둘로 \
                 쪼개집니다)"))
                .read(section(lang, "what-goes-wrong", NOT_UTF8))
        } else if answer.data.is_empty() && ended.is_none() && !answer.refused {
            case.hint(tr!(lang,
                "the client keeps its side open and waits: answer as soon as the \\n \
                 has come, not at the end of the stream",
                "클라이언트는 연결을 열어 둔 채 기다립니다. 스트림의 끝이 아니라 \\n이 \
                 오는 즉시 답하세요"))
                .read(section(lang, "going-further", BOUNDARIES_OVER_TCP))
        } else {
            case.hint(tr!(lang,
                "answer the line upper-cased, its \\n included, nothing added",
                "줄을 대문자로 바꿔(\\n 포함) 그대로 답하세요. 아무것도 덧붙이지 마세요"))
                .read(section(lang, "tcp-server", LINE_BY_LINE))
        };
        cases.push(case);
    }

    // Two clients in a row, on one server that is not started again in
    // between: it must go on serving after the first.
    let case = Case::new("two-clients", what_two);
    let port = match server.port()? {
        Ok(port) => port,
        Err(why) => {
            cases.push(not_restarted(case, &why, lang));
            return Ok(cases);
        }
    };
    let lines = [
        format!("{}\n", sentence(&mut random)),
        format!("{}\n", sentence(&mut random)),
    ];
    let mut replies = Vec::new();
    for line in &lines {
        replies.push(converse(port, &[line.as_bytes().to_vec()], &[]).data);
        // Let a server that exits after one client do so.
        thread::sleep(Duration::from_millis(50));
    }
    let expected: Vec<Vec<u8>> = lines.iter().map(|l| reply_to(l)).collect();
    let case = case.expected(format!(
        "{} / {}",
        show(&expected[0]),
        show(&expected[1])
    ));
    cases.push(if replies == expected {
        case
    } else {
        let got = format!("{} / {}", show(&replies[0]), show(&replies[1]));
        match server.ended() {
            Some(end) => case.fail().got(tr!(lang, "{got}; the server ended: {end}",
                "{got}, 서버가 끝났습니다({end})"))
                .hint(tr!(lang,
                    "a server serves one client after another: accept, read the line, \
                     answer and close, in a loop that never ends (while True)",
                    "서버는 클라이언트를 차례로 계속 처리합니다. 수락, 줄 읽기, 응답, \
                     닫기를 끝나지 않는 반복문(while True) 안에 넣으세요"))
                .read(section(lang, "tcp-server", IDEAS)),
            None => case.fail().got(got).hint(tr!(lang,
                "answer every client the same way, each with a buffer of its own: what \
                 one client sent belongs to it alone",
                "모든 클라이언트에게 같은 방식으로, 저마다의 버퍼로 답하세요. 한 \
                 클라이언트가 보낸 것은 그 클라이언트의 것입니다"))
                .read(section(lang, "tcp-server", LINE_BY_LINE)),
        }
    });
    if server.not_written {
        return Err(Stop::NotWritten);
    }
    Ok(cases)
}

/// The case of a server that a case before had ended, and that did not
/// start again.
fn not_restarted(case: Case, why: &str, lang: Lang) -> Case {
    case.fail().got(tr!(
        lang,
        "it did not start again: {why}",
        "다시 시작하지 않음({why})"
    ))
}
