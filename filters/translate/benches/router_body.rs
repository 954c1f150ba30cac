//! Router-role body handling on a ~1 KB streamed chat request: the core function alone,
//! and the whole filter on the in-memory test host.

use aigw_core::api_kind::ApiKind;
use aigw_core::openai::limits::RequestLimits;
use aigw_core::openai::routing::prepare_request;
use aigw_host::FilterFactory;
use aigw_host::test_host::TestHost;
use aigw_translate::TranslateFactory;
use criterion::{Criterion, criterion_group, criterion_main};
use std::hint::black_box;

const BODY: &[u8] = include_bytes!("../../../testdata/openai/chat_request_1k.json");

fn core(c: &mut Criterion) {
    c.bench_function("prepare_request/validate", |b| {
        b.iter(|| {
            prepare_request(
                ApiKind::ChatCompletions,
                black_box(BODY),
                false,
                &RequestLimits::default(),
            )
            .map(|p| p.model.len())
        })
    });
    c.bench_function("prepare_request/force_include_usage", |b| {
        b.iter(|| {
            prepare_request(
                ApiKind::ChatCompletions,
                black_box(BODY),
                true,
                &RequestLimits::default(),
            )
            .map(|p| p.body.map(|b| b.len()))
        })
    });
}

fn filter(c: &mut Criterion) {
    let (factory, _) =
        TestHost::factory::<TranslateFactory>(r#"{"role":"router","force_include_usage":true}"#)
            .expect("valid router config");
    c.bench_function("router_filter/test_host", |b| {
        b.iter(|| {
            let mut host = TestHost::with_request_headers(&[
                (":method", "POST"),
                (":path", "/v1/chat/completions"),
            ]);
            let mut filter = factory.create_filter();
            host.run_request(&mut filter, black_box(BODY));
            host.route_cache_cleared
        })
    });
}

criterion_group!(benches, core, filter);
criterion_main!(benches);
