//! The global allocator of the native binaries (CLI, controller) and of the benchmarks that
//! measure `plan` as they run it: mimalloc.
//!
//! Why mimalloc: a plan makes ~1,000 short-lived strings, and glibc's malloc/free were ~40% of
//! a heavy plan's instructions (callgrind, `just bench`); musl's allocator, in the controller's
//! static build, is slower still. The calculator's WebAssembly uses Talc for the same reason.
//!
//! Why not `mimalloc::MiMalloc` as is: it calls `mi_malloc_aligned` for every allocation,
//! which cost a heavy plan ~5% more instructions than `mi_malloc`. Every mimalloc block is at
//! least word-aligned, so (like Rust's system allocator) requests that ask no more than that
//! take the plain calls; larger alignments go through `MiMalloc`.
#![no_std]

use core::alloc::{GlobalAlloc, Layout};
use core::ffi::c_void;

use libmimalloc_sys::{mi_free, mi_malloc, mi_realloc, mi_zalloc};
use mimalloc::MiMalloc;

/// `#[global_allocator] static GLOBAL: ecsroles_alloc::Allocator = ecsroles_alloc::Allocator;`
pub struct Allocator;

/// The alignment every mimalloc block has.
const WORD: usize = core::mem::size_of::<usize>();

// SAFETY: every call forwards to mimalloc, which returns blocks of at least `size` bytes
// aligned to at least a word (`mi_malloc`, `mi_zalloc`, `mi_realloc`) or to the layout's
// alignment (`MiMalloc`); `mi_free` frees blocks from any of them.
unsafe impl GlobalAlloc for Allocator {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        if layout.align() <= WORD {
            unsafe { mi_malloc(layout.size()).cast() }
        } else {
            unsafe { MiMalloc.alloc(layout) }
        }
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        if layout.align() <= WORD {
            unsafe { mi_zalloc(layout.size()).cast() }
        } else {
            unsafe { MiMalloc.alloc_zeroed(layout) }
        }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, _layout: Layout) {
        unsafe { mi_free(ptr.cast::<c_void>()) }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        if layout.align() <= WORD {
            unsafe { mi_realloc(ptr.cast::<c_void>(), new_size).cast() }
        } else {
            unsafe { MiMalloc.realloc(ptr, layout, new_size) }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn blocks_have_the_asked_alignment_and_keep_their_bytes() {
        for align in [1, 2, 4, 8, 16, 64, 4096] {
            for size in [1, 3, 8, 24, 100, 5000] {
                let layout = Layout::from_size_align(size, align).unwrap();
                unsafe {
                    let p = Allocator.alloc(layout);
                    assert!(!p.is_null() && p as usize % align == 0, "{size}/{align}");
                    p.write_bytes(0xAB, size);
                    let q = Allocator.realloc(p, layout, size * 3);
                    assert!(
                        !q.is_null() && q as usize % align == 0,
                        "{size}/{align} grown"
                    );
                    assert!((0..size).all(|i| *q.add(i) == 0xAB), "{size}/{align} kept");
                    Allocator.dealloc(q, Layout::from_size_align(size * 3, align).unwrap());
                    let z = Allocator.alloc_zeroed(layout);
                    assert!((0..size).all(|i| *z.add(i) == 0), "{size}/{align} zeroed");
                    Allocator.dealloc(z, layout);
                }
            }
        }
    }
}
