//! The command line: a mode, then `--rounds N` and `--soak SECONDS` in any order.

use crate::{Mode, Settings};

pub const USAGE: &str = "usage: storefront-bench full [--rounds N] [--soak SECONDS] | smoke";

/// The settings the arguments (program name left out) ask for, or `None` when they make no sense.
pub fn parse_args(args: &[String]) -> Option<Settings> {
    let mut settings = match args.first().map(String::as_str) {
        Some("full") => Settings::of(Mode::Full),
        Some("smoke") => Settings::of(Mode::Smoke),
        _ => return None,
    };
    let mut rest = args[1..].iter();
    while let Some(flag) = rest.next() {
        let value: u64 = rest.next()?.parse().ok()?;
        match flag.as_str() {
            "--rounds" if value > 0 => settings.rounds = value as usize,
            "--soak" => settings.soak_seconds = value,
            _ => return None,
        }
    }
    Some(settings)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(args: &[&str]) -> Option<Settings> {
        let args: Vec<String> = args.iter().map(|a| a.to_string()).collect();
        parse_args(&args)
    }

    #[test]
    fn modes_and_flags() {
        let smoke = parse(&["smoke"]).unwrap();
        assert_eq!(
            (smoke.mode, smoke.rounds, smoke.soak_seconds),
            (Mode::Smoke, 1, 0)
        );
        let full = parse(&["full"]).unwrap();
        assert_eq!(
            (full.mode, full.rounds, full.soak_seconds),
            (Mode::Full, 3, 0)
        );
        let both = parse(&["full", "--soak", "180", "--rounds", "5"]).unwrap();
        assert_eq!((both.rounds, both.soak_seconds), (5, 180));
    }

    #[test]
    fn nonsense_is_refused() {
        for args in [
            &[][..],
            &["fast"],
            &["full", "--rounds", "0"],
            &["full", "--rounds"],
            &["full", "--soak", "x"],
            &["full", "--warm", "1"],
        ] {
            assert!(parse(args).is_none(), "{args:?}");
        }
    }
}
