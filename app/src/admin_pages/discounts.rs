//! The admin's discount codes: each code with what it does, its conditions, window, uses and
//! status, and a form to disable it; then a form for a new code. Plain forms with the CSRF
//! token, which the Worker reads (percentages as such, amounts in major units).

use domain::discount::{format_time, Discount, Kind, Summary};
use domain::{Currency, Money};
use leptos::prelude::*;

/// What a code does: `10 % off` (from basis points), `€5.00 off`, `Free shipping`.
pub fn does(kind: Kind, value: i64, currency: Currency) -> String {
    match kind {
        Kind::Percent => format!("{} % off", percent(value)),
        Kind::Fixed => format!("{} off", Money::new(value, currency)),
        Kind::FreeShipping => "Free shipping".to_owned(),
    }
}

/// Basis points as a percentage: 1000 is `10`, 1250 `12.5`, 5 `0.05`.
fn percent(bp: i64) -> String {
    let (whole, part) = (bp / 100, (bp % 100).abs());
    if part == 0 {
        whole.to_string()
    } else {
        format!("{whole}.{part:02}")
            .trim_end_matches('0')
            .to_owned()
    }
}

/// What an order needs for the code: `Orders from €50.00 · Only apparel, outdoor · Once per
/// e-mail`, or `—`.
fn conditions(d: &Discount, currency: Currency) -> String {
    let mut parts = Vec::new();
    if let Some(minimum) = d.min_subtotal {
        parts.push(format!("Orders from {}", Money::new(minimum, currency)));
    }
    if !d.collections.is_empty() {
        let handles: Vec<&str> = d.collections.iter().map(|c| c.as_str()).collect();
        parts.push(format!("Only {}", handles.join(", ")));
    }
    if d.once_per_email {
        parts.push("Once per e-mail".to_owned());
    }
    if parts.is_empty() {
        "—".to_owned()
    } else {
        parts.join(" · ")
    }
}

/// When the code is active, one line per bound (`From …`, `Until …`), or `—`.
fn window(d: &Discount) -> Vec<String> {
    let lines: Vec<String> = [("From", d.starts_at), ("Until", d.ends_at)]
        .into_iter()
        .filter_map(|(word, at)| Some(format!("{word} {}", format_time(at?))))
        .collect();
    if lines.is_empty() {
        vec!["—".to_owned()]
    } else {
        lines
    }
}

/// `3 of 10 used · 1 held`, or `3 used` without a limit and holds.
pub fn uses(s: &Summary) -> String {
    let used = match s.discount.usage_limit {
        Some(limit) => format!("{} of {limit} used", s.redeemed),
        None => format!("{} used", s.redeemed),
    };
    if s.held > 0 {
        format!("{used} · {} held", s.held)
    } else {
        used
    }
}

/// A code's status at `now` (Unix seconds), and the badge's tone: the first of Disabled,
/// Scheduled, Ended, Used up (redeemed and held reach the limit), else Active.
pub fn status(s: &Summary, now: i64) -> (&'static str, &'static str) {
    let d = &s.discount;
    if d.disabled {
        ("Disabled", "muted")
    } else if d.starts_at.is_some_and(|t| now < t) {
        ("Scheduled", "wait")
    } else if d.ends_at.is_some_and(|t| now >= t) {
        ("Ended", "muted")
    } else if d
        .usage_limit
        .is_some_and(|limit| s.redeemed.saturating_add(s.held) >= limit)
    {
        ("Used up", "todo")
    } else {
        ("Active", "done")
    }
}

/// The admin's "Discounts" section (`id="discounts"`): the codes at `now`, and the form for a
/// new one. Amounts are in `currency`, the shop's.
pub fn section(
    csrf: String,
    currency: Currency,
    now: i64,
    discounts: Vec<Summary>,
) -> impl IntoView {
    let list = if discounts.is_empty() {
        None
    } else {
        let rows = discounts
            .into_iter()
            .map(|s| {
                let (label, tone) = status(&s, now);
                let uses = uses(&s);
                let d = s.discount;
                let code = d.code.to_string();
                let disable = (!d.disabled).then(|| {
                    view! {
                        <form class="inline" method="post" action=format!("/admin/discounts/{code}/disable")>
                            <input type="hidden" name="csrf" value=csrf.clone()/>
                            <button type="submit" class="secondary">"Disable"<span class="visually-hidden">{format!(" {code}")}</span></button>
                        </form>
                    }
                });
                let window = window(&d).into_iter().map(|l| view! { <span>{l}</span> }).collect_view();
                view! {
                    <tr data-code=code.clone()>
                        <th scope="row"><code>{code.clone()}</code></th>
                        <td data-label="Does">{does(d.kind, d.value, currency)}</td>
                        <td data-label="Conditions">{conditions(&d, currency)}</td>
                        <td data-label="Window" class="window"><div>{window}</div></td>
                        <td data-label="Uses" class="num">{uses}</td>
                        <td data-label="Status"><span class=format!("status {tone}")>{label}</span></td>
                        <td data-label="Actions" class="actions">{disable}</td>
                    </tr>
                }
            })
            .collect_view();
        Some(view! {
            <table class="cart admin-table discounts">
                <thead><tr><th scope="col">"Code"</th><th scope="col">"Does"</th><th scope="col">"Conditions"</th><th scope="col">"Window (UTC)"</th><th scope="col" class="num">"Uses"</th><th scope="col">"Status"</th><th scope="col">"Actions"</th></tr></thead>
                <tbody>{rows}</tbody>
            </table>
        })
    };
    let empty = list.is_none().then(
        || view! { <p class="empty">"No discount codes yet. Create the first one below."</p> },
    );
    view! {
        <section aria-labelledby="discounts">
            <h2 id="discounts">"Discounts"</h2>
            {empty}
            {list}
            <div class="panel" inner_html=new_code_html(&csrf, currency)></div>
        </section>
    }
}

/// The form for a new code (`POST /admin/discounts`), with the session's `csrf` token; amounts
/// in `currency`. Markup, not a view: it is all static, and cheaper so in the Worker.
fn new_code_html(csrf: &str, currency: Currency) -> String {
    format!(
        concat!(
            r#"<h3 id="new-discount">New code</h3>"#,
            r#"<form method="post" action="/admin/discounts" class="new-discount" aria-labelledby="new-discount">"#,
            r#"<input type="hidden" name="csrf" value="{csrf}">"#,
            r#"<div class="field"><label for="new-code">Code</label>"#,
            r#"<input id="new-code" type="text" name="code" required minlength="3" maxlength="32" pattern="[A-Za-z0-9_\-]{{3,32}}" autocomplete="off" autocapitalize="characters" spellcheck="false" aria-describedby="new-code-hint">"#,
            r#"<small id="new-code-hint" class="hint">3 to 32 letters, digits, - or _; shoppers may type it in any case.</small></div>"#,
            r#"<div class="field"><label for="new-kind">Kind</label>"#,
            r#"<select id="new-kind" name="kind"><option value="percent">Percent off</option><option value="fixed">Amount off</option><option value="free_shipping">Free shipping</option></select></div>"#,
            r#"<div class="field"><label for="new-value">Value</label>"#,
            r#"<input id="new-value" type="text" name="value" inputmode="decimal" autocomplete="off" aria-describedby="new-value-hint">"#,
            r#"<small id="new-value-hint" class="hint">10 for 10 %, or 5.00 for an amount ({unit}); none for free shipping.</small></div>"#,
            r#"<div class="field"><label for="new-min">Minimum subtotal (optional)</label>"#,
            r#"<input id="new-min" type="text" name="min_subtotal" inputmode="decimal" autocomplete="off" aria-describedby="new-min-hint">"#,
            r#"<small id="new-min-hint" class="hint">In {unit}, before any discount, e.g. 50.00.</small></div>"#,
            r#"<div class="field"><label for="new-starts">Starts (optional)</label>"#,
            r#"<input id="new-starts" type="datetime-local" name="starts_at" aria-describedby="new-window-hint"></div>"#,
            r#"<div class="field"><label for="new-ends">Ends (optional)</label>"#,
            r#"<input id="new-ends" type="datetime-local" name="ends_at" aria-describedby="new-window-hint">"#,
            r#"<small id="new-window-hint" class="hint">Times in UTC. Active from the start up to, not including, the end.</small></div>"#,
            r#"<div class="field"><label for="new-limit">Usage limit (optional)</label>"#,
            r#"<input id="new-limit" type="number" name="usage_limit" min="1" step="1" aria-describedby="new-limit-hint">"#,
            r#"<small id="new-limit-hint" class="hint">Orders in all; none for no limit.</small></div>"#,
            r#"<div class="field"><label for="new-collections">Collections (optional)</label>"#,
            r#"<input id="new-collections" type="text" name="collections" autocomplete="off" aria-describedby="new-collections-hint">"#,
            r#"<small id="new-collections-hint" class="hint">Collection handles, comma-separated (apparel, outdoor); none for every product.</small></div>"#,
            r#"<label class="confirm">"#,
            r#"<input type="checkbox" name="once_per_email" value="true"> Once per e-mail address</label>"#,
            r#"<button type="submit">Create code</button></form>"#
        ),
        csrf = crate::seo::xml_escape(csrf),
        unit = currency.code()
    )
}

#[cfg(test)]
mod tests;
