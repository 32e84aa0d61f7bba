//! `sandbox-gateway`: runs the Stripe sandbox (and the Postmark-shaped e-mail sandbox beside
//! it) until SIGTERM or SIGINT.
//!
//! Prints one line, `sandbox-gateway listening on http://127.0.0.1:<port>`, to stdout once it
//! accepts connections; everything else (logs, errors) goes to stderr. See
//! [`sandbox_gateway::config::USAGE`] for the flags.

use std::io::Write;
use std::process::ExitCode;

use sandbox_gateway::config::{self, Cli};
use tokio::signal::unix::{signal, Signal, SignalKind};

#[tokio::main]
async fn main() -> ExitCode {
    let config = match config::parse(std::env::args().skip(1), |name| std::env::var(name).ok()) {
        Ok(Cli::Run(config)) => config,
        Ok(Cli::Help) => {
            // A closed stdout (`--help | head -1`) is not worth a panic.
            let _ = writeln!(std::io::stdout(), "{}", config::USAGE);
            return ExitCode::SUCCESS;
        }
        Err(problem) => {
            eprintln!("sandbox-gateway: {problem}\n{}", config::USAGE);
            return ExitCode::from(2);
        }
    };
    // Watch the signals before announcing the address, so a stop sent right after the
    // announcement is never met by the default (abrupt) action.
    let stop = match StopSignals::install() {
        Ok(stop) => stop,
        Err(e) => {
            eprintln!("sandbox-gateway: cannot watch SIGTERM/SIGINT: {e}");
            return ExitCode::FAILURE;
        }
    };
    let running = match sandbox_gateway::start(&config).await {
        Ok(running) => running,
        Err(e) => {
            eprintln!(
                "sandbox-gateway: cannot listen on {}:{}: {e}",
                config.host, config.port
            );
            return ExitCode::FAILURE;
        }
    };
    let mut stdout = std::io::stdout().lock();
    if writeln!(stdout, "sandbox-gateway listening on {}", running.base_url)
        .and_then(|()| stdout.flush())
        .is_err()
    {
        eprintln!("sandbox-gateway: cannot write the listening line to stdout");
    }
    drop(stdout);
    stop.received().await;
    eprintln!("sandbox-gateway: stopping");
    running.shutdown().await;
    ExitCode::SUCCESS
}

/// SIGTERM and SIGINT handlers, installed on creation.
struct StopSignals {
    terminate: Signal,
    interrupt: Signal,
}

impl StopSignals {
    fn install() -> std::io::Result<StopSignals> {
        Ok(StopSignals {
            terminate: signal(SignalKind::terminate())?,
            interrupt: signal(SignalKind::interrupt())?,
        })
    }

    /// Resolves on the first SIGTERM or SIGINT.
    async fn received(mut self) {
        tokio::select! {
            _ = self.terminate.recv() => {}
            _ = self.interrupt.recv() => {}
        }
    }
}
