//! The `envoy.service.ratelimit.v3` gRPC service: reserve at request time, settle at stream
//! end, and the `retry-after` / `x-ratelimit-*` headers of the answer.

use std::time::{SystemTime, UNIX_EPOCH};

use envoy_types::pb::envoy::config::core::v3::HeaderValue;
use envoy_types::pb::envoy::service::ratelimit::v3::rate_limit_response::rate_limit::Unit;
use envoy_types::pb::envoy::service::ratelimit::v3::rate_limit_response::{
    Code, DescriptorStatus, RateLimit as LimitInfo,
};
use envoy_types::pb::envoy::service::ratelimit::v3::rate_limit_service_server::RateLimitService;
use envoy_types::pb::envoy::service::ratelimit::v3::{RateLimitRequest, RateLimitResponse};
use envoy_types::pb::google::protobuf::Duration;
use tonic::{Request, Response, Status};

use crate::config::rate_limit::Window;
use crate::ratelimit::descriptor::{self, Charge, Phase};
use crate::ratelimit::store::{Op, Store};

/// Seconds a counter outlives its window (clock skew between service instances).
const TTL_SLACK: u64 = 60;

/// The rate-limit service over one counter store.
pub struct RateLimiter {
    store: Store,
}

impl RateLimiter {
    /// A service counting in `store`.
    pub fn new(store: Store) -> Self {
        Self { store }
    }

    /// Answers one request at Unix time `now` (seconds).
    pub async fn decide(
        &self,
        req: &RateLimitRequest,
        now: u64,
    ) -> Result<RateLimitResponse, Status> {
        let mut charges = Vec::with_capacity(req.descriptors.len());
        for (i, d) in req.descriptors.iter().enumerate() {
            let charge = descriptor::parse(d, req.hits_addend)
                .map_err(|e| Status::invalid_argument(format!("descriptors[{i}]: {e}")))?;
            charges.push(charge);
        }
        let ours: Vec<(usize, &Charge)> = charges
            .iter()
            .enumerate()
            .filter_map(|(i, c)| c.as_ref().map(|c| (i, c)))
            .collect();
        let mut statuses: Vec<DescriptorStatus> = req
            .descriptors
            .iter()
            .map(|_| DescriptorStatus {
                code: Code::Ok as i32,
                ..Default::default()
            })
            .collect();

        let settles: Vec<Op> = ours
            .iter()
            .filter_map(|(_, c)| match c.phase {
                Phase::Settle { reserved } => {
                    let amount = i64::try_from(c.hits).unwrap_or(i64::MAX)
                        - i64::try_from(reserved).unwrap_or(i64::MAX);
                    Some(op(c, amount, now))
                }
                Phase::Reserve => None,
            })
            .collect();
        if !settles.is_empty() {
            self.store
                .settle(&settles)
                .await
                .map_err(Status::unavailable)?;
        }

        let reserves: Vec<(usize, &Charge)> = ours
            .into_iter()
            .filter(|(_, c)| c.phase == Phase::Reserve)
            .collect();
        if reserves.is_empty() {
            return Ok(RateLimitResponse {
                overall_code: Code::Ok as i32,
                statuses,
                ..Default::default()
            });
        }
        let ops: Vec<Op> = reserves
            .iter()
            .map(|(_, c)| op(c, i64::try_from(c.hits).unwrap_or(i64::MAX), now))
            .collect();
        let admission = self
            .store
            .reserve(&ops)
            .await
            .map_err(Status::unavailable)?;

        // The budget the answer's headers describe: a refusing one (the latest to reset), else
        // the one with the least left.
        let mut shown: Option<Shown> = None;
        for ((i, c), used) in reserves.iter().zip(&admission.used) {
            let refused = !admission.admitted && used.saturating_add(c.hits) > c.budget;
            let remaining = c.budget.saturating_sub(*used);
            let reset = reset_in(c.window, now);
            statuses[*i] = DescriptorStatus {
                code: if refused { Code::OverLimit } else { Code::Ok } as i32,
                current_limit: Some(LimitInfo {
                    name: c.limit.clone(),
                    requests_per_unit: u32::try_from(c.budget).unwrap_or(u32::MAX),
                    unit: unit(c.window) as i32,
                }),
                limit_remaining: u32::try_from(remaining).unwrap_or(u32::MAX),
                duration_until_reset: Some(Duration {
                    seconds: i64::try_from(reset).unwrap_or(i64::MAX),
                    nanos: 0,
                }),
                quota: None,
            };
            let candidate = Shown {
                refused,
                budget: c.budget,
                remaining,
                reset,
            };
            if shown
                .as_ref()
                .is_none_or(|best| candidate.rank() > best.rank())
            {
                shown = Some(candidate);
            }
        }
        let mut headers = Vec::new();
        if let Some(s) = shown {
            headers.push(header("x-ratelimit-limit", s.budget));
            headers.push(header("x-ratelimit-remaining", s.remaining));
            headers.push(header("x-ratelimit-reset", s.reset));
            if s.refused {
                headers.push(header("retry-after", s.reset));
            }
        }
        Ok(RateLimitResponse {
            overall_code: if admission.admitted {
                Code::Ok
            } else {
                Code::OverLimit
            } as i32,
            statuses,
            response_headers_to_add: headers,
            ..Default::default()
        })
    }
}

#[tonic::async_trait]
impl RateLimitService for RateLimiter {
    async fn should_rate_limit(
        &self,
        request: Request<RateLimitRequest>,
    ) -> Result<Response<RateLimitResponse>, Status> {
        let now = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| d.as_secs());
        let answer = self.decide(request.get_ref(), now).await;
        if let Err(status) = &answer {
            eprintln!("aigw ratelimit: {}", status.message());
        }
        answer.map(Response::new)
    }
}

/// The limit an answer's headers describe.
struct Shown {
    refused: bool,
    budget: u64,
    remaining: u64,
    reset: u64,
}

impl Shown {
    /// Larger is shown: a refusing limit (the latest to reset) before any admitting one,
    /// then the one with the least left.
    fn rank(&self) -> (bool, u64, u64) {
        let reset = if self.refused { self.reset } else { 0 };
        (self.refused, reset, u64::MAX - self.remaining)
    }
}

fn op(c: &Charge, amount: i64, now: u64) -> Op {
    let len = c.window.seconds();
    Op {
        counter: c.counter(now - now % len),
        budget: c.budget,
        amount,
        ttl: reset_in(c.window, now) + TTL_SLACK,
    }
}

/// Seconds until the window holding `now` ends.
fn reset_in(window: Window, now: u64) -> u64 {
    let len = window.seconds();
    len - now % len
}

fn unit(window: Window) -> Unit {
    match window {
        Window::Minute => Unit::Minute,
        Window::Hour => Unit::Hour,
        Window::Day => Unit::Day,
    }
}

fn header(key: &str, value: u64) -> HeaderValue {
    HeaderValue {
        key: key.into(),
        value: value.to_string(),
        ..Default::default()
    }
}

#[cfg(test)]
#[path = "service_tests.rs"]
mod tests;
