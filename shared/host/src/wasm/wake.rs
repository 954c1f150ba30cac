//! [`Waker`] for proxy-wasm streams. All streams of a plugin on one worker share one VM
//! (one thread), so a wake is a stream id queued in the VM. The queue is drained when the
//! callback that woke returns (its filter no longer borrowed): for each live stream the host
//! makes it the effective context (`proxy_set_effective_context`, so header changes and
//! `proxy_continue_stream` act on it), runs its `on_wake`, and restores the caller's context.

use super::abi;
use crate::{LogLevel, Waker};
use std::cell::RefCell;
use std::collections::HashMap;
use std::rc::Weak;

/// A stream the host can wake.
pub trait Wakeable {
    /// Runs the filter's `on_wake` in this stream.
    fn wake(&mut self);
}

type Target = Weak<RefCell<dyn Wakeable>>;

thread_local! {
    static STREAMS: RefCell<HashMap<u32, Target>> = RefCell::new(HashMap::new());
    static PENDING: RefCell<Vec<u32>> = const { RefCell::new(Vec::new()) };
}

/// Makes stream `context_id` wakeable.
pub fn register(context_id: u32, stream: Target) {
    STREAMS.with(|s| s.borrow_mut().insert(context_id, stream));
}

/// Forgets stream `context_id` (it ended): later wakes of it do nothing.
pub fn unregister(context_id: u32) {
    STREAMS.with(|s| s.borrow_mut().remove(&context_id));
}

/// The waker of stream `context_id`.
pub struct ContextWaker(pub u32);

impl Waker for ContextWaker {
    fn wake(&self) {
        PENDING.with(|p| p.borrow_mut().push(self.0));
    }
}

/// Delivers queued wakes; `current` is the context of the callback that is returning.
pub fn drain(current: u32) {
    let mut switched = false;
    loop {
        let pending = PENDING.with(|p| std::mem::take(&mut *p.borrow_mut()));
        if pending.is_empty() {
            break;
        }
        for id in pending {
            let Some(target) = STREAMS.with(|s| s.borrow().get(&id).and_then(Weak::upgrade)) else {
                continue;
            };
            let Ok(mut stream) = target.try_borrow_mut() else {
                continue;
            };
            if let Err(status) = abi::set_effective_context(id) {
                super::host::log_line(
                    LogLevel::Warn,
                    &format!("wake of stream {id} dropped: set_effective_context: {status}"),
                );
                continue;
            }
            switched = true;
            stream.wake();
        }
    }
    if switched && let Err(status) = abi::set_effective_context(current) {
        super::host::log_line(
            LogLevel::Warn,
            &format!("set_effective_context back to stream {current}: {status}"),
        );
    }
}
