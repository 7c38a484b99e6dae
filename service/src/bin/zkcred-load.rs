//! `zkcred-load`: drives a running `zkcred serve` with pre-made presentations and reports
//! throughput and latency (see `zkcred_service::load`).
//!
//! ```text
//! zkcred-load fixture --dir DIR
//! zkcred serve --keys DIR/keys --ledger DIR/ledger.jsonl --platform-key DIR/platform.json --listen 127.0.0.1:8080
//! zkcred-load run --dir DIR --url http://127.0.0.1:8080 --valid 20000 --invalid 1000 --duplicates 1000
//! ```
//!
//! `--url` may list several replicas, comma-separated: the presentations are dealt out to them
//! in turn and sent to all at once (`--rate` and `--concurrency` are then per replica). Only
//! loopback URLs are accepted; the run stops after `--max-secs` whatever is left.

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;
use zkcred_service::load::{self, Fixture, Plan};

const USAGE: &str = "usage:
  zkcred-load fixture --dir DIR
  zkcred-load run --dir DIR --url http://127.0.0.1:PORT [--valid N] [--invalid N] [--duplicates N]
                  [--concurrency N] [--rate PER_SEC] [--max-secs S] [--preset NAME]";

fn main() -> ExitCode {
    match real_main() {
        Ok(code) => code,
        Err(e) => {
            eprintln!("zkcred-load: {e}\n{USAGE}");
            ExitCode::from(2)
        }
    }
}

fn value<T: std::str::FromStr>(
    args: &[String],
    name: &str,
    default: Option<T>,
) -> Result<T, String> {
    match args.iter().position(|a| a == name) {
        Some(i) => args
            .get(i + 1)
            .ok_or(format!("{name} needs a value"))?
            .parse()
            .map_err(|_| format!("{name}: not a valid value")),
        None => default.ok_or(format!("{name} is required")),
    }
}

fn real_main() -> Result<ExitCode, String> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let dir: PathBuf = value(&args, "--dir", None)?;
    match args.first().map(String::as_str) {
        Some("fixture") => {
            let f = Fixture::create(&dir, &mut rand::rngs::OsRng).map_err(|e| e.to_string())?;
            println!(
                "load fixture in {}: keys {}, ledger {} of issuer {}, platform key {}",
                f.dir.display(),
                f.keys().display(),
                f.ledger().display(),
                f.issuer()?,
                f.platform_key().display()
            );
            Ok(ExitCode::SUCCESS)
        }
        Some("run") => {
            let urls: String = value(&args, "--url", None)?;
            let urls: Vec<String> = urls.split(',').map(str::to_string).collect();
            for url in &urls {
                let host = url
                    .strip_prefix("http://")
                    .and_then(|r| r.split(['/', ':']).next())
                    .unwrap_or("");
                if !matches!(host, "127.0.0.1" | "localhost" | "[::1]") {
                    return Err("the load generator drives loopback services only".into());
                }
            }
            let url = urls[0].clone();
            let plan = Plan {
                url,
                valid: value(&args, "--valid", Some(10_000))?,
                invalid: value(&args, "--invalid", Some(500))?,
                duplicates: value(&args, "--duplicates", Some(500))?,
                concurrency: value(&args, "--concurrency", Some(64))?,
                rate: args
                    .iter()
                    .any(|a| a == "--rate")
                    .then(|| value(&args, "--rate", None::<f64>))
                    .transpose()?,
                max_time: Duration::from_secs_f64(value(&args, "--max-secs", Some(60.0))?),
                preset: value(&args, "--preset", Some("adult-realname".to_string()))?,
            };
            let runtime = tokio::runtime::Runtime::new().map_err(|e| e.to_string())?;
            let fixture = Fixture { dir };
            let run_id = format!("{:x}", rand::random::<u64>());
            let report = runtime.block_on(async {
                let t = std::time::Instant::now();
                let presentations = load::prepare(&plan, &fixture, &run_id).await?;
                eprintln!(
                    "prepared {} presentations (requests created, proofs made) in {:.1} s",
                    presentations.len(),
                    t.elapsed().as_secs_f64()
                );
                // Deal the presentations out to the replicas and drive them all at once.
                let mut parts = vec![Vec::new(); urls.len()];
                for (i, p) in presentations.into_iter().enumerate() {
                    parts[i % urls.len()].push(p);
                }
                let runs: Vec<_> = (urls.iter().zip(parts))
                    .map(|(u, part)| {
                        let mut plan = plan.clone();
                        plan.url = u.clone();
                        tokio::spawn(load::drive(plan, part))
                    })
                    .collect();
                let mut reports = Vec::new();
                for r in runs {
                    reports.push(r.await.map_err(|e| e.to_string())?);
                }
                Ok::<_, String>(load::Report::merge(reports))
            })?;
            println!("{}", report.summary());
            let ok = report.server_errors() == 0
                && report.double_accepted == 0
                && report.transport_errors == 0;
            Ok(if ok {
                ExitCode::SUCCESS
            } else {
                ExitCode::from(1)
            })
        }
        _ => Err("give a subcommand: fixture or run".into()),
    }
}
