//! Pause points for crash and shutdown tests. Built only with the `failpoints` feature (the
//! black-box tests turn it on); without it [`pause`] is an empty inline function.
//!
//! With the feature, `FAILPOINTS=<name>` in a worker's environment makes it stop for good when
//! it reaches the point of that name, and `FAILPOINTS=<name>=sleep(<ms>)` makes it wait that
//! long and go on. Either way it first writes `failpoint <name> reached` to standard error, so
//! that a test can act at exactly that moment (SIGKILL, SIGTERM). The names are
//! `before:<job kind>` (claimed, nothing done yet) and `after:<job kind>` (the handler's work is
//! committed, the job is not yet marked done). The variable has no `RABFANG_` prefix on purpose:
//! it is not a setting, and the settings loader does not see it.

/// Stops or delays this thread if `FAILPOINTS` names `<stage>:<kind>` (only with the
/// `failpoints` feature).
#[cfg(feature = "failpoints")]
pub fn pause(stage: &str, kind: &str) {
    use std::time::Duration;
    static ARMED: std::sync::OnceLock<Option<(String, Option<Duration>)>> =
        std::sync::OnceLock::new();
    let armed = ARMED.get_or_init(|| {
        let spec = std::env::var("FAILPOINTS").ok()?;
        Some(match spec.split_once('=') {
            Some((name, action)) => {
                let ms = action
                    .strip_prefix("sleep(")
                    .and_then(|rest| rest.strip_suffix(')'))
                    .and_then(|ms| ms.parse().ok())
                    .unwrap_or_else(|| panic!("FAILPOINTS: unknown action `{action}`"));
                (name.to_string(), Some(Duration::from_millis(ms)))
            }
            None => (spec, None),
        })
    });
    let Some((name, sleep)) = armed else {
        return;
    };
    if *name != format!("{stage}:{kind}") {
        return;
    }
    {
        use std::io::Write;
        let mut err = std::io::stderr().lock();
        let _ = writeln!(err, "failpoint {name} reached");
        let _ = err.flush();
    }
    match sleep {
        Some(d) => std::thread::sleep(*d),
        None => loop {
            std::thread::sleep(Duration::from_secs(3600));
        },
    }
}

/// Does nothing: this build has no pause points.
#[cfg(not(feature = "failpoints"))]
#[inline(always)]
pub fn pause(_stage: &str, _kind: &str) {}
