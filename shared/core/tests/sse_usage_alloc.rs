//! Streaming usage extraction does not allocate per chunk once its buffers are warm.

use aigw_core::sse::SseParser;
use aigw_core::usage::StreamUsage;
use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;

thread_local! {
    static ALLOCATIONS: Cell<usize> = const { Cell::new(0) };
}

/// Counts allocations made by the current thread.
struct Counting;

// SAFETY: forwards to the system allocator unchanged.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        ALLOCATIONS.with(|n| n.set(n.get() + 1));
        // SAFETY: same contract as the caller's.
        unsafe { System.alloc(layout) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: same contract as the caller's.
        unsafe { System.dealloc(ptr, layout) }
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        ALLOCATIONS.with(|n| n.set(n.get() + 1));
        // SAFETY: same contract as the caller's.
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

#[global_allocator]
static GLOBAL: Counting = Counting;

const STREAM: &[u8] = include_bytes!("../../../testdata/openai/completions_stream.sse");

fn run(parser: &mut SseParser, usage: &mut StreamUsage, chunk_size: usize) -> usize {
    let mut with_output = 0;
    let mut on_event = |event: aigw_core::sse::SseEvent<'_>| {
        if usage.on_event_data(event.data).expect("valid event") {
            with_output += 1;
        }
    };
    for chunk in STREAM.chunks(chunk_size) {
        parser.feed(chunk, &mut on_event).expect("valid stream");
    }
    parser.finish(&mut on_event).expect("valid stream");
    with_output
}

#[test]
fn warm_parser_and_accumulator_do_not_allocate() {
    let mut parser = SseParser::default();
    let mut usage = StreamUsage::default();
    assert_eq!(run(&mut parser, &mut usage, 16), 4);

    let before = ALLOCATIONS.with(Cell::get);
    assert_eq!(run(&mut parser, &mut usage, 16), 4);
    let after = ALLOCATIONS.with(Cell::get);
    assert_eq!(after - before, 0, "allocations in a warm pass");
    assert_eq!(usage.tally().usage().map(|u| u.total_tokens), Some(9));
}
