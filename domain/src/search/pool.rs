//! The threads the embedded index answers searches on: as many as the machine has cores, each
//! at a lower CPU priority (niceness 10) than the rest of the server. A crowd of searches then
//! takes only the CPU that comment intake, pages and the worker leave free: on a busy machine
//! the kernel gives a nice-0 thread about ten times the share of a nice-10 one, and on an idle
//! one searches use every core. One pool serves every index of the process.

use std::{
    panic::AssertUnwindSafe,
    sync::{Arc, Mutex, OnceLock, mpsc},
};

type Job = Box<dyn FnOnce() + Send>;

/// The search threads' priority on thread-priority's scale of 0 to 99, which it maps to
/// niceness 10 for normal threads (of -20 to 19; the rest of the server runs at 0).
const PRIORITY: u8 = 22;

struct Pool {
    jobs: mpsc::Sender<Job>,
}

fn pool() -> &'static Pool {
    static POOL: OnceLock<Pool> = OnceLock::new();
    POOL.get_or_init(|| {
        let (jobs, queue) = mpsc::channel::<Job>();
        let queue = Arc::new(Mutex::new(queue));
        let threads = std::thread::available_parallelism().map_or(2, |n| n.get());
        for n in 0..threads {
            let queue = Arc::clone(&queue);
            let spawned = std::thread::Builder::new()
                .name(format!("search-{n}"))
                .spawn(move || {
                    lower_priority();
                    loop {
                        // The lock is held only to take a job, never while running one.
                        let job = match queue.lock() {
                            Ok(queue) => queue.recv(),
                            Err(poisoned) => poisoned.into_inner().recv(),
                        };
                        let Ok(job) = job else { return };
                        // A panicking search fails its own request (its answer channel is
                        // dropped), not the thread.
                        let _ = std::panic::catch_unwind(AssertUnwindSafe(job));
                    }
                });
            if let Err(e) = spawned {
                tracing::error!(error = %e, "cannot start a search thread");
            }
        }
        Pool { jobs }
    })
}

/// Lowers this thread's CPU priority; a failure only costs the priority, not the search.
fn lower_priority() {
    let lowered = thread_priority::ThreadPriorityValue::try_from(PRIORITY)
        .map_err(|e| e.to_string())
        .and_then(|p| {
            thread_priority::set_current_thread_priority(
                thread_priority::ThreadPriority::Crossplatform(p),
            )
            .map_err(|e| e.to_string())
        });
    if let Err(e) = lowered {
        tracing::warn!(error = %e, "cannot lower a search thread's priority");
    }
}

/// Runs `work` on a search thread; `None` when it panicked or no thread could be started.
pub async fn run<T, F>(work: F) -> Option<T>
where
    T: Send + 'static,
    F: FnOnce() -> T + Send + 'static,
{
    let (answer, answered) = tokio::sync::oneshot::channel();
    let job: Job = Box::new(move || {
        let _ = answer.send(work());
    });
    pool().jobs.send(job).ok()?;
    answered.await.ok()
}

#[cfg(test)]
mod tests {
    /// This thread's niceness, from `/proc/thread-self/stat` (field 19).
    fn niceness() -> i32 {
        let stat = std::fs::read_to_string("/proc/thread-self/stat").unwrap();
        let after_name = &stat[stat.rfind(')').unwrap() + 2..];
        after_name.split(' ').nth(16).unwrap().parse().unwrap()
    }

    #[tokio::test]
    async fn searches_run_on_threads_of_lower_priority() {
        assert_eq!(super::run(niceness).await, Some(10));
        assert_eq!(niceness(), 0, "the caller's own priority is untouched");
        let panicked = super::run(|| -> i32 { panic!("a failing search") }).await;
        assert_eq!(panicked, None, "a panic fails its own search");
        assert_eq!(super::run(|| 7).await, Some(7), "and the pool goes on");
    }
}
