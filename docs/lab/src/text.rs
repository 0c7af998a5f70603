//! The checker speaks English or Korean (`--lang`, or the locale).

use std::env;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Lang {
    En,
    Ko,
}

impl Lang {
    /// `--lang en|ko`.
    pub fn parse(text: &str) -> Result<Lang, String> {
        match text {
            "en" => Ok(Lang::En),
            "ko" => Ok(Lang::Ko),
            _ => Err(format!("unknown language {text:?}: en or ko")),
        }
    }

    /// From the locale: Korean when `LC_ALL`, `LC_MESSAGES` or `LANG`
    /// (the first one set, as the C library reads them) starts with `ko`.
    pub fn from_locale() -> Lang {
        let set = ["LC_ALL", "LC_MESSAGES", "LANG"]
            .iter()
            .find_map(|name| env::var(name).ok().filter(|v| !v.is_empty()));
        match set {
            Some(locale) if locale.starts_with("ko") => Lang::Ko,
            _ => Lang::En,
        }
    }
}

/// `tr!(lang, "English {x}", "한국어 {x}")`: the text in `lang`.
#[macro_export]
macro_rules! tr {
    ($lang:expr, $en:literal, $ko:literal $(, $arg:expr)* $(,)?) => {
        match $lang {
            $crate::text::Lang::En => format!($en $(, $arg)*),
            $crate::text::Lang::Ko => format!($ko $(, $arg)*),
        }
    };
}

/// `say!(…)`: a line on standard output, as `println!` writes it, except
/// that a reader who has gone (`cargo lab list | head -3`) or a closed
/// output ends nothing. `println!` would panic there; the lab goes on to
/// its end instead, which is where it stops the programs it started.
#[macro_export]
macro_rules! say {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        let _ = writeln!(std::io::stdout(), $($arg)*);
    }};
}

/// `say_part!(…)`: [`say!`] without the newline (`print!`).
#[macro_export]
macro_rules! say_part {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        let _ = write!(std::io::stdout(), $($arg)*);
    }};
}

/// `warn!(…)`: [`say!`] on standard error (`eprintln!`).
#[macro_export]
macro_rules! warn {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        let _ = writeln!(std::io::stderr(), $($arg)*);
    }};
}

/// `warn_part!(…)`: [`warn!`] without the newline (`eprint!`).
#[macro_export]
macro_rules! warn_part {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        let _ = write!(std::io::stderr(), $($arg)*);
    }};
}
