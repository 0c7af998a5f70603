//! The pinger of the textbook's UDP pinger lab: ten pings `Ping N TIME`,
//! one second for each reply, the reply and its RTT or `Request timed
//! out`, then the lowest, average and highest RTT and the share lost.
//!
//! The checker's own lossy server answers each ping in upper case after a
//! delay of its choosing, and ignores a few pings chosen anew on every
//! run; a second run loses them all. What the pinger prints is checked
//! against what the server did, not against a layout: `REQUEST TIMED
//! OUT`, an RTT in seconds or milliseconds, any words around it pass.

use std::net::SocketAddr;
use std::process::ExitStatus;
use std::time::{Duration, Instant};

use harness::Stream;

use super::{LOST_DATAGRAM, Options, nothing, page, section};
use crate::program::{Program, Stop, ending, listen_udp, not_written};
use crate::report::{Case, show, show_end};
use crate::text::Lang;
use crate::tr;

/// How many pings the lab sends.
const PINGS: usize = 10;
/// Silence from a running pinger after which it is taken as hung.
const SILENCE: Duration = Duration::from_secs(3);
/// The timeout the lab asks for, and how far from it a measured wait
/// may be (scheduling on a loaded machine adds a little).
const TIMEOUT: f64 = 1.0;
const TIMEOUT_RANGE: (f64, f64) = (0.8, 1.6);

/// One datagram the server got, and what it did with it.
struct Ping {
    at: Instant,
    bytes: Vec<u8>,
    dropped: bool,
    /// How long the server held the reply back.
    delay: Duration,
}

/// What one run of the pinger did.
struct PingRun {
    /// The port the checker's server listened on.
    port: u16,
    pings: Vec<Ping>,
    /// It went silent while still running: it waits forever.
    hung: bool,
    /// It printed more than the checker keeps (64 KiB a stream).
    flooded: bool,
    stdout: Vec<u8>,
    stderr: Vec<u8>,
    status: Option<ExitStatus>,
}

impl PingRun {
    fn reply(&self, index: usize) -> Option<String> {
        let ping = self.pings.get(index)?;
        (!ping.dropped).then(|| {
            String::from_utf8_lossy(&ping.bytes.to_ascii_uppercase())
                .into_owned()
        })
    }
}

/// Runs the pinger once against the checker's lossy server: `lose(n)`
/// says whether the n-th datagram (from 0) is ignored.
fn run(
    program: &Program,
    port: u16,
    lose: &dyn Fn(usize) -> bool,
    random: &mut fastrand::Rng,
    lang: Lang,
) -> Result<PingRun, Stop> {
    let socket = listen_udp(port, lang)?;
    let port = socket.local_addr().map_or(port, |a| a.port());
    let mut process = program.start(port, lang)?;
    process.close_stdin();
    let mut pings: Vec<Ping> = Vec::new();
    // Replies waiting for their time: (when, bytes, to whom).
    let mut pending: Vec<(Instant, Vec<u8>, SocketAddr)> = Vec::new();
    let mut last = Instant::now();
    let mut buffer = [0; 4096];
    let mut hung = false;
    // At most a few more than the ten pings are looked at.
    let limit = Instant::now() + Duration::from_secs(30);
    loop {
        let now = Instant::now();
        pending.retain(|(when, bytes, to)| {
            if *when <= now {
                let _ = socket.send_to(bytes, to);
                false
            } else {
                true
            }
        });
        let exited = process.exited().is_some();
        if exited && pending.is_empty() {
            break;
        }
        if now >= limit || (!exited && now.duration_since(last) >= SILENCE) {
            hung = !exited && pings.len() < PINGS;
            break;
        }
        let next = pending.iter().map(|(when, _, _)| *when).min();
        let wait = next
            .map_or(Duration::from_millis(20), |when| {
                when.saturating_duration_since(now)
            })
            .clamp(Duration::from_millis(1), Duration::from_millis(20));
        let _ = socket.set_read_timeout(Some(wait));
        let Ok((length, from)) = socket.recv_from(&mut buffer) else {
            continue;
        };
        let at = Instant::now();
        last = at;
        let dropped = lose(pings.len());
        let delay = Duration::from_millis(random.u64(20..=150));
        let bytes = buffer[..length].to_vec();
        if !dropped {
            // The textbook's server answers with the message in upper case.
            pending.push((at + delay, bytes.to_ascii_uppercase(), from));
        }
        if pings.len() < PINGS * 2 {
            pings.push(Ping {
                at,
                bytes,
                dropped,
                delay,
            });
        }
    }
    if !hung {
        // The summary comes after the last ping.
        process.wait_exit(Instant::now() + SILENCE);
    }
    process.wait_closed(Instant::now() + Duration::from_millis(300));
    let status = process.exited();
    let run = PingRun {
        port,
        pings,
        hung: hung || status.is_none(),
        flooded: process.flooded(),
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

/// What a line of output says about one ping.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Event {
    TimedOut,
    Reply(usize),
}

fn is_timeout_line(line: &str) -> bool {
    let lower = line.to_lowercase();
    lower.contains("timed out")
        || lower.contains("timeout")
        || line.contains("시간 초과")
}

/// The events of the output, line by line, with the line they are on.
fn events(run: &PingRun) -> Vec<(Event, usize)> {
    let text = String::from_utf8_lossy(&run.stdout);
    let mut found = Vec::new();
    for (number, line) in text.lines().enumerate() {
        if is_timeout_line(line) {
            found.push((Event::TimedOut, number));
            continue;
        }
        let lower = line.to_lowercase();
        let reply = (0..run.pings.len()).find(|&i| {
            run.reply(i).is_some_and(|r| {
                !r.is_empty() && lower.contains(&r.to_lowercase())
            })
        });
        if let Some(i) = reply {
            found.push((Event::Reply(i), number));
        }
    }
    found
}

/// The events the output should have, from what the server did.
fn expected_events(run: &PingRun) -> Vec<Event> {
    (0..run.pings.len().min(PINGS))
        .map(|i| {
            if run.pings[i].dropped {
                Event::TimedOut
            } else {
                Event::Reply(i)
            }
        })
        .collect()
}

/// A number in the output, with the unit written after it, in seconds
/// per unit (`None`: no unit).
#[derive(Clone, Debug)]
struct Number {
    value: f64,
    scale: Option<f64>,
    /// The text right after it (a `%` there makes it a percentage).
    after: String,
}

/// A number found by `numbers`, before the units of a slash chain
/// (`31/80/140 ms`) are shared out.
struct Found {
    number: Number,
    /// Written right after a number and a slash (`80` in `31/80`).
    slashed: bool,
    /// Followed by a slash and another number.
    chained: bool,
    decimal: bool,
}

/// The numbers of `text` that may be times: not parts of an address
/// (127.0.0.1), a port (:5000) or a date (2026/12/06). Numbers joined by
/// slashes, as `ping` prints its summary (`min/avg/max = 0.04/0.08/0.14
/// ms`), share the unit written after the last of them.
fn numbers(text: &str) -> Vec<Number> {
    let chars: Vec<char> = text.chars().collect();
    let mut found = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        if !chars[i].is_ascii_digit() {
            i += 1;
            continue;
        }
        let start = i;
        let mut dots = 0;
        while i < chars.len() && (chars[i].is_ascii_digit() || chars[i] == '.')
        {
            dots += usize::from(chars[i] == '.');
            i += 1;
        }
        let mut token: String = chars[start..i].iter().collect();
        if token.ends_with('.') {
            token.pop();
            dots -= 1;
        }
        let before = start.checked_sub(1).map(|b| chars[b]);
        // 1e-05 and the like.
        if i + 1 < chars.len()
            && (chars[i] == 'e' || chars[i] == 'E')
            && (chars[i + 1] == '-' || chars[i + 1].is_ascii_digit())
        {
            let mut j = i + 1;
            if chars[j] == '-' {
                j += 1;
            }
            let digits: String = chars[j..]
                .iter()
                .take_while(|c| c.is_ascii_digit())
                .collect();
            if !digits.is_empty() {
                token.push('e');
                token.push_str(&chars[i + 1..j].iter().collect::<String>());
                token.push_str(&digits);
                i = j + digits.len();
            }
        }
        let slashed = before == Some('/')
            && start >= 2
            && chars[start - 2].is_ascii_digit();
        if dots > 1
            || matches!(before, Some(':' | '.' | '-'))
            || before == Some('/') && !slashed
        {
            continue;
        }
        let chained = chars.get(i) == Some(&'/')
            && chars.get(i + 1).is_some_and(char::is_ascii_digit);
        let Ok(value) = token.parse::<f64>() else {
            continue;
        };
        let rest: String = chars[i..].iter().collect();
        let unit = rest.trim_start();
        let word: String = unit
            .chars()
            .take_while(|c| c.is_alphabetic() || *c == 'µ')
            .collect::<String>()
            .to_lowercase();
        let scale = match word.as_str() {
            "ms" | "msec" | "msecs" | "millisecond" | "milliseconds"
            | "밀리초" => Some(1e-3),
            "s" | "sec" | "secs" | "second" | "seconds" | "초" => Some(1.0),
            "us" | "µs" | "usec" | "microsecond" | "microseconds"
            | "마이크로초" => Some(1e-6),
            "ns" | "nanoseconds" | "나노초" => Some(1e-9),
            _ => None,
        };
        let after = rest.chars().take(12).collect();
        found.push(Found {
            number: Number {
                value,
                scale,
                after,
            },
            slashed,
            chained,
            decimal: dots == 1,
        });
    }
    // The unit after the last number of a chain is that of each.
    for k in (0..found.len().saturating_sub(1)).rev() {
        if found[k].chained && found[k].number.scale.is_none() {
            found[k].number.scale = found[k + 1].number.scale;
        }
    }
    // A chain of whole numbers without a unit is a date, not times.
    found
        .into_iter()
        .filter(|f| !f.slashed || f.decimal || f.number.scale.is_some())
        .map(|f| f.number)
        .collect()
}

/// Could `number` be a round trip that took at least `delay` (the
/// server's hold-back) and at most half a second more?
fn plausible(number: &Number, delay: Duration) -> bool {
    let low = delay.as_secs_f64() * 0.9 - 0.001;
    let high = delay.as_secs_f64() + 0.5;
    let scales = match number.scale {
        Some(scale) => vec![scale],
        None => vec![1.0, 1e-3],
    };
    scales.iter().any(|scale| {
        let seconds = number.value * scale;
        seconds >= low && seconds <= high
    })
}

/// What the pinger printed after its last ping line: the summary.
fn tail(run: &PingRun, found: &[(Event, usize)]) -> String {
    let text = String::from_utf8_lossy(&run.stdout);
    let after = found.last().map_or(0, |(_, line)| line + 1);
    text.lines().skip(after).collect::<Vec<_>>().join("\n")
}

/// Does `tail` say that `lost` of ten were lost?
fn says_loss(tail: &str, lost: usize) -> bool {
    let percent = (lost * 100 / PINGS) as f64;
    let share = lost as f64 / PINGS as f64;
    let compact: String = tail.chars().filter(|c| !c.is_whitespace()).collect();
    if compact.contains(&format!("{lost}/{PINGS}"))
        || tail.contains(&format!("{lost} of {PINGS}"))
        || tail.contains(&format!("{lost} out of {PINGS}"))
    {
        return true;
    }
    numbers(tail).iter().any(|n| {
        let after = n.after.trim_start().to_lowercase();
        let is_percent = after.starts_with('%') || after.starts_with("percent");
        if is_percent {
            (n.value - percent).abs() < 0.01
        } else {
            // A share written as a fraction: 0.3 (or 1.0 when all).
            (n.value - share).abs() < 1e-9
                && (n.value < 1.0 || n.value == 1.0 && lost == PINGS)
                && n.value > 0.0
        }
    })
}

/// The cases of the `pinger` exercise.
pub fn check(program: &Program, options: &Options) -> Result<Vec<Case>, Stop> {
    let lang = options.lang;
    let mut random = fastrand::Rng::new();
    let read_page = || page(lang, "pinger");
    let read_loss = || section(lang, "what-goes-wrong", LOST_DATAGRAM);

    // Run 1: two to four of the ten pings lost, anywhere.
    let mut lost = [false; PINGS];
    let count = random.usize(2..=4);
    while lost.iter().filter(|&&l| l).count() < count {
        lost[random.usize(..PINGS)] = true;
    }
    (options.progress)(&tr!(
        lang,
        "pinging, run 1 of 2: {count} of {PINGS} pings lost (a few seconds)",
        "핑 1/2회차: {PINGS}개 중 {count}개 손실(몇 초 걸림)"
    ));
    let one = run(
        program,
        options.port,
        &|n| n < PINGS && lost[n],
        &mut random,
        lang,
    )?;
    let found = events(&one);
    let expected = expected_events(&one);
    let mut cases = Vec::new();

    let hung_at = one.hung.then_some(one.pings.len());
    let last_dropped = one.pings.last().is_some_and(|p| p.dropped);

    let what = tr!(
        lang,
        "sends ten pings to the server at HOST PORT",
        "HOST PORT의 서버로 핑 열 개를 보낸다"
    );
    let case = Case::new("ten-pings", what).expected(tr!(
        lang,
        "{PINGS} datagrams",
        "데이터그램 {PINGS}개"
    ));
    cases.push(if one.pings.is_empty() {
        case.fail().got(format!("{} ({})", nothing(lang), ending(one.status, &one.stderr, lang)))
            .hint(tr!(lang, "send each ping with sendto to (HOST, PORT) from the arguments \
                (this time 127.0.0.1 {})",
                "각 핑을 sendto로, 인자로 받은 (HOST, PORT)(이번에는 127.0.0.1 {})에 보내세요", one.port))
            .read(read_page())
    } else if hung_at.is_some() && last_dropped {
        case.skip()
    } else if one.pings.len() == PINGS {
        case
    } else {
        let why = if one.hung && one.flooded {
            tr!(lang, "{} datagrams, then no more, while it printed more than 64 KiB",
                "데이터그램 {}개 뒤로는 보내지 않고, 출력은 64 KiB를 넘음", one.pings.len())
        } else if one.hung {
            tr!(lang, "{} datagrams, then silence", "데이터그램 {}개 뒤에 침묵", one.pings.len())
        } else {
            tr!(lang, "{} datagrams, then it ended: {}", "데이터그램 {}개를 보내고 끝남({})",
                one.pings.len(), ending(one.status, &one.stderr, lang))
        };
        case.fail().got(why).hint(tr!(lang, "send exactly ten pings, one after the other",
            "핑을 정확히 열 개, 하나씩 차례로 보내세요")).read(read_page())
    });
    let nothing_sent = one.pings.is_empty();

    let what = tr!(
        lang,
        "each ping reads `Ping N TIME`, N counting up by one",
        "각 핑은 `Ping N TIME` 꼴이고 N은 하나씩 늘어난다"
    );
    let case = Case::new("format", what);
    let bad = one.pings.iter().take(PINGS).enumerate().find(|(i, ping)| {
        let text = String::from_utf8_lossy(&ping.bytes);
        let words: Vec<&str> = text.split_whitespace().collect();
        let first = one.pings.first().and_then(|p| {
            String::from_utf8_lossy(&p.bytes)
                .split_whitespace()
                .nth(1)?
                .parse::<usize>()
                .ok()
        });
        let start = first.filter(|&f| f <= 1).unwrap_or(1);
        !(words.len() >= 3
            && words[0].eq_ignore_ascii_case("ping")
            && words[1].parse::<usize>().ok() == Some(start + i))
    });
    cases.push(match bad {
        _ if nothing_sent => case.skip(),
        None => case,
        Some((i, ping)) => case.fail()
            .expected(tr!(lang, "ping {} as \"Ping {} TIME\"", "{}번째 핑은 \"Ping {} TIME\"",
                i + 1, i + 1))
            .got(show(&ping.bytes))
            .hint(tr!(lang, "the message is the word Ping, the sequence number and the time \
                it is sent, separated by spaces",
                "메시지는 Ping이라는 단어, 순서 번호, 보낸 시각을 공백으로 이은 것입니다"))
            .read(read_page()),
    });

    let what = tr!(
        lang,
        "does not wait forever for a lost reply (a timeout is set)",
        "잃어버린 응답을 끝없이 기다리지 않는다(타임아웃을 설정한다)"
    );
    let case = Case::new("timeout-set", what);
    cases.push(match hung_at {
        _ if nothing_sent => case.skip(),
        Some(at) if last_dropped => case.fail()
            .expected(tr!(lang, "ping {} about a second after ping {at}",
                "{at}번째 핑의 약 1초 뒤에 {}번째 핑", at + 1))
            .got(tr!(lang, "ping {at} was lost and nothing came for {} s",
                "{at}번째 핑이 손실된 뒤 {}초 동안 아무것도 오지 않음", SILENCE.as_secs()))
            .hint(tr!(lang, "UDP never says that a datagram was lost: set a timeout before \
                receiving (clientSocket.settimeout(1); Rust: set_read_timeout) and treat \
                it running out as a loss",
                "UDP는 데이터그램이 손실되어도 알려 주지 않습니다. 받기 전에 타임아웃을 \
                 설정하고(clientSocket.settimeout(1), 러스트에서는 set_read_timeout) \
                 시간이 다 되면 손실로 처리하세요"))
            .read(read_loss()),
        _ => case,
    });
    let hung = hung_at.is_some();

    let what = tr!(
        lang,
        "waits about one second for each lost reply",
        "잃어버린 응답마다 약 1초를 기다린다"
    );
    let case = Case::new("timeout-one-second", what);
    let gaps: Vec<(usize, f64)> = one
        .pings
        .windows(2)
        .enumerate()
        .filter(|(_, pair)| pair[0].dropped)
        .map(|(i, pair)| {
            (i + 1, pair[1].at.duration_since(pair[0].at).as_secs_f64())
        })
        .collect();
    let far = gaps
        .iter()
        .find(|(_, gap)| *gap < TIMEOUT_RANGE.0 || *gap > TIMEOUT_RANGE.1);
    cases.push(match far {
        _ if gaps.is_empty() => case.skip(),
        None => case,
        Some((ping, gap)) => case.fail()
            .expected(tr!(lang, "the next ping about {TIMEOUT} s after lost ping {ping}",
                "손실된 {ping}번째 핑의 약 {TIMEOUT}초 뒤에 다음 핑"))
            .got(tr!(lang, "{gap:.2} s", "{gap:.2}초"))
            .hint(tr!(lang, "the lab waits one second for each reply: settimeout(1) \
                (Rust: Duration::from_secs(1))",
                "이 실습은 응답마다 1초를 기다립니다. settimeout(1)(러스트에서는 \
                 Duration::from_secs(1))"))
            .read(read_page()),
    });

    let what = tr!(
        lang,
        "prints each reply that came, and `Request timed out` for each loss, in order",
        "온 응답은 그대로, 손실마다 `Request timed out`을 차례대로 출력한다"
    );
    let case = Case::new("replies-printed", what);
    let got: Vec<Event> = found.iter().map(|(e, _)| *e).collect();
    let describe = |events: &[Event]| -> String {
        events
            .iter()
            .map(|e| match e {
                Event::TimedOut => "timed out".to_string(),
                Event::Reply(i) => format!("reply {}", i + 1),
            })
            .collect::<Vec<_>>()
            .join(", ")
    };
    cases.push(if hung || nothing_sent || one.pings.len() != PINGS {
        case.skip()
    } else if got == expected {
        case
    } else {
        let first_wrong = expected.iter().zip(&got).position(|(e, g)| e != g)
            .unwrap_or(expected.len().min(got.len()));
        let hint = match expected.get(first_wrong) {
            Some(Event::Reply(i)) if got.get(first_wrong) == Some(&Event::TimedOut) => tr!(lang,
                "ping {} was answered but the output says it timed out: print the reply \
                 that recvfrom returned, and a timeout only when none came",
                "{}번째 핑은 응답을 받았는데 출력은 시간 초과라고 합니다. recvfrom이 돌려준 \
                 응답을 출력하고, 응답이 오지 않았을 때만 시간 초과를 출력하세요", i + 1),
            Some(Event::TimedOut) => tr!(lang,
                "ping {} was lost: print `Request timed out` for it",
                "{}번째 핑은 손실되었습니다. `Request timed out`을 출력하세요", first_wrong + 1),
            _ => tr!(lang, "one line for each ping: its reply, or `Request timed out`",
                "핑마다 한 줄씩, 응답이나 `Request timed out`을 출력하세요"),
        };
        case.fail().expected(describe(&expected)).got(describe(&got)).hint(hint).read(read_page())
    });

    let what = tr!(
        lang,
        "prints the round-trip time (RTT) of each reply",
        "응답마다 왕복 시간(RTT)을 출력한다"
    );
    let case = Case::new("rtt", what);
    let text = String::from_utf8_lossy(&one.stdout).into_owned();
    let lines: Vec<&str> = text.lines().collect();
    let event_lines: Vec<usize> = found.iter().map(|(_, l)| *l).collect();
    let mut wrong_rtt = None;
    for (event, line) in &found {
        let Event::Reply(i) = event else { continue };
        let reply = one.reply(*i).unwrap_or_default().to_lowercase();
        let mut around = lines[*line].to_lowercase().replacen(&reply, " ", 1);
        if let Some(next) = lines.get(line + 1) {
            if !event_lines.contains(&(line + 1)) {
                around.push(' ');
                around.push_str(next);
            }
        }
        let delay = one.pings[*i].delay;
        if !numbers(&around).iter().any(|n| plausible(n, delay)) {
            wrong_rtt = Some((*i, lines[*line].to_string(), delay));
            break;
        }
    }
    cases.push(match wrong_rtt {
        _ if got != expected || hung || nothing_sent => case.skip(),
        None => case,
        Some((i, line, delay)) => case.fail()
            .expected(tr!(lang, "reply {}: an RTT of at least {} ms (the server held it back that long)",
                "{}번째 응답의 RTT는 {} ms 이상(서버가 그만큼 응답을 붙잡아 두었습니다)",
                i + 1, delay.as_millis()))
            .got(show(line.as_bytes()))
            .hint(tr!(lang, "take the time just before sendto and just after recvfrom returns, \
                and print the difference, with its unit",
                "sendto 직전과 recvfrom이 돌아온 직후의 시각을 재어 그 차이를 단위와 함께 \
                 출력하세요"))
            .read(read_page()),
    });

    let summary = tail(&one, &found);
    let answered: Vec<Duration> = one
        .pings
        .iter()
        .filter(|p| !p.dropped)
        .map(|p| p.delay)
        .collect();
    let what = tr!(
        lang,
        "ends with the lowest, average and highest RTT",
        "마지막에 최소, 평균, 최대 RTT를 출력한다"
    );
    let case = Case::new("summary", what);
    let lower = summary.to_lowercase();
    let words = (lower.contains("min") || summary.contains("최소"))
        && (lower.contains("max") || summary.contains("최대"))
        && (lower.contains("avg")
            || lower.contains("average")
            || lower.contains("mean")
            || summary.contains("평균"));
    // A percentage is the loss, not a time.
    let in_tail: Vec<Number> = numbers(&summary)
        .into_iter()
        .filter(|n| !n.after.trim_start().starts_with('%'))
        .collect();
    let shortest = answered.iter().min().copied().unwrap_or_default();
    let longest = answered.iter().max().copied().unwrap_or_default();
    let values = in_tail.iter().any(|n| plausible(n, shortest))
        && in_tail.iter().any(|n| plausible(n, longest));
    cases.push(if hung || nothing_sent || one.pings.len() != PINGS {
        case.skip()
    } else if words && values {
        case
    } else {
        case.fail()
            .expected(tr!(lang, "min, avg and max RTT after the last ping, between {} and {} ms or more",
                "마지막 핑 뒤에 최소, 평균, 최대 RTT({} ms에서 {} ms 이상 사이)",
                shortest.as_millis(), longest.as_millis()))
            .got(show(summary.as_bytes()))
            .hint(tr!(lang, "keep the RTT of each reply, and print min(), the average and max() \
                of them, with the words min, avg and max",
                "응답마다 RTT를 모아 두었다가 min, avg, max라는 말과 함께 최솟값, 평균, \
                 최댓값을 출력하세요"))
            .read(read_page())
    });

    let lost_count = one.pings.iter().take(PINGS).filter(|p| p.dropped).count();
    let what = tr!(
        lang,
        "says how many pings were lost",
        "손실된 핑이 몇 개인지 알린다"
    );
    let case = Case::new("loss", what);
    cases.push(if hung || nothing_sent || one.pings.len() != PINGS {
        case.skip()
    } else if says_loss(&summary, lost_count) {
        case
    } else {
        case.fail()
            .expected(tr!(lang, "{}% lost ({lost_count} of {PINGS})", "{}% 손실({PINGS}개 중 {lost_count}개)",
                lost_count * 100 / PINGS))
            .got(show_end(summary.as_bytes()))
            .hint(tr!(lang, "count the pings whose timeout ran out, and print their share of \
                the ten, as a percentage",
                "타임아웃이 다 된 핑을 세어, 열 개 가운데 몇 퍼센트인지 출력하세요"))
            .read(read_page())
    });

    let what = tr!(
        lang,
        "ends by itself with exit status 0",
        "스스로 종료 상태 0으로 끝난다"
    );
    let case = Case::new("exits", what);
    cases.push(match one.status {
        _ if hung || nothing_sent => case.skip(),
        Some(status) if status.success() => case,
        status => case
            .fail()
            .expected(tr!(lang, "exit status 0", "종료 상태 0"))
            .got(ending(status, &one.stderr, lang)),
    });

    // Run 2: every ping lost.
    let what = tr!(
        lang,
        "copes when every ping is lost: ten timeouts, 100% lost, exit status 0",
        "핑이 모두 손실되어도 시간 초과 열 번과 100% 손실을 출력하고 종료 상태 0으로 끝난다"
    );
    let case = Case::new("all-lost", what);
    if hung || nothing_sent {
        cases.push(case.skip());
        return Ok(cases);
    }
    (options.progress)(&tr!(
        lang,
        "pinging, run 2 of 2: every ping lost (about {PINGS} s)",
        "핑 2/2회차: 모든 핑 손실(약 {PINGS}초)"
    ));
    let two = run(program, 0, &|_| true, &mut random, lang)?;
    let found = events(&two);
    let summary = tail(&two, &found);
    let all_timed_out = found.len() == PINGS
        && found.iter().all(|(e, _)| *e == Event::TimedOut);
    let ok = two.status.is_some_and(|s| s.success())
        && two.pings.len() == PINGS
        && all_timed_out
        && says_loss(&summary, PINGS);
    cases.push(if ok {
        case
    } else {
        let crashed = two.status.is_some_and(|s| !s.success());
        let hint = if !crashed && all_timed_out && !two.hung {
            tr!(lang, "ten timeouts are ten pings lost: say 100%",
                "시간 초과 열 번은 핑 열 개의 손실입니다. 100%라고 출력하세요")
        } else {
            tr!(lang, "with no reply there is no RTT: dividing by the number of replies, \
                or min() of an empty list, fails; print the loss, and min/avg/max only when a \
                reply came",
                "응답이 없으면 RTT도 없습니다. 응답 수로 나누거나 빈 리스트의 min()을 구하면 \
                 실패합니다. 손실률은 출력하고, 최소/평균/최대는 응답이 있었을 때만 \
                 출력하세요")
        };
        let got = if crashed {
            tr!(lang, "it ended: {}", "프로그램이 끝났습니다({})", ending(two.status, &two.stderr, lang))
        } else if two.hung {
            tr!(lang, "still running", "아직 실행 중")
        } else {
            show_end(&two.stdout)
        };
        case.fail().expected(tr!(lang, "ten timeouts, then 100% lost", "시간 초과 열 번, 그다음 100% 손실"))
            .got(got)
            .hint(hint)
            .read(read_page())
    });
    Ok(cases)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_skip_addresses_and_read_units() {
        let found = numbers("Reply from 127.0.0.1:5000: PING 1 RTT = 21.5 ms");
        let values: Vec<(f64, Option<f64>)> =
            found.iter().map(|n| (n.value, n.scale)).collect();
        assert_eq!(values, [(1.0, None), (21.5, Some(1e-3))]);
        let found = numbers("rtt 0.0213");
        assert_eq!(found.len(), 1);
        assert!(plausible(&found[0], Duration::from_millis(20)));
        assert!(!plausible(&found[0], Duration::from_millis(100)));
        assert_eq!(numbers("2.1e-05 s")[0].value, 2.1e-05);
    }

    #[test]
    fn a_summary_in_pings_layout_is_read_whole() {
        // `ping` and many textbook solutions print the three RTTs joined
        // by slashes, with one unit after the last.
        let found = numbers("rtt min/avg/max = 0.039881/0.084353/0.141588 s");
        let values: Vec<(f64, Option<f64>)> =
            found.iter().map(|n| (n.value, n.scale)).collect();
        assert_eq!(
            values,
            [
                (0.039881, Some(1.0)),
                (0.084353, Some(1.0)),
                (0.141588, Some(1.0))
            ]
        );
        let found = numbers("rtt min/avg/max/mdev = 31/80/140/40 ms");
        let values: Vec<(f64, Option<f64>)> =
            found.iter().map(|n| (n.value, n.scale)).collect();
        assert_eq!(
            values,
            [
                (31.0, Some(1e-3)),
                (80.0, Some(1e-3)),
                (140.0, Some(1e-3)),
                (40.0, Some(1e-3))
            ]
        );
        // A date or a path is still no time.
        assert!(numbers("on 2026/12/06").iter().all(|n| n.value == 2026.0));
    }

    #[test]
    fn loss_is_read_in_several_layouts() {
        for text in [
            "Packet loss: 30%",
            "loss rate 30.0 %",
            "lost 3/10",
            "3 of 10 lost",
            "loss 0.3",
            "30.00% packet loss",
        ] {
            assert!(says_loss(text, 3), "{text}");
        }
        for text in ["Packet loss: 20%", "lost 2/10", "loss 0.2"] {
            assert!(!says_loss(text, 3), "{text}");
        }
        assert!(says_loss("100% lost", 10));
        assert!(says_loss("Packet loss rate: 100.0%", 10));
    }
}
