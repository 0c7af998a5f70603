//! A test that needs a program this machine lacks (`python3`, `ss`) says
//! which one and how to install it, in one line, not
//! `Os { code: 2, kind: NotFound }`.
// Test code: a panic here is a failed test, with its message.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

#[path = "support/mod.rs"]
mod support;

use std::ffi::OsStr;
use std::io;
use std::process::Command;

/// A `python3` that cannot be found: the search path holds no folder
/// that exists.
fn python3_not_on_the_path() -> Command {
    let mut command = Command::new("python3");
    command.env("PATH", "/nonexistent-folder-of-this-test");
    command
}

#[test]
#[should_panic(expected = "python3 is not installed: install Python 3 \
                           (Debian/Ubuntu: apt install python3; macOS: \
                           brew install python)")]
fn a_test_that_runs_a_missing_python3_says_how_to_install_it() {
    support::run(python3_not_on_the_path(), b"");
}

#[test]
fn each_tool_the_tests_start_has_its_own_hint() {
    let not_found = || io::Error::from(io::ErrorKind::NotFound);
    let why = |program: &str| {
        support::cannot_start(OsStr::new(program), &not_found())
    };
    assert_eq!(
        why("python3"),
        "python3 is not installed: install Python 3 (Debian/Ubuntu: apt \
         install python3; macOS: brew install python)"
    );
    assert_eq!(
        why("ss"),
        "ss is not installed: install iproute2 (Debian/Ubuntu: apt install \
         iproute2; ss exists on Linux only)"
    );
    assert_eq!(
        why("frobnicate"),
        "frobnicate is not installed: install it, or add its folder to PATH"
    );
    // A path is not a tool to install: a binary not built, a typo.
    assert_eq!(
        why("/no/such/folder/udp-client"),
        format!("cannot start /no/such/folder/udp-client: {}", not_found())
    );
    let denied = io::Error::from(io::ErrorKind::PermissionDenied);
    assert_eq!(
        support::cannot_start(OsStr::new("ss"), &denied),
        format!("cannot start ss: {denied}")
    );
}
