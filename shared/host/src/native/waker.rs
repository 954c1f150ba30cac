//! [`Waker`] over Envoy's per-stream scheduler: a wake commits an event that Envoy runs on
//! the stream's worker as `on_http_filter_scheduled`, which calls the filter's `on_wake`.

use super::abi::{self, FilterEnvoyPtr, SchedulerPtr};
use crate::Waker;

/// Event id of a wake (the only scheduled event the host uses).
pub const WAKE_EVENT: u64 = 1;

/// A stream's scheduler, released when dropped.
pub struct SchedulerWaker {
    scheduler: SchedulerPtr,
}

impl SchedulerWaker {
    /// A waker for the live stream `envoy` (called during one of its hooks).
    pub fn new(envoy: FilterEnvoyPtr) -> Self {
        // SAFETY: `envoy` is the live stream pointer of the current hook.
        let scheduler =
            unsafe { abi::envoy_dynamic_module_callback_http_filter_scheduler_new(envoy) };
        Self { scheduler }
    }
}

impl Waker for SchedulerWaker {
    fn wake(&self) {
        if self.scheduler.is_null() {
            return;
        }
        // SAFETY: the scheduler is ours until dropped; Envoy posts the event to the stream's
        // dispatcher and drops it when the stream is gone.
        unsafe {
            abi::envoy_dynamic_module_callback_http_filter_scheduler_commit(
                self.scheduler,
                WAKE_EVENT,
            )
        };
    }
}

impl Drop for SchedulerWaker {
    fn drop(&mut self) {
        if !self.scheduler.is_null() {
            // SAFETY: created by `scheduler_new`, deleted exactly once.
            unsafe {
                abi::envoy_dynamic_module_callback_http_filter_scheduler_delete(self.scheduler)
            };
        }
    }
}
