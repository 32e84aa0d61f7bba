//! Figures over the rounds: medians, and ratios taken within one round (against the ceiling's
//! run, or another contender's, of the same round) before their median is taken.

use crate::load::Stats;
use crate::rounds::{Key, Round};

pub fn median(mut values: Vec<f64>) -> Option<f64> {
    values.retain(|v| v.is_finite());
    values.sort_by(f64::total_cmp);
    match values.len() {
        0 => None,
        n if n % 2 == 1 => Some(values[n / 2]),
        n => Some((values[n / 2 - 1] + values[n / 2]) / 2.0),
    }
}

/// The median over the rounds of `f(route's run, other run)` of the same round.
pub fn per_round(
    rounds: &[Round],
    key: Key,
    other: Key,
    f: impl Fn(&Stats, &Stats) -> Option<f64>,
) -> Option<f64> {
    median(
        rounds
            .iter()
            .filter_map(|r| Some((r.get(key)?, r.get(other)?)))
            .filter_map(|(a, b)| f(a, b))
            .collect(),
    )
}

fn div(a: f64, b: f64) -> Option<f64> {
    (b > 0.0).then_some(a / b)
}

/// Throughput of `key` over `other`'s, same round.
pub fn throughput_ratio(rounds: &[Round], key: Key, other: Key) -> Option<f64> {
    per_round(rounds, key, other, |a, b| div(a.rps(), b.rps()))
}

/// A route's figures over the rounds.
pub struct Summary {
    pub rps: f64,
    pub rps_by_round: Vec<f64>,
    pub p50_ms: f64,
    pub p99_ms: f64,
    /// Requests/s over the ceiling's, same round.
    pub vs_ceiling: Option<f64>,
    /// p99 over the ceiling's p99, same round.
    pub p99_vs_ceiling: Option<f64>,
    /// CPU time of the contender's `workerd` processes per request.
    pub cpu_ms: Option<f64>,
    /// That less the ceiling's, same round: the route's own work.
    pub own_cpu_ms: Option<f64>,
    pub requests: u64,
    pub errors: u64,
}

impl Summary {
    pub fn of(rounds: &[Round], key: Key) -> Option<Summary> {
        let runs: Vec<&Stats> = rounds.iter().filter_map(|r| r.get(key)).collect();
        if runs.is_empty() {
            return None;
        }
        let med = |f: fn(&Stats) -> f64| median(runs.iter().map(|s| f(s)).collect());
        Some(Summary {
            rps: med(Stats::rps).unwrap_or(0.0),
            rps_by_round: runs.iter().map(|s| s.rps()).collect(),
            p50_ms: med(|s| s.p50_ms).unwrap_or(0.0),
            p99_ms: med(|s| s.p99_ms).unwrap_or(0.0),
            vs_ceiling: throughput_ratio(rounds, key, Key::Ceiling),
            p99_vs_ceiling: per_round(rounds, key, Key::Ceiling, |a, c| div(a.p99_ms, c.p99_ms)),
            cpu_ms: median(runs.iter().filter_map(|s| s.cpu_ms_per_request).collect()),
            own_cpu_ms: per_round(rounds, key, Key::Ceiling, |a, c| {
                Some(a.cpu_ms_per_request? - c.cpu_ms_per_request?)
            }),
            requests: runs.iter().map(|s| s.requests).sum(),
            errors: runs.iter().map(|s| s.errors).sum(),
        })
    }
}

/// Own CPU time per request of `key` over `other`'s (each the median over the rounds); only
/// when `other`'s is above zero.
pub fn own_cpu_ratio(rounds: &[Round], key: Key, other: Key) -> Option<f64> {
    let a = Summary::of(rounds, key)?.own_cpu_ms?;
    let b = Summary::of(rounds, other)?.own_cpu_ms?;
    div(a, b)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::load::Generator;

    fn stats(rps: f64, cpu: f64) -> Stats {
        crate::load::stats_fixture(Generator::Wrk, rps, cpu)
    }

    #[test]
    fn ratios_are_taken_within_a_round() {
        let rounds = vec![
            Round {
                runs: vec![
                    (Key::Ceiling, stats(1000.0, 1.0)),
                    (Key::Product, stats(900.0, 1.5)),
                ],
                retried: vec![],
            },
            Round {
                runs: vec![
                    (Key::Product, stats(500.0, 2.0)),
                    (Key::Ceiling, stats(500.0, 1.0)),
                ],
                retried: vec![],
            },
            Round {
                runs: vec![
                    (Key::Ceiling, stats(800.0, 1.2)),
                    (Key::Product, stats(720.0, 1.4)),
                ],
                retried: vec![],
            },
        ];
        let s = Summary::of(&rounds, Key::Product).unwrap();
        assert_eq!(s.rps, 720.0);
        assert!((s.vs_ceiling.unwrap() - 0.9).abs() < 1e-9);
        assert!((s.own_cpu_ms.unwrap() - 0.5).abs() < 1e-9);
        assert_eq!(s.rps_by_round, vec![900.0, 500.0, 720.0]);
        assert_eq!(median(vec![3.0, 1.0]), Some(2.0));
        assert_eq!(median(vec![]), None);
    }
}
