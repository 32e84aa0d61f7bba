//! One Durable Object per cart, named by the cart id in the shopper's cookie.

use crate::error::AppError;
use crate::objects::protocol::{ApplyToCart, CartRequest, GetCart};
use crate::objects::stored;
use crate::platform::{answer, call};
use domain::cart::{Cart, CartCommand, CartError};
use std::cell::{Cell, RefCell};
use wasm_bindgen::JsValue;
use worker::{durable_object, Date, Env, Request, Response, State};

const KEY: &str = "cart";
/// When (Unix ms) the cart last changed; the abandoned-cart alarm compares against it.
const CHANGED_AT: &str = "changed_at";

#[durable_object]
pub struct CartObject {
    state: State,
    env: Env,
    cart: RefCell<Option<Cart>>,
    /// An alarm is known to be scheduled: changes need not set it again.
    alarm_armed: Cell<bool>,
}

impl CartObject {
    /// How long a cart lives without a change (`CART_TTL_SECONDS`).
    fn ttl(&self) -> worker::Result<std::time::Duration> {
        let config =
            crate::config::of(&self.env).map_err(|e| worker::Error::RustError(e.to_string()))?;
        Ok(std::time::Duration::from_secs(config.cart_ttl_seconds))
    }

    async fn load(&self) -> worker::Result<Cart> {
        if let Some(c) = self.cart.borrow().clone() {
            return Ok(c);
        }
        let stored: Option<Cart> = stored::read(&self.state.storage(), KEY).await?;
        let cart = stored.unwrap_or_default();
        *self.cart.borrow_mut() = Some(cart.clone());
        Ok(cart)
    }
}

impl worker::DurableObject for CartObject {
    fn new(state: State, env: Env) -> Self {
        CartObject {
            state,
            env,
            cart: RefCell::new(None),
            alarm_armed: Cell::new(false),
        }
    }

    async fn fetch(&self, mut req: Request) -> worker::Result<Response> {
        let request: CartRequest = crate::platform::command(&mut req).await?;
        let mut cart = self.load().await?;
        match request {
            CartRequest::Get(GetCart) => answer::<GetCart>(&cart),
            CartRequest::Apply(ApplyToCart { command }) => {
                let before = cart.clone();
                if let Err(e) = cart.apply(&command) {
                    return answer::<ApplyToCart>(&Err(e));
                }
                if cart == before {
                    // Nothing changed (a retried checkout, a paid order already removed):
                    // no write, and the abandoned-cart alarm stays where the last change put it.
                    return answer::<ApplyToCart>(&Ok(cart));
                }
                *self.cart.borrow_mut() = Some(cart.clone());
                let storage = self.state.storage();
                // The cart and when it changed, in one storage call.
                let changed_at = JsValue::from_f64(Date::now().as_millis() as f64);
                stored::write_batch(
                    &storage,
                    &[
                        (KEY.to_owned(), stored::encode(&cart)?),
                        (CHANGED_AT.to_owned(), changed_at),
                    ],
                    &[],
                )
                .await?;
                // One alarm at a time, set once: when it fires it deletes the cart only if the
                // last change is older than the TTL, and otherwise moves itself (see `alarm`).
                if !self.alarm_armed.get() {
                    if storage.get_alarm().await?.is_none() {
                        storage.set_alarm(self.ttl()?).await?;
                    }
                    self.alarm_armed.set(true);
                }
                answer::<ApplyToCart>(&Ok(cart))
            }
        }
    }

    async fn alarm(&self) -> worker::Result<Response> {
        let storage = self.state.storage();
        let ttl = self.ttl()?;
        let changed_at: Option<u64> = storage.get(CHANGED_AT).await?;
        let idle = Date::now()
            .as_millis()
            .saturating_sub(changed_at.unwrap_or(0));
        let ttl_ms = u64::try_from(ttl.as_millis()).unwrap_or(u64::MAX);
        if changed_at.is_some() && idle < ttl_ms {
            // Changed since the alarm was set: look again when this change is TTL old.
            storage
                .set_alarm(std::time::Duration::from_millis(ttl_ms - idle))
                .await?;
            self.alarm_armed.set(true);
            return Response::ok("kept");
        }
        storage.delete_all().await?;
        *self.cart.borrow_mut() = Some(Cart::default());
        self.alarm_armed.set(false);
        Response::ok("deleted")
    }
}

/// The worker's side: commands to carts by id.
pub struct Carts {
    ns: worker::ObjectNamespace,
}

impl Carts {
    pub const BINDING: &'static str = "CARTS";

    pub fn from_env(env: &Env) -> worker::Result<Self> {
        Ok(Carts {
            ns: env.durable_object(Self::BINDING)?,
        })
    }

    pub async fn get(&self, id: &str) -> Result<Cart, AppError> {
        call(&self.ns, id, GetCart).await
    }

    /// Applies `command`; the cart's own rule violations come back as `Err(Ok(e))`.
    pub async fn apply(
        &self,
        id: &str,
        command: CartCommand,
    ) -> Result<Result<Cart, CartError>, AppError> {
        call(&self.ns, id, ApplyToCart { command }).await
    }
}
