//! The `web-server` exercise, the textbook's first lab: a TCP server that
//! answers an HTTP GET with a file of its working directory, and a 404
//! page for a file it does not have.
//!
//! The checker runs the program in a folder of its own that it fills with
//! an HTML page, a text file and a binary file, named and filled anew on
//! every run, and asks for them with an HTTP/1.1 client of its own (the
//! status line and every byte of the body are compared), then with
//! `curl` and the headless Chromium of the book check when they are
//! installed. The textbook's answer passes: `HTTP/1.1 200 OK\r\n\r\n`,
//! the file, and the close as the end of the body (its skeleton's `\r\n`
//! after the file is taken as the end of the body too, when no
//! Content-Length says otherwise). A request for `/../NAME`, outside the
//! folder, is advice only: the textbook's `open(filename[1:])` serves it.

use std::ffi::OsString;
use std::fs;
use std::io::{ErrorKind, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use harness::{End, Limits};

use super::served::Server;
use super::{GOAL, HINTS, Options, nothing, section, sentence, skipped};
use crate::program::{Program, Stop};
use crate::report::{Case, show};
use crate::text::Lang;
use crate::tr;

/// How long a whole response may take.
const REPLY_WAIT: Duration = Duration::from_secs(3);
/// How long curl and the browser may take.
const CLIENT_TIME: Duration = Duration::from_secs(10);
const BROWSER_TIME: Duration = Duration::from_secs(45);
/// The headless Chromium of the book check (`LAB_CHROMIUM` names
/// another; empty: none).
const CHROMIUM: &str = "/usr/bin/chromium";

/// The folder the server runs in, and the file beside it that a request
/// for `/../NAME` would reach; removed when dropped.
struct Site {
    root: PathBuf,
    dir: PathBuf,
    html: (String, Vec<u8>),
    text: (String, Vec<u8>),
    binary: (String, Vec<u8>),
    /// Said in the HTML page's body: what the browser must show.
    marker: String,
    outside: (String, Vec<u8>),
    missing: String,
}

impl Drop for Site {
    fn drop(&mut self) {
        let _ = fs::remove_dir_all(&self.root);
    }
}

fn word(random: &mut fastrand::Rng) -> String {
    let words = sentence(random);
    let first = words.split(' ').next().unwrap_or("page");
    format!("{first}-{}", random.u32(100..10000))
}

fn make_site(random: &mut fastrand::Rng, lang: Lang) -> Result<Site, Stop> {
    let root = std::env::temp_dir().join(format!(
        "lab-web-{}-{}",
        std::process::id(),
        random.u32(..)
    ));
    let dir = root.join("site");
    let marker = format!("{} {}", sentence(random), random.u32(..));
    let title = sentence(random);
    let html = format!(
        "<!DOCTYPE html>\n<html>\n<head><meta charset=\"utf-8\"><title>{title}\
         </title></head>\n<body>\n<h1>{title}</h1>\n<p id=\"lab\">{marker}</p>\n\
         </body>\n</html>\n"
    );
    let mut text = String::new();
    for _ in 0..random.usize(3..=8) {
        text.push_str(&sentence(random));
        text.push('\n');
    }
    // Every byte value, some that are not UTF-8, and a \r\n: what a
    // server that reads or sends text breaks.
    let mut binary: Vec<u8> = (0..=255).collect();
    binary.extend_from_slice(b"\xc3\x28\r\n\x00\xff\xfe");
    for _ in 0..random.usize(3000..6000) {
        binary.push(random.u8(..));
    }
    random.shuffle(&mut binary);
    let site = Site {
        html: (format!("{}.html", word(random)), html.into_bytes()),
        text: (format!("{}.txt", word(random)), text.into_bytes()),
        binary: (format!("{}.bin", word(random)), binary),
        outside: (
            format!("{}.txt", word(random)),
            format!("{}\n", sentence(random)).into_bytes(),
        ),
        missing: format!("{}.html", word(random)),
        marker,
        dir,
        root,
    };
    let made = fs::create_dir_all(&site.dir)
        .and_then(|()| fs::write(site.dir.join(&site.html.0), &site.html.1))
        .and_then(|()| fs::write(site.dir.join(&site.text.0), &site.text.1))
        .and_then(|()| fs::write(site.dir.join(&site.binary.0), &site.binary.1))
        .and_then(|()| {
            fs::write(site.root.join(&site.outside.0), &site.outside.1)
        });
    made.map_err(|e| {
        Stop::Setup(tr!(
            lang,
            "cannot fill a folder for the server in {}: {e}",
            "{}에 서버용 폴더를 만들 수 없습니다: {e}",
            site.root.display()
        ))
    })?;
    Ok(site)
}

/// The program, run in `dir`: its arguments that name files (the Python
/// script) are made absolute first, since its folder changes.
fn in_folder(program: &Program, dir: &Path) -> Program {
    let base = program.dir.clone();
    let argv = program
        .argv
        .iter()
        .map(|arg| {
            let path = Path::new(arg);
            if path.is_absolute() || arg.to_string_lossy().starts_with('-') {
                return arg.clone();
            }
            let candidates = [
                base.as_ref().map(|b| b.join(path)),
                Some(path.to_path_buf()),
            ];
            for candidate in candidates.into_iter().flatten() {
                if candidate.exists() {
                    if let Ok(full) = fs::canonicalize(&candidate) {
                        return OsString::from(full);
                    }
                }
            }
            arg.clone()
        })
        .collect();
    let mut program = Program::new(argv);
    program.dir = Some(dir.to_path_buf());
    program
}

/// An HTTP response as it came.
#[derive(Default)]
struct Response {
    /// Nothing could connect.
    refused: bool,
    raw: Vec<u8>,
    /// The first line, without its line end.
    status: Option<String>,
    /// The header ended with an empty line.
    header_end: bool,
    content_length: Option<usize>,
    body: Vec<u8>,
    /// The server closed (or said how long the body is, and sent it all).
    complete: bool,
}

impl Response {
    fn parse(raw: Vec<u8>, complete: bool) -> Response {
        let mut response = Response {
            complete,
            ..Response::default()
        };
        let first_end = raw.iter().position(|&b| b == b'\n');
        response.status = first_end.map(|end| {
            let line = &raw[..end];
            let line = line.strip_suffix(b"\r").unwrap_or(line);
            String::from_utf8_lossy(line).into_owned()
        });
        let end = find(&raw, b"\r\n\r\n")
            .map(|at| at + 4)
            .into_iter()
            .chain(find(&raw, b"\n\n").map(|at| at + 2))
            .min();
        if let Some(end) = end {
            response.header_end = true;
            let head =
                String::from_utf8_lossy(&raw[..end]).to_ascii_lowercase();
            response.content_length = head.lines().find_map(|line| {
                let value = line.strip_prefix("content-length:")?;
                value.trim().parse().ok()
            });
            response.body = raw[end..].to_vec();
        }
        response.raw = raw;
        response
    }

    fn status_is(&self, code: u16) -> bool {
        let Some(status) = &self.status else {
            return false;
        };
        ["HTTP/1.1", "HTTP/1.0"].iter().any(|version| {
            let line = format!("{version} {code}");
            if code == 200 {
                status == &format!("{line} OK")
            } else {
                status.starts_with(&format!("{line} ")) || status == &line
            }
        })
    }

    /// The body is `file`, with the textbook skeleton's `\r\n` after it
    /// allowed when no Content-Length bounds the body.
    fn body_is(&self, file: &[u8]) -> bool {
        body_matches(&self.body, file, self.content_length.is_none())
    }
}

fn body_matches(body: &[u8], file: &[u8], unbounded: bool) -> bool {
    body == file
        || (unbounded
            && body.len() == file.len() + 2
            && body.starts_with(file)
            && body.ends_with(b"\r\n"))
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

fn request(path: &str, port: u16) -> Vec<u8> {
    format!(
        "GET {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nUser-Agent: cargo-lab\r\n\
         Accept: */*\r\nConnection: close\r\n\r\n"
    )
    .into_bytes()
}

/// Sends `pieces` (pausing `pause` after each) and reads the response
/// until the server closes, its Content-Length is complete, or time is up.
fn fetch(port: u16, pieces: &[Vec<u8>], pause: Duration) -> Response {
    let address = SocketAddr::from(([127, 0, 0, 1], port));
    let Ok(mut stream) = TcpStream::connect_timeout(&address, REPLY_WAIT)
    else {
        return Response {
            refused: true,
            ..Response::default()
        };
    };
    let _ = stream.set_nodelay(true);
    for piece in pieces {
        if stream.write_all(piece).is_err() {
            break;
        }
        if !pause.is_zero() {
            std::thread::sleep(pause);
        }
    }
    let deadline = Instant::now() + REPLY_WAIT;
    let mut raw = Vec::new();
    let mut buffer = [0; 8192];
    let complete = loop {
        let left = deadline.saturating_duration_since(Instant::now());
        if left.is_zero() || raw.len() > 4 << 20 {
            break false;
        }
        if stream.set_read_timeout(Some(left)).is_err() {
            break false;
        }
        match stream.read(&mut buffer) {
            Ok(0) => break true,
            Ok(n) => raw.extend_from_slice(&buffer[..n]),
            Err(e) if e.kind() == ErrorKind::Interrupted => continue,
            Err(e)
                if matches!(
                    e.kind(),
                    ErrorKind::WouldBlock | ErrorKind::TimedOut
                ) =>
            {
                break false;
            }
            // A reset after the response: what came is what there is.
            Err(_) => break true,
        }
        let so_far = Response::parse(raw.clone(), false);
        if let Some(length) = so_far.content_length {
            if so_far.body.len() >= length {
                break true;
            }
        }
    };
    let mut response = Response::parse(raw, complete);
    if let Some(length) = response.content_length {
        response.body.truncate(length);
    }
    response
}

fn get(port: u16, path: &str) -> Response {
    fetch(port, &[request(path, port)], Duration::ZERO)
}

/// Runs `run` against the running server (started again if a case has
/// ended it). A server on its way out (one that ends after each answer)
/// may still take the connection and then drop it: when the run got
/// nothing and the server has ended, it is started again and the run
/// repeated once. Starting the server only when it has ended keeps the
/// starts few: each is seconds of a loaded machine.
fn attempt<T>(
    server: &mut Server,
    mut run: impl FnMut(u16) -> T,
    got_nothing: impl Fn(&T) -> bool,
) -> Result<Result<(T, Option<String>), String>, Stop> {
    let mut again = true;
    loop {
        let port = match server.port()? {
            Ok(port) => port,
            Err(why) => return Ok(Err(why)),
        };
        let outcome = run(port);
        let ended = if got_nothing(&outcome) {
            server.ended()
        } else {
            None
        };
        if server.not_written {
            return Err(Stop::NotWritten);
        }
        if again && ended.is_some() {
            again = false;
            continue;
        }
        return Ok(Ok((outcome, ended)));
    }
}

/// Asks the server for `path` (see [`attempt`]).
fn ask(
    server: &mut Server,
    path: &str,
) -> Result<(Response, Option<String>), Stop> {
    let incomplete = |r: &Response| r.raw.is_empty() || !r.complete;
    Ok(match attempt(server, |port| get(port, path), incomplete)? {
        Ok(answer) => answer,
        Err(why) => (
            Response {
                refused: true,
                ..Response::default()
            },
            Some(why),
        ),
    })
}

/// What came, for a `got:` line.
fn got(response: &Response, ended: Option<String>, lang: Lang) -> String {
    let what = if response.refused {
        tr!(lang, "the connection was refused", "연결이 거부됨")
    } else if response.raw.is_empty() && ended.is_some() {
        tr!(lang, "no answer", "응답 없음")
    } else if response.raw.is_empty() {
        tr!(
            lang,
            "{} within {} s",
            "{}초 동안 {}",
            nothing(lang),
            REPLY_WAIT.as_secs()
        )
    } else {
        show(&response.raw)
    };
    match ended {
        Some(end) => tr!(
            lang,
            "{what}; the server ended: {end}",
            "{what}, 서버가 끝났습니다({end})"
        ),
        None => what,
    }
}

/// The exercise's page, where its reports send a student.
const PAGE: &str = "exercises/web-server";

/// The cases of the `web-server` exercise.
pub fn check(program: &Program, options: &Options) -> Result<Vec<Case>, Stop> {
    let lang = options.lang;
    let mut random = fastrand::Rng::new();
    let site = make_site(&mut random, lang)?;
    let program = in_folder(program, &site.dir);
    let mut server = Server::new(&program, lang);

    let what_bound = tr!(
        lang,
        "binds the port it is given (HOST PORT)",
        "받은 포트(HOST PORT)에 바인딩한다"
    );
    let what_status = tr!(
        lang,
        "answers GET /{} with the status line `HTTP/1.1 200 OK`, then an empty line",
        "GET /{}에 상태 줄 `HTTP/1.1 200 OK`와 빈 줄로 답한다",
        site.html.0
    );
    let what_html = tr!(
        lang,
        "sends the HTML page, every byte ({} bytes)",
        "HTML 페이지의 바이트를 하나도 빠짐없이 보낸다({}바이트)",
        site.html.1.len()
    );
    let what_text = tr!(
        lang,
        "sends the text file /{}, every byte",
        "텍스트 파일 /{}의 바이트를 하나도 빠짐없이 보낸다",
        site.text.0
    );
    let what_binary = tr!(
        lang,
        "sends the binary file /{}, every byte ({} bytes)",
        "바이너리 파일 /{}의 바이트를 하나도 빠짐없이 보낸다({}바이트)",
        site.binary.0,
        site.binary.1.len()
    );
    let what_missing = tr!(
        lang,
        "answers a missing file with a 404 status line",
        "없는 파일에는 404 상태 줄로 답한다"
    );
    let what_keeps = tr!(
        lang,
        "answers three requests in a row",
        "요청 세 개에 차례로 답한다"
    );
    let what_pieces = tr!(
        lang,
        "answers a request that comes in pieces",
        "조각으로 나뉘어 온 요청에 답한다"
    );
    let what_curl = tr!(
        lang,
        "curl gets the text file",
        "curl이 텍스트 파일을 받는다"
    );
    let what_browser = tr!(
        lang,
        "headless Chromium shows the HTML page",
        "헤드리스 Chromium이 HTML 페이지를 보여 준다"
    );
    let what_outside = tr!(
        lang,
        "a request for /../{} (outside its folder): advice only",
        "폴더 밖의 /../{} 요청에 어떻게 답하는지 본다(참고 사항)",
        site.outside.0
    );

    let mut cases = Vec::new();
    let port = match server.start(options.port)? {
        Ok(port) => {
            cases.push(Case::new("bound", what_bound));
            port
        }
        Err(why) => {
            cases.push(Case::new("bound", what_bound).fail()
                .expected(tr!(lang, "a server bound to the port it was given",
                    "받은 포트에 바인딩한 서버"))
                .got(why)
                .hint(tr!(lang,
                    "bind to (HOST, PORT), the two arguments it was started with, then \
                     loop forever; 12000 only when they are not given",
                    "프로그램이 받은 두 인자 (HOST, PORT)에 바인딩한 뒤 끝없이 반복하세요. \
                     12000은 인자가 없을 때만 씁니다"))
                .read(section(lang, PAGE, GOAL)));
            for (id, what) in [
                ("status-200", what_status),
                ("html", what_html),
                ("text", what_text),
                ("binary", what_binary),
                ("not-found", what_missing),
                ("keeps-serving", what_keeps),
                ("pieces", what_pieces),
                ("curl", what_curl),
                ("browser", what_browser),
                ("outside", what_outside),
            ] {
                cases.push(skipped(id, what));
            }
            return Ok(cases);
        }
    };

    // The HTML page: the status line and the empty line, then the body.
    let page = get(port, &format!("/{}", site.html.0));
    let ended = if page.status_is(200) && page.header_end {
        None
    } else {
        server.ended()
    };
    if server.not_written {
        return Err(Stop::NotWritten);
    }
    let case = Case::new("status-200", what_status);
    let header_ok = page.status_is(200) && page.header_end;
    cases.push(if header_ok {
        case
    } else if page.status_is(200) {
        case.fail()
            .expected(show(b"HTTP/1.1 200 OK\r\n\r\n"))
            .got(show(&page.raw))
            .hint(tr!(lang,
                "the header ends with an empty line: send the status line and its \
                 \\r\\n, then \\r\\n once more, then the file; without it the client \
                 takes the file's first lines for header lines",
                "헤더는 빈 줄로 끝납니다. 상태 줄과 그 \\r\\n 다음에 \\r\\n을 한 번 더 \
                 보내고 나서 파일을 보내세요. 빈 줄이 없으면 클라이언트는 파일의 첫 줄들을 \
                 헤더로 읽습니다"))
            .read(section(lang, PAGE, HINTS))
    } else {
        case.fail()
            .expected(show(b"HTTP/1.1 200 OK\r\n"))
            .got(got(&page, ended, lang))
            .hint(tr!(lang,
                "read the request, take the path from its first line (GET /NAME \
                 HTTP/1.1), open NAME in the working directory and send \
                 `HTTP/1.1 200 OK\\r\\n\\r\\n` then the file's bytes",
                "요청을 읽고 첫 줄(GET /NAME HTTP/1.1)에서 경로를 꺼낸 뒤, 작업 폴더의 \
                 NAME을 열어 `HTTP/1.1 200 OK\\r\\n\\r\\n`과 파일의 바이트를 보내세요"))
            .read(section(lang, PAGE, GOAL))
    });
    let file_case = |case: Case,
                     response: &Response,
                     file: &[u8],
                     ended: Option<String>,
                     binary: bool| {
        if !header_ok {
            return case.skip();
        }
        // A binary file shown as text is noise: say its size instead.
        let case = if binary {
            case.expected(tr!(
                lang,
                "HTTP/1.1 200 OK and the file's {} bytes",
                "HTTP/1.1 200 OK와 파일의 {}바이트",
                file.len()
            ))
        } else {
            case.expected(show(file))
        };
        if response.status_is(200)
            && response.body_is(file)
            && response.complete
        {
            return case;
        }
        let case = case.fail();
        let case = if response.status_is(200) && response.body_is(file) {
            case.got(tr!(lang, "the file, but the connection stayed open and no \
                Content-Length said where the body ends",
                "파일은 왔지만 연결이 열린 채이고, 본문이 어디서 끝나는지 알려 주는 \
                 Content-Length도 없음"))
                .hint(tr!(lang, "close the connection socket after the file: the close \
                    ends the body", "파일을 보낸 뒤 연결 소켓을 닫으세요. 닫기가 본문의 끝을 \
                    알립니다"))
        } else if response.status_is(200) && binary {
            let differ = response
                .body
                .iter()
                .zip(file)
                .position(|(a, b)| a != b)
                .unwrap_or(response.body.len().min(file.len()));
            case.got(tr!(
                lang,
                "a body of {} bytes, other than the file from byte {differ} on",
                "{}바이트 본문, {differ}번째 바이트부터 파일과 다름",
                response.body.len()
            ))
        } else if response.status_is(200) {
            case.got(tr!(
                lang,
                "a body of {} bytes: {}",
                "{}바이트 본문: {}",
                response.body.len(),
                show(&response.body)
            ))
        } else {
            case.got(got(response, ended, lang))
        };
        if binary {
            case.hint(tr!(lang,
                "read the file as bytes and send them as they are: open(name, 'rb') in \
                 Python, fs::read in Rust; reading it as text fails on bytes that are \
                 not UTF-8 and changes line ends",
                "파일을 바이트로 읽어 그대로 보내세요. 파이썬은 open(name, 'rb'), 러스트는 \
                 fs::read입니다. 텍스트로 읽으면 UTF-8이 아닌 바이트에서 실패하고 줄 끝이 \
                 바뀝니다"))
                .read(section(lang, PAGE, HINTS))
        } else if case.hint.is_none() {
            case.hint(tr!(
                lang,
                "send the file's bytes after the header, nothing added \
                or changed",
                "헤더 다음에 파일의 바이트를 보태거나 바꾸지 말고 보내세요"
            ))
            .read(section(lang, PAGE, HINTS))
        } else {
            case.read(section(lang, PAGE, HINTS))
        }
    };
    let case = Case::new("html", what_html);
    cases.push(file_case(case, &page, &site.html.1, None, false));

    let (text, ended) = ask(&mut server, &format!("/{}", site.text.0))?;
    cases.push(file_case(
        Case::new("text", what_text),
        &text,
        &site.text.1,
        ended,
        false,
    ));
    let (binary, ended) = ask(&mut server, &format!("/{}", site.binary.0))?;
    let ended = ended.or_else(|| server.ended());
    cases.push(file_case(
        Case::new("binary", what_binary),
        &binary,
        &site.binary.1,
        ended,
        true,
    ));

    // A missing file: a 404, and the server goes on.
    let (missing, ended) = ask(&mut server, &format!("/{}", site.missing))?;
    let ended = if missing.status_is(404) {
        None
    } else {
        ended.or_else(|| server.ended())
    };
    let case = Case::new("not-found", what_missing)
        .expected(show(b"HTTP/1.1 404 Not Found\r\n"));
    // Whether it goes on serving after the 404 is keeps-serving's case.
    cases.push(if missing.status_is(404) {
        case
    } else {
        case.fail().got(got(&missing, ended, lang)).hint(tr!(lang,
            "opening a missing file fails (IOError in Python, an Err from fs::read in \
             Rust): catch that, and send `HTTP/1.1 404 Not Found\\r\\n\\r\\n` and a short \
             page instead of ending the server",
            "없는 파일을 열면 실패합니다(파이썬은 IOError, 러스트는 fs::read의 Err). 그 \
             실패를 잡아서 서버를 끝내는 대신 `HTTP/1.1 404 Not Found\\r\\n\\r\\n`과 짧은 \
             페이지를 보내세요"))
            .read(section(lang, PAGE, HINTS))
    });

    // Three requests in a row, on one server not started again between
    // (nor retried: a server that ends after an answer fails here).
    let case = Case::new("keeps-serving", what_keeps);
    let wanted = [&site.html, &site.text, &site.html];
    let case = match if header_ok {
        Some(server.port()?)
    } else {
        None
    } {
        None => case.skip(),
        Some(Err(why)) => case.fail().got(why),
        Some(Ok(port)) => {
            let mut answered = 0;
            let mut last = Response::default();
            for (name, file) in wanted {
                last = get(port, &format!("/{name}"));
                if !(last.status_is(200) && last.body_is(file)) {
                    break;
                }
                answered += 1;
            }
            let ended = server.ended();
            if answered == wanted.len() && ended.is_none() {
                case
            } else if ended.is_some() {
                case.fail()
                    .expected(tr!(lang, "3 answers, the server still running",
                        "응답 3개, 서버는 계속 실행 중"))
                    .got(tr!(lang, "{answered} answered; the server ended: {}",
                        "{answered}개에 답하고 서버가 끝났습니다({})", ended.unwrap_or_default()))
                    .hint(tr!(lang,
                        "a server serves one request after another: accept, answer and \
                         close in a loop that never ends (while True)",
                        "서버는 요청을 차례로 계속 처리합니다. 수락, 응답, 닫기를 끝나지 \
                         않는 반복문(while True) 안에 넣으세요"))
                    .read(section(lang, PAGE, GOAL))
            } else {
                case.fail()
                    .expected(tr!(lang, "3 answers", "응답 3개"))
                    .got(tr!(
                        lang,
                        "{answered} answered, then {}",
                        "{answered}개에 답한 뒤 {}",
                        got(&last, None, lang)
                    ))
                    .hint(tr!(
                        lang,
                        "answer every request the same way, not only the first",
                        "첫 요청뿐 아니라 모든 요청에 같은 방식으로 답하세요"
                    ))
                    .read(section(lang, PAGE, GOAL))
            }
        }
    };
    if server.not_written {
        return Err(Stop::NotWritten);
    }
    cases.push(case);

    // The request in pieces, with pauses: a browser on a slow link.
    let case = Case::new("pieces", what_pieces);
    let pieces_of = |random: &mut fastrand::Rng, port: u16| {
        let whole = request(&format!("/{}", site.text.0), port);
        // Every cut falls before the end of the path, so the first piece
        // never holds the whole path: one recv cannot pass by luck.
        let path_end = "GET /".len() + site.text.0.len();
        let count = random.usize(3..=5);
        let mut places: Vec<usize> =
            (0..count - 1).map(|_| random.usize(1..path_end)).collect();
        places.push(whole.len());
        places.sort_unstable();
        places.dedup();
        let mut pieces = Vec::new();
        let mut from = 0;
        for place in places {
            pieces.push(whole[from..place].to_vec());
            from = place;
        }
        pieces
    };
    let pause = Duration::from_millis(random.u64(100..=200));
    let send_in_pieces =
        |port| fetch(port, &pieces_of(&mut random, port), pause);
    let incomplete = |r: &Response| r.raw.is_empty() || !r.complete;
    let case = match if header_ok {
        Some(attempt(&mut server, send_in_pieces, incomplete)?)
    } else {
        None
    } {
        None => case.skip(),
        Some(Err(why)) => case.fail().got(why),
        Some(Ok((response, ended))) => {
            let case = case.expected(show(&site.text.1));
            if response.status_is(200) && response.body_is(&site.text.1) {
                case
            } else {
                case.fail().got(got(&response, ended, lang)).hint(tr!(lang,
                    "one recv for a request that came in pieces: TCP delivers bytes, not \
                     messages. Receive in a loop until the request holds its empty line \
                     (\\r\\n\\r\\n), then read the path",
                    "조각으로 온 요청을 recv 한 번으로 읽었습니다. TCP는 메시지가 아니라 \
                     바이트를 전달합니다. 요청에 빈 줄(\\r\\n\\r\\n)이 들어올 때까지 반복해서 \
                     받은 뒤 경로를 읽으세요"))
                    .read(section(lang, PAGE, HINTS))
            }
        }
    };
    if server.not_written {
        return Err(Stop::NotWritten);
    }
    cases.push(case);

    // curl, a real HTTP client.
    let case = Case::new("curl", what_curl);
    cases.push(if !header_ok {
        case.skip()
    } else {
        curl(&mut server, &site, case, lang)?
    });

    // The browser of the book check.
    let case = Case::new("browser", what_browser);
    cases.push(if !header_ok {
        case.skip()
    } else {
        browser(&mut server, &site, case, lang)?
    });

    // Outside the folder: advice, never a failure.
    let case = Case::new("outside", what_outside);
    let (outside, _) = ask(&mut server, &format!("/../{}", site.outside.0))?;
    drop(server);
    cases.push(if outside.body.windows(site.outside.1.len()).any(|w| w == site.outside.1.as_slice()) {
        case.note(tr!(lang,
            "it sent ../{}, a file outside its folder. A browser never asks for it, but \
             any client can (curl --path-as-is): refuse a path with `..` in it, with 404 \
             or 403",
            "서버가 폴더 밖에 있는 파일 ../{}의 내용을 보냈습니다. 브라우저는 이런 요청을 보내지 않지만 \
             다른 클라이언트는 보낼 수 있습니다(curl --path-as-is). `..`이 든 경로는 \
             404나 403으로 거절하세요", site.outside.0))
    } else {
        case
    });
    Ok(cases)
}

/// Finds `name` on PATH.
fn on_path(name: &str) -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .map(|dir| dir.join(name))
        .find(|candidate| candidate.is_file())
}

fn curl(
    server: &mut Server,
    site: &Site,
    case: Case,
    lang: Lang,
) -> Result<Case, Stop> {
    let Some(curl) = on_path("curl") else {
        return Ok(case.skip().note(tr!(
            lang,
            "curl is not installed",
            "curl이 설치되어 있지 않음"
        )));
    };
    let run_curl = |port: u16| {
        let url = format!("http://127.0.0.1:{port}/{}", site.text.0);
        let mut command = Command::new(&curl);
        command.args(["--silent", "--show-error", "--max-time", "8"]);
        command.args(["--include", &url]);
        let limits = Limits {
            time: CLIENT_TIME,
            output: 1 << 20,
        };
        harness::run(&mut command, b"", limits).ok()
    };
    let failed = |run: &Option<harness::Output>| {
        !run.as_ref().is_some_and(harness::Output::success)
    };
    let case = case.expected(show(&site.text.1));
    let (run, _) = match attempt(server, run_curl, failed)? {
        Ok(answer) => answer,
        Err(why) => return Ok(case.fail().got(why)),
    };
    let Some(run) = run else {
        return Ok(case.skip().note(tr!(
            lang,
            "curl does not start",
            "curl이 시작하지 않음"
        )));
    };
    let response = Response::parse(run.stdout.clone(), true);
    let ok = matches!(run.end, End::Exited(status) if status.success())
        && response.status_is(200)
        && response.body_is(&site.text.1);
    if ok {
        return Ok(case);
    }
    let said = crate::program::last_words(&run.stderr);
    Ok(case.fail()
        .got(if said.is_empty() { show(&run.stdout) } else { format!("curl: {said}") })
        .hint(tr!(lang,
            "answer curl as the checker's own client: the status line, the empty line, \
             the file; then close",
            "검사기의 클라이언트에 답하듯 curl에도 답하세요. 상태 줄, 빈 줄, 파일, 그리고 \
             닫기입니다"))
        .read(section(lang, PAGE, HINTS)))
}

fn browser(
    server: &mut Server,
    site: &Site,
    case: Case,
    lang: Lang,
) -> Result<Case, Stop> {
    let chromium =
        std::env::var_os("LAB_CHROMIUM").unwrap_or_else(|| CHROMIUM.into());
    if chromium.is_empty() {
        return Ok(case.skip().note(tr!(
            lang,
            "LAB_CHROMIUM is set empty",
            "LAB_CHROMIUM이 빈 값으로 설정됨"
        )));
    }
    if !Path::new(&chromium).is_file() {
        return Ok(case.skip().note(tr!(
            lang,
            "no headless Chromium at {} (apt-get install chromium)",
            "{}에 헤드리스 Chromium이 없음(apt-get install chromium)",
            Path::new(&chromium).display()
        )));
    }
    let wanted = format!("<p id=\"lab\">{}</p>", site.marker);
    let url_of = |port: u16| format!("http://127.0.0.1:{port}/{}", site.html.0);
    let run_browser = |port: u16| {
        let profile = site.root.join("chromium-profile");
        let mut command = Command::new(&chromium);
        command
            .args(["--headless", "--dump-dom", "--no-sandbox"])
            .args(["--disable-gpu", "--disable-background-networking"])
            .arg("--no-first-run")
            .arg(format!("--user-data-dir={}", profile.display()))
            .arg(url_of(port));
        let limits = Limits {
            time: BROWSER_TIME,
            output: 1 << 20,
        };
        (port, harness::run(&mut command, b"", limits).ok())
    };
    let not_shown = |(_, run): &(u16, Option<harness::Output>)| {
        !run.as_ref().is_some_and(|run| {
            String::from_utf8_lossy(&run.stdout).contains(&wanted)
        })
    };
    let ((port, run), _) = match attempt(server, run_browser, not_shown)? {
        Ok(answer) => answer,
        Err(why) => return Ok(case.fail().got(why)),
    };
    let url = url_of(port);
    let Some(run) = run else {
        return Ok(case.skip().note(tr!(
            lang,
            "Chromium does not start",
            "Chromium이 시작하지 않음"
        )));
    };
    let dom = String::from_utf8_lossy(&run.stdout);
    let case = case.expected(wanted.clone());
    if dom.contains(&wanted) {
        return Ok(case);
    }
    let got = match run.end {
        End::Exited(_) => show(dom.trim().as_bytes()),
        _ => tr!(
            lang,
            "no page within {} s",
            "{}초 안에 페이지가 오지 않음",
            BROWSER_TIME.as_secs()
        ),
    };
    Ok(case.fail().got(got).hint(tr!(lang,
        "a browser may open a second connection and leave one idle: a server that \
         waits on one connection while the request comes on another never answers. \
         Check that the page shows in your own browser at {}",
        "브라우저는 연결을 하나 더 열어 두고 쓰지 않을 수 있습니다. 한 연결에서 기다리는 \
         동안 요청이 다른 연결로 오면 서버는 끝내 답하지 못합니다. 여러분의 브라우저에서 \
         {}에 페이지가 보이는지 확인하세요", url))
        .read(section(lang, PAGE, HINTS)))
}
