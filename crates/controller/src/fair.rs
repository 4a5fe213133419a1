//! The IAM call budget (`--iam-calls-per-second`), shared fairly between tenants.
//!
//! Why not one queue: with a single first-come queue, whoever asks most gets most. A tenant
//! whose set changes many times a second keeps a call waiting at all times and takes the
//! budget from everyone else. Here each tenant (namespace) waits in its own queue, and each
//! slot goes to the next tenant in turn: a tenant alone gets the whole budget, two busy tenants
//! get half each, however often either asks.

use std::collections::{HashMap, VecDeque};
use std::sync::{Arc, Mutex, MutexGuard};

use tokio::sync::oneshot;
use tokio::time::{Duration, Instant};

tokio::task_local! {
    /// Whose reconcile this is: every IAM call made inside it is charged to this tenant.
    pub static TENANT: Arc<str>;
}

/// Spaces calls `interval` apart across the process, serving tenants in turn.
pub struct FairLimiter {
    interval: Duration,
    state: Arc<Mutex<State>>,
}

#[derive(Default)]
struct State {
    /// The earliest instant the next slot may be given.
    next: Option<Instant>,
    /// The callers waiting, per tenant, oldest first.
    waiting: HashMap<Arc<str>, VecDeque<oneshot::Sender<()>>>,
    /// Tenants with callers waiting, in the order they are served.
    turn: VecDeque<Arc<str>>,
    /// Whether a task is handing out slots.
    dispatching: bool,
}

fn lock(state: &Mutex<State>) -> MutexGuard<'_, State> {
    // Nothing here can leave the state half-changed; a poisoned lock is still usable.
    state.lock().unwrap_or_else(|e| e.into_inner())
}

impl FairLimiter {
    pub fn new(interval: Duration) -> Self {
        FairLimiter {
            interval,
            state: Arc::new(Mutex::new(State::default())),
        }
    }

    /// Waits for a slot, charged to the current [`TENANT`] (calls outside a reconcile share
    /// one unnamed tenant). Dropping the future (a call timeout) gives up the place in line
    /// without using a slot.
    pub async fn acquire(&self) {
        let tenant = TENANT
            .try_with(Arc::clone)
            .unwrap_or_else(|_| Arc::from(""));
        let rx = {
            let mut guard = lock(&self.state);
            let s = &mut *guard;
            let now = Instant::now();
            if s.turn.is_empty() && s.next.is_none_or(|n| n <= now) {
                s.next = Some(now + self.interval);
                return;
            }
            let (tx, rx) = oneshot::channel();
            let queue = s.waiting.entry(tenant.clone()).or_default();
            if queue.is_empty() {
                s.turn.push_back(tenant);
            }
            queue.push_back(tx);
            if !s.dispatching {
                s.dispatching = true;
                tokio::spawn(dispatch(self.state.clone(), self.interval));
            }
            rx
        };
        let _ = rx.await;
    }
}

/// Hands out one slot per `interval` to the next tenant in turn, until nobody waits.
async fn dispatch(state: Arc<Mutex<State>>, interval: Duration) {
    loop {
        let at = lock(&state).next.unwrap_or_else(Instant::now);
        tokio::time::sleep_until(at).await;
        let mut guard = lock(&state);
        let s = &mut *guard;
        // The next tenant's oldest caller still waiting (one that gave up is skipped).
        while let Some(tenant) = s.turn.pop_front() {
            let Some(queue) = s.waiting.get_mut(&tenant) else {
                continue;
            };
            let caller = queue.pop_front();
            let drained = queue.is_empty();
            if drained {
                s.waiting.remove(&tenant);
            } else {
                s.turn.push_back(tenant);
            }
            if caller.is_some_and(|c| c.send(()).is_ok()) {
                s.next = Some(Instant::now().max(at) + interval);
                break;
            }
        }
        if s.turn.is_empty() {
            s.dispatching = false;
            return;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Tenant `a` queues 20 calls before `b` queues 5: `b` still gets every other slot.
    #[tokio::test]
    async fn tenants_take_turns_however_many_calls_one_queues() {
        let limiter = Arc::new(FairLimiter::new(Duration::from_millis(2)));
        limiter.acquire().await; // the first slot: no wait
        let order = Arc::new(Mutex::new(Vec::new()));
        let mut tasks = Vec::new();
        for (tenant, n) in [("a", 20), ("b", 5)] {
            for _ in 0..n {
                let (limiter, order) = (limiter.clone(), order.clone());
                let tenant: Arc<str> = Arc::from(tenant);
                tasks.push(tokio::spawn(TENANT.scope(tenant.clone(), async move {
                    limiter.acquire().await;
                    order.lock().unwrap().push(tenant);
                })));
                tokio::task::yield_now().await; // queued in this order
            }
        }
        for t in tasks {
            t.await.unwrap();
        }
        let order: Vec<String> = order
            .lock()
            .unwrap()
            .iter()
            .map(|t| t.to_string())
            .collect();
        assert_eq!(order.len(), 25);
        let b_in_first_ten = order[..10].iter().filter(|t| *t == "b").count();
        // A single queue would serve all of a's first (b_in_first_ten == 0).
        assert!(b_in_first_ten >= 4, "{order:?}");
    }

    /// A caller that gives up (its call timed out) does not use a slot.
    #[tokio::test]
    async fn a_caller_that_gives_up_uses_no_slot() {
        let limiter = Arc::new(FairLimiter::new(Duration::from_millis(200)));
        limiter.acquire().await;
        let gave_up = tokio::time::timeout(Duration::from_millis(1), limiter.acquire()).await;
        assert!(gave_up.is_err());
        let started = Instant::now();
        limiter.acquire().await;
        // The slot at +200 ms goes to this caller, not to the one that left (then: +400 ms).
        assert!(started.elapsed() < Duration::from_millis(350));
    }
}
