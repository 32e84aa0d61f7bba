//! One Durable Object per order, named by its unguessable id.

use crate::error::AppError;
use crate::objects::order_index::OrderIndex;
use crate::objects::protocol::{ApplyToOrder, CreateOrder, GetOrder, OrderRequest};
use crate::objects::stored;
use crate::platform::{answer, call};
use domain::order::{Order, OrderEvent, Transition};
use std::cell::RefCell;
use worker::{durable_object, Env, Request, Response, State};

const KEY: &str = "order";

#[durable_object]
pub struct OrderObject {
    state: State,
    order: RefCell<Option<Order>>,
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

    async fn save(&self, order: &Order) -> worker::Result<()> {
        stored::write(&self.state.storage(), KEY, order).await?;
        *self.order.borrow_mut() = Some(order.clone());
        Ok(())
    }
}

impl worker::DurableObject for OrderObject {
    fn new(state: State, _env: Env) -> Self {
        OrderObject {
            state,
            order: RefCell::new(None),
        }
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
