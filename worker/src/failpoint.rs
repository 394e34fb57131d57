//! Pause points for crash tests. Built only with the `failpoints` feature (the black-box tests
//! turn it on); without it [`pause`] is an empty inline function.
//!
//! With the feature, a worker whose environment has `FAILPOINTS=<name>` stops for good when it
//! reaches the point of that name, after writing `failpoint <name> reached` to standard error,
//! so that a test can SIGKILL it at exactly that moment. The names are `before:<job kind>`
//! (claimed, nothing done yet) and `after:<job kind>` (the handler's work is committed, the job
//! is not yet marked done). The variable has no `RABFANG_` prefix on purpose: it is not a
//! setting and the settings loader does not see it.

/// Stops this thread for good if `FAILPOINTS` names `<stage>:<kind>` (only with the
/// `failpoints` feature).
#[cfg(feature = "failpoints")]
pub fn pause(stage: &str, kind: &str) {
    let point = format!("{stage}:{kind}");
    static ARMED: std::sync::OnceLock<Option<String>> = std::sync::OnceLock::new();
    let armed = ARMED.get_or_init(|| std::env::var("FAILPOINTS").ok());
    if armed.as_deref() == Some(point.as_str()) {
        use std::io::Write;
        let mut err = std::io::stderr().lock();
        let _ = writeln!(err, "failpoint {point} reached");
        let _ = err.flush();
        drop(err);
        loop {
            std::thread::sleep(std::time::Duration::from_secs(3600));
        }
    }
}

/// Does nothing: this build has no pause points.
#[cfg(not(feature = "failpoints"))]
#[inline(always)]
pub fn pause(_stage: &str, _kind: &str) {}
