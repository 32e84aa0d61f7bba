//! One Durable Object per order, named by its unguessable id.

use crate::error::AppError;
use crate::mail::Mailer;
use crate::objects::order_index::OrderIndex;
use crate::objects::protocol::{ApplyToOrder, CreateOrder, GetOrder, OrderRequest};
use crate::objects::stored;
use crate::platform::{self, answer, call};
use domain::order::{Order, OrderEvent, Transition};
use std::cell::{Cell, RefCell};
use worker::{durable_object, Env, Request, Response, State};

const KEY: &str = "order";

#[durable_object]
pub struct OrderObject {
    state: State,
    env: Env,
    order: RefCell<Option<Order>>,
    /// The alarm this instance last set (Unix ms), so a save moves it only when it changes.
    alarm_at: Cell<Option<i64>>,
}

impl OrderObject {
    async fn load(&self) -> worker::Result<Option<Order>> {
        if let Some(o) = self.order.borrow().clone() {
            return Ok(Some(o));
        }
        let stored: Option<Order> = stored::read(&self.state.storage(), KEY).await?;
        self.order.borrow_mut().clone_from(&stored);
        Ok(stored)
    }

    /// Writes `order`, and sets the alarm for its next due e-mail.
    async fn save(&self, order: &Order) -> worker::Result<()> {
        let storage = self.state.storage();
        stored::write(&storage, KEY, order).await?;
        *self.order.borrow_mut() = Some(order.clone());
        if let Some(at) = order.next_notice_at() {
            if self.alarm_at.get() != Some(at) {
                storage
                    .set_alarm((at - platform::now_ms()).max(0) + 1)
                    .await?;
                self.alarm_at.set(Some(at));
            }
        }
        Ok(())
    }

    /// Sends the order's due e-mails, one attempt each: the attempt is stored before the send
    /// (a crash mid-send is retried after the backoff, never forgotten), the outcome after it,
    /// and the merchant's list follows.
    async fn send_due(&self) -> worker::Result<()> {
        let Some(mut order) = self.load().await? else {
            return Ok(());
        };
        let due = order.due_notices(platform::now_ms());
        if due.is_empty() {
            return Ok(());
        }
        let config =
            crate::config::of(&self.env).map_err(|e| worker::Error::RustError(e.to_string()))?;
        let mailer = Mailer::new(&config);
        for kind in due {
            if !order.begin_attempt(kind, platform::now_ms(), config.email_retry_base_ms) {
                continue;
            }
            self.save(&order).await?;
            let email = domain::order::receipt::email(&order, kind, app::shell::SHOP_NAME);
            match mailer
                .send(&order.email, &email, kind.as_str(), &order.id)
                .await
            {
                Ok(id) => order.notice_sent(kind, id, platform::now_ms()),
                Err(why) => order.notice_failed(kind, &why),
            };
            self.save(&order).await?;
        }
        if let Err(e) = OrderIndex::from_env(&self.env)?.record(&order).await {
            worker::console_error!("order index not updated for {}: {e}", order.id);
        }
        Ok(())
    }
}

impl worker::DurableObject for OrderObject {
    fn new(state: State, env: Env) -> Self {
        OrderObject {
            state,
            env,
            order: RefCell::new(None),
            alarm_at: Cell::new(None),
        }
    }

    async fn alarm(&self) -> worker::Result<Response> {
        // This alarm has fired: whatever comes next must be scheduled again.
        self.alarm_at.set(None);
        self.send_due().await?;
        Response::empty()
    }

    async fn fetch(&self, mut req: Request) -> worker::Result<Response> {
        let request: OrderRequest = crate::platform::command(&mut req).await?;
        let existing = self.load().await?;
        match request {
            OrderRequest::Get(GetOrder) => answer::<GetOrder>(&existing),
            OrderRequest::Create(CreateOrder { order }) => match existing {
                Some(o) => answer::<CreateOrder>(&(o, Transition::Unchanged)),
                None => {
                    self.save(&order).await?;
                    answer::<CreateOrder>(&(*order, Transition::Changed))
                }
            },
            OrderRequest::Apply(ApplyToOrder { event }) => {
                let Some(mut order) = existing else {
                    return answer::<ApplyToOrder>(&None);
                };
                let transition = order.apply(&event);
                if transition == Transition::Changed {
                    self.save(&order).await?;
                }
                answer::<ApplyToOrder>(&Some((order, transition)))
            }
        }
    }
}

/// The worker's side of orders.
pub struct Orders {
    ns: worker::ObjectNamespace,
    pub index: OrderIndex,
}

impl Orders {
    pub const BINDING: &'static str = "ORDERS";

    pub fn from_env(env: &Env) -> worker::Result<Self> {
        Ok(Orders {
            ns: env.durable_object(Self::BINDING)?,
            index: OrderIndex::from_env(env)?,
        })
    }

    /// Stores `order` unless it exists; answers the stored one. The merchant's list shows an
    /// order from its first change on (a payment session, or a failure): a checkout in its
    /// first milliseconds is not worth a write to the one index object, on every checkout.
    pub async fn create(&self, order: Order) -> Result<Order, AppError> {
        let id = order.id.clone();
        let order = Box::new(order);
        let (order, _) = call(&self.ns, &id, CreateOrder { order }).await?;
        Ok(order)
    }

    pub async fn get(&self, id: &str) -> Result<Option<Order>, AppError> {
        call(&self.ns, id, GetOrder).await
    }

    /// Applies `event`; `None` if there is no such order. The merchant's list follows changes.
    pub async fn apply(
        &self,
        id: &str,
        event: OrderEvent,
    ) -> Result<Option<(Order, Transition)>, AppError> {
        let applied = call(&self.ns, id, ApplyToOrder { event }).await?;
        if let Some((order, Transition::Changed)) = &applied {
            self.index.record(order).await?;
        }
        Ok(applied)
    }
}
