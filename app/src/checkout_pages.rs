//! The cart and order pages. Plain HTML forms: they work without JavaScript, and each post
//! redirects back (post/redirect/get). A refused one (say, an unknown discount code) renders the
//! cart again with its reason at the top ([`CartView::error`]).

use crate::countries::{address_lines, country_choices, country_label};
use crate::islands::{
    sums_rows, CartDiscount, DeliveryChoice, DiscountCode, QuantityStepper, ShipOption, Sums,
};
use domain::cart::{CartQuote, PricedCart};
use domain::order::{Order, OrderStatus};
use domain::Money;
use leptos::either::Either;
use leptos::prelude::*;

/// Everything the cart page shows.
#[derive(Debug, Clone)]
pub struct CartView {
    pub cart: PricedCart,
    /// A problem with the last action, shown above the cart (already in plain words).
    pub error: Option<String>,
    /// A neutral message, e.g. after a cancelled payment.
    pub notice: Option<String>,
    /// The e-mail to prefill in the checkout form.
    pub email: String,
    /// Each product's picture (its first image's address), by product handle.
    pub images: std::collections::HashMap<String, String>,
    /// Where the cart ships, the rates on offer and the totals (`None` in a shop without
    /// shipping and tax settings: the page shows the subtotal only).
    pub quote: Option<domain::cart::CartQuote>,
    /// Every country the shop ships to, for the destination select.
    pub countries: Vec<domain::settings::Country>,
}

#[component]
pub fn CartPage(view: CartView) -> impl IntoView {
    let CartView {
        cart,
        error,
        notice,
        email,
        images,
        quote,
        countries,
    } = view;
    let currency = cart.currency;
    let error =
        error.map(|e| view! { <p class="alert" role="alert">{crate::islands::sentence(&e)}</p> });
    let notice = notice.map(|n| view! { <p class="notice" role="status">{n}</p> });
    if cart.lines.is_empty() {
        return Either::Left(view! {
            <h1>"Your cart"</h1>
            {error}
            {notice}
            <p class="empty">"Your cart is empty. " <a href="/">"Continue shopping"</a></p>
        });
    }
    let can_checkout = cart.unavailable().next().is_none();
    let rows = cart
        .lines
        .iter()
        .map(|l| {
            let sku = l.sku.to_string();
            let link = l
                .product_handle
                .as_ref()
                .map(|h| format!("/products/{h}?variant={sku}"));
            let title = match link {
                Some(href) => Either::Left(view! { <a href=href>{l.title.clone()}</a> }),
                None => Either::Right(view! { <span>{l.title.clone()}</span> }),
            };
            let (row_sku, shown_sku, update_sku) = (sku.clone(), sku.clone(), sku.clone());
            // Decorative beside the title, which says what it is.
            let picture = l
                .product_handle
                .as_ref()
                .and_then(|h| images.get(h))
                .map(|src| view! { <img class="thumb" src=src.clone() alt="" width="56" height="56" loading="lazy"/> });
            view! {
                <tr data-sku=row_sku>
                    <th scope="row"><div class="item">{picture}<div>{title}<br/><small class="sku">{shown_sku}</small></div></div></th>
                    <td class="num" data-label="Price">{Money::new(l.unit_price, currency).to_string()}</td>
                    <td data-label="Quantity">
                        <QuantityStepper sku=update_sku quantity=l.quantity label=l.title.clone()/>
                    </td>
                    <td class="num line-total" data-label="Total">{Money::new(l.line_total, currency).to_string()}</td>
                    <td>
                        <form class="inline" method="post" action="/cart/remove">
                            <input type="hidden" name="sku" value=sku/>
                            <button type="submit" class="link">"Remove"</button>
                        </form>
                    </td>
                </tr>
            }
        })
        .collect_view();
    // With a quote, the subtotal is the first row of the totals below the table.
    let (footer, summary) = match quote {
        Some(q) => (None, Some(summary(q, &countries, currency))),
        None => (
            Some(view! {
                <tfoot>
                    <tr>
                        <th scope="row" colspan="3">"Subtotal"</th>
                        <td class="num subtotal">{cart.subtotal_money().to_string()}</td>
                        <td></td>
                    </tr>
                </tfoot>
            }),
            None,
        ),
    };
    Either::Right(view! {
        <h1>"Your cart"</h1>
        {error}
        {notice}
        <table class="cart">
            <caption class="visually-hidden">"Items in your cart"</caption>
            <thead>
                <tr>
                    <th scope="col">"Item"</th>
                    <th scope="col" class="num">"Price"</th>
                    <th scope="col">"Quantity"</th>
                    <th scope="col" class="num">"Total"</th>
                    <th scope="col"><span class="visually-hidden">"Actions"</span></th>
                </tr>
            </thead>
            <tbody>{rows}</tbody>
            {footer}
        </table>
        {summary}
        <form class="checkout" method="post" action="/checkout">
            <label for="email">"E-mail for your receipt"</label>
            <input id="email" type="email" name="email" value=email autocomplete="email" required maxlength="254"/>
            <button type="submit" disabled=!can_checkout>"Check out"</button>
        </form>
    })
}

/// What a quoted cart costs delivered: the delivery island beside the discount code island and
/// the totals, each island's props as plain data. The totals are static markup, which both
/// islands redraw.
fn summary(
    q: CartQuote,
    countries: &[domain::settings::Country],
    currency: domain::Currency,
) -> impl IntoView {
    let options: Vec<ShipOption> = q
        .options
        .into_iter()
        .map(|o| ShipOption {
            id: o.id,
            name: o.name,
            amount: o.amount,
            delivery: o.delivery,
        })
        .collect();
    let sums = Sums::of_totals(&q.totals);
    let discount = q.discount.as_ref().map(CartDiscount::of_quote);
    let code = discount.as_ref().map(|d| d.code.clone());
    view! {
        <div class="cart-summary">
            <DeliveryChoice
                currency=currency.code().to_owned()
                countries=country_choices(countries, &q.country)
                country=q.country.code().to_owned()
                rate=q.rate
                options=options
            />
            <div class="cart-sums">
                <DiscountCode currency=currency.code().to_owned() discount=discount sums=sums/>
                <dl class="totals" data-tax-included=sums.tax_included.to_string()>
                    {sums_rows(sums, currency, None, code)}
                </dl>
            </div>
        </div>
    }
}

/// `watching`: whether the page still checks for the payment (its watch, or its reloads
/// without JavaScript) while the order waits for it.
#[component]
pub fn OrderPage(order: Order, watching: bool) -> impl IntoView {
    let currency = order.currency;
    let (heading, message) = match order.status {
        OrderStatus::Paid => (
            "Thank you for your order",
            "Your payment was received. We will send a receipt to your e-mail.",
        ),
        OrderStatus::AwaitingPayment | OrderStatus::Pending => (
            "Waiting for your payment",
            if watching {
                "We have not heard from the payment service yet. If you just paid, this page updates by itself in a moment."
            } else {
                "We have not heard from the payment service yet."
            },
        ),
        OrderStatus::Expired => (
            "This order expired",
            "The payment was not completed in time, so the items went back on the shelf.",
        ),
        OrderStatus::Failed => (
            "This order could not be completed",
            "Nothing was charged. Your cart still holds your items.",
        ),
        OrderStatus::Fulfilled => (
            "Your order is on its way",
            "We have sent your items. Thank you for shopping with us.",
        ),
        OrderStatus::Refunded => (
            "This order was refunded",
            "The payment was refunded to your card.",
        ),
    };
    let pay = (order.status == OrderStatus::AwaitingPayment)
        .then(|| order.payment_url.clone())
        .flatten()
        .map(|url| view! { <p><a class="button" href=url>"Go to payment"</a></p> });
    let waiting = matches!(
        order.status,
        OrderStatus::AwaitingPayment | OrderStatus::Pending
    );
    let watch = waiting.then(|| {
        if watching {
            Either::Left(view! { <crate::islands::PaymentWatch order_id=order.id.clone()/> })
        } else {
            Either::Right(view! {
                <p id="payment-watch" class="notice" role="status">{crate::islands::PAYMENT_WATCH_GAVE_UP}</p>
            })
        }
    });
    let rows = order
        .lines
        .iter()
        .map(|l| {
            view! {
                <tr>
                    <th scope="row">{l.title.clone()}</th>
                    <td class="num" data-label="Quantity">{l.quantity}</td>
                    <td class="num" data-label="Total">{Money::new(l.line_total, currency).to_string()}</td>
                </tr>
            }
        })
        .collect_view();
    let total = Money::new(order.total, currency).to_string();
    // With the breakdown, the total is its last row; without, the table's footer.
    let footer = order.charges.is_none().then(|| {
        view! {
            <tfoot>
                <tr>
                    <th scope="row" colspan="2">"Total"</th>
                    <td class="num" data-total="total">{total}</td>
                </tr>
            </tfoot>
        }
    });
    let rate_name = order.delivery.as_ref().map(|d| d.rate_name.clone());
    let code = order.discount.as_ref().map(|d| d.code.clone());
    let breakdown = order.charges.map(|c| {
        view! { <dl class="totals">{sums_rows(Sums::of_charges(&c, order.total), currency, rate_name, code)}</dl> }
    });
    let delivery = order.delivery.map(order_delivery);
    view! {
        <h1>{heading}</h1>
        <p class="status" data-status=format!("{:?}", order.status).to_ascii_lowercase()>
            "Order " <code>{order.id.clone()}</code> " · " <strong>{order.status.label()}</strong>
        </p>
        <p>{message}</p>
        {watch}
        {pay}
        <table class="cart">
            <caption class="visually-hidden">"Items in this order"</caption>
            <thead>
                <tr>
                    <th scope="col">"Item"</th>
                    <th scope="col" class="num">"Quantity"</th>
                    <th scope="col" class="num">"Total"</th>
                </tr>
            </thead>
            <tbody>{rows}</tbody>
            {footer}
        </table>
        <div class="order-summary">
            {delivery}
            {breakdown}
        </div>
        <p><a href="/">"Continue shopping"</a></p>
    }
}

/// Where an order ships: the rate, and the address once the payment page collected it (until
/// then the country).
fn order_delivery(d: domain::order::Delivery) -> impl IntoView {
    let to = match d.address {
        Some(a) => Either::Left(view! {
            <address data-address="">
                {address_lines(a.lines()).into_iter().map(|l| view! { <span>{l}</span> }).collect_view()}
            </address>
        }),
        None => Either::Right(view! {
            <p data-country=d.country.code().to_owned()>{format!("To {}", country_label(d.country.code()))}</p>
        }),
    };
    view! {
        <section class="delivery panel" aria-labelledby="delivery-heading">
            <h2 id="delivery-heading">"Delivery"</h2>
            <p data-rate=d.rate>{d.rate_name}</p>
            {to}
        </section>
    }
}
