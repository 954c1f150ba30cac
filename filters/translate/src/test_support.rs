//! Helpers the filter's unit tests share: a filter of a config, a header lookup, and a
//! request sent through it in two body chunks.

use crate::{TranslateFactory, TranslateFilter};
use aigw_host::test_host::TestHost;
use aigw_host::{BodyStatus, FilterFactory, HeadersStatus};

/// A filter of the JSON config `config`.
pub fn filter(config: &str) -> TranslateFilter {
    TestHost::factory::<TranslateFactory>(config)
        .unwrap()
        .0
        .create_filter()
}

/// The first value of header `name`.
pub fn header<'a>(headers: &'a [(String, String)], name: &str) -> Option<&'a str> {
    headers
        .iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.as_str())
}

/// A POST of `body` to `path` (plus the `extra` headers) through `f`, the body in two
/// chunks split after its fifth byte; returns the host and the two callbacks' statuses.
pub fn request(
    f: &mut TranslateFilter,
    path: &str,
    body: &str,
    extra: &[(&str, &str)],
) -> (TestHost, HeadersStatus, Option<BodyStatus>) {
    let mut headers = vec![(":method", "POST"), (":path", path)];
    headers.extend_from_slice(extra);
    let mut h = TestHost::with_request_headers(&headers);
    let bytes = body.as_bytes();
    let split = bytes.len().min(5);
    let (hs, bs) = h.run_request_chunks(f, &[&bytes[..split], &bytes[split..]]);
    (h, hs, bs)
}

/// [`request`] of a body the filter translates: held at the headers, passed on at the end.
pub fn translated(
    f: &mut TranslateFilter,
    path: &str,
    body: &str,
    extra: &[(&str, &str)],
) -> TestHost {
    let mut headers = vec![("content-length", "999")];
    headers.extend_from_slice(extra);
    let (h, hs, bs) = request(f, path, body, &headers);
    assert_eq!(hs, HeadersStatus::StopIteration);
    assert_eq!(bs, Some(BodyStatus::Continue), "{:?}", h.local_reply);
    h
}
