//! The memory allocator of every Rabfang program, and how it gives memory back.
//!
//! Every program allocates with mimalloc (`override`: SQLite's C code too). By default
//! mimalloc gives memory that the program freed back to the system only once it has been free
//! for a second, and only when some thread next calls into it: it has no timer of its own. A
//! server that goes quiet after a burst (the worker indexing a million comments, an export)
//! therefore kept what the burst had used, hundreds of megabytes, because the threads that
//! freed it had nothing more to allocate. [`configure`] sets the delay to 0: a `free` that
//! empties a span of memory hands it back itself.
//!
//! Measured at a million comments through `rabfang serve` (BENCHMARKS.md, session 13): idle
//! after indexing 330 → 131 MiB; the peak during an export 170 MiB, and under a crowd of
//! searches 177 MiB, where a delay of 50 ms with a thread collecting every 250 ms still peaked
//! at 232-236 MiB. The price: a long export and the change feed lose a fifth to a third of
//! their speed, faulting in again memory that a delay would have kept.
//!
//! The workspace forbids unsafe code; the calls into mimalloc's C API are here.

use std::{ffi::c_int, sync::Once};

#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// How long memory stays free before mimalloc gives it back, in milliseconds (mimalloc's own
/// default: 1,000).
pub const PURGE_DELAY_MS: i64 = 0;

/// `mi_option_purge_delay` in mimalloc 3's `mi_option_t` (libmimalloc-sys names only some
/// options; a test reads mimalloc's default through it).
const MI_OPTION_PURGE_DELAY: c_int = 15;

static CONFIGURED: Once = Once::new();

/// Sets mimalloc up for a long-running program (see the module documentation), once per
/// process; later calls do nothing. Call it first thing.
pub fn configure() {
    CONFIGURED.call_once(|| set_purge_delay(PURGE_DELAY_MS));
}

/// Sets how long freed memory waits before mimalloc gives it back.
fn set_purge_delay(ms: i64) {
    #[allow(unsafe_code)]
    // SAFETY: options take no pointer and may be set at any time, from any thread; mimalloc
    // reads them as it goes.
    unsafe {
        libmimalloc_sys::mi_option_set(MI_OPTION_PURGE_DELAY, ms as _);
    }
}

/// mimalloc's purge delay now, in milliseconds.
#[cfg(test)]
fn purge_delay() -> i64 {
    #[allow(unsafe_code)]
    // SAFETY: as for `set_purge_delay`.
    let ms = unsafe { libmimalloc_sys::mi_option_get(MI_OPTION_PURGE_DELAY) };
    ms as i64
}

#[cfg(test)]
mod tests {
    use std::{
        sync::Mutex,
        time::{Duration, Instant},
    };

    /// The tests read and set the process's allocator options: one at a time.
    static SERIAL: Mutex<()> = Mutex::new(());

    /// This process's resident memory, in MiB.
    fn rss_mib() -> f64 {
        let status = std::fs::read_to_string("/proc/self/status").unwrap();
        let kib: f64 = status
            .lines()
            .find_map(|l| l.strip_prefix("VmRSS:"))
            .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
            .unwrap();
        kib / 1024.0
    }

    /// Allocates and touches `mib` MiB in many blocks, as a burst of work does, and frees it:
    /// the resident memory while the blocks were held.
    fn burst(mib: usize) -> f64 {
        let blocks: Vec<Vec<u8>> = (0..mib * 16).map(|_| vec![1u8; 64 * 1024]).collect();
        let during = rss_mib();
        drop(blocks);
        during
    }

    #[test]
    fn the_option_set_is_mimallocs_purge_delay() {
        let _serial = SERIAL.lock();
        // mimalloc's documented default for `purge_delay`, read through our option number
        // (unless the other test has configured this process already).
        if !super::CONFIGURED.is_completed() {
            assert_eq!(super::purge_delay(), 1000);
        }
        super::configure();
        assert_eq!(super::purge_delay(), super::PURGE_DELAY_MS);
    }

    #[test]
    fn memory_freed_after_a_burst_goes_back_to_the_system_while_the_program_is_idle() {
        let _serial = SERIAL.lock();
        super::configure();
        let before = rss_mib();
        // The burst on a thread of its own, as the worker's indexing does. With mimalloc's
        // default delay these 200 MiB stay resident: nothing allocates after the burst
        // (checked: still 209 MiB after 15 s).
        let during = std::thread::spawn(|| burst(200)).join().unwrap();
        assert!(during > before + 150.0, "the burst was resident: {during}");
        let started = Instant::now();
        while rss_mib() > before + 50.0 {
            assert!(
                started.elapsed() < Duration::from_secs(15),
                "still {:.0} MiB resident 15 s after the burst (before it: {before:.0})",
                rss_mib()
            );
            std::thread::sleep(Duration::from_millis(100));
        }
    }
}
