//! A server under test that the cases of one check share: started again
//! when a case has ended it, so that each case says only what it finds,
//! and stopped with its whole process group when dropped.

use std::time::{Duration, Instant};

use harness::Stream;

use super::ports::Started;
use crate::program::{
    Program, Stop, Waited, ending, not_written, pick_port, wait_bound,
};
use crate::text::Lang;

pub struct Server<'a> {
    pub program: &'a Program,
    pub started: Option<Started>,
    pub lang: Lang,
    /// It ended in the starter's `todo!()`.
    pub not_written: bool,
}

impl<'a> Server<'a> {
    pub fn new(program: &'a Program, lang: Lang) -> Server<'a> {
        Server {
            program,
            started: None,
            lang,
            not_written: false,
        }
    }

    /// Starts it on `port` (0: a free one) and waits until it is bound.
    /// `None` when it did not bind, with why.
    pub fn start(&mut self, port: u16) -> Result<Result<u16, String>, Stop> {
        self.started = None;
        let port = pick_port(port, false, self.lang)?;
        let mut process = self.program.start(port, self.lang)?;
        process.close_stdin();
        match wait_bound(&mut process, port, false) {
            Waited::Bound => {
                self.started = Some(Started { process, port });
                Ok(Ok(port))
            }
            Waited::Exited(status, stderr) => {
                if not_written(status, &stderr) {
                    return Err(Stop::NotWritten);
                }
                Ok(Err(ending(status, &stderr, self.lang)))
            }
            Waited::Never => Ok(Err(crate::tr!(
                self.lang,
                "port {port} still not bound after {} s",
                "{}초가 지나도 포트 {port}에 바인딩하지 않음",
                crate::program::START.as_secs()
            ))),
        }
    }

    /// The port of a running server, starting one on a free port if it
    /// has ended.
    pub fn port(&mut self) -> Result<Result<u16, String>, Stop> {
        if let Some(started) = &mut self.started {
            if started.process.exited().is_none() {
                return Ok(Ok(started.port));
            }
        }
        self.start(0)
    }

    /// How the server ended, if it has (waiting a moment for a server on
    /// its way out), with its last words.
    pub fn ended(&mut self) -> Option<String> {
        let started = self.started.as_mut()?;
        let status = started
            .process
            .wait_exit(Instant::now() + Duration::from_millis(300))?;
        started
            .process
            .wait_closed(Instant::now() + Duration::from_millis(300));
        let stderr = started.process.output(Stream::Stderr);
        if not_written(Some(status), &stderr) {
            self.not_written = true;
        }
        Some(ending(Some(status), &stderr, self.lang))
    }
}
