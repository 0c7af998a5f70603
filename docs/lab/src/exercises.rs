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

/// Does the starter's code still hold its `todo!()`? Comments do not
/// count: most starters say "replace the `todo!()`" in their header,
/// and a written program keeps that line.
pub fn still_todo(source: &str) -> bool {
    source.lines().any(|line| {
        let code = line.split("//").next().unwrap_or_default();
        code.contains("todo!(")
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::Path;

    #[test]
    fn a_written_starter_is_started_whatever_its_comments_say() {
        for exercise in EXERCISES {
            let path = crate::workspace().join(exercise.starter);
            let text = std::fs::read_to_string(&path).unwrap_or_default();
            assert!(still_todo(&text), "{}", exercise.starter);
            // The student's program takes the place of the todo!() line;
            // the header that names it stays.
            let written: String = text
                .lines()
                .map(|line| {
                    if line.trim_start().starts_with("todo!(") {
                        "    let _written = ();"
                    } else {
                        line
                    }
                })
                .collect::<Vec<_>>()
                .join("\n");
            assert!(!still_todo(&written), "{}", exercise.starter);
        }
    }

    /// What the books lack for these exercises: a page or a solution page
    /// in either language, or its line in that book's SUMMARY.md.
    fn missing_pages(docs: &Path, names: &[&str]) -> Vec<String> {
        let mut missing = Vec::new();
        for lang in ["en", "ko"] {
            let summary =
                std::fs::read_to_string(docs.join(lang).join("SUMMARY.md"))
                    .unwrap_or_default();
            for name in names {
                for page in
                    [format!("{name}.md"), format!("{name}-solution.md")]
                {
                    let path = format!("exercises/{page}");
                    if !docs.join(lang).join(&path).is_file() {
                        missing.push(format!("docs/{lang}/{path} is missing"));
                    }
                    if !summary.contains(&format!("]({path})")) {
                        missing.push(format!(
                            "docs/{lang}/SUMMARY.md does not list {path}"
                        ));
                    }
                }
            }
        }
        missing
    }

    #[test]
    fn every_exercise_has_its_pages_in_both_books() {
        let docs = crate::workspace().join("docs");
        let names: Vec<&str> = EXERCISES.iter().map(|e| e.name).collect();
        assert_eq!(missing_pages(&docs, &names), Vec::<String>::new());
        // The rule can fail: an exercise with no pages is named four times
        // in each book.
        let none = missing_pages(&docs, &["no-such-exercise"]);
        assert_eq!(none.len(), 8, "{none:?}");
        assert!(
            none.contains(
                &"docs/ko/exercises/no-such-exercise-solution.md is missing"
                    .to_string()
            )
        );
    }

    #[test]
    fn every_starter_exists_and_names_its_page() {
        for exercise in EXERCISES {
            let path = crate::workspace().join(exercise.starter);
            let text = std::fs::read_to_string(&path).unwrap_or_default();
            let page = format!("docs/en/exercises/{}.md", exercise.name);
            assert!(
                text.contains(&page),
                "{} does not name {page}",
                exercise.starter
            );
        }
    }
}
