//! The exercises: where each starter is, and which cases check it.

use crate::checks::{self, Options, many::Model, ports::Proto};
use crate::program::{Program, Stop};
use crate::report::Case;

/// What kind of program an exercise asks for, and so which cases run.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    Client(Proto),
    Server(Proto),
    Pinger,
    /// A TCP server that serves many clients at once, in this model.
    Many(Model),
    /// A TCP server that answers the whole line, however it arrives.
    Boundaries,
    /// The textbook's web server: files of its folder over HTTP.
    WebServer,
}

/// One exercise.
pub struct Exercise {
    /// What `cargo lab check` takes: `udp-client`.
    pub name: &'static str,
    /// The package that holds its starter, and the starter's example
    /// target name in it.
    pub package: &'static str,
    pub example: &'static str,
    /// The starter's path in the workspace.
    pub starter: &'static str,
    pub kind: Kind,
}

/// Every exercise, in the order of the book.
pub const EXERCISES: &[Exercise] = &[
    Exercise {
        name: "udp-client",
        package: "udp-client",
        example: "lab_udp_client",
        starter: "udp-client/exercises/udp_client.rs",
        kind: Kind::Client(Proto::Udp),
    },
    Exercise {
        name: "udp-server",
        package: "udp-server",
        example: "lab_udp_server",
        starter: "udp-server/exercises/udp_server.rs",
        kind: Kind::Server(Proto::Udp),
    },
    Exercise {
        name: "tcp-client",
        package: "tcp-client",
        example: "lab_tcp_client",
        starter: "tcp-client/exercises/tcp_client.rs",
        kind: Kind::Client(Proto::Tcp),
    },
    Exercise {
        name: "tcp-server",
        package: "tcp-server",
        example: "lab_tcp_server",
        starter: "tcp-server/exercises/tcp_server.rs",
        kind: Kind::Server(Proto::Tcp),
    },
    Exercise {
        name: "pinger",
        package: "udp-client",
        example: "lab_pinger",
        starter: "udp-client/exercises/pinger.rs",
        kind: Kind::Pinger,
    },
    Exercise {
        name: "concurrent-server",
        package: "tcp-server",
        example: "lab_concurrent_server",
        starter: "tcp-server/exercises/concurrent_server.rs",
        kind: Kind::Many(Model::Threads),
    },
    Exercise {
        name: "many-pool",
        package: "tcp-server",
        example: "lab_many_pool",
        starter: "tcp-server/exercises/many_pool.rs",
        kind: Kind::Many(Model::Pool),
    },
    Exercise {
        name: "many-mio",
        package: "tcp-server",
        example: "lab_many_mio",
        starter: "tcp-server/exercises/many_mio.rs",
        kind: Kind::Many(Model::Readiness),
    },
    Exercise {
        name: "many-tokio",
        package: "tcp-server",
        example: "lab_many_tokio",
        starter: "tcp-server/exercises/many_tokio.rs",
        kind: Kind::Many(Model::Tasks),
    },
    Exercise {
        name: "boundaries",
        package: "tcp-server",
        example: "lab_boundaries",
        starter: "tcp-server/exercises/boundaries.rs",
        kind: Kind::Boundaries,
    },
    Exercise {
        name: "web-server",
        package: "tcp-server",
        example: "lab_web_server",
        starter: "tcp-server/exercises/web_server.rs",
        kind: Kind::WebServer,
    },
];

/// The exercise called `name` (`udp_client` is taken for `udp-client`).
pub fn find(name: &str) -> Option<&'static Exercise> {
    let name = name.replace('_', "-");
    EXERCISES.iter().find(|e| e.name == name)
}

/// Runs the cases of `exercise` against `program`.
pub fn check(
    exercise: &Exercise,
    program: &Program,
    options: &Options,
) -> Result<Vec<Case>, Stop> {
    match exercise.kind {
        Kind::Client(proto) => checks::ports::client(program, proto, options),
        Kind::Server(proto) => checks::ports::server(program, proto, options),
        Kind::Pinger => checks::pinger::check(program, options),
        Kind::Many(model) => checks::many::check(program, model, options),
        Kind::Boundaries => checks::boundaries::check(program, options),
        Kind::WebServer => checks::web::check(program, options),
    }
}
