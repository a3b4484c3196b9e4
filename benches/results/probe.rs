//! Where a report's time goes: each computed indicator's `metrics::total` and each of its
//! breakdowns timed alone (the domain's calls, no HTTP), then whole reports.

use std::time::{Duration, Instant};

use empower_domain::results::metrics::{self, Period};
use empower_domain::results::report::{self, ALL, Breakdowns, IATI};
use empower_domain::results::{Source, framework, public};
use empower_domain::time::{EARLIEST, brussels_today};
use sea_orm::DatabaseConnection;

/// Runs of each call; the median is printed.
const RUNS: usize = 3;

async fn median<F, Fut, T>(mut call: F) -> (f64, T)
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = T>,
{
    let mut times: Vec<Duration> = Vec::with_capacity(RUNS);
    let mut last = None;
    for _ in 0..RUNS {
        let started = Instant::now();
        last = Some(call().await);
        times.push(started.elapsed());
    }
    times.sort();
    (
        times[RUNS / 2].as_secs_f64() * 1000.0,
        last.expect("at least one run"),
    )
}

/// Prints the time of every computed indicator's total and breakdowns over everything up to
/// today, slowest first, and the whole reports' times.
pub async fn run(db: &DatabaseConnection) {
    let period = Period {
        from: EARLIEST,
        to: brussels_today(),
    };
    let mut lines = Vec::new();
    for indicator in framework::all_indicators(db).await.expect("indicators") {
        let Some(metric) = indicator.row.metric else {
            continue;
        };
        if indicator.row.source != Source::Computed {
            continue;
        }
        let params = &indicator.params;
        let (ms, value) = median(|| metrics::total(db, metric, params, period)).await;
        let value = value.expect("total");
        lines.push((
            ms,
            indicator.row.code.clone(),
            metric.as_str(),
            "total".to_owned(),
            format!("{value:?}"),
        ));
        for by in metric.definition().breakdowns {
            let (ms, cells) = median(|| metrics::breakdown(db, metric, params, period, *by)).await;
            let cells = cells.expect("breakdown").cells.len();
            lines.push((
                ms,
                indicator.row.code.clone(),
                metric.as_str(),
                format!("by {}", by.as_str()),
                format!("{cells} cells"),
            ));
        }
    }
    let sum: f64 = lines.iter().map(|l| l.0).sum();
    let totals: f64 = lines.iter().filter(|l| l.3 == "total").map(|l| l.0).sum();
    lines.sort_by(|a, b| b.0.total_cmp(&a.0));
    println!("| indicator | metric | call (domain, no HTTP; median of {RUNS}) | ms | result |");
    println!("| --- | --- | --- | --- | --- |");
    for (ms, code, metric, call, result) in &lines {
        println!("| {code} | {metric} | {call} | {ms:.1} | {result} |");
    }
    println!(
        "sum of the totals (a report without breakdowns computes these): {totals:.0} ms; of every call (what closing a period computes): {sum:.0} ms"
    );
    println!();
    println!("| whole call (domain, no HTTP; median of {RUNS}) | ms |");
    println!("| --- | --- |");
    let (ms, _) = median(|| report::build(db, period, Breakdowns::None)).await;
    println!("| report::build, no breakdowns (JSON, CSV) | {ms:.0} |");
    let (ms, _) = median(|| report::build(db, period, Breakdowns::Only(IATI))).await;
    println!("| report::build, sex and country (IATI) | {ms:.0} |");
    let (ms, _) = median(|| public::results(db, brussels_today())).await;
    println!("| public::results (country, region, module, sex; suppression) | {ms:.0} |");
    let (ms, _) = median(|| report::build(db, period, Breakdowns::Only(ALL))).await;
    println!("| report::build, every breakdown (a period's close) | {ms:.0} |");
    println!();
}
