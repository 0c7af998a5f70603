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
