//! A typical message parses, and its common typed views are read, without a
//! single heap allocation.

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;

use geosip_core::message::headers::WwwAuthenticate;
use geosip_core::message::parse;

/// Counts the allocations made by the current thread, and otherwise
/// delegates to the system allocator.
struct Counting;

thread_local! {
    static ALLOCS: Cell<usize> = const { Cell::new(0) };
}

// SAFETY: every method forwards to `System` with the caller's arguments
// unchanged, so `System`'s guarantees carry over; the counter is a
// thread-local `Cell` that never allocates.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        ALLOCS.with(|c| c.set(c.get() + 1));
        // SAFETY: forwarded as received; the caller upholds `alloc`'s contract.
        unsafe { System.alloc(layout) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: `ptr` came from `System.alloc` above with this `layout`.
        unsafe { System.dealloc(ptr, layout) }
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        ALLOCS.with(|c| c.set(c.get() + 1));
        // SAFETY: `ptr` came from `System` with `layout`; forwarded as received.
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

#[global_allocator]
static GLOBAL: Counting = Counting;

fn allocations_in(f: impl FnOnce()) -> usize {
    let before = ALLOCS.with(Cell::get);
    f();
    ALLOCS.with(Cell::get) - before
}

fn bench_message(name: &str) -> Vec<u8> {
    let dir = std::env::var_os("GEOSIP_SHARED")
        .map(std::path::PathBuf::from)
        .unwrap_or_else(|| {
            std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../shared")
        });
    std::fs::read(dir.join("bench-messages").join(name)).unwrap()
}

#[test]
fn typical_messages_parse_without_allocating() {
    for name in ["invite.sip", "ok_register.sip", "unauthorized_register.sip"] {
        let bytes = bench_message(name);
        let n = allocations_in(|| {
            let m = parse(&bytes).unwrap();
            assert!(m.header_count() > 5);
            for h in m.headers() {
                std::hint::black_box(h.value);
            }
            let via = m.top_via().unwrap();
            std::hint::black_box((via.transport, via.host, via.branch()));
            let from = m.from().unwrap();
            let to = m.to().unwrap();
            std::hint::black_box((from.uri, from.tag(), to.uri, to.tag()));
            std::hint::black_box((m.cseq().unwrap(), m.call_id().unwrap()));
            for c in m.typed_all::<WwwAuthenticate>() {
                let c = c.unwrap();
                std::hint::black_box((c.realm(), c.nonce(), c.algorithm()));
            }
        });
        assert_eq!(n, 0, "{name}: {n} allocations");
    }
    // Up to the inline capacity (30 headers) nothing is allocated either.
    let thirty: String = (0..30).map(|i| format!("X-H{i}: v\r\n")).collect();
    let full = format!("OPTIONS sip:a SIP/2.0\r\n{thirty}\r\n");
    assert_eq!(allocations_in(|| drop(parse(full.as_bytes()).unwrap())), 0);
    // The counter does count: a spilled header index allocates.
    let many: String = (0..40).map(|i| format!("X-H{i}: v\r\n")).collect();
    let big = format!("OPTIONS sip:a SIP/2.0\r\n{many}\r\n");
    assert!(allocations_in(|| drop(parse(big.as_bytes()).unwrap())) > 0);
}
