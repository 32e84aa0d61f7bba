//! The HTTP server: binding, the accept loop, the expiry ticker, and a graceful stop.
//!
//! Each connection is served as HTTP/1.1 by hyper, which hands every request to the axum
//! [`router`](crate::router::router) after [`prepare`](crate::router::prepare).
//! (`axum::serve` is not used: it has no deadline for draining connections on stop, no header
//! read timeout, and does not report connection errors.)

use std::io;
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::Router;
use hyper::body::Incoming;
use hyper::server::conn::http1;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::server::graceful::GracefulShutdown;
use hyper_util::service::TowerToHyperService;
use tokio::net::TcpListener;
use tokio::sync::watch;
use tokio::task::JoinHandle;
use tower::ServiceExt;

use crate::config::Config;
use crate::ids::unix_now;
use crate::router;
use crate::state::App;
use crate::stats::Stats;
use crate::webhooks::{Deliverer, Webhooks};
/// How often open sessions are checked for expiry.
const TICK: Duration = Duration::from_millis(250);
/// How long open connections get to finish when stopping.
const DRAIN: Duration = Duration::from_secs(5);

/// A started server.
pub struct Running {
    /// The bound address.
    pub addr: SocketAddr,
    /// `http://127.0.0.1:<port>` (the bound host; loopback if bound to all interfaces).
    pub base_url: String,
    pub app: Arc<App>,
    stop: watch::Sender<bool>,
    tasks: [JoinHandle<()>; 2],
}

impl Running {
    /// Stops accepting, lets open requests finish (up to a few seconds) and returns.
    pub async fn shutdown(self) {
        // An error means every receiver is gone, i.e. the tasks have already ended.
        let _ = self.stop.send(true);
        for task in self.tasks {
            if let Err(e) = task.await {
                eprintln!("sandbox-gateway: a server task failed: {e}");
            }
        }
    }
}

/// Binds `config.host:config.port` and starts serving in the background.
pub async fn start(config: &Config) -> io::Result<Running> {
    let listener = TcpListener::bind((config.host, config.port)).await?;
    let addr = listener.local_addr()?;
    let base_url = public_base(addr);
    let stats = Arc::new(Stats::default());
    let deliverer = Deliverer::new(
        &config.webhook_url,
        &config.webhook_secret,
        Arc::clone(&stats),
    )
    .map_err(io::Error::other)?;
    let app = Arc::new(
        App::new(
            config.secret_key.clone(),
            base_url.clone(),
            stats,
            Webhooks::new(deliverer),
        )
        .with_email_token(config.email_token.clone()),
    );
    let (stop, stopped) = watch::channel(false);
    let tasks = [
        tokio::spawn(serve(
            listener,
            router::router(Arc::clone(&app)),
            stopped.clone(),
        )),
        tokio::spawn(tick(Arc::clone(&app), stopped)),
    ];
    Ok(Running {
        addr,
        base_url,
        app,
        stop,
        tasks,
    })
}

fn public_base(addr: SocketAddr) -> String {
    let ip = if addr.ip().is_unspecified() {
        IpAddr::V4(Ipv4Addr::LOCALHOST)
    } else {
        addr.ip()
    };
    format!("http://{}", SocketAddr::new(ip, addr.port()))
}

async fn serve(listener: TcpListener, routes: Router, mut stopped: watch::Receiver<bool>) {
    let graceful = GracefulShutdown::new();
    loop {
        tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok((stream, peer)) => {
                    let service = routes
                        .clone()
                        .map_request(move |req: hyper::Request<Incoming>| router::prepare(req, peer));
                    let service = TowerToHyperService::new(service);
                    let conn = http1::Builder::new()
                        .timer(TokioTimer::new())
                        .serve_connection(TokioIo::new(stream), service);
                    let conn = graceful.watch(conn);
                    tokio::spawn(async move {
                        if let Err(e) = conn.await {
                            eprintln!("sandbox-gateway: connection from {peer}: {e}");
                        }
                    });
                }
                Err(e) => {
                    // Typically out of file descriptors: back off instead of spinning.
                    eprintln!("sandbox-gateway: accept failed: {e}");
                    tokio::time::sleep(Duration::from_millis(50)).await;
                }
            },
            _ = stopped.changed() => break,
        }
    }
    drop(listener);
    tokio::select! {
        () = graceful.shutdown() => {}
        () = tokio::time::sleep(DRAIN) => eprintln!("sandbox-gateway: closing connections that did not finish"),
    }
}

/// Expires due sessions and forgets old idempotency keys, every [`TICK`].
async fn tick(app: Arc<App>, mut stopped: watch::Receiver<bool>) {
    let mut interval = tokio::time::interval(TICK);
    interval.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Skip);
    loop {
        tokio::select! {
            _ = interval.tick() => {
                app.expire_due(unix_now());
                app.idempotency.sweep(Instant::now());
            }
            _ = stopped.changed() => break,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn session_urls_use_loopback_for_wildcard_binds() {
        assert_eq!(
            public_base("127.0.0.1:8080".parse().unwrap()),
            "http://127.0.0.1:8080"
        );
        assert_eq!(
            public_base("0.0.0.0:8080".parse().unwrap()),
            "http://127.0.0.1:8080"
        );
        assert_eq!(
            public_base("[::1]:8080".parse().unwrap()),
            "http://[::1]:8080"
        );
    }
}
