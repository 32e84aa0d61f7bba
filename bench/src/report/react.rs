//! The product page against React: a table of the four product pages, then their sizes and the
//! shop's own CPU time against the free plan's budget.

use std::fmt::Write;

use super::{opt, pct, times, CPU_BUDGET_MS};
use crate::rounds::{spec, Key};
use crate::summary::{own_cpu_ratio, throughput_ratio, Summary};
use crate::{Results, SIZE_TOLERANCE};

pub fn write(o: &mut String, r: &Results) -> std::fmt::Result {
    writeln!(o, "## The product page against React\n")?;
    writeln!(
        o,
        "The same page (header with navigation and cart link, breadcrumb, title, image, price from \
         minor units, the variant picker, availability, the add-to-cart form, JSON-LD and Open \
         Graph tags) from the same catalog. **shop ÷ it** divides the shop's product page by the \
         contender in the row: above 1 the shop serves more requests per second (same round), \
         below 1 it spends less own CPU per request.\n"
    )?;
    table(o, r)?;
    writeln!(o)?;
    sizes(o, r)?;
    cpu_budget(o, r)?;
    writeln!(o, "\n")
}

fn table(o: &mut String, r: &Results) -> std::fmt::Result {
    writeln!(
        o,
        "| Contender | Page bytes | Req/s | vs ceiling | workerd CPU ms/req | own CPU ms/req | \
         shop ÷ it, req/s | shop ÷ it, own CPU |"
    )?;
    writeln!(o, "|---|--:|--:|--:|--:|--:|--:|--:|")?;
    let rows = [
        (Key::Product, r.sizes.shop),
        (Key::ProductNoCache, r.sizes.shop_no_cache),
        (Key::ReactString, r.sizes.react_string),
        (Key::ReactStream, r.sizes.react_stream),
    ];
    for (key, bytes) in rows {
        let Some(s) = Summary::of(&r.rounds, key) else {
            continue;
        };
        let (tp, cpu) = if key == Key::Product {
            ("".to_owned(), "".to_owned())
        } else {
            (
                times(throughput_ratio(&r.rounds, Key::Product, key)),
                times(own_cpu_ratio(&r.rounds, Key::Product, key)),
            )
        };
        writeln!(
            o,
            "| {} | {bytes} | {:.0} | {} | {} | {} | {tp} | {cpu} |",
            spec(key).label,
            s.rps,
            pct(s.vs_ceiling),
            opt(s.cpu_ms, 2),
            opt(s.own_cpu_ms, 2),
        )?;
    }
    Ok(())
}

/// React's page size against the shop's.
fn sizes(o: &mut String, r: &Results) -> std::fmt::Result {
    let ratios: Vec<String> = r
        .sizes
        .react_ratios()
        .iter()
        .map(|(name, x)| format!("{:.0}% with `{name}`", x * 100.0))
        .collect();
    write!(
        o,
        "React's page is {} of the shop's bytes (the bench fails outside ±{:.0}%).",
        ratios.join(" and "),
        SIZE_TOLERANCE * 100.0
    )
}

/// The product page's own CPU time against the free plan's, when it was measured.
fn cpu_budget(o: &mut String, r: &Results) -> std::fmt::Result {
    let Some(own) = Summary::of(&r.rounds, Key::Product).and_then(|s| s.own_cpu_ms) else {
        return Ok(());
    };
    write!(
        o,
        " Against the free plan's {CPU_BUDGET_MS:.0} ms of CPU per request, the product page's \
         own CPU time is {:.0}% of it (on Cloudflare only the Worker's isolate is billed, not a \
         local proxy or router, so the own time is the closer estimate).",
        own / CPU_BUDGET_MS * 100.0
    )
}
