//! One call in flight per key in this isolate: a request that needs what a call already in
//! flight will answer waits for that answer instead of making the same call.
//!
//! A hot product page reads its stock counters once per `SHOWN_STOCK_TTL_MS`; when they expire,
//! every request in flight for the page missed them at once and each called the shard, a burst
//! of identical object calls every few seconds, which is where the page's slowest answers came
//! from. With [`Flights::run`], the first request calls and the others wait for its answer, which
//! is as fresh as their own call would have been (it was made after they found the counters
//! expired, or while they did).
//!
//! A waiter whose flight failed, or was dropped (its request went away), makes its own call.

use std::cell::RefCell;
use std::collections::HashMap;
use std::future::Future;
use std::hash::Hash;
use std::pin::Pin;
use std::rc::Rc;
use std::task::{Context, Poll, Waker};

enum State<V> {
    /// The call is in flight; these wait for it.
    Flying(Vec<Waker>),
    /// The call's answer, or `None` when it failed or was dropped.
    Landed(Option<V>),
}

type Slot<V> = Rc<RefCell<State<V>>>;

/// The calls in flight, by key.
pub struct Flights<K, V> {
    flying: RefCell<HashMap<K, Slot<V>>>,
}

impl<K, V> Default for Flights<K, V> {
    fn default() -> Self {
        Flights {
            flying: RefCell::new(HashMap::new()),
        }
    }
}

impl<K: Eq + Hash + Clone, V: Clone> Flights<K, V> {
    /// `call()`'s answer, or that of the call for `key` already in flight.
    pub async fn run<E, F>(&self, key: K, call: impl FnOnce() -> F) -> Result<V, E>
    where
        F: Future<Output = Result<V, E>>,
    {
        let joined = self.flying.borrow().get(&key).cloned();
        if let Some(slot) = joined {
            if let Some(value) = (Wait { slot }).await {
                return Ok(value);
            }
            return call().await;
        }
        let slot: Slot<V> = Rc::new(RefCell::new(State::Flying(Vec::new())));
        self.flying.borrow_mut().insert(key.clone(), slot.clone());
        let mut landing = Landing {
            flights: self,
            key,
            slot,
            value: None,
        };
        let answer = call().await;
        landing.value = answer.as_ref().ok().cloned();
        answer
    }

    /// How many calls are in flight.
    #[cfg(test)]
    fn in_flight(&self) -> usize {
        self.flying.borrow().len()
    }
}

/// Lands the flight when the caller's future ends or is dropped: the key is free for the next
/// call, and every waiter wakes with the answer (or none).
struct Landing<'a, K: Eq + Hash, V> {
    flights: &'a Flights<K, V>,
    key: K,
    slot: Slot<V>,
    value: Option<V>,
}

impl<K: Eq + Hash, V> Drop for Landing<'_, K, V> {
    fn drop(&mut self) {
        let mut flying = self.flights.flying.borrow_mut();
        if flying
            .get(&self.key)
            .is_some_and(|s| Rc::ptr_eq(s, &self.slot))
        {
            flying.remove(&self.key);
        }
        drop(flying);
        let landed = State::Landed(self.value.take());
        if let State::Flying(wakers) = self.slot.replace(landed) {
            wakers.into_iter().for_each(Waker::wake);
        }
    }
}

/// Waits for a flight to land.
struct Wait<V> {
    slot: Slot<V>,
}

impl<V: Clone> Future for Wait<V> {
    type Output = Option<V>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<V>> {
        match &mut *self.slot.borrow_mut() {
            State::Landed(value) => Poll::Ready(value.clone()),
            State::Flying(wakers) => {
                if !wakers.iter().any(|w| w.will_wake(cx.waker())) {
                    wakers.push(cx.waker().clone());
                }
                Poll::Pending
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::cell::Cell;

    /// A future pending until its gate opens.
    struct Gate(Rc<Cell<bool>>);

    impl Future for Gate {
        type Output = ();
        fn poll(self: Pin<&mut Self>, _cx: &mut Context<'_>) -> Poll<()> {
            if self.0.get() {
                Poll::Ready(())
            } else {
                Poll::Pending
            }
        }
    }

    fn poll<F: Future>(f: Pin<&mut F>) -> Poll<F::Output> {
        f.poll(&mut Context::from_waker(Waker::noop()))
    }

    /// A call through `flights` that counts itself, answers `answer` once `gate` opens.
    async fn counted(
        flights: &Flights<&'static str, u32>,
        calls: &Cell<u32>,
        gate: &Rc<Cell<bool>>,
        answer: Result<u32, &'static str>,
    ) -> Result<u32, &'static str> {
        flights
            .run("rain-jacket", || async {
                calls.set(calls.get() + 1);
                Gate(gate.clone()).await;
                answer
            })
            .await
    }

    #[test]
    fn requests_during_a_call_share_its_answer_and_the_next_one_calls_again() {
        let flights = Flights::default();
        let (calls, gate) = (Cell::new(0), Rc::new(Cell::new(false)));
        let mut first = Box::pin(counted(&flights, &calls, &gate, Ok(7)));
        let mut second = Box::pin(counted(&flights, &calls, &gate, Ok(8)));
        let mut third = Box::pin(counted(&flights, &calls, &gate, Ok(9)));
        assert!(poll(first.as_mut()).is_pending());
        assert!(poll(second.as_mut()).is_pending());
        assert!(poll(third.as_mut()).is_pending());
        assert_eq!(
            (calls.get(), flights.in_flight()),
            (1, 1),
            "one call in flight"
        );
        gate.set(true);
        assert_eq!(
            poll(second.as_mut()),
            Poll::Pending,
            "waits for the call, not its own"
        );
        assert_eq!(poll(first.as_mut()), Poll::Ready(Ok(7)));
        assert_eq!(poll(second.as_mut()), Poll::Ready(Ok(7)));
        assert_eq!(poll(third.as_mut()), Poll::Ready(Ok(7)));
        assert_eq!((calls.get(), flights.in_flight()), (1, 0));
        // Landed: the next request calls afresh.
        let mut later = Box::pin(counted(&flights, &calls, &gate, Ok(10)));
        assert_eq!(poll(later.as_mut()), Poll::Ready(Ok(10)));
        assert_eq!(calls.get(), 2);
    }

    #[test]
    fn a_failed_or_dropped_call_leaves_each_waiter_to_call_itself() {
        let flights = Flights::default();
        let (calls, gate) = (Cell::new(0), Rc::new(Cell::new(false)));
        let mut failing = Box::pin(counted(&flights, &calls, &gate, Err("shard down")));
        let mut waiting = Box::pin(counted(&flights, &calls, &gate, Ok(5)));
        assert!(poll(failing.as_mut()).is_pending());
        assert!(poll(waiting.as_mut()).is_pending());
        gate.set(true);
        assert_eq!(poll(failing.as_mut()), Poll::Ready(Err("shard down")));
        assert_eq!(poll(waiting.as_mut()), Poll::Ready(Ok(5)), "its own call");
        assert_eq!((calls.get(), flights.in_flight()), (2, 0));

        gate.set(false);
        let mut dropped = Box::pin(counted(&flights, &calls, &gate, Ok(1)));
        let mut waiting = Box::pin(counted(&flights, &calls, &gate, Ok(2)));
        assert!(poll(dropped.as_mut()).is_pending());
        assert!(poll(waiting.as_mut()).is_pending());
        drop(dropped);
        assert_eq!(flights.in_flight(), 0, "the key is free again");
        gate.set(true);
        assert_eq!(poll(waiting.as_mut()), Poll::Ready(Ok(2)));
        assert_eq!(calls.get(), 4);
    }
}
