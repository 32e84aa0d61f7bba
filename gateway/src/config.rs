//! The command line: flags, with environment variables as fallbacks.

use std::net::{IpAddr, Ipv4Addr};

pub const USAGE: &str = "\
usage: sandbox-gateway --port <port> --webhook-url <url> --webhook-secret <secret> \
--secret-key <key> [--host <ip>] [--email-token <token>]

  --port            port to listen on; 0 picks a free one        (env SANDBOX_PORT)
  --webhook-url     where to POST signed events                  (env SANDBOX_WEBHOOK_URL)
  --webhook-secret  key for the Stripe-Signature HMAC            (env PAYMENT_WEBHOOK_SECRET)
  --secret-key      API key clients must send as a Bearer token  (env PAYMENT_SECRET_KEY)
  --host            address to bind, default 127.0.0.1 (loopback)
  --email-token     token POST /email expects in the header      (env EMAIL_API_TOKEN)
                    X-Postmark-Server-Token; without one, every e-mail is a 401";

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Config {
    pub host: IpAddr,
    pub port: u16,
    pub webhook_url: String,
    pub webhook_secret: String,
    pub secret_key: String,
    /// The Postmark server token `POST /email` expects; `None` refuses every e-mail.
    pub email_token: Option<String>,
}

/// What the command line asks for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Cli {
    Run(Config),
    Help,
}

/// Flags and the environment variable each falls back to.
const SETTINGS: [(&str, Option<&str>); 6] = [
    ("port", Some("SANDBOX_PORT")),
    ("webhook-url", Some("SANDBOX_WEBHOOK_URL")),
    ("webhook-secret", Some("PAYMENT_WEBHOOK_SECRET")),
    ("secret-key", Some("PAYMENT_SECRET_KEY")),
    ("host", None),
    ("email-token", Some("EMAIL_API_TOKEN")),
];

/// Parses `args` (without the program name); `env` looks up environment variables.
pub fn parse(
    args: impl IntoIterator<Item = String>,
    env: impl Fn(&str) -> Option<String>,
) -> Result<Cli, String> {
    let mut given: Vec<(&'static str, String)> = Vec::new();
    let mut args = args.into_iter();
    while let Some(arg) = args.next() {
        if arg == "--help" || arg == "-h" {
            return Ok(Cli::Help);
        }
        let flag = arg
            .strip_prefix("--")
            .ok_or_else(|| format!("unexpected argument {arg:?}"))?;
        let (name, inline) = match flag.split_once('=') {
            Some((name, value)) => (name, Some(value.to_owned())),
            None => (flag, None),
        };
        let (name, _) = SETTINGS
            .iter()
            .find(|(known, _)| *known == name)
            .ok_or_else(|| format!("unknown option --{name}"))?;
        let value = match inline {
            Some(value) => value,
            None => args
                .next()
                .ok_or_else(|| format!("--{name} needs a value"))?,
        };
        given.push((name, value));
    }
    let value = |name: &str| -> Option<String> {
        let flag = given
            .iter()
            .rev()
            .find(|(n, _)| *n == name)
            .map(|(_, v)| v.clone());
        let var = SETTINGS
            .iter()
            .find(|(n, _)| *n == name)
            .and_then(|(_, var)| *var);
        flag.or_else(|| var.and_then(&env))
            .filter(|v| !v.is_empty())
    };
    let required = |name: &str| value(name).ok_or_else(|| format!("missing --{name}"));
    let port = required("port")?;
    let port = port
        .parse::<u16>()
        .map_err(|_| format!("invalid port {port:?}"))?;
    let host = match value("host") {
        None => IpAddr::V4(Ipv4Addr::LOCALHOST),
        Some(host) => host
            .parse()
            .map_err(|_| format!("invalid host {host:?}: give an IP address"))?,
    };
    let webhook_url = required("webhook-url")?;
    if !(webhook_url.starts_with("http://") || webhook_url.starts_with("https://")) {
        return Err(format!(
            "invalid webhook URL {webhook_url:?}: it must start with http:// or https://"
        ));
    }
    Ok(Cli::Run(Config {
        host,
        port,
        webhook_url,
        webhook_secret: required("webhook-secret")?,
        secret_key: required("secret-key")?,
        email_token: value("email-token"),
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(list: &[&str]) -> Vec<String> {
        list.iter().map(|s| (*s).to_owned()).collect()
    }

    fn no_env(_: &str) -> Option<String> {
        None
    }

    #[test]
    fn reads_flags_in_both_spellings() {
        let cli = parse(
            args(&[
                "--port",
                "0",
                "--webhook-url=http://127.0.0.1:8787/hook",
                "--webhook-secret",
                "whsec",
                "--secret-key",
                "sk",
            ]),
            no_env,
        )
        .unwrap();
        let Cli::Run(config) = cli else {
            panic!("expected a config")
        };
        assert_eq!(config.port, 0);
        assert_eq!(config.host, IpAddr::V4(Ipv4Addr::LOCALHOST));
        assert_eq!(config.webhook_url, "http://127.0.0.1:8787/hook");
        assert_eq!(config.webhook_secret, "whsec");
        assert_eq!(config.secret_key, "sk");
        assert_eq!(config.email_token, None, "the e-mail token is optional");
    }

    #[test]
    fn reads_the_email_token_from_the_flag_or_the_environment() {
        let base = ["--port", "0", "--webhook-url", "http://127.0.0.1:1/h"];
        let env = |name: &str| match name {
            "PAYMENT_WEBHOOK_SECRET" => Some("whsec".to_owned()),
            "PAYMENT_SECRET_KEY" => Some("sk".to_owned()),
            "EMAIL_API_TOKEN" => Some("pm_env".to_owned()),
            _ => None,
        };
        let token = |extra: &[&str], env: &dyn Fn(&str) -> Option<String>| {
            let list: Vec<&str> = base.iter().chain(extra).copied().collect();
            match parse(args(&list), env) {
                Ok(Cli::Run(config)) => config.email_token,
                other => panic!("expected a config, got {other:?}"),
            }
        };
        assert_eq!(token(&[], &env).as_deref(), Some("pm_env"));
        assert_eq!(
            token(&["--email-token", "pm_flag"], &env).as_deref(),
            Some("pm_flag")
        );
        assert_eq!(
            token(&["--email-token=pm_inline"], &env).as_deref(),
            Some("pm_inline")
        );
        let without = |name: &str| env(name).filter(|_| name != "EMAIL_API_TOKEN");
        assert_eq!(token(&[], &without), None);
        // An empty token is no token, as for every other setting.
        assert_eq!(token(&["--email-token", ""], &without), None);
        assert_eq!(
            parse(args(&["--email-token"]), no_env),
            Err("--email-token needs a value".into())
        );
        assert!(USAGE.contains("--email-token") && USAGE.contains("EMAIL_API_TOKEN"));
    }

    #[test]
    fn falls_back_to_the_environment_and_flags_win() {
        let env = |name: &str| {
            Some(
                match name {
                    "SANDBOX_PORT" => "4242",
                    "SANDBOX_WEBHOOK_URL" => "http://127.0.0.1:1/h",
                    "PAYMENT_WEBHOOK_SECRET" => "whsec_env",
                    "PAYMENT_SECRET_KEY" => "sk_env",
                    _ => return None,
                }
                .to_owned(),
            )
        };
        let Ok(Cli::Run(config)) = parse(args(&["--secret-key", "sk_flag", "--host", "::1"]), env)
        else {
            panic!("expected a config")
        };
        assert_eq!(config.port, 4242);
        assert_eq!(config.webhook_secret, "whsec_env");
        assert_eq!(config.secret_key, "sk_flag");
        assert_eq!(config.host, "::1".parse::<IpAddr>().unwrap());
    }

    #[test]
    fn reports_problems() {
        assert_eq!(parse(args(&["--help"]), no_env), Ok(Cli::Help));
        assert_eq!(parse(args(&[]), no_env), Err("missing --port".into()));
        assert_eq!(
            parse(args(&["--port"]), no_env),
            Err("--port needs a value".into())
        );
        assert_eq!(
            parse(args(&["--colour", "x"]), no_env),
            Err("unknown option --colour".into())
        );
        assert_eq!(
            parse(args(&["--port", "99999"]), no_env),
            Err("invalid port \"99999\"".into())
        );
        let bad_url =
            parse(args(&["--port", "1", "--webhook-url", "ftp://x"]), no_env).unwrap_err();
        assert!(bad_url.contains("webhook URL"), "{bad_url}");
    }
}
